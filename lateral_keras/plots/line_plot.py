"""Line plots drawn with OpenCV (no plotting library needed): curves, ROC, DET, CMC."""

import math

import cv2
import numpy as np

from lateral_keras.utils.atomic import atomic_path

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127)]
FONT = cv2.FONT_HERSHEY_SIMPLEX
SCALES = ("linear", "log", "probit")
_PROBIT_TICKS = (1e-4, 1e-3, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99)
_MAX_POINTS = 4000  # longer curves are thinned (a plot has fewer pixels)


def _ticks(lo, hi, count=5):
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    step *= min((s for s in (1, 2, 5, 10) if s * step >= 0.7 * raw), default=10)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


# Acklam's rational approximation of the normal quantile (relative error below 1.2e-9).
_A = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
      -30.66479806614716, 2.506628277459239)
_B = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
      -13.28068155288572)
_C = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
      4.374664141464968, 2.938163982698783)
_D = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)


def _probit(values):
    """Normal quantile of each value, NaN outside `(0, 1)`; vectorised (a DET curve has
    millions of points)."""
    p = np.asarray(values, dtype=float)
    out = np.full(p.shape, np.nan)
    low, high = (p > 0) & (p < 0.02425), (p > 1 - 0.02425) & (p < 1)
    mid = (p >= 0.02425) & (p <= 1 - 0.02425)
    q = p[mid] - 0.5
    r = q * q
    numerator = ((((_A[0] * r + _A[1]) * r + _A[2]) * r + _A[3]) * r + _A[4]) * r + _A[5]
    denominator = ((((_B[0] * r + _B[1]) * r + _B[2]) * r + _B[3]) * r + _B[4]) * r + 1
    out[mid] = q * numerator / denominator
    for chosen, sign, tail in ((low, 1.0, p[low]), (high, -1.0, 1 - p[high])):
        t = np.sqrt(-2 * np.log(tail))
        numerator = ((((_C[0] * t + _C[1]) * t + _C[2]) * t + _C[3]) * t + _C[4]) * t + _C[5]
        denominator = (((_D[0] * t + _D[1]) * t + _D[2]) * t + _D[3]) * t + 1
        out[chosen] = sign * numerator / denominator
    return out


def _transform(values, scale):
    """Data values -> plot coordinates (non-finite where the scale cannot show them)."""
    values = np.asarray(values, dtype=float)
    if scale == "log":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(values > 0, np.log10(np.where(values > 0, values, 1.0)), np.nan)
    if scale == "probit":
        return _probit(values)
    return values


def _scale_ticks(lo, hi, scale):
    """`(position, label)` ticks between plot coordinates `lo` and `hi`."""
    if scale == "log":
        first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        step = max(1, math.ceil((last - first + 1) / 8))
        return [(float(k), "1" if k == 0 else f"1e{k}") for k in range(first, last + 1, step)]
    if scale == "probit":
        ticks = []
        for p in _PROBIT_TICKS:
            position = float(_probit([p])[0])
            if lo - 1e-9 <= position <= hi + 1e-9:
                ticks.append((position, f"{100 * p:g}%"))
        return ticks
    return [(t, f"{t:.3g}") for t in _ticks(lo, hi)]


def _decimate(x, y, x_span, y_span):
    """Thin a long curve to the points where it moved at least 1/2000 of the plot's size
    (measured along its path), keeping both ends: the shape survives at every scale."""
    if x.size <= _MAX_POINTS:
        return x, y
    step = np.hypot(np.diff(x) / x_span, np.diff(y) / y_span)
    travelled = np.r_[0.0, np.cumsum(step)]
    bucket = np.floor(travelled * 2000).astype(np.int64)
    keep = np.r_[True, bucket[1:] != bucket[:-1]]
    keep[-1] = True
    return x[keep], y[keep]


def _vertical_text(canvas, text, x, y_mid, scale=0.45):
    """Write `text` rotated by 90 degrees (reading upwards), centred on `y_mid`."""
    if not text:
        return
    (text_w, text_h), baseline = cv2.getTextSize(text, FONT, scale, 1)
    strip = np.full((text_h + baseline + 4, text_w + 4, 3), 255, np.uint8)
    cv2.putText(strip, text, (2, text_h + 2), FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)
    strip = cv2.rotate(strip, cv2.ROTATE_90_COUNTERCLOCKWISE)[: canvas.shape[0]]
    y0 = max(0, min(canvas.shape[0] - strip.shape[0], y_mid - strip.shape[0] // 2))
    canvas[y0 : y0 + strip.shape[0], x : x + strip.shape[1]] = strip


def line_plot(series, path, *, title="", xlabel="", ylabel="", log_x=False, x_scale=None,
              y_scale="linear", x_range=None, y_range=None, legend="upper right",
              size=(900, 480)):
    """Draw one or more curves on shared axes and save the PNG atomically.

    Args:
        series: dict of label -> ``(x, y)`` sequences; points the axes cannot show (non-finite,
            or outside ``(0, 1)`` on a probit axis, non-positive on a log axis) are skipped.
            Long curves are thinned to a few thousand points.
        path: output PNG path.
        title, xlabel, ylabel: text on the plot.
        log_x: shorthand for ``x_scale="log"`` (FAR axes).
        x_scale, y_scale: ``"linear"``, ``"log"`` (base 10) or ``"probit"`` (normal quantile,
            the DET axes; ticks in percent).
        x_range, y_range: ``(lo, hi)`` of an axis in data units; default from the data.
        legend: ``"upper right"`` or ``"lower right"``: beside the plot, at that height.
        size: ``(width, height)`` in pixels.

    Returns:
        ``path``.

    Example:
        >>> line_plot({"loss": ([1, 2, 3], [0.9, 0.5, 0.4])}, "loss.png")  # doctest: +SKIP
    """
    x_scale = x_scale or ("log" if log_x else "linear")
    for name, scale in (("x_scale", x_scale), ("y_scale", y_scale)):
        if scale not in SCALES:
            raise ValueError(f"`{name}` must be one of {SCALES}. Received: {name}={scale!r}")
    width, height = size
    left, right, top, bottom = 80, 190, 40, 60  # the legend lives in the right margin
    clean = {}
    for label, (x, y) in series.items():
        x = _transform(x, x_scale)
        y = _transform(y, y_scale)
        keep = np.isfinite(x) & np.isfinite(y)
        clean[label] = (x[keep], y[keep])

    def axis_range(values, given, scale):
        if given is not None:
            return tuple(float(v) for v in _transform(given, scale))
        values = np.concatenate([v for v in values] or [np.zeros(1)])
        return (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)

    x_lo, x_hi = axis_range([x for x, _ in clean.values()], x_range, x_scale)
    y_lo, y_hi = axis_range([y for _, y in clean.values()], y_range, y_scale)
    if y_range is None:  # headroom, so no curve runs along the frame
        pad = 0.04 * (y_hi - y_lo)
        y_lo, y_hi = y_lo - pad, y_hi + pad
    if x_hi <= x_lo:
        x_lo, x_hi = x_lo - 0.5, x_hi + 0.5
    if y_hi <= y_lo:
        y_lo, y_hi = y_lo - 0.5, y_hi + 0.5

    clean = {label: _decimate(x, y, x_hi - x_lo, y_hi - y_lo) for label, (x, y) in clean.items()}

    def to_px(x, y):
        px = left + (x - x_lo) / (x_hi - x_lo) * (width - left - right)
        py = height - bottom - (y - y_lo) / (y_hi - y_lo) * (height - top - bottom)
        return np.stack([px, py], axis=-1)

    canvas = np.full((height, width, 3), 255, np.uint8)
    grey, black = (210, 210, 210), (0, 0, 0)
    for tick, text in _scale_ticks(x_lo, x_hi, x_scale):
        px = int(to_px(tick, y_lo)[0])
        cv2.line(canvas, (px, top), (px, height - bottom), grey, 1)
        (text_w, _), _ = cv2.getTextSize(text, FONT, 0.4, 1)
        cv2.putText(canvas, text, (px - text_w // 2, height - bottom + 18), FONT, 0.4, black, 1,
                    cv2.LINE_AA)
    for tick, text in _scale_ticks(y_lo, y_hi, y_scale):
        py = int(to_px(x_lo, tick)[1])
        cv2.line(canvas, (left, py), (width - right, py), grey, 1)
        (text_w, _), _ = cv2.getTextSize(text, FONT, 0.4, 1)
        cv2.putText(canvas, text, (left - 6 - text_w, py + 4), FONT, 0.4, black, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (left, top), (width - right, height - bottom), black, 1)
    cv2.putText(canvas, title, (left, 26), FONT, 0.6, black, 1, cv2.LINE_AA)
    (text_w, _), _ = cv2.getTextSize(xlabel, FONT, 0.5, 1)
    cv2.putText(canvas, xlabel, ((left + width - right - text_w) // 2, height - 16), FONT, 0.5,
                black, 1, cv2.LINE_AA)
    _vertical_text(canvas, ylabel, x=6, y_mid=(top + height - bottom) // 2)
    colours = [PALETTE[i % len(PALETTE)][::-1] for i in range(len(clean))]
    frame = canvas.copy()
    for colour, (x, y) in zip(colours, clean.values()):
        if x.size:
            points = np.round(to_px(x, y)).astype(np.int32)
            cv2.polylines(canvas, [points.reshape(-1, 1, 2)], False, colour, 2, cv2.LINE_AA)
            if x.size == 1:
                cv2.circle(canvas, tuple(int(v) for v in points[0]), 3, colour, -1)
    # Curves stop at the frame: restore what they drew outside the plotting area.
    outside = np.ones(canvas.shape[:2], bool)
    outside[top - 1 : height - bottom + 2, left - 1 : width - right + 2] = False
    canvas[outside] = frame[outside]
    first = top + 18 if legend == "upper right" else height - bottom - 8 - 18 * len(clean)
    for i, (colour, label) in enumerate(zip(colours, clean)):
        ly = first + 18 * i
        cv2.line(canvas, (width - right + 10, ly - 4), (width - right + 35, ly - 4), colour, 2)
        cv2.putText(canvas, label[:22], (width - right + 40, ly), FONT, 0.42, black, 1,
                    cv2.LINE_AA)
    with atomic_path(path) as tmp:
        if not cv2.imwrite(tmp, canvas):
            raise OSError(f"Could not write plot: {path}")
    return path
