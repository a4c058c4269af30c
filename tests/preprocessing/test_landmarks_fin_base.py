"""UP on a patchy working-copy back: a jagged dorsal outline is not trusted (SPEC 5)."""

import cv2
import numpy as np
import pytest

from lateral_keras.preprocessing.landmarks import (
    _MAX_PROTRUSIONS,
    _fin_base_or_none,
    _find_fin_base,
    find_landmarks,
)
from lateral_keras.preprocessing.profiles import outline
from lateral_keras.preprocessing.views import CanvasSampler

LENGTH, DEPTH, FIN_X = 300, 80, 120
"""Body length and depth in pixels, and the x of the dorsal fin's leading edge."""


def _fish(notches=(), fin=True):
    """A fish mask (head left at x=20), its gray levels, and the eye centre.

    An elliptic body with a triangular dorsal fin rising from ``FIN_X`` (left out with
    ``fin=False``: a faint fin lost by the segmentation); ``notches`` lists the x of narrow
    dents cut into the back, as a patchy segmentation leaves them.
    """
    mask = np.zeros((160, LENGTH + 40), np.uint8)
    centre = (20 + LENGTH // 2, 90)
    cv2.ellipse(mask, centre, (LENGTH // 2, DEPTH // 2), 0, 0, 360, 1, -1)
    if fin:
        cv2.fillPoly(mask, [np.array([[FIN_X, 56], [FIN_X + 30, 28], [FIN_X + 45, 54]])], 1)
    for x in notches:
        cv2.rectangle(mask, (x, 0), (x + 4, 62), 0, -1)
    gray = np.where(mask > 0, 170, 60).astype(np.uint8)
    eye = (52, 84)
    cv2.circle(gray, eye, 5, 20, -1)
    return mask > 0, gray, eye


NOTCHES = [84, 100, 160, 176, 192, 208, 224]


def test_a_jagged_back_fools_the_plain_search_but_is_not_trusted():
    mask, _, eye = _fish(NOTCHES, fin=False)
    shape = outline(mask)
    (x, _), protrusions = _find_fin_base(shape, eye[0])
    assert protrusions > _MAX_PROTRUSIONS
    assert x < FIN_X - 0.1 * LENGTH  # a stretch between two dents passes for the fin
    assert _fin_base_or_none(shape, eye[0]) is None


def test_a_smooth_back_is_trusted():
    mask, _, eye = _fish()
    up = _fin_base_or_none(outline(mask), eye[0])
    assert up is not None
    assert up[0] == pytest.approx(FIN_X, abs=0.02 * LENGTH)


def test_up_comes_from_the_finer_view_when_the_working_back_is_jagged():
    patchy, _, eye = _fish(NOTCHES, fin=False)
    clean, gray, _ = _fish()
    marks = find_landmarks(patchy, None, CanvasSampler(gray, clean), outline(patchy))
    assert marks.ep == pytest.approx(eye, abs=0.05 * DEPTH)
    assert marks.up[0] == pytest.approx(FIN_X, abs=0.02 * LENGTH)
