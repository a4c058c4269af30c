"""Difficulty of the synthetic fish photos: one knob that scales drift, pose and image nuisances."""

import dataclasses

_NAMED = {"easy": 0.5, "default": 1.0, "hard": 1.6}


@dataclasses.dataclass(frozen=True)
class Difficulty:
    """Nuisance amplitudes derived from one scalar ``level`` (1.0 = the default dataset).

    Every amplitude grows linearly with ``level``; ``level=0`` gives clean, upright-lit photos
    whose only variation left is the pose (position, rotation, scale) and the JPEG step.

    Attributes:
        level: the scalar difficulty.
        drift_shift_u: per-session standard deviation of the smooth skin deformation along the
            body (fraction of body length).
        drift_shift_v: the same across the body depth (fraction of local depth).
        drift_fade: per-session probability that a spot fades away.
        drift_appear: per-session number of new spots, as a fraction of the spot count.
        drift_contrast: per-session log-normal jitter of each spot's contrast.
        growth: per-session relative growth of body depth (the fish also gets longer on photos).
        bend: largest mild body bend (vertical centre-line displacement at the ends, body lengths).
        scale_jitter: relative spread of the fish length on the photo.
        blur: largest Gaussian blur sigma (pixels at 800x600).
        noise: largest sensor noise sigma (0-255 scale).
        light: amplitude of exposure, white-balance, gradient and vignetting changes.
        specular: largest strength of the glossy highlight band on the flank.
        jpeg_min_quality: lowest JPEG quality drawn (the highest is 95).
    """

    level: float
    drift_shift_u: float
    drift_shift_v: float
    drift_fade: float
    drift_appear: float
    drift_contrast: float
    growth: float
    bend: float
    scale_jitter: float
    blur: float
    noise: float
    light: float
    specular: float
    jpeg_min_quality: int


def resolve_difficulty(difficulty):
    """Turn ``'easy'``, ``'default'``, ``'hard'`` or a float in [0, 3] into a ``Difficulty``.

    Args:
        difficulty: a name (``'easy'`` = 0.5, ``'default'`` = 1.0, ``'hard'`` = 1.6), a number in
            [0, 3], or an existing ``Difficulty`` (returned unchanged).

    Returns:
        A ``Difficulty``.

    Example:
        >>> resolve_difficulty("easy").level
        0.5
    """
    if isinstance(difficulty, Difficulty):
        return difficulty
    if isinstance(difficulty, str):
        if difficulty not in _NAMED:
            raise ValueError(
                f"`difficulty` must be one of {sorted(_NAMED)} or a number in [0, 3]. "
                f"Received: difficulty={difficulty!r}"
            )
        level = _NAMED[difficulty]
    elif isinstance(difficulty, (int, float)) and not isinstance(difficulty, bool):
        level = float(difficulty)
        if not 0.0 <= level <= 3.0:
            raise ValueError(
                "`difficulty` must be a number in [0, 3] or a name. "
                f"Received: difficulty={difficulty}"
            )
    else:
        raise ValueError(
            "`difficulty` must be 'easy', 'default', 'hard' or a number in [0, 3]. "
            f"Received: difficulty={difficulty!r}"
        )
    d = level
    return Difficulty(
        level=d,
        drift_shift_u=0.008 * d,
        drift_shift_v=0.025 * d,
        drift_fade=min(0.06 * d, 0.5),
        drift_appear=0.06 * d,
        drift_contrast=0.15 * d,
        growth=0.02 * d,
        bend=0.04 * d,
        scale_jitter=0.15 * d,
        blur=1.4 * d,
        noise=5.0 * d,
        light=0.2 * d,
        specular=0.35 * d,
        jpeg_min_quality=int(max(95 - 30 * d, 35)),
    )
