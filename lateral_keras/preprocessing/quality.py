"""Quality figures of an extraction: sharpness and exposure of the ROI."""

import cv2


def sharpness(roi):
    """Variance of the Laplacian of the ROI's gray levels (higher = sharper).

    Args:
        roi: uint8 RGB ``(h, w, 3)``.

    Returns:
        A float >= 0; comparable between ROIs of the same output size.

    Example:
        >>> import numpy as np
        >>> sharpness(np.full((8, 8, 3), 100, np.uint8))
        0.0
    """
    gray = cv2.cvtColor(roi, cv2.COLOR_RGB2GRAY)
    return float(cv2.meanStdDev(cv2.Laplacian(gray, cv2.CV_16S))[1][0, 0] ** 2)


def exposure(roi, low=5, high=250):
    """Mean brightness (HSV value) of the ROI and its share of clipped pixels.

    Args:
        roi: uint8 RGB ``(h, w, 3)``.
        low: values at or below count as clipped dark.
        high: values at or above count as clipped bright.

    Returns:
        ``{"mean_v": mean value / 255, "clipped_share": share of clipped pixels}``.

    Example:
        >>> import numpy as np
        >>> exposure(np.full((4, 4, 3), 255, np.uint8))
        {'mean_v': 1.0, 'clipped_share': 1.0}
    """
    red, green, blue = cv2.split(roi)
    value = cv2.max(cv2.max(red, green), blue)
    clipped = value.size - cv2.countNonZero(cv2.inRange(value, low + 1, high - 1))
    return {
        "mean_v": round(cv2.mean(value)[0] / 255.0, 4),
        "clipped_share": round(float(clipped) / value.size, 4),
    }
