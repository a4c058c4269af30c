"""Contact sheets of a prepared dataset, drawn with OpenCV only: ROIs and annotated photos.

`annotate_photo` draws, on a downscaled copy of a photo, the fish mask's outline (green), the
ellipse with the mask's second moments (yellow: the axis the extractor rotates to), the ROI
(white, a dot at its head-and-back corner) and the landmarks EP / UP / BP (red / blue /
magenta), whichever the extractor found. `write_sheet` tiles such images with a few lines of
text under each.
"""

import logging

import cv2
import numpy as np

from lateral_keras.data.image_io import ImageReadError, read_image, read_image_size
from lateral_keras.utils.atomic import write_bytes

logger = logging.getLogger(__name__)

THUMB_SIDE = 320
"""Longest side of a failure thumbnail, in pixels."""

_LANDMARK_COLOURS = {"EP": (255, 0, 0), "UP": (0, 80, 255), "BP": (255, 0, 255)}
_FONT = cv2.FONT_HERSHEY_SIMPLEX
_LINE_HEIGHT = 14


def moment_ellipse(mask):
    """The ellipse with the same area centre and second moments as a binary mask.

    Args:
        mask: 2-D bool or 0/1 array.

    Returns:
        `((cx, cy), (major, minor), angle_deg)` (full axis lengths, OpenCV's `cv2.ellipse`
        convention), or None for an empty mask.

    Example:
        >>> import numpy as np
        >>> mask = np.zeros((20, 40), bool); mask[5:15, 5:35] = True
        >>> moment_ellipse(mask)[1][0] > moment_ellipse(mask)[1][1]
        True
    """
    moments = cv2.moments(np.asarray(mask, np.uint8), binaryImage=True)
    if moments["m00"] == 0:
        return None
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    cov = np.array([[moments["mu20"], moments["mu11"]], [moments["mu11"], moments["mu02"]]])
    eigenvalues, eigenvectors = np.linalg.eigh(cov / moments["m00"])
    major, minor = 4.0 * np.sqrt(np.maximum(eigenvalues[::-1], 0.0))
    angle = float(np.degrees(np.arctan2(eigenvectors[1, 1], eigenvectors[0, 1])))
    return (float(cx), float(cy)), (float(major), float(minor)), angle


def _placeholder(text, side=THUMB_SIDE):
    tile = np.full((side * 3 // 4, side, 3), 64, np.uint8)
    cv2.putText(tile, text, (8, side * 3 // 8), _FONT, 0.5, (230, 230, 230), 1, cv2.LINE_AA)
    return tile


def annotate_photo(path, result, side=THUMB_SIDE):
    """A downscaled copy of a photo with the mask, its ellipse, the ROI and the landmarks drawn.

    Args:
        path: the photo's file.
        result: its `RoiResult` (`mask` on the extractor's working copy, `corners` and
            `landmarks` in original pixels; any may be None), or None to draw nothing.
        side: longest side of the thumbnail.

    Returns:
        uint8 RGB thumbnail; a grey tile saying "unreadable" when the file does not decode.
    """
    try:
        original_hw = read_image_size(path)
        thumb = read_image(path, max_side=side).copy()
    except ImageReadError:
        return _placeholder("unreadable", side)
    height, width = thumb.shape[:2]
    if result is None:
        return thumb
    if result.mask is not None and np.any(result.mask):
        mask = cv2.resize(
            np.asarray(result.mask, np.uint8), (width, height), interpolation=cv2.INTER_NEAREST
        )
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(thumb, contours, -1, (0, 255, 0), 1, cv2.LINE_8)
        ellipse = moment_ellipse(mask)
        if ellipse is not None:
            cv2.ellipse(thumb, ellipse, (255, 255, 0), 1, cv2.LINE_8)
    scale_x, scale_y = width / original_hw[1], height / original_hw[0]
    if result.corners is not None:
        quad = np.round(np.asarray(result.corners, float) * (scale_x, scale_y)).astype(np.int32)
        cv2.polylines(thumb, [quad], True, (255, 255, 255), 1, cv2.LINE_8)
        cv2.circle(thumb, tuple(int(v) for v in quad[0]), 3, (255, 255, 255), -1, cv2.LINE_8)
    for name, (x, y) in (result.landmarks or {}).items():
        centre = (round(x * scale_x), round(y * scale_y))
        colour = _LANDMARK_COLOURS.get(name, (255, 255, 255))
        cv2.circle(thumb, centre, 4, colour, -1, cv2.LINE_8)
        cv2.putText(thumb, name, (centre[0] + 5, centre[1] - 5), _FONT, 0.4, colour, 1)
    return thumb


def _fit(image, tile_hw):
    """Resizes `image` to fit in `tile_hw` keeping its aspect, centred on a dark tile."""
    tile = np.full((*tile_hw, 3), 32, np.uint8)
    scale = min(tile_hw[0] / image.shape[0], tile_hw[1] / image.shape[1])
    size = (max(1, int(image.shape[1] * scale)), max(1, int(image.shape[0] * scale)))
    resized = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    top, left = (tile_hw[0] - size[1]) // 2, (tile_hw[1] - size[0]) // 2
    tile[top : top + size[1], left : left + size[0]] = resized
    return tile


def make_sheet(items, tile_hw, columns, title):
    """Tiles images with text lines under each into one RGB sheet.

    Args:
        items: list of `(image_rgb_uint8, [text lines])`.
        tile_hw: `(height, width)` of each image tile.
        columns: tiles per row.
        title: text drawn above the grid.

    Returns:
        uint8 RGB array.

    Example:
        >>> import numpy as np
        >>> make_sheet([(np.zeros((8, 8, 3), np.uint8), ["a"])], (32, 32), 4, "t").shape
        (70, 128, 3)
    """
    n_lines = max((len(lines) for _, lines in items), default=0)
    cell_h, cell_w = tile_hw[0] + n_lines * _LINE_HEIGHT + 4, tile_hw[1]
    rows = max(1, -(-len(items) // columns))
    sheet = np.full((20 + rows * cell_h, columns * cell_w, 3), 255, np.uint8)
    cv2.putText(sheet, title, (4, 14), _FONT, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    for i, (image, lines) in enumerate(items):
        top, left = 20 + (i // columns) * cell_h, (i % columns) * cell_w
        sheet[top : top + tile_hw[0], left : left + cell_w] = _fit(image, tile_hw)
        for j, line in enumerate(lines):
            y = top + tile_hw[0] + (j + 1) * _LINE_HEIGHT - 2
            cv2.putText(sheet, line, (left + 2, y), _FONT, 0.35, (0, 0, 0), 1, cv2.LINE_AA)
    return sheet


def write_png(path, image_rgb):
    """Writes a uint8 RGB image as PNG, atomically."""
    ok, data = cv2.imencode(".png", cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise ValueError(f"{path}: OpenCV could not encode an image of shape {image_rgb.shape}")
    write_bytes(path, data.tobytes())


def write_sheet(path, items, tile_hw, columns, title):
    """Writes `make_sheet(items, tile_hw, columns, title)` to `path` as PNG."""
    write_png(path, make_sheet(items, tile_hw, columns, title))
    logger.debug("wrote contact sheet %s with %d tiles", path, len(items))
