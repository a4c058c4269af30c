"""Rotate the fish level and decide which way it faces (SPEC section 2, steps 3-4).

The normalised frame has the fish's axis horizontal (the standard-length line from the snout
tip to the caudal peduncle by default, the mask ellipse's major axis on request), the head on
the left and the dorsal side up. A fish photographed on its left flank with the dorsal side
up has its head on the left, so such a photo needs no mirror (``side='left'``); a right
flank gets mirrored (``side='right'``).

Cues, each a signed score (positive = head left, or dorsal up):
- head: the tail end narrows into the caudal peduncle and widens again into the tail fin
  ("rebound"), the body is deepest in its front half ("hump", fins cut off), the snout
  tapers while the tail end is broad ("blunt"), and the eye, the strongest pupil-sized dark
  blob near either end, lies at the head's end ("eye"). The shape cues fit our generator's
  fish; the eye is what tells the ends apart on a fish whose tail fin is lost to a
  see-through green and whose body tapers alike at both ends (``benchmarks/other_renderer.py``:
  the head total alone decided 87 % of such photos right, the eye alone 98 %);
- dorsal: the back is darker than the belly (countershading, "tone"), and the dorsal fin
  is the largest protrusion of the outline ("fin").

When the flank is known (``flank='left'`` or ``'right'``), the mirror is fixed and one choice
is left: the fish as it is, or turned by 180 degrees. The two totals then vote together, each
divided by its typical size (``FLANK_SCALES``), so that the surer cue wins where they disagree.
"""

import dataclasses
import math

import cv2
import numpy as np

from lateral_keras.preprocessing import geometry
from lateral_keras.preprocessing.eye import dark_blob_map
from lateral_keras.preprocessing.profiles import Outline, outline, remove_narrow_peaks

_HEAD_WEIGHTS = {"rebound": 4.0, "hump": 2.0, "blunt": 2.0, "eye": 2.0}
_EYE_REACH = 0.12
"""The eye is looked for within this share of the length from each end."""
_DORSAL_WEIGHTS = {"tone": 1.0, "fin": 2.0}
FLANKS = ("left", "right")
FLANK_SCALES = {"head": 5.5, "dorsal": 1.8}
"""Typical sizes of the head and dorsal totals: their median magnitudes over every other photo
of the default synthetic dataset (5.51 and 1.81)."""


@dataclasses.dataclass(frozen=True)
class Pose:
    """The fish in the normalised frame.

    Args:
        matrix: 3x3 map from working-copy pixels to the normalised canvas.
        mask: bool fish mask on the normalised canvas.
        shape: the ``Outline`` of ``mask``.
        mirrored: True when the map reverses orientation (a right flank).
        scores: the cue scores behind the decision (for diagnostics).
        source_gray: uint8 gray levels of the working copy.
    """

    matrix: np.ndarray
    mask: np.ndarray
    shape: Outline
    mirrored: bool
    scores: dict
    source_gray: np.ndarray

    @property
    def gray(self):
        """uint8 gray levels on the normalised canvas (resampled on each access: the
        extractor measures gray levels on the full-resolution photo instead)."""
        return _warp_gray(self.source_gray, self.matrix, self.mask.shape[::-1])


def normalise_pose(mask, gray, axis="standard_length", contour=None, flank=None):
    """Rotate the fish level, flip it head-left and dorsal-up.

    The major axis of the mask's ellipse (region moments) levels the fish first and serves
    to decide the direction. With ``axis='standard_length'`` (default) the frame is then
    turned so that the fish's standard-length line, from the snout tip to the middle of the
    caudal peduncle (the narrowest part before the tail fin), is horizontal: unlike the
    ellipse's axis it does not tilt with the spread of the fins or with the difference
    between the dorsal and ventral profiles, so the ROI sits the same way on every photo.
    ``axis='ellipse'`` keeps the ellipse's axis (SPEC section 2, step 3, literally).

    Args:
        mask: bool ``(h, w)`` fish mask on the working copy.
        gray: uint8 ``(h, w)`` gray levels of the working copy.
        axis: ``'standard_length'`` or ``'ellipse'``.
        contour: optional ``(n, 2)`` outer contour of ``mask`` (found when None).
        flank: None (decide the mirror from the cues), ``'left'`` or ``'right'`` (the photo
            shows this flank: see ``decide_direction``).

    Returns:
        A ``Pose``.

    Example:
        >>> mask = np.zeros((100, 200), bool)
        >>> mask[40:60, 20:180] = True
        >>> pose = normalise_pose(mask, np.full((100, 200), 128, np.uint8))
        >>> pose.mask.shape[1] > pose.mask.shape[0]
        True
    """
    if axis not in ("standard_length", "ellipse"):
        raise ValueError(f"`axis` must be 'standard_length' or 'ellipse'. Received: axis={axis!r}")
    mask_u8 = np.ascontiguousarray(mask, dtype=bool).view(np.uint8)
    if contour is None:
        contours = cv2.findContours(mask_u8, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)[0]
        if not contours:
            raise ValueError("`mask` must mark the fish. Received: an empty mask")
        contour = max(contours, key=cv2.contourArea)
    points = np.asarray(contour, dtype=float).reshape(-1, 2)
    moments = cv2.moments(points.astype(np.float32))
    centre = (moments["m10"] / moments["m00"], moments["m01"] / moments["m00"])
    angle = 0.5 * math.atan2(2.0 * moments["mu11"], moments["mu20"] - moments["mu02"])
    matrix, size = _fit_canvas(geometry.rotation_matrix(angle, centre), points)
    rotated_mask = _warp_mask(mask_u8, matrix, size)
    shape = outline(rotated_mask)
    head_left, dorsal_up, scores = decide_direction(
        shape, _warp_gray(gray, matrix, size), flank
    )
    matrix = geometry.flip_matrix(*size, not head_left, not dorsal_up) @ matrix
    if axis == "standard_length":
        tilt = standard_length_angle(shape.flipped(size, not head_left, not dorsal_up))
        scores["tilt_deg"] = float(np.degrees(tilt))
        turn = geometry.rotation_matrix(tilt, (0.5 * size[0], 0.5 * size[1]))
        matrix, size = _fit_canvas(turn @ matrix, points)
    rotated_mask = _warp_mask(mask_u8, matrix, size)
    return Pose(
        matrix=matrix,
        mask=rotated_mask,
        shape=outline(rotated_mask),
        mirrored=head_left != dorsal_up,
        scores=scores,
        source_gray=gray,
    )


def standard_length_angle(shape):
    """Direction of the snout-to-peduncle line of a head-left fish, radians (y down).

    The snout tip is the middle of the fish's first columns; the caudal peduncle is the
    narrowest column over 60-95 % of the length (the tail fin widens again behind it).

    Args:
        shape: the ``Outline`` of the fish mask, head on the left, roughly level.

    Returns:
        The angle in radians; 0 when the line is horizontal.
    """
    height = shape.height
    start, stop = shape.span(0.6, 0.95)
    window = height[start : stop + 1]
    window = np.where(np.isnan(window), np.inf, window)
    narrow = np.flatnonzero(window <= window.min() + 0.5)
    if not np.isfinite(window.min()):
        return 0.0
    peduncle = start + int(narrow[len(narrow) // 2])
    middle = 0.5 * (shape.top + shape.bottom)
    tip = middle[shape.x0 : shape.x0 + max(1, int(round(0.01 * shape.length))) + 1]
    snout_y = float(np.mean(tip[~np.isnan(tip)]))  # column x0 always holds fish pixels
    angle = float(np.arctan2(middle[peduncle] - snout_y, peduncle - shape.x0))
    return angle if np.isfinite(angle) else 0.0


def _fit_canvas(rotation, points):
    """Shift a rotation so the rotated points fit a canvas with a margin; return it and the
    canvas ``(width, height)``."""
    xs, ys = geometry.apply(rotation, points).T  # 1-D reductions: faster than over axis 0
    x_low, y_low = float(xs.min()), float(ys.min())
    width, height = float(xs.max()) - x_low, float(ys.max()) - y_low
    margin = 4.0 + 0.03 * max(width, height)
    matrix = rotation.copy()
    matrix[:2, 2] += (margin - x_low, margin - y_low)  # a translation after the rotation
    return matrix, (math.ceil(width + 2 * margin) + 1, math.ceil(height + 2 * margin) + 1)


def _warp_mask(mask_u8, matrix, size):
    """Nearest-neighbour warp of a 0/1 mask, returned as bool without a copy."""
    return cv2.warpAffine(mask_u8, matrix[:2], size, flags=cv2.INTER_NEAREST).view(bool)


def _warp_gray(gray, matrix, size):
    return cv2.warpAffine(
        gray, matrix[:2], size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def decide_direction(shape, gray, flank=None):
    """Decide whether the head is on the left and the dorsal side up, for a level fish.

    Without a flank the head and dorsal totals decide apart. A known flank ties them: a left
    flank seen dorsal side up has its head on the left (``head_left == dorsal_up``), a right
    flank its head on the right; the sign of ``head / 5.5 +- dorsal / 1.8`` (``FLANK_SCALES``;
    ``+`` for a left flank), kept in ``scores['flank']``, picks between the two poses left.

    Args:
        shape: the ``Outline`` of the fish mask, major axis horizontal.
        gray: uint8 gray levels of the mask's canvas.
        flank: None, ``'left'`` or ``'right'``.

    Returns:
        ``(head_left, dorsal_up, scores)``; ``scores`` holds every cue and the totals.

    Raises:
        ValueError: ``flank`` is not None, ``'left'`` or ``'right'``.
    """
    check_flank(flank)
    depth = shape.depth
    height = np.where(np.isnan(shape.height), 0.0, shape.height)
    right_to_left = height[shape.x1 : shape.x0 - 1 if shape.x0 else None : -1]
    scores = {
        "rebound": _rebound(right_to_left, shape, depth)
        - _rebound(height[shape.x0 : shape.x1 + 1], shape, depth),
        "hump": _hump_offset(shape),
        "blunt": _end_extent(right_to_left, shape, depth)
        - _end_extent(height[shape.x0 : shape.x1 + 1], shape, depth),
        "eye": _eye_balance(gray, shape),
    }
    scores["head"] = sum(w * scores[k] for k, w in _HEAD_WEIGHTS.items())
    scores["tone"] = _tone(gray, shape, margin=0.06 * depth)
    scores["fin"] = _fin_balance(shape, depth)
    scores["dorsal"] = sum(w * scores[k] for k, w in _DORSAL_WEIGHTS.items())
    if flank is None:
        return scores["head"] >= 0, scores["dorsal"] >= 0, scores
    same = 1.0 if flank == "left" else -1.0
    scores["flank"] = (
        scores["head"] / FLANK_SCALES["head"] + same * scores["dorsal"] / FLANK_SCALES["dorsal"]
    )
    head_left = scores["flank"] >= 0
    return head_left, head_left == (flank == "left"), scores


def direction_margin(scores):
    """How sure the direction decision was: the smaller of the head and dorsal totals over
    their typical sizes, or with a known flank the size of their joint vote (0 = a coin toss;
    photos below about 0.1 hold most wrong decisions, see the README's flanks section).

    Args:
        scores: the ``scores`` of ``decide_direction``.

    Returns:
        A float >= 0.
    """
    if "flank" in scores:
        return abs(scores["flank"])
    return min(abs(scores[name]) / FLANK_SCALES[name] for name in ("head", "dorsal"))


def check_flank(flank):
    """Raise ``ValueError`` unless ``flank`` is None, ``'left'`` or ``'right'``."""
    if flank is not None and flank not in FLANKS:
        raise ValueError(
            f"`flank` must be None, 'left' or 'right'. Received: flank={flank!r}"
        )


def _rebound(height_from_end, shape, depth):
    """How much the outline widens again after narrowing, seen from one end (tail fin)."""
    window = height_from_end[: max(3, int(0.35 * shape.length))]
    start = int(0.03 * shape.length)
    if len(window) <= start + 1:
        return 0.0
    narrowest = start + int(np.argmin(window[start:]))
    return float(window[: narrowest + 1].max() - window[narrowest]) / depth


def _end_extent(height_from_end, shape, depth):
    """Mean outline extent over the outermost 4 % of the length, in depths (the snout tapers,
    the tail ends in a fin or, with a see-through fin lost, in the cut-off peduncle)."""
    return float(np.mean(height_from_end[: max(1, int(0.04 * shape.length))])) / depth


def _hump_offset(shape):
    """Distance of the deepest body column (fins cut off) left of the middle, in lengths."""
    width = 0.25 * shape.length
    columns = slice(shape.x0, shape.x1 + 1)
    top = -remove_narrow_peaks(-shape.top[columns], width)
    bottom = remove_narrow_peaks(shape.bottom[columns], width)
    depth = bottom - top
    deepest = np.flatnonzero(depth >= depth.max() - 0.5)
    return 0.5 - float(np.mean(deepest)) / shape.length


def _eye_balance(gray, shape):
    """The strongest pupil-scale dark blob (``eye.dark_blob_map`` at 1 % of the depth, the
    eye search's scale) within ``_EYE_REACH`` of the length from the left end minus that from
    the right end, inside the outline less 8 % of the depth, in gray-level spreads."""
    rows = np.arange(gray.shape[0], dtype=float)[:, None]
    margin = 0.08 * shape.depth
    with np.errstate(invalid="ignore"):  # NaN (empty columns) compares False
        inside = (rows > shape.top + margin) & (rows < shape.bottom - margin)
    response = dark_blob_map(gray, inside, max(0.8, 0.01 * shape.depth))
    reach = max(2, int(_EYE_REACH * shape.length))
    strengths = []
    for start, stop in ((shape.x0, shape.x0 + reach), (shape.x1 + 1 - reach, shape.x1 + 1)):
        region = inside[:, start:stop]
        strengths.append(float(response[:, start:stop][region].max()) if region.any() else 0.0)
    return strengths[0] - strengths[1]


def _tone(gray, shape, margin):
    """Lower minus upper half mean gray over the mid-body, ``margin`` px inside the outline,
    in gray-level spreads (positive: darker on top)."""
    start, stop = shape.span(0.25, 0.7)
    rows = np.arange(gray.shape[0], dtype=float)[:, None]  # float: no cast in the compares
    top = shape.top[start : stop + 1] + margin
    bottom = shape.bottom[start : stop + 1] - margin
    mid = 0.5 * (top + bottom)
    values = gray[:, start : stop + 1]
    upper = ((rows > top) & (rows < mid)).view(np.uint8)
    lower = ((rows > mid) & (rows < bottom)).view(np.uint8)
    if not upper.any() or not lower.any():
        return 0.0
    spread = float(cv2.meanStdDev(values, mask=upper | lower)[1][0, 0]) + 1.0
    return (cv2.mean(values, mask=lower)[0] - cv2.mean(values, mask=upper)[0]) / spread


def _fin_balance(shape, depth):
    """Largest dorsal minus largest ventral outline protrusion over the mid-body, in depths."""
    start, stop = shape.span(0.1, 0.9)
    width = 0.25 * shape.length
    top = shape.top[start : stop + 1]
    bottom = shape.bottom[start : stop + 1]
    up = float(np.max(-top - remove_narrow_peaks(-top, width)))
    down = float(np.max(bottom - remove_narrow_peaks(bottom, width)))
    return (up - down) / depth
