"""In-plane pose of the fish on the photo: rotation, mirror (right flank), size and position."""

import numpy as np

from lateral_keras.data.synthetic import body


def pose_matrix(angle_deg, mirrored):
    """Linear part ``A = R(angle) @ F`` mapping canonical directions to image directions.

    ``R(angle)`` turns counter-clockwise as seen on the screen (image y grows downward, as in
    ``cv2.getRotationMatrix2D``); ``F = diag(-1, 1)`` when ``mirrored`` (a right flank), else
    the identity.

    Args:
        angle_deg: rotation in degrees.
        mirrored: bool.

    Returns:
        float64 array (2, 2).

    Example:
        >>> np.round(pose_matrix(90.0, False) @ [1.0, 0.0], 6).tolist()
        [0.0, -1.0]
    """
    t = np.deg2rad(angle_deg)
    rot = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])
    return rot @ np.diag([-1.0 if mirrored else 1.0, 1.0])


def sample_pose(rng, shape, bend, image_size, mirrored, difficulty, size_factor=1.0):
    """Draw rotation (0-360 degrees), body length in pixels and position; fish fully in frame.

    Args:
        rng: ``numpy.random.Generator`` (the photo's ``'pose'`` stream).
        shape: ``body.BodyShape``.
        bend: centre-line bend (body lengths).
        image_size: ``(width, height)``.
        mirrored: whether the canonical drawing is mirrored (right flank).
        difficulty: ``Difficulty`` (``scale_jitter``).
        size_factor: growth of the fish between sessions (multiplies the drawn length).

    Returns:
        Dict: ``'angle_deg'`` float, ``'linear'`` (2, 2) from ``pose_matrix``, ``'length_px'``
        float, ``'centre'`` (2,) image position of the centre of the fish's bounding box and
        ``'box_centre'`` (2,) that centre in body lengths.

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> p = sample_pose(np.random.default_rng(0), body.BodyShape(), 0.0, (800, 600), False,
        ...                 resolve_difficulty("default"))
        >>> 0.0 <= p["angle_deg"] < 360.0
        True
    """
    width, height = image_size
    angle = float(rng.uniform(0.0, 360.0))
    linear = pose_matrix(angle, mirrored)
    x0, y0, x1, y1 = body.extent(shape, bend)
    half = np.array([(x1 - x0) / 2, (y1 - y0) / 2])
    rot_half = np.abs(linear) @ half
    margin = 0.02 * min(width, height) + 6.0
    length_max = min((width - 2 * margin) / (2 * rot_half[0]),
                     (height - 2 * margin) / (2 * rot_half[1]))
    wanted = 0.6 * width * size_factor * np.exp(rng.normal(0.0, 0.5 * difficulty.scale_jitter))
    length = float(min(wanted, length_max))
    reach = rot_half * length + margin
    centre = np.array([
        rng.uniform(reach[0], max(width - 1 - reach[0], reach[0])),
        rng.uniform(reach[1], max(height - 1 - reach[1], reach[1])),
    ])
    return {
        "angle_deg": angle,
        "linear": linear,
        "length_px": length,
        "centre": centre,
        "box_centre": np.array([(x0 + x1) / 2, (y0 + y1) / 2]),
    }


def warp_matrix(pose, origin):
    """The 2x3 matrix from canonical pixels (body point ``p`` at ``origin + length_px * p``) to
    image pixels, the one given to ``cv2.warpAffine``.

    Args:
        pose: dict from ``sample_pose``.
        origin: ``(x, y)`` canonical pixel of body point (0, 0).

    Returns:
        float64 array (2, 3).
    """
    a = pose["linear"]
    c_canonical = np.asarray(origin) + pose["length_px"] * pose["box_centre"]
    return np.concatenate([a, (pose["centre"] - a @ c_canonical)[:, None]], 1)
