"""Uneven green background of the photo tank: smooth hue/saturation/value fields, vignetting."""

import cv2
import numpy as np

_DOWNSCALE = 4


def _smooth_field(rng, size, cells):
    """Unit-scale smooth random field (H, W): a coarse Gaussian grid upsampled bicubically."""
    width, height = size
    coarse = rng.normal(0.0, 1.0, (cells[1], cells[0])).astype(np.float32)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)


def render_background(rng, size, difficulty):
    """Draw a green background (hue about 100-140 degrees) with uneven colour and vignetting.

    The background is smooth, so it is drawn at a quarter of the resolution: the renderer lights
    it there and upsamples it (``cv2.INTER_LINEAR``) to ``size``; the camera adds the fine
    sensor noise later.

    Args:
        rng: ``numpy.random.Generator`` (the photo's).
        size: ``(width, height)`` in pixels.
        difficulty: ``Difficulty`` (``light`` scales the unevenness).

    Returns:
        float32 array (max(height // 4, 8), max(width // 4, 8), 3), RGB in [0, 1].

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> bg = render_background(np.random.default_rng(0), (80, 60), resolve_difficulty("easy"))
        >>> bg.shape
        (15, 20, 3)
    """
    width, height = size
    small = (max(width // _DOWNSCALE, 8), max(height // _DOWNSCALE, 8))
    amount = 0.5 + difficulty.light * 2.5
    hue = rng.uniform(100.0, 140.0) + 6.0 * amount * _smooth_field(rng, small, (5, 4))
    sat = rng.uniform(0.4, 0.8) + 0.06 * amount * _smooth_field(rng, small, (6, 5))
    val = rng.uniform(0.45, 0.8) + 0.05 * amount * _smooth_field(rng, small, (7, 5))
    val = val + 0.015 * _smooth_field(rng, small, (small[0] // 3, small[1] // 3))
    xx = (np.arange(small[0], dtype=np.float32) / small[0])[None, :]
    yy = (np.arange(small[1], dtype=np.float32) / small[1])[:, None]
    r2 = (xx - rng.uniform(0.35, 0.65)) ** 2 + (yy - rng.uniform(0.35, 0.65)) ** 2
    val = val * (1.0 - rng.uniform(0.1, 0.2 + difficulty.light) * r2)
    hsv = np.stack([np.mod(hue, 360.0), np.clip(sat, 0.05, 1.0), np.clip(val, 0.02, 1.0)], -1)
    return cv2.cvtColor(hsv.astype(np.float32), cv2.COLOR_HSV2RGB)
