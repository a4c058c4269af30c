"""Tests of the contact-sheet drawing and the report helpers used by `prepare_dataset`."""

import cv2
import numpy as np
import pytest

from lateral_keras.preprocessing.contact_sheet import annotate_photo, make_sheet, moment_ellipse
from lateral_keras.preprocessing.report import summarise, summary_markdown
from lateral_keras.preprocessing.result import RoiResult, failed


@pytest.mark.parametrize("angle", [0.0, 30.0, -60.0])
def test_moment_ellipse_recovers_a_drawn_ellipse(angle):
    mask = np.zeros((200, 300), np.uint8)
    cv2.ellipse(mask, ((150.0, 90.0), (180.0, 60.0), angle), 1, -1)
    (cx, cy), (major, minor), found = moment_ellipse(mask)
    assert (cx, cy) == pytest.approx((150.0, 90.0), abs=0.5)
    assert (major, minor) == pytest.approx((180.0, 60.0), rel=0.03)
    assert (found - angle + 90) % 180 - 90 == pytest.approx(0.0, abs=1.0)
    assert moment_ellipse(np.zeros((4, 4), bool)) is None


def test_annotate_photo_draws_mask_outline_and_landmarks(tmp_path):
    photo = np.zeros((400, 640, 3), np.uint8)
    photo[:] = (0, 160, 0)
    cv2.ellipse(photo, ((320, 200), (400, 120), 0), (90, 90, 90), -1)
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    mask = np.zeros((200, 320), np.uint8)
    cv2.ellipse(mask, ((160, 100), (200, 60), 0), 1, -1)
    result = failed(
        "landmark_not_found", "no fin", mask=mask.astype(bool), landmarks={"EP": (160.0, 180.0)}
    )
    thumb = annotate_photo(path, result, side=320)
    assert thumb.shape == (200, 320, 3)
    outline = np.all(thumb == (0, 255, 0), axis=-1)
    ys, xs = np.nonzero(outline)
    assert outline.sum() > 100 and xs.min() <= 62 and xs.max() >= 258
    assert ys.min() <= 72 and ys.max() >= 128
    ellipse = np.all(thumb == (255, 255, 0), axis=-1)
    assert ellipse.sum() > 100
    np.testing.assert_array_equal(thumb[88:93, 78:83], np.broadcast_to((255, 0, 0), (5, 5, 3)))
    plain = annotate_photo(path, None, side=320)
    expected = cv2.resize(photo, (320, 200), interpolation=cv2.INTER_AREA)
    np.testing.assert_array_equal(plain, expected)


def test_annotate_photo_draws_the_roi_with_its_head_and_back_corner(tmp_path):
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), np.zeros((400, 640, 3), np.uint8))
    corners = [(200.0, 100.0), (440.0, 100.0), (440.0, 160.0), (200.0, 160.0)]
    thumb = annotate_photo(path, RoiResult(ok=True, corners=corners), side=320)
    white = np.all(thumb == 255, axis=-1)
    assert white[50, 110:210].all() and white[80, 110:210].mean() > 0.9  # top and bottom edges
    assert white[48:53, 98:103].all()  # the dot at corner 0, (200, 100) halved
    assert not white[48:53, 218:223].all()  # no dot at corner 1
    assert not white[60:75, 110:210].any()  # inside stays dark


def test_annotate_photo_of_an_unreadable_file_is_a_placeholder(tmp_path):
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    tile = annotate_photo(path, failed("empty_file", "zero bytes"), side=160)
    assert tile.shape == (120, 160, 3)


def test_make_sheet_places_tiles_in_a_grid():
    red = np.zeros((10, 20, 3), np.uint8)
    red[..., 0] = 255
    blue = np.zeros((10, 20, 3), np.uint8)
    blue[..., 2] = 255
    sheet = make_sheet([(red, ["r"]), (blue, ["b"]), (red, ["r"])], (10, 20), 2, "title")
    cell_h = 10 + 14 + 4
    assert sheet.shape == (20 + 2 * cell_h, 40, 3)
    np.testing.assert_array_equal(sheet[20:30, 0:20], red)
    np.testing.assert_array_equal(sheet[20:30, 20:40], blue)
    np.testing.assert_array_equal(sheet[20 + cell_h : 30 + cell_h, 0:20], red)


def test_summary_counts_by_status_reason_and_session():
    rows = [
        {"status": "ok", "reason": "", "session": "S1"},
        {"status": "failed", "reason": "no_fish", "session": "S1"},
        {"status": "failed", "reason": "no_fish", "session": "S2"},
        {"status": "skipped", "reason": "not_an_image_extension", "session": ""},
    ]
    summary = summarise(rows)
    assert (summary["total"], summary["ok"], summary["failed"], summary["skipped"]) == (4, 1, 2, 1)
    assert summary["reasons"] == {"no_fish": 2, "not_an_image_extension": 1}
    assert summary["sessions"] == {
        "(none)": {"skipped": 1}, "S1": {"failed": 1, "ok": 1}, "S2": {"failed": 1}
    }
    text = summary_markdown(
        {**summary, "cache_dir": "c", "roi_mode": "extract", "processed": 3, "reused": 1}
    )
    assert "| no_fish | 2 |" in text and "| S1 | 1 | 1 | 0 | 0 |" in text
