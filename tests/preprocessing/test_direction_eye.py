"""The eye tells the head's end where the outline cannot, on fish drawn by another renderer."""

import cv2
import numpy as np
import pytest

from lateral_keras.preprocessing.orientation import decide_direction
from lateral_keras.preprocessing.profiles import outline
from lateral_keras.preprocessing.settings import ExtractorSettings


@pytest.fixture
def renderer(benchmark_script):
    return benchmark_script("other_renderer")


def _spindle(pupil_x=None):
    """A level fish with no shape cue (an ellipse, no fins) of uniform gray, with a dark pupil
    of radius 3 at ``pupil_x`` (None: none), a third of the depth below the back."""
    mask = np.zeros((120, 260), np.uint8)
    cv2.ellipse(mask, (130, 60), (100, 24), 0, 0, 360, 1, -1)
    gray = np.full(mask.shape, 150, np.uint8)
    if pupil_x is not None:
        cv2.circle(gray, (pupil_x, 52), 3, 20, -1)
    return outline(mask.astype(bool)), gray


@pytest.mark.parametrize("pupil_x, head_left", [(45, True), (215, False)])
def test_the_end_with_the_eye_is_the_head(pupil_x, head_left):
    shape, gray = _spindle(pupil_x)
    decided, _, scores = decide_direction(shape, gray)
    assert decided == head_left
    assert (scores["eye"] > 0) == head_left
    assert abs(scores["eye"]) > 10 * max(abs(scores[k]) for k in ("rebound", "hump", "blunt"))


@pytest.mark.parametrize("pupil_x", [None, 130])
def test_no_eye_near_either_end_is_no_cue(pupil_x):
    shape, gray = _spindle(pupil_x)  # a dark spot mid-body is no eye
    assert abs(decide_direction(shape, gray)[2]["eye"]) < 0.05


def test_the_other_renderers_fish_are_cut_right(renderer):
    table = renderer.run(photos=6, seed=0, settings=ExtractorSettings())
    for pattern, row in table.items():
        assert row["roi"] == 6 and row["flank_right"] == 6, pattern
        assert max(row["errors"]) < 0.2, pattern


def test_the_other_renderers_hard_fish_face_the_right_way(renderer):
    """See-through fins lost to the green and ends that taper alike: the outline's cues
    decided 41 of these 48 photos' direction right, with the eye 47 of 48."""
    table = renderer.run(photos=12, seed=0, settings=ExtractorSettings(), hard=True)
    cut = sum(row["roi"] for row in table.values())
    assert cut >= 40
    assert sum(row["flank_right"] for row in table.values()) >= 0.9 * cut
