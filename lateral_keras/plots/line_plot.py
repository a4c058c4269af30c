"""Line plots drawn with OpenCV (no plotting library needed): curves, ROC, CMC."""

import math

import cv2
import numpy as np

from lateral_keras.utils.atomic import atomic_path

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
           (140, 86, 75), (227, 119, 194), (127, 127, 127)]
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _ticks(lo, hi, count=5):
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / count
    step = 10 ** math.floor(math.log10(raw))
    step *= min((s for s in (1, 2, 5, 10) if s * step >= raw), default=10)
    start = math.ceil(lo / step) * step
    return [start + i * step for i in range(int((hi - start) / step + 1e-9) + 1)]


def _fmt(value, log):
    if log:
        return f"1e{int(round(value))}"
    return f"{value:.3g}"


def line_plot(series, path, *, title="", xlabel="", ylabel="", log_x=False, y_range=None,
              legend="upper right", size=(900, 480)):
    """Draw one or more curves on shared axes and save the PNG atomically.

    Args:
        series: dict of label -> ``(x, y)`` sequences; non-finite points are skipped.
        path: output PNG path.
        title, xlabel, ylabel: text on the plot.
        log_x: plot ``log10(x)`` (for FAR axes); x must be positive.
        y_range: ``(lo, hi)`` of the y axis; default from the data.
        legend: ``"upper right"`` or ``"lower right"``: beside the plot, at that height.
        size: ``(width, height)`` in pixels.

    Returns:
        ``path``.

    Example:
        >>> line_plot({"loss": ([1, 2, 3], [0.9, 0.5, 0.4])}, "loss.png")  # doctest: +SKIP
    """
    width, height = size
    left, right, top, bottom = 80, 190, 40, 60  # the legend lives in the right margin
    clean = {}
    for label, (x, y) in series.items():
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        keep = np.isfinite(x) & np.isfinite(y) & ((x > 0) if log_x else True)
        x = np.log10(x[keep]) if log_x else x[keep]
        clean[label] = (x, y[keep])
    xs = np.concatenate([x for x, _ in clean.values()] or [np.zeros(1)])
    ys = np.concatenate([y for _, y in clean.values()] or [np.zeros(1)])
    x_lo, x_hi = (float(xs.min()), float(xs.max())) if xs.size else (0.0, 1.0)
    y_lo, y_hi = y_range if y_range is not None else (float(ys.min()), float(ys.max()))
    if x_hi <= x_lo:
        x_hi = x_lo + 1.0
    if y_hi <= y_lo:
        y_lo, y_hi = y_lo - 0.5, y_hi + 0.5

    def to_px(x, y):
        px = left + (x - x_lo) / (x_hi - x_lo) * (width - left - right)
        py = height - bottom - (y - y_lo) / (y_hi - y_lo) * (height - top - bottom)
        return np.stack([px, py], axis=-1)

    canvas = np.full((height, width, 3), 255, np.uint8)
    grey, black = (210, 210, 210), (0, 0, 0)
    for tick in _ticks(x_lo, x_hi):
        px = int(to_px(tick, y_lo)[0])
        cv2.line(canvas, (px, top), (px, height - bottom), grey, 1)
        cv2.putText(canvas, _fmt(tick, log_x), (px - 18, height - bottom + 18), FONT, 0.4,
                    black, 1, cv2.LINE_AA)
    for tick in _ticks(y_lo, y_hi):
        py = int(to_px(x_lo, tick)[1])
        cv2.line(canvas, (left, py), (width - right, py), grey, 1)
        cv2.putText(canvas, _fmt(tick, False), (8, py + 4), FONT, 0.4, black, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (left, top), (width - right, height - bottom), black, 1)
    cv2.putText(canvas, title, (left, 26), FONT, 0.6, black, 1, cv2.LINE_AA)
    cv2.putText(canvas, xlabel, (width // 2 - 4 * len(xlabel), height - 16), FONT, 0.5, black,
                1, cv2.LINE_AA)
    cv2.putText(canvas, ylabel, (8, top - 8), FONT, 0.45, black, 1, cv2.LINE_AA)
    colours = [PALETTE[i % len(PALETTE)][::-1] for i in range(len(clean))]
    for colour, (x, y) in zip(colours, clean.values()):
        if x.size:
            points = np.round(to_px(x, y)).astype(np.int32)
            cv2.polylines(canvas, [points.reshape(-1, 1, 2)], False, colour, 2, cv2.LINE_AA)
            if x.size == 1:
                cv2.circle(canvas, tuple(int(v) for v in points[0]), 3, colour, -1)
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
