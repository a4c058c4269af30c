"""Extractor pieces and invariances: settings, result rows, shrinking, rotation and mirror."""

import cv2
import numpy as np
import pytest

from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing.extractor import extract_roi, halve_to
from lateral_keras.preprocessing.result import ROW_FIELDS, RoiResult
from lateral_keras.preprocessing.settings import ExtractorSettings


@pytest.fixture(scope="module")
def photo():
    image, truth = render_image(7, 1, 2, seed=13)
    return image, truth


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"top_fraction": 0.6}, "top_fraction < bottom_fraction"),
        ({"roi_size": (64,)}, "roi_size"),
        ({"roi_size": (0, 10)}, "roi_size"),
        ({"hue_band": (200, 100)}, "hue_band"),
        ({"work_side": 10}, "work_side"),
        ({"min_saturation": 2.0}, "min_saturation"),
        ({"axis": "diagonal"}, "axis"),
    ],
)
def test_settings_reject_bad_values(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ExtractorSettings(**kwargs)


def test_result_rejects_unknown_reason_and_rows_have_every_field():
    with pytest.raises(ValueError, match="reason"):
        RoiResult(ok=False, reason="bad_luck")
    row = RoiResult(ok=False, reason="no_fish", message="m").to_row()
    assert tuple(row) == ROW_FIELDS
    assert row["reason"] == "no_fish" and row["ep_x"] == ""


def test_halving_keeps_the_pixel_map_exact():
    image = np.zeros((961, 1281, 3), np.uint8)
    # Block 640..643 x 480..483 folds into work pixel (160, 120) at factor 4; its centre
    # 2 x 2 pixels 641..642 x 481..482 are averaged, centred at (641.5 + 0.5) / 4 - 0.5 = 160.
    image[481:483, 641:643] = 200
    image[480, 640] = image[483, 643] = 255  # block corners: outside the footprint
    shrunk, factor = halve_to(image, 512)
    assert factor == 4 and shrunk.shape == (240, 320, 3)
    assert shrunk[120, 160, 0] == 200 and np.count_nonzero(shrunk[:, :, 0]) == 1


def test_successful_result_is_complete(photo):
    result = extract_roi(photo[0])
    assert result.ok, result.message
    assert result.roi.shape == (64, 256, 3) and result.roi.dtype == np.uint8
    assert set(result.landmarks) == {"EP", "UP", "BP"}
    assert result.corners.shape == (4, 2)
    assert result.side == photo[1]["side"] and result.mirrored is False
    assert 0 < result.quality["fish_area_share"] < 1
    assert result.quality["sharpness"] > 0
    assert 0 < result.quality["exposure"]["mean_v"] < 1
    row = result.to_row()
    assert row["ok"] is True and row["roi_x2"] == round(float(result.corners[2, 0]), 2)


def test_native_roi_size_matches_the_corners(photo):
    result = extract_roi(photo[0], ExtractorSettings(roi_size=None))
    corners = result.corners
    width = np.hypot(*(corners[1] - corners[0]))
    height = np.hypot(*(corners[3] - corners[0]))
    assert result.roi.shape[:2] == (round(height), round(width))


def test_rotating_the_photo_rotates_the_roi(photo):
    image = photo[0]
    reference = extract_roi(image)
    turned = extract_roi(np.ascontiguousarray(np.rot90(image)))  # counter-clockwise by 90
    assert turned.ok and turned.side == reference.side
    # np.rot90 maps pixel (x, y) to (y, W - 1 - x).
    expected = np.stack([reference.corners[:, 1], image.shape[1] - 1 - reference.corners[:, 0]], 1)
    depth = np.hypot(*(reference.corners[3] - reference.corners[0]))
    assert np.abs(turned.corners - expected).max() < 0.1 * depth / 0.45
    assert (turned.rotation_deg - reference.rotation_deg) % 360 == pytest.approx(90, abs=2)


def test_mirroring_the_photo_flips_the_side(photo):
    image = photo[0]
    reference = extract_roi(image)
    mirrored = extract_roi(np.ascontiguousarray(image[:, ::-1]))
    assert mirrored.ok and mirrored.mirrored != reference.mirrored
    assert {mirrored.side, reference.side} == {"left", "right"}
    expected = reference.corners.copy()
    expected[:, 0] = image.shape[1] - 1 - expected[:, 0]
    depth = np.hypot(*(reference.corners[3] - reference.corners[0]))
    assert np.abs(mirrored.corners - expected).max() < 0.1 * depth / 0.45
    np.testing.assert_allclose(
        mirrored.roi.astype(float).mean(), reference.roi.astype(float).mean(), rtol=0.05
    )


def test_full_res_gives_full_resolution_coordinates(photo):
    image = photo[0]
    size = (image.shape[1] * 2, image.shape[0] * 2)
    large = cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)
    direct = extract_roi(large)
    reduced = extract_roi(image, full_res=large)
    assert reduced.ok and direct.ok
    depth = np.hypot(*(direct.corners[3] - direct.corners[0]))
    assert np.abs(reduced.corners - direct.corners).max() < 0.1 * depth / 0.45
    assert extract_roi(image, full_res=large[:, :100]).reason == "bad_input"


def test_minimum_sharpness_rejects_a_blurred_photo(photo):
    blurred = cv2.GaussianBlur(photo[0], (0, 0), 2)
    sharp = extract_roi(photo[0])
    settings = ExtractorSettings(min_sharpness=0.5 * sharp.quality["sharpness"])
    assert extract_roi(photo[0], settings).ok
    assert extract_roi(blurred, settings).reason == "too_blurred"


def test_settings_must_be_extractor_settings(photo):
    with pytest.raises(TypeError, match="ExtractorSettings"):
        extract_roi(photo[0], {"work_side": 512})


def test_fins_touching_the_border_are_detached_but_a_cut_body_is_not():
    from lateral_keras.preprocessing.segmentation import detach_from_border

    body = np.zeros((200, 400), np.uint8)
    cv2.ellipse(body, (200, 100), (120, 35), 0, 0, 360, 1, thickness=-1)
    fin = body.copy()
    cv2.line(fin, (310, 100), (399, 180), 1, thickness=3)  # a thin fin ray to the border
    cleaned, contact = detach_from_border(fin.astype(bool))
    assert contact == 0
    assert not cleaned[:, -1].any() and not cleaned[-1].any()
    assert cleaned[body.astype(bool)].all()
    cut = np.zeros((200, 400), np.uint8)
    cv2.ellipse(cut, (360, 100), (120, 35), 0, 0, 360, 1, thickness=-1)  # runs off the right
    _, contact = detach_from_border(cut.astype(bool))
    assert contact > 30


def test_pairs_given_as_lists_become_tuples_with_the_same_cache_key():
    """Settings read from YAML or JSON (lists) equal those written in Python (tuples)."""
    from lateral_keras.preprocessing.cache import settings_digest

    listed = ExtractorSettings(roi_size=[32, 128], hue_band=[70.0, 170.0])
    written = ExtractorSettings(roi_size=(32, 128), hue_band=(70.0, 170.0))
    assert listed == written and listed.roi_size == (32, 128) and listed.hue_band == (70, 170)
    assert settings_digest(listed, "extract") == settings_digest(written, "extract")
    assert ExtractorSettings(roi_size=None).roi_size is None
