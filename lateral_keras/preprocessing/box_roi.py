"""`roi: box`: photos without a green rig. The ROI is a bounding box of the photo (or the whole
photo), resized to the ROI size with its aspect ratio kept and the rest padded.

The box `(x, y, w, h)` is in pixels of the stored image (x right, y down, `(x, y)` the top-left
corner), as a manifest gives it (`read_manifest`'s `x, y, w, h` columns); without one the whole
photo is the ROI. A box reaching past the image is clipped to it. The crop is scaled by
`min(H / h, W / w)` to fit the ROI size `(H, W)` and centred; the margins are black (0).
"""

import cv2
import numpy as np

from lateral_keras.data.image_errors import ImageReadError
from lateral_keras.data.image_io import read_image
from lateral_keras.preprocessing import quality
from lateral_keras.preprocessing.result import RoiResult, failed

PAD_VALUE = 0
"""Grey level of the padding around a resized box."""


def letterbox(image, size):
    """Resizes `image` to fit `size` with its aspect ratio kept, centred on a black canvas.

    Args:
        image: uint8 `(h, w, 3)`.
        size: `(height, width)` of the output.

    Returns:
        uint8 `(height, width, 3)`; the image covers the full width or the full height.

    Example:
        >>> letterbox(np.full((10, 40, 3), 255, np.uint8), (20, 20))[:, :, 0].mean(axis=1)[[0, 10]]
        array([  0., 255.])
    """
    height, width = size
    h, w = image.shape[:2]
    scale = min(height / h, width / w)
    new_h = min(height, max(1, int(round(h * scale))))
    new_w = min(width, max(1, int(round(w * scale))))
    shrink = new_h < h or new_w < w
    resized = cv2.resize(image, (new_w, new_h),
                         interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    canvas = np.full((height, width, 3), PAD_VALUE, np.uint8)
    top, left = (height - new_h) // 2, (width - new_w) // 2
    canvas[top : top + new_h, left : left + new_w] = resized
    return canvas


def box_roi(image, box=None, roi_size=None, min_side=1):
    """The ROI of an image for `roi: box`: the box (or the whole image), letterboxed.

    Args:
        image: uint8 RGB `(H, W, 3)`.
        box: optional `(x, y, w, h)` in pixels; clipped to the image.
        roi_size: `(height, width)` of the output, or None to keep the crop as it is.
        min_side: the shortest accepted side of the clipped box, in pixels.

    Returns:
        `RoiResult`: ok with the ROI and its corners (top-left, top-right, bottom-right,
        bottom-left, in image pixels), or failed with `roi_too_small` (a box outside the
        image, or smaller than `min_side`).

    Example:
        >>> result = box_roi(np.zeros((60, 80, 3), np.uint8), (10, 5, 40, 20), (32, 32))
        >>> result.roi.shape, result.corners[2].tolist()
        ((32, 32, 3), [50.0, 25.0])
    """
    height, width = image.shape[:2]
    x0, y0, x1, y1 = 0, 0, width, height
    if box is not None:
        x, y, w, h = box
        x0, y0, x1, y1 = max(0, x), max(0, y), min(width, x + w), min(height, y + h)
    if min(x1 - x0, y1 - y0) < min_side:
        return failed(
            "roi_too_small",
            f"the box {tuple(box)} (x, y, w, h) keeps {max(0, x1 - x0)} x {max(0, y1 - y0)} px "
            f"of the {width} x {height} image; at least {min_side} px a side was expected",
        )
    crop = image[y0:y1, x0:x1]
    roi = crop if roi_size is None else letterbox(crop, roi_size)
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    measures = {"sharpness": round(quality.sharpness(crop), 3),
                "exposure": quality.exposure(crop)}
    return RoiResult(ok=True, roi=np.ascontiguousarray(roi), corners=corners, quality=measures,
                     source="box" if box is not None else "whole_image")


def box_roi_from_file(path, box=None, settings=None):
    """Reads a photo and returns `box_roi` of it (an unreadable file gives a failed result).

    Args:
        path: the image file.
        box: optional `(x, y, w, h)` in pixels of the stored image.
        settings: `ExtractorSettings` (`roi_size`, `min_roi_side` are used), or None for
            the native crop.

    Returns:
        `RoiResult`.
    """
    try:
        image = read_image(path)
    except ImageReadError as error:
        return failed(error.reason, str(error))
    if settings is None:
        return box_roi(image, box)
    return box_roi(image, box, settings.roi_size, settings.min_roi_side)
