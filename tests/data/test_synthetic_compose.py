"""Synthetic photo assembly: the fast paths against plain full-frame or full-grid oracles."""

import cv2
import numpy as np
import pytest

from lateral_keras.data.synthetic import (
    background,
    body,
    canvas,
    compose,
    identity,
    landmarks,
    look,
    photometric,
    pose,
    seeding,
)
from lateral_keras.data.synthetic.difficulty import resolve_difficulty

SIZE = (320, 240)


def _parts(fish, image, difficulty="hard"):
    """Canonical drawing, pose matrix, quarter-res background and camera of one photo."""
    diff = resolve_difficulty(difficulty)
    shape, colours = identity.fish_body(0, fish)
    texture = identity.session_texture(0, fish, 0, "left", diff)
    rngs = seeding.image_rngs(0, fish, 0, image)
    placed = pose.sample_pose(rngs["pose"], shape, 0.02, SIZE, False, diff)
    fish_img = canvas.render_canonical(shape, 0.02, placed["length_px"], texture, colours,
                                       look.sample_gloss(rngs["gloss"], diff))
    matrix = pose.warp_matrix(placed, fish_img["origin"])
    bg = background.render_background(rngs["background"], SIZE, diff)
    return fish_img, matrix, bg, photometric.sample_camera(rngs["photo"], diff, SIZE[0])


def _full_frame(fish_img, matrix, bg, camera):
    """Everything at full resolution over the whole frame, in the plain order: warp the unlit
    fish, shadow from the full-frame coverage, composite, light, blur."""
    width, height = SIZE
    layers = cv2.merge([*fish_img["color"], fish_img["alpha"]])
    warped = cv2.warpAffine(layers, matrix, SIZE, flags=cv2.INTER_LINEAR)
    alpha = np.clip(warped[..., 3], 0.0, 1.0)
    grid = bg.shape[1], bg.shape[0]
    small = cv2.resize(alpha, grid, interpolation=cv2.INTER_AREA)
    shift = np.float32([[1, 0, 0.0025 * width], [0, 1, 0.003 * width]])
    small = cv2.warpAffine(cv2.GaussianBlur(small, (0, 0), 0.003 * width), shift, grid)
    shadow = 1.0 - 0.35 * cv2.resize(small, SIZE, interpolation=cv2.INTER_LINEAR)
    scene = cv2.resize(bg, SIZE, interpolation=cv2.INTER_LINEAR)
    scene = warped[..., :3] + scene * (shadow * (1.0 - alpha))[..., None]
    xn = np.arange(width) / width - 0.5
    yn = (np.arange(height) / height - 0.5)[:, None]
    field = 1.0 + camera["slope"] * (np.cos(camera["phi"]) * xn + np.sin(camera["phi"]) * yn)
    field = field * (1.0 - camera["vignette"] * (xn**2 + yn**2))
    scene = (scene * field[..., None] * camera["gain"]).astype(np.float32)
    return cv2.GaussianBlur(scene, (0, 0), camera["blur"]), alpha


@pytest.mark.parametrize("fish,image", [(0, 0), (1, 3), (2, 1)])
def test_compose_matches_full_frame_oracle(fish, image):
    parts = _parts(fish, image)
    scene, alpha, (x0, y0, x1, y1) = compose.compose(*parts, SIZE)
    want, want_alpha = _full_frame(*parts)
    assert scene.shape == want.shape and scene.dtype == np.float32
    # Lighting before the warp, shadow on the coarse grid and blur on the box only: on average
    # under a tenth of a grey level (1 / 255), nowhere more than two.
    diff = np.abs(scene - want)
    assert diff.mean() < 0.1 / 255, diff.mean()
    assert diff.max() < 2 / 255, diff.max()
    np.testing.assert_allclose(alpha, want_alpha[y0:y1, x0:x1], atol=1e-4)  # warp rounding
    outside = np.ones(want_alpha.shape, bool)
    outside[y0:y1, x0:x1] = False
    assert not want_alpha[outside].any()


def test_fish_box_holds_the_blurred_fish():
    fish_img, matrix, _, camera = _parts(3, 2)
    x0, y0, x1, y1 = compose.fish_box(matrix, fish_img["alpha"].shape, SIZE, camera["blur"])
    alpha = cv2.warpAffine(fish_img["alpha"], matrix, SIZE, flags=cv2.INTER_LINEAR)
    blurred = cv2.GaussianBlur(alpha, (0, 0), camera["blur"])
    ys, xs = np.nonzero(blurred > 1e-6)
    assert x0 <= xs.min() and xs.max() < x1 and y0 <= ys.min() and ys.max() < y1
    assert 0 <= x0 < x1 <= SIZE[0] and 0 <= y0 < y1 <= SIZE[1]


def test_light_field_formula():
    camera = {"phi": 0.7, "slope": 0.3, "vignette": 0.25}
    x, y = np.array([0.0, 10.5, 39.0]), np.array([3.0, 29.0, 15.0])
    got = photometric.light_field(camera, (40, 30), x, y)
    xn, yn = x / 40 - 0.5, y / 30 - 0.5
    want = (1 + 0.3 * (np.cos(0.7) * xn + np.sin(0.7) * yn)) * (1 - 0.25 * (xn**2 + yn**2))
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_expose_noise_statistics_and_rounding():
    camera = photometric.sample_camera(np.random.default_rng(0), resolve_difficulty("hard"), 400)
    photo = photometric.expose(np.full((300, 400, 3), 0.5, np.float32), camera)
    values = photo.astype(float) - 127.5
    assert abs(values.mean()) < 0.05
    # uint8 rounding adds 1/12 of a grey level squared to the variance.
    assert np.isclose(values.std(), np.sqrt(camera["noise"] ** 2 + 1 / 12), rtol=0.02)
    clean = dict(camera, noise=0.0)
    scene = np.linspace(-0.1, 1.1, 3 * 50 * 60, dtype=np.float32).reshape(50, 60, 3)
    want = np.clip(np.round(scene.astype(np.float64) * 255), 0, 255)
    assert np.abs(photometric.expose(scene, clean) - want).max() <= 1


def test_expose_is_seeded():
    camera = photometric.sample_camera(np.random.default_rng(5), resolve_difficulty(1.0), 80)
    scene = np.full((60, 80, 3), 0.4, np.float32)
    np.testing.assert_array_equal(photometric.expose(scene, camera),
                                  photometric.expose(scene, camera))
    other = dict(camera, noise_seed=camera["noise_seed"] + 1)
    assert (photometric.expose(scene, other) != photometric.expose(scene, camera)).mean() > 0.5


def test_expose_adds_its_window_of_the_bank_and_neighbours_are_independent():
    camera = {"noise": 6.0, "noise_seed": 2**31 - 5}
    scene = np.full((200, 300, 3), 0.5, np.float32)
    photo = photometric.expose(scene, camera).astype(float)
    start = (2**31 - 5) % (photometric.NOISE_SPARE + 1)
    bank = np.random.default_rng(20261130).standard_normal(
        scene.size + photometric.NOISE_SPARE, dtype=np.float32)
    want = np.clip(np.round(127.5 + 6.0 * bank[start:start + scene.size].astype(float)), 0, 255)
    assert np.abs(photo - want.reshape(scene.shape)).max() <= 1
    grain = photo - photo.mean()
    for axis in (0, 1, 2):  # next row, next column, next colour plane
        lag = np.corrcoef(grain.take(range(1, grain.shape[axis]), axis).ravel(),
                          grain.take(range(grain.shape[axis] - 1), axis).ravel())[0, 1]
        assert abs(lag) < 0.02


def _dense_landmarks(shape, bend):
    """SPEC section 2 on the whole 20001-point grids (body lengths)."""
    x = np.linspace(0.0, 1.0, 20001)
    bottom = body.outline(shape, x, bend)[1]
    span = np.linspace(shape.eye_x, shape.dorsal_x0, 20001)
    return x[np.argmax(bottom)], bottom.max(), body.outline(shape, span, bend)[0].max()


def test_landmarks_match_the_whole_grid():
    rng = np.random.default_rng(3)
    for fish in range(40):
        shape = identity.fish_body(0, fish)[0]
        bend = float(rng.uniform(-0.15, 0.15))
        lm = landmarks.canonical_landmarks(shape, bend, 1.0, (0.0, 0.0))
        bp_x, bp_y, back = _dense_landmarks(shape, bend)
        # Same grid points; at most one step apart where float rounding ties neighbours.
        assert lm["bp"][0] == pytest.approx(bp_x, abs=1 / 20000)
        assert lm["bp"][1] == pytest.approx(bp_y, rel=1e-12)
        assert lm["back"] == pytest.approx(back, rel=1e-12)


def test_fin_polygons_sit_on_the_outline():
    shape = identity.fish_body(0, 4)[0]
    polygons = body.fin_polygons(shape, 0.03)
    up = polygons["dorsal"][0]
    assert up[0] == shape.dorsal_x0
    assert up[1] == pytest.approx(body.outline(shape, np.array([up[0]]), 0.03)[0][0], rel=1e-12)
    anal_base = polygons["anal"][1]
    assert anal_base[0] == 0.66
    assert anal_base[1] == pytest.approx(body.outline(shape, np.array([0.66]), 0.03)[1][0],
                                         rel=1e-12)
    assert {k: v.shape[0] for k, v in polygons.items()} == {
        "dorsal": 9, "adipose": 5, "caudal": 9, "anal": 6, "pelvic": 4, "pectoral": 5}
