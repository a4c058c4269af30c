"""Synthetic fish generator: determinism, resuming, ground truth on the fish, drift, baseline."""

import os
import shutil

import cv2
import numpy as np
import pytest

from lateral_keras.data.synthetic import (
    COLUMNS,
    generate_dataset,
    raw_pixel_baseline,
    read_ground_truth,
    render_image,
    resolve_difficulty,
    roi_crop,
    session_spots,
)
from lateral_keras.data.synthetic.baseline import nearest_neighbour_rank1, standardise
from lateral_keras.data.synthetic.identity import fish_body

SMALL = {"n_fish": 3, "n_sessions": 2, "images_per_session": 2, "image_size": (200, 150)}


def _files(root):
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


def test_deterministic_across_worker_counts(tmp_path):
    a = generate_dataset(tmp_path / "a", workers=1, **SMALL)
    b = generate_dataset(tmp_path / "b", workers=2, **SMALL)
    files_a, files_b = _files(a), _files(b)
    assert sorted(files_a) == sorted(files_b)
    assert len([p for p in files_a if p.endswith(".jpg")]) == 3 * 2 * 2
    for path in files_a:
        assert files_a[path] == files_b[path], path
    with open(os.path.join(a, "ground_truth.csv"), encoding="utf-8") as f:
        assert f.readline().strip().split(",") == list(COLUMNS)


def test_layout_and_table(tmp_path):
    root = generate_dataset(tmp_path / "d", workers=1, both_flanks=True, **SMALL)
    rows = read_ground_truth(root)
    assert [r["path"] for r in rows] == [
        f"SESSION{s}/fish_{f:04d}/img_{i:02d}.jpg" for f in range(3) for s in (1, 2)
        for i in range(2)
    ]
    for r in rows:
        assert r["path"].split("/") == [r["session"], r["identity"], r["path"][-10:]]
        image = cv2.imread(os.path.join(root, r["path"]))
        assert image.shape == (150, 200, 3)
        assert 0 <= r["angle_deg"] < 360
    assert {r["side"] for r in rows} == {"left", "right"}
    assert os.path.isfile(os.path.join(root, "synth_config.json"))
    assert not os.path.exists(os.path.join(root, ".synth_parts"))


def test_resume_regenerates_only_missing(tmp_path):
    root = generate_dataset(tmp_path / "r", workers=1, **SMALL)
    before = _files(root)
    stamps = {p: os.stat(os.path.join(root, p)).st_mtime_ns for p in before}
    removed = ["SESSION1/fish_0001/img_01.jpg", "SESSION2/fish_0002/img_00.jpg"]
    for path in removed:
        os.remove(os.path.join(root, path))
    calls = []
    generate_dataset(tmp_path / "r", workers=1, progress=lambda d, t: calls.append((d, t)),
                     **SMALL)
    assert calls[0] == (10, 12) and calls[-1] == (12, 12)
    after = _files(root)
    assert after == before
    for path in before:
        if path.endswith(".jpg") and path not in removed:
            assert os.stat(os.path.join(root, path)).st_mtime_ns == stamps[path], path


def test_interrupted_run_resumes_to_the_same_result(tmp_path):
    clean = _files(generate_dataset(tmp_path / "clean", workers=1, **SMALL))

    def stop_after_some(done, total):
        if done >= 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        generate_dataset(tmp_path / "cut", workers=1, progress=stop_after_some, **SMALL)
    assert not os.path.exists(tmp_path / "cut" / "ground_truth.csv")
    calls = []
    generate_dataset(tmp_path / "cut", workers=1, progress=lambda d, t: calls.append(d), **SMALL)
    assert calls[0] == 4
    assert _files(tmp_path / "cut") == clean


def test_refuses_other_settings(tmp_path):
    generate_dataset(tmp_path / "x", workers=1, **SMALL)
    with pytest.raises(ValueError, match="other settings"):
        generate_dataset(tmp_path / "x", workers=1, seed=1, **SMALL)
    fewer = {**SMALL, "n_fish": SMALL["n_fish"] - 1}
    with pytest.raises(ValueError, match="other settings"):
        generate_dataset(tmp_path / "x", workers=1, **fewer)
    more = {**SMALL, "n_fish": SMALL["n_fish"] + 1, "seed": 1}
    with pytest.raises(ValueError, match="other settings"):
        generate_dataset(tmp_path / "x", workers=1, **more)


def test_more_fish_extend_a_dataset_to_what_a_fresh_one_holds(tmp_path):
    small = generate_dataset(tmp_path / "grow", workers=1, **SMALL)
    before = _files(small)
    more = {**SMALL, "n_fish": SMALL["n_fish"] + 2}
    calls = []
    generate_dataset(tmp_path / "grow", workers=1, progress=lambda d, t: calls.append((d, t)),
                     **more)
    per_fish = SMALL["n_sessions"] * SMALL["images_per_session"]
    photos = sum(name.endswith(".jpg") for name in before)
    assert photos == per_fish * SMALL["n_fish"]
    assert calls[0] == (photos, per_fish * more["n_fish"])  # the old photos are not redone
    grown = _files(tmp_path / "grow")
    assert grown == _files(generate_dataset(tmp_path / "fresh", workers=1, **more))
    assert all(grown[name] == data for name, data in before.items()
               if name.endswith(".jpg"))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_fish": 0}, "n_fish"),
        ({"image_size": (800,)}, "image_size"),
        ({"difficulty": "brutal"}, "difficulty"),
        ({"workers": 0}, "workers"),
    ],
)
def test_argument_validation(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        generate_dataset(tmp_path / "v", **kwargs)


def _window(mask, point, radius=3):
    x, y = int(round(point[0])), int(round(point[1]))
    return mask[max(y - radius, 0):y + radius + 1, max(x - radius, 0):x + radius + 1]


CASES = [(fish, session, image) for fish, session, image in
         [(0, 0, 0), (1, 0, 1), (2, 1, 2), (3, 2, 3), (4, 3, 4), (5, 1, 5), (6, 0, 7), (7, 3, 1),
          (8, 2, 6), (9, 1, 3)]]


@pytest.fixture(scope="module")
def rendered():
    out = []
    for fish, session, image in CASES:
        out.append(render_image(fish, session, image, image_size=(640, 480), both_flanks=True,
                                return_masks=True))
    return out


def test_poses_cover_rotations_and_flanks(rendered):
    angles = np.array([t["angle_deg"] for _, t, _ in rendered])
    assert {t["side"] for _, t, _ in rendered} == {"left", "right"}
    assert len(set((angles // 90).astype(int))) >= 3


def test_eye_is_dark(rendered):
    for photo, truth, masks in rendered:
        grey = cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY).astype(float)
        x, y = np.round(truth["ep"]).astype(int)
        assert masks["body"][y, x]
        assert grey[y, x] < 100, truth["path"]
        assert grey[y, x] < 0.6 * np.median(grey[masks["body"]]), truth["path"]


def test_up_and_bp_on_outline(rendered):
    for _, truth, masks in rendered:
        near_up = _window(masks["fish"], truth["up"])
        assert near_up.any() and not near_up.all(), truth["path"]
        near_up_body = _window(masks["body"], truth["up"])
        assert near_up_body.any() and not near_up_body.all(), truth["path"]
        near_bp = _window(masks["body"], truth["bp"])
        assert near_bp.any() and not near_bp.all(), truth["path"]


def test_bp_is_lowest_point_and_up_is_dorsal(rendered):
    for _, truth, masks in rendered:
        t = np.deg2rad(truth["angle_deg"])
        ventral = np.array([np.sin(t), np.cos(t)])  # image of the normalised frame's +y
        ys, xs = np.nonzero(masks["body"])
        depth = np.stack([xs, ys], 1) @ ventral
        assert depth.max() <= truth["bp"] @ ventral + 1.5, truth["path"]
        assert depth.max() >= truth["bp"] @ ventral - 1.5, truth["path"]
        assert (truth["up"] - truth["bp"]) @ ventral < 0, truth["path"]


def test_head_direction_and_flank_convention(rendered):
    for _, truth, masks in rendered:
        ys, xs = np.nonzero(masks["body"])
        centroid = np.array([xs.mean(), ys.mean()])
        to_head = truth["ep"] - centroid
        to_back = truth["up"] - truth["bp"]
        t = np.deg2rad(truth["angle_deg"])
        if abs(np.cos(t)) > 0.3:
            assert truth["head_left"] == int(to_head[0] < 0), truth["path"]
        cross = to_head[0] * to_back[1] - to_head[1] * to_back[0]
        # left flank, dorsal up: head left -> cross > 0 (y down); a right flank is mirrored
        assert np.sign(cross) == (1 if truth["side"] == "left" else -1), truth["path"]


def test_roi_inside_body(rendered):
    for _, truth, masks in rendered:
        roi = truth["roi"]
        for point in [*roi, roi.mean(0)]:
            x, y = np.round(point).astype(int)
            assert masks["body"][y, x], (truth["path"], point)
        assert np.allclose(roi[0], roi[3] + (roi[1] - roi[2]), atol=1e-6)  # a parallelogram


def test_roi_box_in_normalised_frame(rendered):
    """Undo the pose: the ROI is the axis-aligned box between EP.x and UP.x, EP on its left."""
    for _, truth, _ in rendered:
        t = np.deg2rad(truth["angle_deg"])
        forward = np.array([np.cos(t), -np.sin(t)])  # image of the normalised +x (tail-ward)
        if truth["side"] == "right":
            forward = -forward
        ventral = np.array([np.sin(t), np.cos(t)])
        to_frame = np.stack([forward, ventral])
        roi = truth["roi"] @ to_frame.T
        ep, up = truth["ep"] @ to_frame.T, truth["up"] @ to_frame.T
        assert np.allclose(roi[[0, 3], 0], ep[0]) and np.allclose(roi[[1, 2], 0], up[0])
        assert np.allclose(roi[0, 1], roi[1, 1]) and np.allclose(roi[2, 1], roi[3, 1])
        assert roi[0, 0] < roi[1, 0] and roi[0, 1] < roi[3, 1]


def _chamfer(a, b):
    """Symmetric mean nearest-neighbour distance between two point sets."""
    dist = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    return 0.5 * (dist.min(1).mean() + dist.min(0).mean())


def _points(spots, depth):
    return np.stack([spots["u"], spots["v"] * depth], 1)


@pytest.mark.parametrize("session", [1, 2, 3])
def test_spot_layout_stable_per_fish_but_drifting(session):
    n = 10
    depth = [fish_body(0, f)[0].depth for f in range(n)]
    firsts = [_points(session_spots(0, f, 0), depth[f]) for f in range(n)]
    later = [_points(session_spots(0, f, session), depth[f]) for f in range(n)]
    for f in range(n):
        own = _chamfer(firsts[f], later[f])
        assert own > 0  # the skin drifts
        others = [_chamfer(firsts[g], later[f]) for g in range(n) if g != f]
        assert own < min(others), f


def test_right_flank_has_its_own_pattern():
    left, right = session_spots(0, 0, 0, "left"), session_spots(0, 0, 0, "right")
    depth = fish_body(0, 0)[0].depth
    assert _chamfer(_points(left, depth), _points(right, depth)) > 0.01


def test_spots_present_in_roi_region():
    for f in range(6):
        shape = fish_body(0, f)[0]
        spots = session_spots(0, f, 0)
        inside = ((spots["u"] > shape.eye_x) & (spots["u"] < shape.dorsal_x0)
                  & (spots["v"] > 0.08) & (spots["v"] < 0.5))
        assert inside.sum() >= 10


def test_difficulty_scales_drift():
    easy, hard = resolve_difficulty("easy"), resolve_difficulty("hard")
    assert easy.drift_shift_u < hard.drift_shift_u and easy.noise < hard.noise
    assert resolve_difficulty(1.0) == resolve_difficulty("default")


def test_nearest_neighbour_matches_loop_oracle():
    rng = np.random.default_rng(3)
    gallery, probes = rng.normal(size=(12, 20)), rng.normal(size=(30, 20))
    g_ids = [f"id{i % 4}" for i in range(12)]
    p_ids = [f"id{i % 5}" for i in range(30)]
    hits = 0
    for p, pid in zip(probes, p_ids):
        best, best_sim = None, -np.inf
        for g, gid in zip(gallery, g_ids):
            sim = float(p @ g) / (np.sqrt(p @ p) * np.sqrt(g @ g))
            if sim > best_sim:
                best, best_sim = gid, sim
        hits += best == pid
    rank1, _ = nearest_neighbour_rank1(gallery, g_ids, probes, p_ids)
    assert rank1 == pytest.approx(hits / 30)


def test_standardise_per_crop():
    crops = np.random.default_rng(0).uniform(0, 255, (3, 4, 5))
    out = standardise(crops)
    for i in range(3):
        x = crops[i].ravel()
        assert np.allclose(out[i], (x - x.mean()) / x.std(), atol=1e-4)


def test_roi_crop_samples_the_box():
    xs = np.arange(300, dtype=np.float64)
    ramp = np.tile(xs / 2.0, (200, 1)).astype(np.uint8)  # grey = x / 2
    corners = [[40, 50], [167, 50], [167, 81], [40, 81]]
    crop = roi_crop(ramp, corners, (32, 128))
    expected = np.floor(np.arange(40, 168) / 2.0)
    assert np.allclose(crop, np.tile(expected, (32, 1)))
    with pytest.raises(ValueError, match="corners"):
        roi_crop(ramp, corners[:3])


def _write_copy_dataset(tmp_path):
    """A root whose SESSION2 images are byte copies of SESSION1's: rank-1 must be 100 %."""
    root = generate_dataset(tmp_path / "c", workers=1, **SMALL)
    rows = open(os.path.join(root, "ground_truth.csv"), encoding="utf-8").read().splitlines()
    out = [rows[0]]
    for line in rows[1:]:
        if "SESSION1" in line:
            out.append(line)
            shutil.copy(os.path.join(root, line.split(",")[0]),
                        os.path.join(root, line.split(",")[0].replace("SESSION1", "SESSION2")))
            out.append(line.replace("SESSION1", "SESSION2"))
    with open(os.path.join(root, "ground_truth.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return root


def test_baseline_identical_sessions_is_perfect(tmp_path):
    result = raw_pixel_baseline(_write_copy_dataset(tmp_path))
    assert result["rank1"] == 1.0
    assert result["n_gallery"] == 6 and result["n_probes"] == 6


def test_baseline_matches_independent_computation(tmp_path):
    root = generate_dataset(tmp_path / "b", workers=1, **SMALL)
    rows = read_ground_truth(root)
    feats = {}
    for r in rows:
        image = cv2.imread(os.path.join(root, r["path"]), cv2.IMREAD_GRAYSCALE)
        x = roi_crop(image, r["roi"]).astype(np.float64).ravel()
        feats[r["path"]] = (x - x.mean()) / x.std()
    gallery = [r for r in rows if r["session"] == "SESSION1"]
    hits = 0
    probes = [r for r in rows if r["session"] != "SESSION1"]
    for p in probes:
        sims = [feats[p["path"]] @ feats[g["path"]] for g in gallery]
        hits += gallery[int(np.argmax(sims))]["identity"] == p["identity"]
    assert raw_pixel_baseline(root)["rank1"] == pytest.approx(hits / len(probes))


@pytest.mark.slow
def test_statistics_on_thirty_fish(tmp_path):
    root = generate_dataset(tmp_path / "s", n_fish=30, n_sessions=2, images_per_session=2,
                            image_size=(400, 300), workers=2)
    rows = read_ground_truth(root)
    angles = np.array([r["angle_deg"] for r in rows])
    assert np.histogram(angles, bins=4, range=(0, 360))[0].min() >= 5
    assert 0.25 <= np.mean([r["head_left"] for r in rows]) <= 0.75
    rank1 = raw_pixel_baseline(root)["rank1"]
    assert 3 / 30 < rank1 < 0.95


def test_roi_directions_compare_the_head_and_back_edges_with_the_truth():
    from lateral_keras.data.synthetic.ground_truth import roi_directions

    truth = np.array([[10, 20], [50, 20], [50, 30], [10, 30]], float)  # head left, back up
    turned = truth @ np.array([[0.8, 0.6], [-0.6, 0.8]])  # rotated by 37 degrees
    assert roi_directions(truth, truth) == (True, True)
    assert roi_directions(turned, truth) == (True, True)
    assert roi_directions(truth[[1, 0, 3, 2]], truth) == (False, True)  # back to front
    assert roi_directions(truth[[3, 2, 1, 0]], truth) == (True, False)  # upside down
    assert roi_directions(truth[[2, 3, 0, 1]], truth) == (False, False)  # turned by 180
