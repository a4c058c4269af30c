"""Landmarks EP, UP, BP and the skin ROI in the normalised frame (SPEC section 2, 5-6).

The frame has the head on the left, the dorsal side up and image y growing downward.
Coarse positions come from the working-copy mask; the eye, the back and the belly point are
measured again on finer views (``views``), where the body depth spans ``FINE_DEPTH`` pixels
(``EYE_DEPTH`` for the eye).

- EP, the eye centre: in the head's first 22 % of the length, the strongest pupil-scale dark
  blob weighted by the anatomical prior of ``eye.eye_prior``, refined to the centroid of its
  dark pixels.
- UP, where the dorsal fin's leading edge meets the body: the dorsal outline minus its
  grey-scale opening (fins are peaks narrower than a quarter of the length) gives the fin
  protrusions; on the first large one, UP is the sharpest concave bend of the outline between
  just before the protrusion starts and its peak. When no fin shows at least 10 % of the
  length behind the eye, or the working copy's back is jagged (more than
  ``_MAX_PROTRUSIONS`` protrusions: a patchy segmentation, where a stretch between two dents
  would pass for the fin), the dorsal outline is taken again from a finer view reaching
  half a depth above the body, where faint see-through fins show better.
- BP, the belly point: the largest y of the ventral outline over 10-75 % of the length,
  measured on a finer view, with the fins (protrusions of more than 5 % of the depth below
  the opened outline, widened to where they start) bridged by straight lines, so a pelvic
  fin at the lowest point does not push BP aside.
- back: the largest y of the dorsal outline over ``[EP.x, UP.x]``.
"""

import dataclasses

import cv2
import numpy as np

from lateral_keras.preprocessing.eye import dark_blob_map, darkest_blob, eye_prior, refine_centre
from lateral_keras.preprocessing.profiles import outline, remove_narrow_peaks
from lateral_keras.preprocessing.result import ExtractionFailure
from lateral_keras.preprocessing.views import CanvasSampler, view_matrix

FINE_DEPTH = 100.0
"""Body depth, in pixels, of the finer views used to measure the back and BP."""

EYE_DEPTH = 120.0
"""Body depth, in pixels, of the finer view searched for the eye (the pupil is small)."""

_MIN_EYE_STRENGTH = 0.05

_MAX_PROTRUSIONS = 6
"""The most separate dorsal protrusions, at least 1 % of the length wide, of a trusted
working-copy outline: a smooth back has a few fins (dorsal ones, adipose, the caudal fin's
rise); more means a patchy segmentation of the back, where a stretch between two dents
passes for a fin. Narrower blips are pixel noise and are not counted."""


@dataclasses.dataclass(frozen=True)
class Landmarks:
    """Landmarks in the normalised frame.

    Args:
        ep: ``(x, y)`` eye centre.
        up: ``(x, y)`` base of the dorsal fin's leading edge.
        bp: ``(x, y)`` belly point.
        back: the largest y of the dorsal outline over ``[ep.x, up.x]``.
    """

    ep: tuple
    up: tuple
    bp: tuple
    back: float

    @property
    def depth(self):
        """``bp.y - back``, the body depth under the back."""
        return self.bp[1] - self.back


def roi_box(ep_x, up_x, back, bp_y, top_fraction, bottom_fraction):
    """The SPEC ROI: x in ``[ep_x, up_x]``, y in ``[back + f1 * depth, back + f2 * depth]``.

    Args:
        ep_x: eye x in the normalised frame.
        up_x: dorsal-fin base x in the normalised frame.
        back: largest y of the dorsal outline over ``[ep_x, up_x]``.
        bp_y: belly point y.
        top_fraction: ``f1``.
        bottom_fraction: ``f2``.

    Returns:
        ``(x_left, x_right, y_top, y_bottom)``.

    Example:
        >>> roi_box(10.0, 110.0, 20.0, 60.0, 0.05, 0.5)
        (10.0, 110.0, 22.0, 40.0)
    """
    depth = bp_y - back
    return (
        float(ep_x),
        float(up_x),
        float(back + top_fraction * depth),
        float(back + bottom_fraction * depth),
    )


def find_landmarks(mask, gray, sampler=None, shape=None):
    """Locate EP, UP and BP on a normalised fish.

    Args:
        mask: bool fish mask, head left, dorsal up.
        gray: uint8 gray levels, same shape (unused with a ``sampler``: may be None).
        sampler: where the finer views come from: an ``ImageSampler`` on the full-resolution
            photo, or None to resample ``gray`` and ``mask`` (``CanvasSampler``).
        shape: the ``Outline`` of ``mask`` when already measured.

    Returns:
        ``Landmarks``.

    Raises:
        ExtractionFailure: ``landmark_not_found`` naming the landmark.
    """
    sampler = CanvasSampler(gray, mask) if sampler is None else sampler
    shape = outline(mask) if shape is None else shape
    zoom = min(FINE_DEPTH / shape.depth, sampler.max_zoom)
    ep = _find_eye(shape, sampler, min(EYE_DEPTH / shape.depth, sampler.max_zoom))
    up = _fin_base_or_none(shape, ep[0])
    if up is None:
        up, _ = _find_fin_base(_with_fine_back_outline(shape, sampler, zoom), ep[0])
    if up[0] - ep[0] < 2:
        raise ExtractionFailure(
            "landmark_not_found", f"the dorsal fin base x={up[0]:.1f} is not behind the eye"
        )
    bp = _find_belly(shape, sampler, zoom)
    back = _fine_back(shape, sampler, zoom, ep[0], up[0])
    if bp[1] - back < 2:
        raise ExtractionFailure(
            "landmark_not_found", f"belly point y={bp[1]:.1f} is not below the back y={back:.1f}"
        )
    return Landmarks(ep=ep, up=up, bp=bp, back=back)


def _find_eye(shape, sampler, zoom):
    _, x_end = shape.span(0.0, 0.22)
    columns = slice(shape.x0, x_end + 1)
    box = (
        shape.x0 - 2.0,
        float(x_end),
        float(np.fmin.reduce(shape.top[columns])) - 2.0,
        float(np.fmax.reduce(shape.bottom[columns])) + 2.0,
    )
    matrix, size = view_matrix(box, zoom)
    view_gray = sampler.gray(matrix, size)
    xs = box[0] + np.arange(size[0]) / zoom
    index = _nearest_columns(xs, shape.x0, shape.x1)
    # Single precision for the per-pixel maps: half the memory traffic, ample precision.
    top, height = shape.top[index].astype(np.float32), shape.height[index].astype(np.float32)
    ys = (box[2] + np.arange(size[1]) / zoom).astype(np.float32)
    v = (ys[:, None] - top) / height
    within = xs >= shape.x0
    inside = (v >= 0) & (v <= 1) & within
    depth_px = shape.depth * zoom
    margin = np.float32(0.05 * shape.depth) / height
    region = (v >= margin) & (v <= 0.75) & within  # inside, as 0 < margin and 0.75 < 1
    response = dark_blob_map(view_gray, inside, max(0.8, 0.01 * depth_px))
    u = ((xs - shape.x0) / shape.length).astype(np.float32)
    eye = darkest_blob(response * eye_prior(u, v), region)
    if eye is None or eye[2] < _MIN_EYE_STRENGTH:
        strength = "no interior" if eye is None else f"contrast {eye[2]:.2f}"
        raise ExtractionFailure(
            "landmark_not_found",
            f"no eye (EP) in the head region ({strength}; at least {_MIN_EYE_STRENGTH} expected)",
        )
    x, y = refine_centre(view_gray, eye[0], eye[1], 0.08 * depth_px)
    return box[0] + x / zoom, box[2] + y / zoom


def _fin_base_or_none(shape, eye_x):
    """UP from the working-copy outline, or None when that outline is not to be trusted:
    no fin shows at least 10 % of the length behind the eye (a see-through fin lost by the
    segmentation), or the back is jagged (more than ``_MAX_PROTRUSIONS`` protrusions at
    least 1 % of the length wide)."""
    try:
        up, protrusions = _find_fin_base(shape, eye_x)
    except ExtractionFailure:
        return None
    if protrusions > _MAX_PROTRUSIONS or up[0] - eye_x < 0.1 * shape.length:
        return None
    return up


def _find_fin_base(shape, eye_x):
    """UP on an outline, and the number of separate protrusions of its back behind the eye
    (fins or segmentation jitter) at least 1 % of the length wide."""
    depth, length = shape.depth, shape.length
    start, stop = shape.span(0.12, 0.85)
    start = max(start, int(eye_x) + 2)
    height = -shape.top[start : stop + 1]
    if len(height) < 5:
        raise ExtractionFailure("landmark_not_found", "no dorsal outline behind the eye (UP)")
    protrusion = height - remove_narrow_peaks(height, 0.25 * length)
    threshold = max(2.0, 0.03 * depth)
    runs = _runs(protrusion > threshold)
    if not runs:
        raise ExtractionFailure(
            "landmark_not_found",
            f"no dorsal fin (UP): the outline rises at most {protrusion.max():.1f} px above the "
            f"body; more than {threshold:.1f} px expected",
        )
    biggest = protrusion.max()
    first, last = next((a, b) for a, b in runs if protrusion[a : b + 1].max() >= 0.4 * biggest)
    peak = first + int(np.argmax(protrusion[first : last + 1]))
    step = max(2, int(round(0.015 * length)))
    full = -shape.top
    low = max(shape.x0 + step, start + first - int(0.06 * length))
    candidates = np.arange(low, start + peak + 1)
    candidates = candidates[candidates + step <= shape.x1]
    if len(candidates) == 0:
        raise ExtractionFailure("landmark_not_found", "the dorsal fin has no leading edge (UP)")
    bend = (full[candidates + step] - full[candidates]) - (
        full[candidates] - full[candidates - step]
    )
    x = int(candidates[int(np.argmax(bend))])
    wide = sum(b - a + 1 >= 0.01 * length for a, b in runs)
    return (float(x), float(shape.top[x])), wide


def _fin_columns(bottom, length, threshold):
    """Flag the columns of a ventral profile where a fin hangs below the body.

    A fin is a protrusion of more than ``threshold`` below the profile's grey-scale opening
    (peaks narrower than a quarter of ``length``), widened to where it starts plus 2 % of
    ``length`` on each side.
    """
    protrusion = bottom - remove_narrow_peaks(bottom, 0.25 * length)
    rising = protrusion > 0.5
    starts = rising.copy()
    starts[1:] &= ~rising[:-1]
    run = np.cumsum(starts)
    fins = rising & (np.bincount(run[protrusion > threshold], minlength=run[-1] + 1) > 0)[run]
    margin = max(1, int(round(0.02 * length)))
    kernel = np.ones((1, 2 * margin + 1), np.uint8)
    return cv2.dilate(fins.view(np.uint8)[None], kernel).ravel() > 0


def _bridge(values, gaps):
    """Fill the flagged runs of a profile by linear interpolation between their ends."""
    index = np.arange(len(values))
    return np.interp(index, index[~gaps], values[~gaps])


def _find_belly(shape, sampler, zoom):
    """BP: the lowest point of the ventral outline over 10-75 % of the length, fins bridged."""
    length, depth = shape.length, shape.depth
    start, stop = shape.span(0.1, 0.75)
    bottom = shape.bottom[start : stop + 1]
    fins = _fin_columns(bottom, length, max(2.0, 0.05 * depth))
    if fins.all():
        raise ExtractionFailure("landmark_not_found", "no ventral outline free of fins (BP)")
    box = (float(start), float(stop), float(np.fmin.reduce(bottom)) - 3.0,
           float(np.fmax.reduce(bottom)) + 3.0)
    edge = _first_rows(sampler, box, zoom, from_top=False)
    if edge is None:
        body = _bridge(bottom, fins)
        column = int(np.argmax(body))
        return float(start + column), float(body[column])
    xs = box[0] + np.arange(len(edge)) / zoom
    gaps = fins[_nearest_columns(xs, start, stop) - start]
    gaps |= _fin_columns(edge, length * zoom, 0.05 * depth)
    if gaps.all():
        raise ExtractionFailure("landmark_not_found", "no ventral outline free of fins (BP)")
    body = _bridge(edge, gaps)
    column = int(np.argmax(body))
    return float(xs[column]), float(body[column])


def _with_fine_back_outline(shape, sampler, zoom):
    """The outline with its dorsal side over 10-90 % of the length taken from a finer view
    reaching half a depth above the body, where faint, see-through fins show better."""
    start, stop = shape.span(0.1, 0.9)
    top = shape.top[start : stop + 1]
    box = (float(start), float(stop), float(np.fmin.reduce(top)) - 0.5 * shape.depth,
           float(np.fmax.reduce(top)) + 3.0)
    edge = _first_rows(sampler, box, zoom, from_top=True)
    if edge is None:
        return shape
    columns = _nearest_columns(box[0] + np.arange(len(edge)) / zoom, start, stop)
    fine = np.full(stop - start + 1, np.inf)
    np.minimum.at(fine, columns - start, edge)
    merged = shape.top.copy()
    merged[start : stop + 1] = np.minimum(top, fine)
    return dataclasses.replace(shape, top=merged)


def _fine_back(shape, sampler, zoom, ep_x, up_x):
    """The largest y of the dorsal outline over ``[ep_x, up_x]``, on a finer view."""
    columns = slice(int(round(ep_x)), int(round(up_x)) + 1)
    top = shape.top[columns]
    box = (float(round(ep_x)), float(round(up_x)), float(np.fmin.reduce(top)) - 3.0,
           float(np.fmax.reduce(top)) + 3.0)
    edge = _first_rows(sampler, box, zoom, from_top=True)
    if edge is None:
        return float(np.fmax.reduce(top))
    return float(np.max(edge))


def _first_rows(sampler, box, zoom, from_top):
    """Frame y of the outline in each column of a view of ``box`` (NaN-free), or None."""
    matrix, size = view_matrix(box, zoom)
    mask = sampler.mask(matrix, size)
    if not from_top:
        mask = mask[::-1]
    filled = mask.any(axis=0)
    if not filled.any():
        return None
    rows = np.argmax(mask, axis=0).astype(float)
    if not from_top:
        rows = size[1] - 1 - rows
    ys = box[2] + rows / zoom
    if not filled.all():
        ys[~filled] = np.median(ys[filled])
    return ys


def _nearest_columns(xs, low, high):
    """The integer columns nearest to ``xs``, clipped to ``[low, high]`` (two ufuncs: on
    arrays this short ``np.clip`` costs several times more)."""
    return np.minimum(np.maximum(np.rint(xs).astype(int), low), high)


def _runs(flags):
    """``(first, last)`` index pairs of the True runs of a bool array."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2] - 1))
