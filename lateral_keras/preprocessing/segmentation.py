"""Separate the fish from the green background (SPEC section 2, steps 1-2).

All functions work on the small working copy; hues follow OpenCV's uint8 HSV convention
(0-179, i.e. degrees / 2), saturation and value 0-255.
"""

import dataclasses
import logging

import cv2
import numpy as np

from lateral_keras.preprocessing import ranks
from lateral_keras.preprocessing.result import ExtractionFailure

logger = logging.getLogger(__name__)

_GRAY_SATURATION = 24
"""Pixels above this saturation (0-255) carry a hue; fewer than 0.5 % of them means gray."""

_RECTANGLE_FILL = 0.92
"""Objects filling this share of their minimum-area rectangle are labels, rulers or cards, not
fish (an ellipse fills pi / 4 = 0.79 of its rectangle, a fish with its fins less)."""

_SHADOW_SATURATION, _SHADOW_VALUE = 0.5, 0.6
"""A shadow on the background keeps its hue and most of its saturation (dimming scales R, G
and B alike) and is darker than the background: shadow-like pixels have the background's hue,
at least ``_SHADOW_SATURATION`` of its median saturation and at most ``_SHADOW_VALUE`` of its
median value."""


@dataclasses.dataclass(frozen=True)
class FishMask:
    """The fish found on the working copy.

    Args:
        mask: bool ``(h, w)``, the fish with its holes filled.
        contour: int ``(n, 2)`` outer contour of the fish, ``(x, y)`` points.
        area_share: fish pixels over image pixels.
        border_pixels: fish pixels lying on the outermost rows and columns.
        background_share: background pixels over image pixels.
        thresholds: the background thresholds used (``hue``, ``saturation``, ``value``
            in OpenCV units and ``calibrated``).
    """

    mask: np.ndarray
    contour: np.ndarray
    area_share: float
    border_pixels: int
    background_share: float
    thresholds: dict


def check_has_hue(hsv):
    """Fail with ``grayscale`` when the image carries no hue.

    Args:
        hsv: uint8 HSV image (OpenCV convention).

    Raises:
        ExtractionFailure: ``grayscale`` when under 0.5 % of the pixels are saturated.

    Example:
        >>> hsv = np.zeros((32, 32, 3), np.uint8)
        >>> check_has_hue(hsv)
        Traceback (most recent call last):
        ...
        lateral_keras.preprocessing.result.ExtractionFailure: ...
    """
    saturation = cv2.extractChannel(hsv, 1)
    saturated = cv2.compare(saturation, _GRAY_SATURATION, cv2.CMP_GT)
    share = cv2.countNonZero(saturated) / saturation.size
    if share < 0.005:
        raise ExtractionFailure(
            "grayscale",
            f"only {100 * share:.2f} % of the pixels have a saturation above "
            f"{_GRAY_SATURATION}/255; a colour photo on green was expected",
        )


def background_thresholds(hsv, settings):
    """Choose the green-background HSV thresholds, calibrated from the image border.

    When ``settings.calibrate_from_border`` is on and most border pixels fall in the default
    band (or, for a pale green, in its hue range with a saturation above the grey level of
    ``check_has_hue``), the hue band is the border's median hue +- 3 robust standard
    deviations (clipped to +-15..+-25 OpenCV units, i.e. 30..50 degrees: light changes shift
    the hue), and the lowest saturation and value follow the border's medians (shadows and
    weaker green stay background; ``find_fish`` then follows the light locally). Otherwise
    the defaults ``settings.hue_band``, ``min_saturation`` and ``min_value`` are used.

    Args:
        hsv: uint8 HSV image.
        settings: an ``ExtractorSettings``.

    Returns:
        A dict with ``hue`` ``(low, high)``, ``saturation`` and ``value`` lower bounds in
        OpenCV units, ``calibrated`` (bool) and, when calibrated, ``median`` (the border's
        median ``(h, s, v)``).

    Example:
        >>> from lateral_keras.preprocessing.settings import ExtractorSettings
        >>> hsv = np.full((40, 40, 3), (60, 200, 150), np.uint8)
        >>> background_thresholds(hsv, ExtractorSettings())["calibrated"]
        True
    """
    default = {
        "hue": (settings.hue_band[0] / 2.0, settings.hue_band[1] / 2.0),
        "saturation": 255.0 * settings.min_saturation,
        "value": 255.0 * settings.min_value,
        "calibrated": False,
    }
    if not settings.calibrate_from_border:
        return default
    border = _border_pixels(hsv, settings.border_width).reshape(-1, 1, 3)
    in_default = _in_band(border, default)
    floor = default["saturation"] / 2.0
    if cv2.countNonZero(in_default) < 0.5 * len(border):
        # A pale green (a faded board, haze over it): the default band's hue, less saturation.
        in_default = _in_band(border, {**default, "saturation": float(_GRAY_SATURATION)})
        floor = _GRAY_SATURATION / 2.0
        if cv2.countNonZero(in_default) < 0.5 * len(border):
            return default
    counts = [ranks.histogram(border, in_default, channel=c) for c in range(3)]
    median, spread = ranks.median_and_spread(np.stack(counts))
    spread = ranks.MAD_TO_SIGMA * spread
    half_width = min(max(3.0 * float(spread[0]), 15.0), 25.0)
    saturation = max(floor, min(median[1] - 3.0 * spread[1], 0.5 * median[1]))
    value = max(default["value"] / 2.0, min(median[2] - 3.0 * spread[2], 0.4 * median[2]))
    return {
        "hue": (float(median[0]) - half_width, float(median[0]) + half_width),
        "saturation": float(saturation),
        "value": float(value),
        "calibrated": True,
        "median": tuple(float(v) for v in median),
    }


def background_mask(hsv, thresholds):
    """Mark the green background.

    Args:
        hsv: uint8 HSV image.
        thresholds: from ``background_thresholds``.

    Returns:
        uint8 mask, 255 on the background.
    """
    hue_low, hue_high = _hue_bounds(thresholds)
    saturation, value = np.ceil(thresholds["saturation"]), np.ceil(thresholds["value"])
    return cv2.inRange(hsv, (hue_low, saturation, value), (hue_high, 255.0, 255.0))


def _hue_bounds(thresholds):
    """The integer hue range ``(low, high)`` (inclusive) of the background band."""
    low, high = thresholds["hue"]
    return max(0.0, np.floor(low)), min(179.0, np.ceil(high))


def edge_thresholds(thresholds, hsv, mask):
    """Thresholds that put the fish/background edge near half-way between the two.

    Outline pixels blend fish and background. The segmentation's bounds sit well below the
    background's saturation and value (so shadows and haze stay background), which moves the
    outline into the fish, most on its dark back. For measuring the outline, the lower
    saturation bound is raised to the mid-point between the background's and the fish's
    median saturation, and the lower value bound to the mid-point between the background's
    value and the fish's darker quartile (at most 60 % of the background's value, so the
    fish's shadow stays background).

    Args:
        thresholds: from ``background_thresholds``.
        hsv: uint8 HSV working copy.
        mask: bool fish mask on it.

    Returns:
        A thresholds dict like ``thresholds``.
    """
    if not thresholds["calibrated"] or not mask.any():
        return thresholds
    sample = _every_third(hsv)
    inside = _every_third(np.asarray(mask, dtype=bool).view(np.uint8))
    background = thresholds["median"]
    saturation = ranks.percentile(ranks.histogram(sample, inside, channel=1), 50.0)
    value = ranks.percentile(ranks.histogram(sample, inside, channel=2), 25.0)
    saturation, value = 0.5 * (background[1] + saturation), 0.5 * (background[2] + value)
    return {
        **thresholds,
        "saturation": max(thresholds["saturation"], saturation),
        "value": max(thresholds["value"], min(value, 0.6 * background[2])),
    }


def find_fish(hsv, settings):
    """Segment the fish: green background, clean-up, the largest object, holes filled.

    Shadows cast on the background from outside the frame are background
    (``_shadows_from_frame``). Rectangular objects (a label, a ruler, a card:
    ``_RECTANGLE_FILL``) are left out of the choice of the largest and second-largest object,
    unless every object is one; objects cut by the frame are no second object when the largest
    lies inside it (``_second_largest``).

    Args:
        hsv: uint8 HSV working copy.
        settings: an ``ExtractorSettings``.

    Returns:
        A ``FishMask``.

    Raises:
        ExtractionFailure: ``no_background``, ``no_fish`` or ``multiple_objects``.

    Example:
        >>> from lateral_keras.preprocessing.settings import ExtractorSettings
        >>> hsv = np.full((200, 300, 3), (60, 200, 150), np.uint8)
        >>> hsv[80:120, 60:240] = (10, 40, 120)
        >>> round(find_fish(hsv, ExtractorSettings()).area_share, 2)
        0.12
    """
    thresholds = background_thresholds(hsv, settings)
    if thresholds["calibrated"]:
        background = _follow_lighting(hsv, thresholds)
        shadows = _shadows_from_frame(hsv, background, thresholds)
        if shadows is not None:
            background |= shadows
    else:
        background = background_mask(hsv, thresholds)
    size = background.size
    background_share = float(np.count_nonzero(background)) / size
    if background_share < settings.min_background_share:
        raise ExtractionFailure(
            "no_background",
            f"green background covers {100 * background_share:.1f} % of the image; at least "
            f"{100 * settings.min_background_share:.0f} % was expected",
        )
    side = max(3, int(round(min(hsv.shape[:2]) / 160)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    objects = cv2.morphologyEx(cv2.bitwise_not(background), cv2.MORPH_OPEN, kernel)
    objects = cv2.morphologyEx(objects, cv2.MORPH_CLOSE, kernel)
    contours, _ = cv2.findContours(objects, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    areas = np.array([cv2.contourArea(contour) for contour in contours] or [0.0])
    rectangles = [_is_rectangle(contour, area) for contour, area in zip(contours, areas)]
    if not all(rectangles):  # labels, rulers and cards are no fish, whatever their size
        areas = np.where(rectangles, 0.0, areas)
    order = np.argsort(areas)[::-1]
    largest = float(areas[order[0]])
    if largest < settings.min_fish_share * size:
        raise ExtractionFailure(
            "no_fish",
            f"the largest object covers {100 * largest / size:.2f} % of the image; at least "
            f"{100 * settings.min_fish_share:.2f} % was expected",
        )
    if largest > settings.max_fish_share * size:
        raise ExtractionFailure(
            "no_fish",
            f"the largest non-background object covers {100 * largest / size:.0f} % of the "
            f"image; at most {100 * settings.max_fish_share:.0f} % was expected",
        )
    contour = contours[order[0]]
    second = _second_largest(areas, order, contours, objects.shape)
    if second > settings.second_object_ratio * largest:
        raise ExtractionFailure(
            "multiple_objects",
            f"a second object has {second / largest:.2f} of the largest one's area; "
            f"at most {settings.second_object_ratio} was expected",
        )
    filled = np.zeros(objects.shape, np.uint8)
    cv2.drawContours(filled, [contour], -1, 1, thickness=cv2.FILLED)
    mask = filled.view(bool)
    border_pixels = _border_count(mask)
    logger.debug("fish: %.3f of the image, thresholds %s", largest / size, thresholds)
    return FishMask(
        mask=mask,
        contour=contour.reshape(-1, 2),
        area_share=float(np.count_nonzero(mask)) / size,
        border_pixels=border_pixels,
        background_share=background_share,
        thresholds=thresholds,
    )


def _second_largest(areas, order, contours, shape):
    """The area of the second-largest object that could be a second fish: when the largest
    lies inside the frame, objects cut by the frame (a patch of the board's edge, a tool or a
    sleeve reaching in) are none; 0 when there is no other object."""
    if len(order) < 2:
        return 0.0
    if _touches_frame(contours[order[0]], shape):
        return float(areas[order[1]])
    inside = [areas[i] for i in order[1:] if not _touches_frame(contours[i], shape)]
    return float(inside[0]) if inside else 0.0


def _touches_frame(contour, shape):
    """Whether a contour reaches the outermost rows or columns of an image of ``shape``."""
    x, y, width, height = cv2.boundingRect(contour)
    return x == 0 or y == 0 or x + width == shape[1] or y + height == shape[0]


def _is_rectangle(contour, area):
    """Whether an object fills its minimum-area rectangle (``_RECTANGLE_FILL`` or more)."""
    width, height = cv2.minAreaRect(contour)[1]
    return area > _RECTANGLE_FILL * width * height > 0


def _shadows_from_frame(hsv, background, thresholds):
    """Shadow pixels cast on the background from outside the frame.

    A pixel is shadow-like when it is no background but has the background's hue, at least
    ``_SHADOW_SATURATION`` of its median saturation and at most ``_SHADOW_VALUE`` of its median
    value; the shadows are the 8-connected regions of such pixels that reach the border (a
    hand's or a ruler's from outside the frame, also where they fall onto the fish). A fish's
    own dark green parts are shadow only when such a region joins them to the border.

    Args:
        hsv: uint8 HSV working copy.
        background: uint8 background mask (255 on the background).
        thresholds: calibrated thresholds (``background_thresholds``).

    Returns:
        uint8 mask, 255 on those regions, or None when none reaches the border.
    """
    (hue_low, hue_high), median = _hue_bounds(thresholds), thresholds["median"]
    lower = (hue_low, np.ceil(_SHADOW_SATURATION * median[1]), 0.0)
    upper = (hue_high, 255.0, np.floor(_SHADOW_VALUE * median[2]))
    shadow = cv2.inRange(hsv, lower, upper)
    cv2.subtract(shadow, background, dst=shadow)
    if not _border_count(shadow):
        return None
    count, labels = cv2.connectedComponents(shadow, connectivity=8)
    reaching = np.zeros(count, np.uint8)
    reaching[np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])] = 255
    reaching[0] = 0
    return reaching[labels]


def detach_from_border(mask):
    """Separate a fish that touches the image border from what only its fins touch.

    A see-through tail fin can reach the border or join a patch of uneven light there; a
    fish cut by the frame touches it with its body. The body core is the mask opened with a
    disc half the fish's minor axis across (fins and thin bridges go), at most 3/4 of the
    mask's thickest part (the diameter of its largest inscribed circle), so that a mask whose
    moments overstate its minor axis (the fish joined to a shadow that crosses the photo)
    keeps a core; the parts of the mask farther than that disc from the core which touch the
    border are dropped.

    Args:
        mask: bool fish mask (one connected object).

    Returns:
        ``(mask, core_border_pixels)``: the mask without its border-touching appendages, and
        how many pixels of the body core lie on the image border.

    Example:
        >>> mask = np.zeros((100, 200), bool)
        >>> mask[40:70, 40:160] = True
        >>> mask[55:57, 160:] = True  # a thin streak reaching the right border
        >>> cleaned, contact = detach_from_border(mask)
        >>> bool(cleaned[:, -1].any()), contact
        (False, 0)
    """
    mask_u8 = mask.astype(np.uint8)
    moments = cv2.moments(mask_u8, binaryImage=True)
    covariance = np.array([[moments["mu20"], moments["mu11"]], [moments["mu11"], moments["mu02"]]])
    minor = 4.0 * np.sqrt(max(np.linalg.eigvalsh(covariance / moments["m00"])[0], 0.0))
    padded = cv2.copyMakeBorder(mask_u8, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    thickest = 2.0 * float(cv2.distanceTransform(padded, cv2.DIST_L2, 5).max())
    side = max(3, int(round(min(0.5 * minor, 0.75 * thickest))) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    opened = cv2.morphologyEx(mask_u8, cv2.MORPH_OPEN, disc)
    core = np.zeros_like(mask_u8)
    contours = cv2.findContours(opened, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
    if contours:
        largest = max(contours, key=cv2.contourArea)
        cv2.drawContours(core, [largest], -1, 1, thickness=cv2.FILLED)
        core &= opened
    appendages = mask_u8 & ~cv2.dilate(core, disc) & 1
    count, labels = cv2.connectedComponents(appendages, connectivity=8)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    cleaned = mask & ~np.isin(labels, edge[edge > 0])
    return cleaned, _border_count(core.astype(bool))


def _border_count(mask):
    """Mask pixels on the outermost rows and columns."""
    return int(
        np.count_nonzero(mask[0]) + np.count_nonzero(mask[-1])
        + np.count_nonzero(mask[1:-1, 0]) + np.count_nonzero(mask[1:-1, -1])
    )


def _follow_lighting(hsv, thresholds):
    """Threshold the background with saturation and value bounds that follow the light.

    Uneven light (haze, vignetting, a brighter corner) lowers the background's saturation or
    value in places; the border's medians then misjudge it as an object. The local level is
    a normalised convolution of the first background mask (``background_mask``, Gaussian
    over about a tenth of the image, computed at 1/8 scale); the bounds become 65 % of the
    local saturation and 40 % of the local value, never below the global floors. The hue
    band stays global.

    Returns:
        uint8 mask, 255 on the background.
    """
    hue, saturation, value = cv2.split(hsv)
    in_band = cv2.inRange(hue, *_hue_bounds(thresholds))
    # background_mask(hsv, thresholds), from the planes at hand:
    background = in_band & cv2.compare(saturation, np.ceil(thresholds["saturation"]), cv2.CMP_GE)
    background &= cv2.compare(value, np.ceil(thresholds["value"]), cv2.CMP_GE)
    height, width = background.shape
    small = (max(1, width // 8), max(1, height // 8))
    weight = cv2.resize(background, small, interpolation=cv2.INTER_LINEAR).astype(np.float32)
    channels = cv2.resize(hsv, small, interpolation=cv2.INTER_LINEAR).astype(np.float32)
    weighted = cv2.merge([weight, channels[:, :, 1] * weight, channels[:, :, 2] * weight])
    blurred = cv2.GaussianBlur(weighted, (0, 0), 0.1 * max(small))
    prior = np.array([1e-3 * v for v in thresholds["median"][1:]], np.float32)
    level = (blurred[:, :, 1:] + prior) / (blurred[:, :, :1] + 1e-3)
    floor = 0.5 * np.array([thresholds["saturation"], thresholds["value"]], np.float32)
    bounds = np.minimum(np.maximum(np.float32([0.65, 0.4]) * level, floor), 255).astype(np.uint8)
    for channel, bound in ((saturation, bounds[:, :, 0]), (value, bounds[:, :, 1])):
        bound = cv2.resize(bound, (width, height), interpolation=cv2.INTER_LINEAR)
        in_band &= cv2.compare(channel, bound, cv2.CMP_GE)
    return in_band


def _every_third(image):
    """Pixel ``(3x, 3y)`` of each full 3 x 3 block: ``image[::3, ::3]`` without the partial
    blocks of the last rows and columns, by a nearest-neighbour resize (several times faster
    than NumPy's strided copy)."""
    height, width = max(1, image.shape[0] // 3), max(1, image.shape[1] // 3)
    block = image[: 3 * height, : 3 * width]
    return cv2.resize(block, (width, height), interpolation=cv2.INTER_NEAREST)


def _border_pixels(hsv, width_fraction):
    """Every other pixel of the border strips (enough for robust statistics)."""
    width = max(2, int(round(width_fraction * min(hsv.shape[:2]))))
    return np.concatenate(
        [
            hsv[:width:2, ::2].reshape(-1, 3),
            hsv[-width::2, ::2].reshape(-1, 3),
            hsv[width:-width:2, :width:2].reshape(-1, 3),
            hsv[width:-width:2, -width::2].reshape(-1, 3),
        ]
    )


def _in_band(pixels, thresholds):
    """uint8 mask, 255 where the uint8 HSV ``pixels`` lie within the (real) thresholds."""
    low, high = thresholds["hue"]
    lower = (np.ceil(low), np.ceil(thresholds["saturation"]), np.ceil(thresholds["value"]))
    return cv2.inRange(pixels, lower, (np.floor(high), 255.0, 255.0))
