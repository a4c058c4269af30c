"""Side of a photo from each source: manifest, folder and file names, the extractor."""

import csv

import numpy as np
import pytest

from lateral_keras.data import read_manifest, scan_dataset
from lateral_keras.data.sides import other_side, resolve_side, side_from_name, sides_from_names


def _png(path):
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    assert cv2.imwrite(str(path), np.full((20, 20, 3), 128, np.uint8))


@pytest.mark.parametrize("name, expected", [
    ("fish07_L", ("left", "fish07")),
    ("fish07-R", ("right", "fish07")),
    ("fish07_left", ("left", "fish07")),
    ("IMG_0042-Right", ("right", "IMG_0042")),
    ("fish_01", ("unknown", "fish_01")),
    ("fishL", ("unknown", "fishL")),
    ("_L", ("unknown", "_L")),
    ("lateral", ("unknown", "lateral")),
])
def test_side_from_name(name, expected):
    assert side_from_name(name) == expected


def test_resolve_side_declared_wins_then_extractor():
    assert resolve_side("left", "right") == "left"
    assert resolve_side("unknown", "right") == "right"
    assert resolve_side("unknown", "") == "unknown"
    assert resolve_side("unknown", None) == "unknown"
    assert [other_side(s) for s in ("left", "right", "unknown")] == ["right", "left", "unknown"]


def test_manifest_side_column(tmp_path):
    _png(tmp_path / "a.png")
    _png(tmp_path / "b.png")
    with open(tmp_path / "m.csv", "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([["path", "identity", "session", "side"],
                                      ["a.png", "f", "S1", "Right"], ["b.png", "f", "S1", ""]])
    sides = {r.filename: r.side for r in read_manifest(tmp_path / "m.csv").records}
    assert sides == {"a.png": "right", "b.png": "unknown"}


def test_identity_and_file_suffixes(tmp_path):
    _png(tmp_path / "S1" / "fish07_L" / "a.png")
    _png(tmp_path / "S1" / "fish07_R" / "b.png")
    _png(tmp_path / "S2" / "fish07" / "c_right.png")
    _png(tmp_path / "S2" / "fish07" / "d.png")
    _png(tmp_path / "S2" / "fish08_L" / "e_R.png")  # names disagree: skipped
    index = sides_from_names(scan_dataset(tmp_path, layout="sessions"))
    found = {r.filename: (r.identity, r.session, r.side) for r in index.records}
    assert found == {
        "a.png": ("fish07", "S1", "left"),
        "b.png": ("fish07", "S1", "right"),
        "c_right.png": ("fish07", "S2", "right"),
        "d.png": ("fish07", "S2", "unknown"),
    }
    assert index.identities() == ("fish07",)
    [skipped] = [s for s in index.skipped if s.path.endswith("e_R.png")]
    assert skipped.reason.startswith("conflicting_side")


def test_left_and_right_folders_and_session_suffixes(tmp_path):
    _png(tmp_path / "left" / "fish1" / "a.png")
    _png(tmp_path / "right" / "fish1" / "b.png")
    index = sides_from_names(scan_dataset(tmp_path, layout="sessions"))
    assert index.sessions == ("all",)
    assert {r.filename: (r.session, r.side) for r in index.records} == {
        "a.png": ("all", "left"), "b.png": ("all", "right")}

    other = tmp_path / "other"
    _png(other / "S1_left" / "fish1" / "a.png")
    _png(other / "S1_right" / "fish1" / "b.png")
    _png(other / "S2" / "fish1" / "c.png")
    index = sides_from_names(scan_dataset(other, layout="sessions"))
    assert index.sessions == ("S1", "S2")
    assert {r.filename: (r.session, r.side) for r in index.records} == {
        "a.png": ("S1", "left"), "b.png": ("S1", "right"), "c.png": ("S2", "unknown")}


def test_declared_side_is_kept_over_names(tmp_path):
    _png(tmp_path / "fish07_R" / "a_R.png")
    with open(tmp_path / "m.csv", "w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows([["path", "identity", "session", "side"],
                                      ["fish07_R/a_R.png", "fish07_R", "S1", "left"]])
    [record] = sides_from_names(read_manifest(tmp_path / "m.csv")).records
    assert (record.identity, record.side) == ("fish07", "left")


def test_synthetic_both_flanks_extractor_side_matches_truth(tmp_path):
    """The generator's two-flank option is the test bed of the extractor's side."""
    from lateral_keras.data.synthetic.render import render_image
    from lateral_keras.preprocessing import extract_roi

    for image in range(4):
        photo, truth = render_image(1, 0, image, image_size=(360, 270), difficulty="easy",
                                    both_flanks=True)
        assert truth["side"] == ("right" if image % 2 else "left")
        assert resolve_side("unknown", extract_roi(photo).side) == truth["side"]


def test_the_recipe_scan_reads_sides_from_names(tmp_path):
    from lateral_keras.config import load_config
    from lateral_keras.training.data_setup import scan

    _png(tmp_path / "S1" / "fish07_L" / "a.png")
    _png(tmp_path / "S2" / "fish07_R" / "b.png")
    index = scan(load_config(overrides=[f"data.root={tmp_path}"]), str(tmp_path))
    assert {(r.identity, r.side) for r in index.records} == {("fish07", "left"),
                                                              ("fish07", "right")}
