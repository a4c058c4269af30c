"""Put the canonical fish into the photo: lighting, warp, cast shadow, background, blur.

Only the fish's box (its bounding box in the photo, padded by the reach of the blur) is
composed at full resolution. Everything smooth is applied where it costs least: the lighting
field on the canonical drawing before the warp and on the quarter-resolution background
(``background.render_background``), together with the soft shadow, before it is upsampled;
the blur only on the box (a Gaussian of a few pixels changes a field that smooth by about one
grey level at most, under the sensor noise).
"""

import cv2
import numpy as np

from lateral_keras.data.synthetic import landmarks, photometric


def fish_box(matrix, canvas_hw, size, blur):
    """Region of the photo that the fish or its blurred edge can change.

    Args:
        matrix: 2x3 affine matrix from canonical pixels to photo pixels.
        canvas_hw: ``(height, width)`` of the canonical drawing.
        size: ``(width, height)`` of the photo.
        blur: Gaussian blur sigma of the camera (pixels).

    Returns:
        ``(x0, y0, x1, y1)`` ints, the half-open box ``[x0, x1) x [y0, y1)`` within the photo.

    Example:
        >>> fish_box(np.array([[1.0, 0, 100], [0, 1, 50]]), (40, 80), (800, 600), 1.0)
        (94, 44, 186, 96)
    """
    height_c, width_c = canvas_hw
    corners = np.array([[0, 0], [width_c - 1, 0], [0, height_c - 1], [width_c - 1, height_c - 1]],
                       dtype=np.float64)
    pts = landmarks.apply_affine(matrix, corners)
    pad = int(np.ceil(4 * blur)) + 2
    lo = np.maximum(np.floor(pts.min(0)).astype(int) - pad, 0)
    hi = np.minimum(np.ceil(pts.max(0)).astype(int) + 1 + pad, size)
    return int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])


def box_matrix(matrix, box):
    """``matrix`` (canonical pixels to photo pixels) followed by the shift to ``box``'s corner.

    Example:
        >>> box_matrix(np.array([[1.0, 0, 100], [0, 1, 50]]), (94, 44, 186, 96)).tolist()
        [[1.0, 0.0, 6.0], [0.0, 1.0, 6.0]]
    """
    local = np.array(matrix, dtype=np.float64)
    local[:, 2] -= box[:2]
    return local


def cast_shadow(alpha, box, size, grid):
    """Light factor of the soft shadow the fish casts, offset down-right, on a coarse grid.

    Args:
        alpha: float32 (y1 - y0, x1 - x0) coverage of the fish over ``box``.
        box: ``(x0, y0, x1, y1)`` in the photo (the coverage is 0 elsewhere).
        size: ``(width, height)`` of the photo (the blur and offset scale with the width).
        grid: ``(columns, rows)`` of the coarse grid covering the photo (the background's).

    Returns:
        float32 (rows, columns) factor in [0.65, 1].

    Example:
        >>> alpha = np.ones((40, 80), np.float32)
        >>> shadow = cast_shadow(alpha, (100, 50, 180, 90), (400, 300), (100, 75))
        >>> shadow.shape, float(shadow.min()) < 0.7
        ((75, 100), True)
    """
    width, height = size
    x0, y0, x1, y1 = box
    full = np.zeros((height, width), dtype=np.float32)
    full[y0:y1, x0:x1] = alpha
    small = cv2.resize(full, grid, interpolation=cv2.INTER_AREA)
    shift = np.float32([[1, 0, 0.0025 * width], [0, 1, 0.003 * width]])
    small = cv2.warpAffine(cv2.GaussianBlur(small, (0, 0), 0.003 * width), shift, grid)
    return 1.0 - 0.35 * small


def compose(fish, matrix, background, camera, size):
    """The lit, blurred photo (before noise) and the fish's coverage over its box.

    Args:
        fish: dict from ``canvas.render_canonical`` (``'color'`` planes and ``'alpha'``).
        matrix: 2x3 affine matrix from canonical pixels to photo pixels.
        background: float32 (rows, columns, 3) quarter-resolution background.
        camera: dict from ``photometric.sample_camera``.
        size: ``(width, height)`` of the photo.

    Returns:
        ``(scene, alpha, box)``: float32 (height, width, 3) RGB, and the float32 coverage in
        [0, 1] over ``box`` = ``(x0, y0, x1, y1)`` (``fish_box``; the coverage is 0 elsewhere).
    """
    width, height = size
    rows, cols = fish["alpha"].shape
    (a, b, c), (d, e, f) = (tuple(float(v) for v in row) for row in matrix)
    jj = np.arange(cols, dtype=np.float32)[None, :]
    ii = np.arange(rows, dtype=np.float32)[:, None]
    light = photometric.light_field(camera, size, a * jj + b * ii + c, d * jj + e * ii + f)
    lit = [cv2.multiply(plane, light, scale=float(g)) for plane, g in zip(fish["color"],
                                                                          camera["gain"])]
    layers = cv2.merge([*lit, fish["alpha"]])
    box = x0, y0, x1, y1 = fish_box(matrix, (rows, cols), size, camera["blur"])
    warped = cv2.warpAffine(layers, box_matrix(matrix, box), (x1 - x0, y1 - y0),
                            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    alpha = np.clip(cv2.extractChannel(warped, 3), 0.0, 1.0)

    grid_rows, grid_cols = background.shape[:2]
    centre_x = (np.arange(grid_cols) + 0.5) * (width / grid_cols) - 0.5
    centre_y = (np.arange(grid_rows) + 0.5) * (height / grid_rows) - 0.5
    dim = photometric.light_field(camera, size, centre_x[None, :], centre_y[:, None])
    dim *= cast_shadow(alpha, box, size, (grid_cols, grid_rows))
    gain = tuple(float(g) for g in camera["gain"]) + (0.0,)
    scene = cv2.resize(cv2.multiply(background * dim[..., None], gain), (width, height),
                       interpolation=cv2.INTER_LINEAR)
    region = scene[y0:y1, x0:x1] * cv2.cvtColor(1.0 - alpha, cv2.COLOR_GRAY2RGB)
    region += cv2.cvtColor(warped, cv2.COLOR_RGBA2RGB)
    scene[y0:y1, x0:x1] = cv2.GaussianBlur(region, (0, 0), camera["blur"])
    return scene, alpha, box
