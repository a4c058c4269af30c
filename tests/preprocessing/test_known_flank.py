"""A known flank steers the extractor: it decides only the head direction, the mirror follows."""

import csv

import cv2
import numpy as np
import pytest

from lateral_keras.config.schema import FLANK_MODES as SCHEMA_FLANK_MODES
from lateral_keras.data.layout import scan_dataset
from lateral_keras.data.sides import FLANK_MODES, known_flank, sides_from_names
from lateral_keras.data.synthetic.ground_truth import roi_directions
from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing import extractor, report
from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.orientation import decide_direction, direction_margin
from lateral_keras.preprocessing.prepare import prepare_dataset
from lateral_keras.preprocessing.profiles import outline
from lateral_keras.preprocessing.report import summarise, summary_markdown, unsure_rows
from lateral_keras.preprocessing.settings import ExtractorSettings


def _fish(tail, dark_top):
    """A level fish outline and its gray levels: an elliptic body with a dorsal fin, a forked
    tail fin on the right and an eye near the left end when ``tail`` (head cues: head left),
    and a back darker or lighter than the belly (dorsal cue: up or down)."""
    mask = np.zeros((120, 260), np.uint8)
    cv2.ellipse(mask, (120, 60), (90, 22), 0, 0, 360, 1, -1)
    cv2.fillPoly(mask, [np.array([[90, 42], [110, 22], [130, 42]])], 1)
    if tail:
        cv2.fillPoly(mask, [np.array([[200, 60], [240, 32], [240, 88]])], 1)
    dark, light = 68, 188
    gray = np.empty(mask.shape, np.uint8)
    gray[:60] = dark if dark_top else light
    gray[60:] = light if dark_top else dark
    if tail:
        cv2.circle(gray, (45, 52), 3, 10, -1)
    return outline(mask.astype(bool)), gray


def _scaled_vote(scores, flank):
    """The oracle: head and dorsal totals over their typical sizes (5.5, 1.8), voting for
    the head on the left; a right flank's dorsal-up vote is one for the head on the right."""
    sign = 1.0 if flank == "left" else -1.0
    return scores["head"] / 5.5 + sign * scores["dorsal"] / 1.8


def test_flank_modes_agree_between_the_config_and_the_data_layer():
    assert SCHEMA_FLANK_MODES == FLANK_MODES


@pytest.mark.parametrize("tail, dark_top", [(True, True), (True, False), (False, False)])
@pytest.mark.parametrize("flank", ["left", "right"])
def test_a_known_flank_ties_the_dorsal_side_to_the_head(tail, dark_top, flank):
    shape, gray = _fish(tail, dark_top)
    free_head, free_dorsal, scores = decide_direction(shape, gray)
    head_left, dorsal_up, tied = decide_direction(shape, gray, flank)
    assert dorsal_up == (head_left if flank == "left" else not head_left)
    assert head_left == (_scaled_vote(scores, flank) >= 0)
    assert tied["flank"] == pytest.approx(_scaled_vote(scores, flank))
    if free_dorsal == (free_head if flank == "left" else not free_head):
        assert (head_left, dorsal_up) == (free_head, free_dorsal)  # the cues agree already


def test_the_surer_cue_wins_where_the_cues_disagree_with_the_flank():
    # Tail fin on the right (head left, sure) and a light back (dorsal down): a left flank
    # keeps the head and turns the dorsal side up.
    assert decide_direction(*_fish(tail=True, dark_top=False), "left")[:2] == (True, True)
    # No tail fin (no head cue) and a light back: the dorsal cue turns the fish around.
    shape, gray = _fish(tail=False, dark_top=False)
    assert abs(decide_direction(shape, gray)[2]["head"]) < 0.1
    assert decide_direction(shape, gray, "left")[:2] == (False, False)
    assert decide_direction(shape, gray, "right")[:2] == (True, False)


@pytest.mark.parametrize("tail, dark_top", [(True, True), (True, False), (False, False)])
def test_direction_margin_is_the_weaker_scaled_cue_or_the_joint_vote(tail, dark_top):
    shape, gray = _fish(tail, dark_top)
    scores = decide_direction(shape, gray)[2]
    weaker = min(abs(scores["head"]) / 5.5, abs(scores["dorsal"]) / 1.8)
    assert direction_margin(scores) == pytest.approx(weaker)
    tied = decide_direction(shape, gray, "left")[2]
    assert direction_margin(tied) == pytest.approx(abs(_scaled_vote(scores, "left")))


def test_unsure_directions_are_counted_in_the_summary():
    rows = [
        {"status": "ok", "reason": "", "session": "S1", "direction_margin": "0.05"},
        {"status": "ok", "reason": "", "session": "S1", "direction_margin": 0.4},
        {"status": "ok", "reason": "", "session": "S1", "direction_margin": ""},  # ROI by hand
        {"status": "failed", "reason": "no_fish", "session": "S1", "direction_margin": 0.01},
    ]
    rows.append({"status": "ok", "reason": "", "session": "S1", "direction_margin": 0.002})
    assert [row["direction_margin"] for row in unsure_rows(rows)] == [0.002, "0.05"]
    rows.pop()
    summary = summarise(rows)
    assert (summary["unsure_direction"], summary["direction_measured"]) == (1, 2)
    details = {**summary, "cache_dir": "c", "roi_mode": "extract", "processed": 4, "reused": 0}
    assert "- unsure of their direction: 1 of the 2 ROIs with" in summary_markdown(details)
    assert "unsure" not in summary_markdown({**details, "roi_mode": "box"})


@pytest.mark.parametrize("fish, session, image", [(68, 2, 2), (335, 1, 3)])
def test_a_known_flank_mends_default_photos_whose_dorsal_cue_misleads(fish, session, image):
    """Two of the default dataset's 13 photos (of 7,596) whose flank the free decision gets
    wrong: a weak dorsal vote the wrong way mirrors the ROI."""
    photo, truth = render_image(fish, session, image, seed=0)
    assert truth["side"] == "left"
    free = extract_roi(photo)
    assert free.ok and free.side == "right"
    assert roi_directions(free.corners, truth["roi"]) == (True, False)
    assert free.quality["direction_margin"] < 0.2  # the median photo: about 0.96
    known = extract_roi(photo, flank="left")
    assert known.ok and (known.side, known.mirrored) == ("left", False)
    assert roi_directions(known.corners, truth["roi"]) == (True, True)


def test_a_given_flank_binds_even_against_the_photo():
    photo, truth = render_image(3, 0, 1, image_size=(480, 360), side="right")
    assert extract_roi(photo).side == "right"
    right = extract_roi(photo, flank="right")
    assert right.side == "right" and roi_directions(right.corners, truth["roi"]) == (True, True)
    assert extract_roi(photo, flank="left").side == "left"  # the constraint holds, wrongly


def test_a_bad_flank_is_a_programming_error():
    with pytest.raises(ValueError, match="flank"):
        extract_roi(np.zeros((32, 32, 3), np.uint8), flank="top")
    with pytest.raises(ValueError, match="flank"):
        decide_direction(*_fish(True, True), "both")


def test_known_flank_resolves_the_mode_against_the_stated_side():
    assert [known_flank("detect", s) for s in ("left", "right", "unknown")] == [None] * 3
    assert [known_flank("declared", s) for s in ("left", "right", "unknown")] == [
        "left", "right", None
    ]
    assert [known_flank("right", s) for s in ("left", "right", "unknown")] == [
        "left", "right", "right"
    ]
    with pytest.raises(ValueError, match="flank"):
        known_flank("mirror", "left")


@pytest.fixture(scope="module")
def flank_tree(tmp_path_factory):
    """The index of one left and one right photo per fish; the second fish's folder states
    its side (`_R`)."""
    root = tmp_path_factory.mktemp("flanks")
    scan = root / "photos"
    for fish, folder in ((0, "fish_0000"), (1, "fish_0001_R")):
        for image, side in enumerate(("left", "right")):
            photo, _ = render_image(fish, 0, image, image_size=(360, 270), side=side,
                                    difficulty="easy")
            path = scan / "SESSION1" / folder / f"img_{image}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            assert cv2.imwrite(str(path), cv2.cvtColor(photo, cv2.COLOR_RGB2BGR))
    return sides_from_names(scan_dataset(scan))


@pytest.fixture
def given_flanks(monkeypatch):
    """The flank `prepare_dataset` gives the extractor, per file (in-process, workers=1)."""
    given = {}
    real = extractor.extract_roi_from_file

    def recording(path, settings=None, *, manual=None, flank=None):
        given[path.split("SESSION1/")[1]] = flank
        return real(path, settings, manual=manual, flank=flank)

    monkeypatch.setattr(extractor, "extract_roi_from_file", recording)
    return given


def _index(summary):
    with open(summary.files["index_csv"], newline="", encoding="utf-8") as stream:
        return {row["path"].split("SESSION1/")[1]: row for row in csv.DictReader(stream)}


def test_prepare_gives_each_photo_the_flank_its_mode_states(flank_tree, tmp_path, given_flanks):
    settings = ExtractorSettings(roi_size=(16, 64))
    detect = _index(prepare_dataset(flank_tree, tmp_path / "c", settings, workers=1,
                                    flank="detect"))
    assert set(given_flanks.values()) == {None}
    assert {p: r["side"] for p, r in detect.items()} == {
        "fish_0000/img_0.png": "left", "fish_0000/img_1.png": "right",
        "fish_0001_R/img_0.png": "right", "fish_0001_R/img_1.png": "right",  # stated by the name
    }
    given_flanks.clear()
    declared = _index(prepare_dataset(flank_tree, tmp_path / "c", settings, workers=1))  # default
    assert given_flanks == {"fish_0001_R/img_0.png": "right", "fish_0001_R/img_1.png": "right"}
    assert declared["fish_0000/img_0.png"]["key"] == detect["fish_0000/img_0.png"]["key"]
    assert declared["fish_0001_R/img_0.png"]["key"] != detect["fish_0001_R/img_0.png"]["key"]
    given_flanks.clear()
    left = _index(prepare_dataset(flank_tree, tmp_path / "c", settings, workers=1, flank="left"))
    assert given_flanks == {"fish_0000/img_0.png": "left", "fish_0000/img_1.png": "left"}
    assert {p: r["side"] for p, r in left.items()} == {
        "fish_0000/img_0.png": "left", "fish_0000/img_1.png": "left",
        "fish_0001_R/img_0.png": "right", "fish_0001_R/img_1.png": "right",
    }


def test_a_scanned_folder_states_sides_by_names_and_manual_entries_keep_their_key(
    flank_tree, tmp_path, given_flanks
):
    settings = ExtractorSettings(roi_size=(16, 64))
    folder = flank_tree.source
    manual = tmp_path / "manual.csv"
    manual.write_text("path,x0,y0,x1,y1,x2,y2,x3,y3\n"
                      "SESSION1/fish_0001_R/img_0.png,100,120,220,120,220,150,100,150\n")
    keys = {}
    for flank in ("detect", "left"):
        given_flanks.clear()
        index = _index(prepare_dataset(folder, tmp_path / "c", settings, workers=1, flank=flank,
                                       manual_csv=manual))
        keys[flank] = index["fish_0001_R/img_0.png"]["key"]
    assert given_flanks == {"fish_0000/img_0.png": "left", "fish_0000/img_1.png": "left",
                            "fish_0001_R/img_1.png": "right"}  # the name, read from the folder
    assert keys["detect"] == keys["left"]  # hand-placed corners fix the pose: no flank in the key


@pytest.mark.parametrize("limit, drawn", [(0.0, False), (100.0, True)])
def test_unsure_photos_are_drawn_on_their_sheet(flank_tree, tmp_path, monkeypatch, limit, drawn):
    monkeypatch.setattr(report, "UNSURE_DIRECTION", limit)  # none or every photo unsure
    summary = prepare_dataset(flank_tree, tmp_path / "c", ExtractorSettings(roi_size=(16, 64)),
                              workers=1)
    assert summary.unsure_direction == (4 if drawn else 0)
    sheet = cv2.imread(summary.files["unsure_png"])
    first_tile = sheet[20:200, :240]
    assert (first_tile < 250).any() == drawn  # an annotated photo, or the empty sheet's white


def test_prepare_checks_the_flank_before_any_work(flank_tree, tmp_path):
    with pytest.raises(ValueError, match="flank"):
        prepare_dataset(flank_tree, tmp_path / "never", workers=1, flank="both")
    assert not (tmp_path / "never").exists()
