"""Ground-truth landmarks and ROI of a fish, computed in its canonical (normalised) frame.

SPEC section 2, the one ROI definition: "in the normalised frame (head on the left, dorsal side up,
image y growing downward): EP = centre of the eye; UP = where the leading edge of the dorsal fin
meets the body outline; BP = belly point, the lowest point (largest y) of the ventral body outline,
fins excluded. `back` = the largest y of the dorsal body outline over x in [EP.x, UP.x] (the dorsal
edge's lowest point in that span, so the box stays inside the body); `depth` = BP.y - back. The ROI
is the axis-aligned box x in [EP.x, UP.x], y in [back + depth/20, back + depth/2]. The two fractions
are parameters."
"""

import numpy as np

from lateral_keras.data.synthetic import body

_SAMPLES = 20001
_STRIDE = 50


def _grid_max(f, grid):
    """Index and value of the largest ``f`` over the sorted 1-D ``grid``.

    ``f`` is evaluated on every ``_STRIDE``-th point (both ends included), then on every point
    within one stride of the best of those: a few percent of the cost of the whole grid, and the
    same answer whenever the maximum lies within one stride of the coarse one, as for the smooth
    outlines here (one hump, or a maximum at an end of the span).
    """
    coarse = np.unique(np.append(np.arange(0, len(grid), _STRIDE), len(grid) - 1))
    best = int(coarse[np.argmax(f(grid[coarse]))])
    lo, hi = max(best - _STRIDE, 0), min(best + _STRIDE + 1, len(grid))
    values = f(grid[lo:hi])
    i = int(np.argmax(values))
    return lo + i, float(values[i])


def canonical_landmarks(shape, bend, length_px, origin, roi_fractions=(1 / 20, 1 / 2)):
    """EP, UP, BP and the ROI corners in canonical pixel coordinates.

    Canonical pixel coordinates: ``(origin_x + x * length_px, origin_y + y * length_px)`` for a body
    point ``(x, y)`` in body lengths (pixel centres at integers, as in OpenCV).

    Args:
        shape: ``body.BodyShape``.
        bend: centre-line bend (body lengths).
        length_px: body length (snout to tail base) in pixels.
        origin: ``(origin_x, origin_y)``, the pixel position of body point (0, 0).
        roi_fractions: ``(top, bottom)`` fractions of ``depth`` below ``back``; 0 <= top < bottom.

    Returns:
        Dict with ``'ep'``, ``'up'``, ``'bp'`` (each shape (2,), x then y), ``'back'``, ``'depth'``
        (floats) and ``'roi'`` (shape (4, 2): top-left, top-right, bottom-right, bottom-left).

    Example:
        >>> lm = canonical_landmarks(body.BodyShape(), 0.0, 500.0, (20.0, 100.0))
        >>> lm["roi"].shape
        (4, 2)
    """
    f_top, f_bottom = roi_fractions
    if not 0.0 <= f_top < f_bottom <= 1.0:
        raise ValueError(
            "`roi_fractions` must be (top, bottom) with 0 <= top < bottom <= 1. "
            f"Received: roi_fractions={roi_fractions}"
        )
    if length_px <= 0:
        raise ValueError(f"`length_px` must be positive. Received: length_px={length_px}")
    ox, oy = float(origin[0]), float(origin[1])

    def px(point):
        return np.array([ox + point[0] * length_px, oy + point[1] * length_px])

    ep = px(body.eye_centre(shape, bend))
    up = px(body.fin_polygons(shape, bend)["dorsal"][0])
    x = np.linspace(0.0, 1.0, _SAMPLES)
    i, bottom = _grid_max(lambda xs: body.outline(shape, xs, bend)[1], x)
    bp = px((x[i], bottom))
    span = np.linspace(shape.eye_x, shape.dorsal_x0, _SAMPLES)
    _, top = _grid_max(lambda xs: body.outline(shape, xs, bend)[0], span)
    back = oy + top * length_px
    depth = float(bp[1] - back)
    y0, y1 = back + f_top * depth, back + f_bottom * depth
    roi = np.array([[ep[0], y0], [up[0], y0], [up[0], y1], [ep[0], y1]])
    return {"ep": ep, "up": up, "bp": bp, "back": back, "depth": depth, "roi": roi}


def apply_affine(matrix, points):
    """Map points through a 2x3 affine matrix (the one given to ``cv2.warpAffine``).

    Args:
        matrix: array (2, 3).
        points: array (..., 2) of (x, y).

    Returns:
        Array shaped like ``points``.

    Example:
        >>> apply_affine(np.array([[1.0, 0, 5], [0, 1, 0]]), np.array([[1.0, 2.0]])).tolist()
        [[6.0, 2.0]]
    """
    points = np.asarray(points, dtype=np.float64)
    matrix = np.asarray(matrix, dtype=np.float64)
    return points @ matrix[:, :2].T + matrix[:, 2]
