"""Manual overrides: CSV parsing with clear errors, and the ROI they define."""

import numpy as np
import pytest

from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.manual import ManualEntry, load_manual_overrides
from lateral_keras.preprocessing.settings import ExtractorSettings

HEADER = "path,ep_x,ep_y,up_x,up_y,bp_x,bp_y,x0,y0,x1,y1,x2,y2,x3,y3\n"


def _csv(tmp_path, text):
    path = tmp_path / "manual.csv"
    path.write_text(text)
    return path


def _pattern(height=400, width=600):
    """A colourful image whose every pixel differs, so any misplaced crop shows."""
    rows, cols = np.mgrid[0:height, 0:width]
    return np.dstack([cols % 256, rows % 256, (7 * rows + 3 * cols) % 256]).astype(np.uint8)


def test_loads_landmark_and_corner_rows(tmp_path):
    overrides = load_manual_overrides(_csv(tmp_path, HEADER
        + "S1/a.jpg,100,200,300,200,250,300,,,,,,,,\n"
        + "S1/b.jpg,,,,,,,1,2,3,4,5,6,7,8\n"))
    assert set(overrides) == {"S1/a.jpg", "S1/b.jpg"}
    assert overrides["S1/a.jpg"].kind == "landmarks"
    assert overrides["S1/a.jpg"].landmarks["UP"] == (300.0, 200.0)
    assert overrides["S1/b.jpg"].corners == ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0))


@pytest.mark.parametrize(
    "row, fragment",
    [
        ("S1/a.jpg,100,200,abc,200,250,300,,,,,,,,\n", "row 1, column 'up_x': expected a number"),
        ("S1/a.jpg,100,200,,200,250,300,,,,,,,,\n", "row 1, column 'up_x': empty"),
        (",100,200,300,200,250,300,,,,,,,,\n", "row 1, column 'path': empty"),
        ("S1/a.jpg,,,,,,,1,2,3,4,5,nan,7,8\n", "row 1, column 'y2': expected a finite"),
    ],
)
def test_bad_rows_name_the_row_and_column(tmp_path, row, fragment):
    with pytest.raises(ValueError, match=fragment):
        load_manual_overrides(_csv(tmp_path, HEADER + row))


def test_repeated_path_and_missing_columns_are_errors(tmp_path):
    row = "S1/a.jpg,100,200,300,200,250,300,,,,,,,,\n"
    with pytest.raises(ValueError, match="row 2, column 'path'.*earlier row"):
        load_manual_overrides(_csv(tmp_path, HEADER + row + row))
    with pytest.raises(ValueError, match="expected a `path` column"):
        load_manual_overrides(_csv(tmp_path, "path,ep_x\nS1/a.jpg,1\n"))


def test_landmarks_give_the_spec_box():
    # EP -> UP along +x, BP 100 px below: back = EP.y = 200, depth = 100,
    # so the ROI is x in [100, 300], y in [200 + 100/20, 200 + 100/2].
    entry = ManualEntry("a", landmarks={"EP": (100, 200), "UP": (300, 200), "BP": (250, 300)})
    result = extract_roi(_pattern(), ExtractorSettings(roi_size=None), manual=entry)
    assert result.ok and result.source == "manual"
    assert result.side == "left" and not result.mirrored
    np.testing.assert_allclose(
        result.corners, [[100, 205], [300, 205], [300, 250], [100, 250]], atol=1e-9
    )
    assert result.rotation_deg == pytest.approx(0.0)


def test_landmarks_follow_rotation_and_mirror():
    entry = ManualEntry("a", landmarks={"EP": (100, 200), "UP": (300, 200), "BP": (250, 300)})
    expected = np.array([[100, 205], [300, 205], [300, 250], [100, 250]], float)
    angle = np.radians(30.0)
    rotation = np.array([[np.cos(angle), np.sin(angle)], [-np.sin(angle), np.cos(angle)]])
    centre = np.array([300.0, 200.0])
    turn = {
        name: tuple(rotation @ (np.array(point) - centre) + centre)
        for name, point in entry.landmarks.items()
    }
    rotated = extract_roi(_pattern(), manual=ManualEntry("a", landmarks=turn))
    expected_rotated = (expected - centre) @ rotation.T + centre
    np.testing.assert_allclose(rotated.corners, expected_rotated, atol=1e-6)
    assert rotated.rotation_deg == pytest.approx(30.0)
    mirror = {k: (599.0 - x, y) for k, (x, y) in entry.landmarks.items()}
    mirrored = extract_roi(_pattern(), manual=ManualEntry("a", landmarks=mirror))
    assert mirrored.mirrored and mirrored.side == "right"
    np.testing.assert_allclose(mirrored.corners[:, 0], 599.0 - expected[:, 0], atol=1e-6)


@pytest.mark.parametrize("kind", ["landmarks", "corners"])
def test_axis_aligned_override_cuts_exactly_the_pixels(kind):
    image = _pattern()
    if kind == "corners":
        # Corners on pixel edges: the box covers pixel columns 100..299 and rows 205..249.
        edges = ((99.5, 204.5), (299.5, 204.5), (299.5, 249.5), (99.5, 249.5))
        entry = ManualEntry("a", corners=edges)
    else:
        # back = 199.5, depth = 100 -> rows 204.5 .. 249.5; columns 99.5 .. 299.5.
        entry = ManualEntry("a", landmarks={"EP": (99.5, 199.5), "UP": (299.5, 199.5),
                                            "BP": (200.0, 299.5)})
    result = extract_roi(image, ExtractorSettings(roi_size=None), manual=entry)
    assert result.ok, result.message
    np.testing.assert_array_equal(result.roi, image[205:250, 100:300])


def test_degenerate_entries_fail_with_a_reason():
    same = ManualEntry("a", landmarks={"EP": (10, 10), "UP": (10, 10), "BP": (10, 50)})
    assert extract_roi(_pattern(), manual=same).reason == "bad_manual_entry"
    flat = ManualEntry("a", landmarks={"EP": (10, 10), "UP": (90, 10), "BP": (50, 10)})
    assert extract_roi(_pattern(), manual=flat).reason == "bad_manual_entry"
    tiny = ManualEntry("a", corners=((10, 10), (12, 10), (12, 12), (10, 12)))
    assert extract_roi(_pattern(), manual=tiny).reason == "roi_too_small"
    with pytest.raises(ValueError, match="exactly one of"):
        ManualEntry("a")
