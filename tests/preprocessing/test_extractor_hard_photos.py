"""Photos the synthetic generator does not make: a pale green rig, a shadow joined to the fish."""

import cv2
import numpy as np
import pytest

from lateral_keras.preprocessing import extractor
from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.segmentation import (
    background_thresholds,
    detach_from_border,
    find_fish,
)
from lateral_keras.preprocessing.settings import ExtractorSettings


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def pale_rig(rng, saturation):
    """HSV photo: a green of the given saturation with noise, and a brown ellipse (the fish)."""
    hsv = np.empty((300, 400, 3), np.float32)
    hsv[...] = (60.0, saturation, 170.0)
    hsv += rng.normal(0.0, (2.0, 4.0, 6.0), hsv.shape)
    fish = np.zeros((300, 400), np.uint8)
    cv2.ellipse(fish, (200, 150), (120, 30), 10, 0, 360, 1, thickness=-1)
    hsv[fish.astype(bool)] = (12.0, 90.0, 110.0)
    return np.clip(hsv, 0, 255).astype(np.uint8), fish.astype(bool)


def test_a_pale_green_is_calibrated_from_the_border_and_the_fish_found(rng):
    # 40/255 is under the default lowest saturation (0.2 * 255 = 51), over the grey level.
    hsv, fish = pale_rig(rng, saturation=40.0)
    thresholds = background_thresholds(hsv, ExtractorSettings())
    assert thresholds["calibrated"]
    assert thresholds["saturation"] < 30
    found = find_fish(hsv, ExtractorSettings()).mask
    iou = np.count_nonzero(found & fish) / np.count_nonzero(found | fish)
    assert iou > 0.95


def test_a_saturated_green_keeps_the_default_floor(rng):
    hsv, _ = pale_rig(rng, saturation=150.0)
    thresholds = background_thresholds(hsv, ExtractorSettings())
    assert thresholds["calibrated"]
    assert thresholds["saturation"] >= 0.5 * 0.2 * 255  # half the default, as before


def test_a_grey_border_is_not_calibrated(rng):
    hsv, _ = pale_rig(rng, saturation=10.0)
    assert not background_thresholds(hsv, ExtractorSettings())["calibrated"]


def test_a_band_joining_the_fish_to_the_border_leaves_the_body():
    """A shadow band from the top border onto the body: the mask's moments overstate the
    minor axis, and a disc from them alone opened the whole mask away (nothing was left)."""
    mask = np.zeros((300, 500), np.uint8)
    cv2.ellipse(mask, (250, 200), (170, 32), 0, 0, 360, 1, thickness=-1)
    body = mask.astype(bool)
    mask[:200, 225:275] = 1
    cleaned, _ = detach_from_border(mask.astype(bool))
    assert not cleaned[0].any()
    assert cleaned[body].mean() > 0.9


def test_an_object_with_nothing_left_off_the_border_is_a_failure_not_an_error(monkeypatch):
    from lateral_keras.data.synthetic.render import render_image

    photo, _ = render_image(3, 0, 0, seed=5)
    monkeypatch.setattr(extractor, "detach_from_border",
                        lambda mask: (np.zeros_like(mask), 0))
    monkeypatch.setattr(extractor, "find_fish", _touching(extractor.find_fish))
    result = extract_roi(photo)
    assert not result.ok and result.reason == "fish_cut_by_frame"


def _touching(find):
    """``find_fish`` whose result reports border contact, so that the extractor detaches."""
    import dataclasses

    def wrapped(hsv, settings):
        return dataclasses.replace(find(hsv, settings), border_pixels=1)

    return wrapped


@pytest.mark.parametrize("angle", [0.0, 25.0])
def test_a_label_larger_than_the_fish_is_not_taken_for_it(angle):
    hsv = np.full((300, 500, 3), (60, 180, 160), np.uint8)
    fish = np.zeros((300, 500), np.uint8)
    cv2.ellipse(fish, (140, 150), (100, 28), 0, 0, 360, 1, thickness=-1)
    hsv[fish.astype(bool)] = (12, 90, 110)
    corners = cv2.boxPoints(((370, 150), (150, 110), angle)).astype(np.int32)
    cv2.fillPoly(hsv, [corners], (0, 0, 240))  # a white card, twice the fish's area
    found = find_fish(hsv, ExtractorSettings()).mask
    assert found[150, 140] and not found[150, 370]
    iou = np.count_nonzero(found & fish.astype(bool)) / np.count_nonzero(found | fish.astype(bool))
    assert iou > 0.95
