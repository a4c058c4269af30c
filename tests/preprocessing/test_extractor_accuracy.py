"""Accuracy of the ROI extractor against the synthetic generator's ground truth (SPEC 2).

The generator draws each fish in its normalised frame, where the outline is known exactly,
and writes the ROI corners, landmarks and flank of every photo to ``ground_truth.csv``;
the extractor sees only the JPEG files. Acceptance (full-size test): the polygon IoU of the
ROI quadrilateral in image coordinates, failures counted as 0, has a median >= 0.90 and is
>= 0.80 for at least 95 % of the photos; head direction and dorsal side are right for at
least 99 %.
"""

import csv
import os

import numpy as np
import pytest

from lateral_keras.config import Config
from lateral_keras.data.synthetic.dataset import generate_dataset
from lateral_keras.data.synthetic.ground_truth import roi_directions, roi_iou
from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing.extractor import extract_roi, extract_roi_from_file
from lateral_keras.preprocessing.settings import ExtractorSettings
from lateral_keras.training.data_setup import extractor_settings


def _evaluate(root):
    """Run the extractor on every photo of a generated dataset; score it against the truth."""
    with open(os.path.join(root, "ground_truth.csv"), newline="") as stream:
        rows = list(csv.DictReader(stream))
    ious, directions, sides, reasons = [], [], [], []
    for row in rows:
        truth = np.array([[float(row[f"roi_x{i}"]), float(row[f"roi_y{i}"])] for i in range(4)])
        result = extract_roi_from_file(os.path.join(root, row["path"]))
        if not result.ok:
            ious.append(0.0)
            directions.append(False)
            sides.append(False)
            reasons.append(result.reason)
            continue
        found = result.corners
        ious.append(roi_iou(found, truth))
        directions.append(all(roi_directions(found, truth)))
        sides.append(result.side == row["side"])
    return np.array(ious), np.array(directions), np.array(sides), reasons


def test_roi_iou_matches_hand_computed_values():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2]], float)
    assert roi_iou(square, square) == pytest.approx(1.0)
    assert roi_iou(square, square + [1, 0]) == pytest.approx(2.0 / 6.0)
    assert roi_iou(square, square[::-1]) == pytest.approx(1.0)
    assert roi_iou(square, square + [5, 5]) == 0.0


def test_roi_matches_ground_truth_on_a_small_default_dataset(tmp_path):
    root = generate_dataset(
        tmp_path / "fish", n_fish=8, n_sessions=1, images_per_session=5, both_flanks=True,
        seed=11, workers=1,
    )
    ious, directions, sides, reasons = _evaluate(root)
    assert len(ious) == 40
    # A smaller sample than the acceptance test, so slightly wider margins.
    assert np.median(ious) >= 0.88, (np.round(ious, 3), reasons)
    assert np.mean(ious >= 0.8) >= 0.9, (np.round(ious, 3), reasons)
    assert np.mean(directions) >= 0.95
    assert np.mean(sides) >= 0.95


def test_the_recipe_cuts_the_deeper_roi_of_its_config():
    """The recipe's ROI reaches 3/4 of the body depth below the back, not the SPEC's 1/2:
    the extracted box matches the generator's truth drawn with those fractions, and not the
    SPEC box of the same photo."""
    fractions = extractor_settings(Config())
    settings = ExtractorSettings(top_fraction=fractions["top_fraction"],
                                 bottom_fraction=fractions["bottom_fraction"])
    deep, spec = [], []
    for fish in range(6):
        photo, truth = render_image(fish, 0, 0, seed=3, roi_fractions=(1 / 20, 3 / 4))
        _, spec_truth = render_image(fish, 0, 0, seed=3)
        result = extract_roi(photo, settings)
        assert result.ok, result.reason
        deep.append(roi_iou(result.corners, truth["roi"]))
        spec.append(roi_iou(result.corners, spec_truth["roi"]))
    assert np.median(deep) >= 0.88, np.round(deep, 3)
    assert max(spec) < 0.8, np.round(spec, 3)


@pytest.mark.slow
def test_roi_acceptance_on_a_default_dataset(tmp_path):
    root = generate_dataset(
        tmp_path / "fish", n_fish=40, n_sessions=2, images_per_session=4, both_flanks=True,
        seed=5, workers=2,
    )
    ious, directions, sides, reasons = _evaluate(root)
    assert len(ious) == 320
    assert np.median(ious) >= 0.90, (np.median(ious), reasons)
    assert np.mean(ious >= 0.8) >= 0.95, (np.mean(ious >= 0.8), reasons)
    assert np.mean(directions) >= 0.99, (np.mean(directions), reasons)
    assert np.mean(sides) >= 0.99
