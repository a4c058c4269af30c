"""Affine maps between the original image, the working copy and the normalised frame.

Matrices are 3x3 and act on column vectors ``(x, y, 1)``; pixel centres sit at integer
coordinates (OpenCV's ``warpAffine`` convention).
"""

import math

import numpy as np


def scale_matrix(from_shape, to_shape):
    """The map from pixel coordinates of one image size to another (area-resize convention).

    Args:
        from_shape: ``(height, width, ...)`` of the source image.
        to_shape: ``(height, width, ...)`` of the resized image.

    Returns:
        3x3 float matrix; ``x_to = (x_from + 0.5) * sx - 0.5`` and likewise for y.

    Example:
        >>> scale_matrix((100, 200), (50, 100)) @ np.array([1.5, 1.5, 1.0])
        array([0.5, 0.5, 1. ])
    """
    sy = to_shape[0] / from_shape[0]
    sx = to_shape[1] / from_shape[1]
    return np.array([[sx, 0.0, 0.5 * sx - 0.5], [0.0, sy, 0.5 * sy - 0.5], [0.0, 0.0, 1.0]])


def shrink_matrix(factor):
    """The map from pixels of an image to pixels of it shrunk ``factor`` times (area resize).

    Example:
        >>> shrink_matrix(2) @ np.array([1.5, 1.5, 1.0])
        array([0.5, 0.5, 1. ])
    """
    scale = 1.0 / factor
    return np.array([[scale, 0.0, 0.5 * scale - 0.5], [0.0, scale, 0.5 * scale - 0.5], [0, 0, 1.0]])


def rotation_matrix(angle, centre):
    """Rotate by ``-angle`` about ``centre``, so the direction ``angle`` becomes +x.

    Args:
        angle: radians, direction in image coordinates (y down).
        centre: ``(x, y)`` kept in place.

    Returns:
        3x3 float matrix.
    """
    c, s = math.cos(angle), math.sin(angle)
    cx, cy = centre
    return np.array(
        [[c, s, cx - (c * cx + s * cy)], [-s, c, cy - (-s * cx + c * cy)], [0.0, 0.0, 1.0]]
    )


def translation_matrix(dx, dy):
    """Shift by ``(dx, dy)``."""
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def flip_matrix(width, height, horizontal, vertical):
    """Mirror a canvas of ``width`` x ``height`` pixels left-right and/or top-bottom.

    Args:
        width: canvas width in pixels.
        height: canvas height in pixels.
        horizontal: mirror x (``x -> width - 1 - x``).
        vertical: mirror y (``y -> height - 1 - y``).

    Returns:
        3x3 float matrix, equal to ``numpy.fliplr``/``flipud`` on the canvas.
    """
    matrix = np.eye(3)
    if horizontal:
        matrix[0] = (-1.0, 0.0, width - 1.0)
    if vertical:
        matrix[1] = (0.0, -1.0, height - 1.0)
    return matrix


def apply(matrix, points):
    """Apply a 3x3 affine matrix to ``(n, 2)`` points.

    Example:
        >>> apply(translation_matrix(1, 2), np.array([[0.0, 0.0]]))
        array([[1., 2.]])
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    return points @ matrix[:2, :2].T + matrix[:2, 2]


def box_corners(x_left, x_right, y_top, y_bottom):
    """The four corners TL, TR, BR, BL of an axis-aligned box, as a ``(4, 2)`` array."""
    return np.array(
        [[x_left, y_top], [x_right, y_top], [x_right, y_bottom], [x_left, y_bottom]], dtype=float
    )


def direction_deg(matrix):
    """Direction of the source frame's x axis under ``matrix``, degrees counter-clockwise on
    screen (image y down), in (-180, 180]."""
    dx, dy = matrix[0, 0], matrix[1, 0]
    angle = float(np.degrees(np.arctan2(-dy, dx)))
    return 180.0 if angle == -180.0 else angle


def is_mirror(matrix):
    """True when the affine matrix reverses orientation (negative determinant)."""
    return determinant(matrix) < 0


def determinant(matrix):
    """Determinant of the linear part of an affine matrix (area scale, sign = orientation).

    Example:
        >>> determinant(np.array([[2.0, 0.0, 5.0], [0.0, -3.0, 1.0], [0.0, 0.0, 1.0]]))
        -6.0
    """
    return float(matrix[0, 0] * matrix[1, 1] - matrix[0, 1] * matrix[1, 0])


def linear_scale(matrix):
    """The affine matrix's mean length scale, ``sqrt(|determinant|)``."""
    return abs(determinant(matrix)) ** 0.5


def invert(matrix):
    """Inverse of a 3x3 affine matrix (last row ``0, 0, 1``).

    Example:
        >>> invert(translation_matrix(1, 2)) @ np.array([1.0, 2.0, 1.0])
        array([0., 0., 1.])
    """
    (a, b, tx), (c, d, ty) = matrix[0], matrix[1]
    det = a * d - b * c
    return np.array(
        [
            [d / det, -b / det, (b * ty - d * tx) / det],
            [-c / det, a / det, (c * tx - a * ty) / det],
            [0.0, 0.0, 1.0],
        ]
    )
