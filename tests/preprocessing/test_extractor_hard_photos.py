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



def banded_rig(band_hsv, *, reach_border=True, thin=False):
    """HSV photo: green, a brown ellipse (the fish) and a tapering band (not a rectangle) of
    ``band_hsv`` from the top to the bottom (or short of both), of 1.2 x the fish's area (``thin``:
    0.6 x); returns ``(hsv, fish mask)``."""
    hsv = np.full((300, 500, 3), (60, 180, 160), np.uint8)
    fish = np.zeros((300, 500), np.uint8)
    cv2.ellipse(fish, (140, 150), (100, 28), 0, 0, 360, 1, thickness=-1)
    hsv[fish.astype(bool)] = (12, 90, 110)
    top, bottom = (0, 299) if reach_border else (10, 289)
    widths = (10, 25) if thin else (20, 50)
    band = np.array([[350, top], [350 + widths[0], top], [390 + widths[1], bottom],
                     [390, bottom]], np.int32)
    cv2.fillPoly(hsv, [band], band_hsv)
    return hsv, fish.astype(bool)


def test_a_shadow_across_the_background_is_background():
    # The green at 30 % of its value: too dark for the background, same hue and saturation.
    # The band is larger than the fish: taken for an object, it would be the largest one.
    hsv, fish = banded_rig((60, 175, 48))
    found = find_fish(hsv, ExtractorSettings())
    assert found.mask[150, 140] and not found.mask[150, 380]
    assert np.count_nonzero(found.mask & fish) / np.count_nonzero(found.mask | fish) > 0.95
    assert found.background_share > 1.0 - np.count_nonzero(fish) / fish.size - 0.01


@pytest.mark.parametrize(
    "band_hsv",
    [
        (15, 120, 48),  # a dark brown stick: not the background's hue
        (60, 40, 48),  # dark and grey: not the background's saturation
        (60, 100, 160),  # a faded green card: green, but not darker
    ],
)
def test_objects_cut_by_the_frame_are_no_shadow_and_no_second_fish(band_hsv):
    hsv, fish = banded_rig(band_hsv, thin=True)  # 0.6 x the fish's area, reaching the frame
    band = np.all(hsv == band_hsv, axis=2)
    found = find_fish(hsv, ExtractorSettings())
    assert np.count_nonzero(found.mask & fish) / np.count_nonzero(found.mask | fish) > 0.95
    no_fish = 1.0 - np.count_nonzero(fish) / fish.size
    assert found.background_share < no_fish - 0.5 * np.count_nonzero(band) / band.size


@pytest.mark.parametrize(
    "band_hsv, reach_border, thin",
    [
        ((15, 120, 48), True, False),  # larger than the fish and cut by the frame: which is it?
        ((60, 40, 48), True, False),
        ((60, 175, 48), False, True),  # a dark green object of 0.6 x the fish inside the frame
        ((15, 120, 48), False, True),  # a brown one
    ],
)
def test_a_second_object_of_the_fish_size_fails_the_photo(band_hsv, reach_border, thin):
    from lateral_keras.preprocessing.result import ExtractionFailure

    hsv, _ = banded_rig(band_hsv, reach_border=reach_border, thin=thin)
    with pytest.raises(ExtractionFailure) as failure:
        find_fish(hsv, ExtractorSettings())
    assert failure.value.reason == "multiple_objects"


def test_a_shadow_falling_onto_the_fish_from_the_frame_leaves_the_fish_alone():
    hsv, fish = banded_rig((60, 180, 160))  # no band yet
    band = np.zeros(fish.shape, np.uint8)
    cv2.fillPoly(band, [np.array([[110, 0], [150, 0], [200, 160], [150, 160]], np.int32)], 1)
    band = band.astype(bool)
    hsv[band, 2] = (0.3 * hsv[band, 2]).astype(np.uint8)  # dims the green and the fish alike
    found = find_fish(hsv, ExtractorSettings()).mask
    assert not found[0].any()
    assert np.count_nonzero(found & fish) / np.count_nonzero(found | fish) > 0.95
