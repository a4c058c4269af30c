"""Zoomed views of regions of the normalised frame, resampled from the best image at hand.

Landmarks are found on the small working copy, where a pixel can be 3 % of the body depth;
the eye, the back and the belly point are then measured again on small views resampled at a
finer scale: from the full-resolution photo (``ImageSampler``) or, without one, from the
normalised canvas itself (``CanvasSampler``).
"""

import cv2
import numpy as np

from lateral_keras.preprocessing import geometry
from lateral_keras.preprocessing.segmentation import background_mask

_OPENING = np.ones((3, 3), np.uint8)
"""The structuring element that clears single-pixel specks off a mask view."""


def view_matrix(box, zoom):
    """The map from frame coordinates to a view of ``box`` magnified ``zoom`` times.

    Args:
        box: ``(x_left, x_right, y_top, y_bottom)`` in the normalised frame.
        zoom: view pixels per frame pixel.

    Returns:
        ``(matrix, size)``: 3x3 float matrix and the view's ``(width, height)``.

    Example:
        >>> matrix, size = view_matrix((10.0, 20.0, 5.0, 9.0), 2.0)
        >>> size
        (21, 9)
    """
    x_left, x_right, y_top, y_bottom = box
    matrix = np.array([[zoom, 0.0, -x_left * zoom], [0.0, zoom, -y_top * zoom], [0.0, 0.0, 1.0]])
    width = int(np.ceil((x_right - x_left) * zoom)) + 1
    height = int(np.ceil((y_bottom - y_top) * zoom)) + 1
    size = (width, height)
    return matrix, size


class CanvasSampler:
    """Views resampled from the normalised canvas (gray levels and fish mask).

    Args:
        gray: uint8 gray levels of the normalised canvas.
        mask: bool fish mask of the normalised canvas.
    """

    max_zoom = 8.0

    def __init__(self, gray, mask):
        self.gray_canvas = gray
        self.mask_canvas = mask.astype(np.uint8)

    def gray(self, matrix, size):
        """uint8 gray view for the frame-to-view ``matrix`` and ``size`` ``(w, h)``."""
        return cv2.warpAffine(
            self.gray_canvas, matrix[:2], size, flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )

    def mask(self, matrix, size):
        """bool fish-mask view for the frame-to-view ``matrix`` and ``size`` ``(w, h)``."""
        return cv2.warpAffine(self.mask_canvas, matrix[:2], size, flags=cv2.INTER_LINEAR) > 0


class ImageSampler:
    """Views resampled from the full-resolution RGB photo.

    Args:
        image: uint8 RGB ``(H, W, 3)`` original image.
        to_frame: 3x3 map from ``image`` pixels to the normalised frame.
        thresholds: background thresholds from ``segmentation.background_thresholds``;
            the mask view marks every non-background pixel as fish.
    """

    def __init__(self, image, to_frame, thresholds):
        self.image = image
        self.to_frame = to_frame
        self.thresholds = thresholds
        scale = geometry.linear_scale(to_frame)
        self.max_zoom = 2.0 / scale

    def _rgb(self, matrix, size):
        return cv2.warpAffine(
            self.image, (matrix @ self.to_frame)[:2], size, flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )

    def gray(self, matrix, size):
        """uint8 gray view for the frame-to-view ``matrix`` and ``size`` ``(w, h)``."""
        return cv2.cvtColor(self._rgb(matrix, size), cv2.COLOR_RGB2GRAY)

    def mask(self, matrix, size):
        """bool fish (non-background) view for the frame-to-view ``matrix`` and ``size``."""
        hsv = cv2.cvtColor(self._rgb(matrix, size), cv2.COLOR_RGB2HSV)
        fish = cv2.bitwise_not(background_mask(hsv, self.thresholds))
        return cv2.morphologyEx(fish, cv2.MORPH_OPEN, _OPENING) > 0
