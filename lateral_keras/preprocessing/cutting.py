"""Cut the ROI from the full-resolution image and assemble the ``RoiResult``."""

import cv2
import numpy as np

from lateral_keras.preprocessing import geometry
from lateral_keras.preprocessing.quality import exposure, sharpness
from lateral_keras.preprocessing.result import ExtractionFailure, RoiResult


def cut_box(image, to_frame, box, roi_size):
    """Resample the box ``box`` of the normalised frame from ``image`` with one affine warp.

    Args:
        image: uint8 ``(H, W, 3)`` original image.
        to_frame: 3x3 map from ``image`` pixels to the normalised frame.
        box: ``(x_left, x_right, y_top, y_bottom)`` in the normalised frame.
        roi_size: ``(height, width)`` of the output, or None for the native size (the box
            measured in ``image`` pixels).

    Returns:
        uint8 ``(height, width, 3)``. Shrinking by more than 2x goes through the native size
        and an area resize, so fine skin texture is averaged rather than aliased.

    Example:
        >>> image = np.arange(40 * 60 * 3, dtype=np.uint8).reshape(40, 60, 3)
        >>> cut_box(image, np.eye(3), (10.0, 30.0, 5.0, 15.0), None).shape
        (10, 20, 3)
    """
    x_left, x_right, y_top, y_bottom = box
    scale = geometry.linear_scale(to_frame)
    native = (
        max(1, int(round((y_bottom - y_top) / scale))),
        max(1, int(round((x_right - x_left) / scale))),
    )
    target = native if roi_size is None else tuple(roi_size)
    direct = target[0] * 2 >= native[0] and target[1] * 2 >= native[1]
    height, width = target if direct else native
    to_out = np.array(
        [
            [width / (x_right - x_left), 0.0, -x_left * width / (x_right - x_left) - 0.5],
            [0.0, height / (y_bottom - y_top), -y_top * height / (y_bottom - y_top) - 0.5],
            [0.0, 0.0, 1.0],
        ]
    ) @ to_frame
    roi = cv2.warpAffine(
        image, to_out[:2], (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    if not direct:
        roi = cv2.resize(roi, (target[1], target[0]), interpolation=cv2.INTER_AREA)
    return roi


def build_result(image, to_frame, box, landmarks, settings, *, mask=None, quality=None,
                 source="auto"):
    """Map the frame's ROI and landmarks back to the image, cut the ROI, measure its quality.

    Args:
        image: uint8 ``(H, W, 3)`` original (full-resolution) image.
        to_frame: 3x3 map from ``image`` pixels to the normalised frame.
        box: ``(x_left, x_right, y_top, y_bottom)`` in the normalised frame.
        landmarks: ``{"EP": (x, y), ...}`` in the normalised frame, or None.
        settings: an ``ExtractorSettings``.
        mask: the working-copy fish mask to keep in the result, or None.
        quality: quality figures known so far (extended here), or None.
        source: ``'auto'`` or ``'manual'``.

    Returns:
        A ``RoiResult`` with ``ok=True``.

    Raises:
        ExtractionFailure: ``roi_too_small`` or ``too_blurred``.
    """
    from_frame = geometry.invert(to_frame)
    corners = geometry.apply(from_frame, geometry.box_corners(*box))
    scale = geometry.linear_scale(to_frame)
    width, height = (box[1] - box[0]) / scale, (box[3] - box[2]) / scale
    if min(width, height) < settings.min_roi_side:
        raise ExtractionFailure(
            "roi_too_small",
            f"the ROI is {width:.1f} x {height:.1f} px in the original image; at least "
            f"{settings.min_roi_side} px a side was expected",
        )
    roi = cut_box(image, to_frame, box, settings.roi_size)
    quality = dict(quality or {})
    quality["sharpness"] = round(sharpness(roi), 3)
    quality["exposure"] = exposure(roi)
    if settings.min_sharpness is not None and quality["sharpness"] < settings.min_sharpness:
        raise ExtractionFailure(
            "too_blurred",
            f"ROI sharpness (variance of Laplacian) {quality['sharpness']:.1f} is below "
            f"min_sharpness={settings.min_sharpness}",
        )
    mirrored = geometry.is_mirror(to_frame)
    points = None
    if landmarks is not None:
        mapped = geometry.apply(from_frame, list(landmarks.values())).tolist()
        points = {name: tuple(point) for name, point in zip(landmarks, mapped)}
    return RoiResult(
        ok=True,
        roi=roi,
        mask=mask,
        landmarks=points,
        corners=corners,
        rotation_deg=geometry.direction_deg(from_frame),
        mirrored=mirrored,
        side="right" if mirrored else "left",
        quality=quality,
        source=source,
    )
