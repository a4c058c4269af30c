"""Colours of a fish (fixed per fish) and the per-photo gloss on its skin."""

import numpy as np


def sample_fish_colours(rng):
    """Draw a fish's colours (RGB in 0..1): small individual variation around a salmon-like look.

    Args:
        rng: ``numpy.random.Generator`` (``seeding.identity_rng``).

    Returns:
        Dict of float arrays (3,): ``'back'``, ``'belly'``, ``'spot'``, ``'fin'``, ``'iris'``, and
        float ``'belly_v'`` (where the back-to-belly gradient is centred, in v).

    Example:
        >>> sorted(sample_fish_colours(np.random.default_rng(0)))[:2]
        ['back', 'belly']
    """
    jitter = rng.normal(0.0, 0.02, 3)
    return {
        "back": np.clip(np.array([0.27, 0.32, 0.31]) + jitter, 0.0, 1.0),
        "belly": np.clip(np.array([0.86, 0.86, 0.83]) + rng.normal(0.0, 0.015, 3), 0.0, 1.0),
        "spot": np.array([0.07, 0.06, 0.05]) * rng.uniform(0.8, 1.3),
        "fin": np.clip(np.array([0.40, 0.43, 0.40]) + rng.normal(0.0, 0.02, 3), 0.0, 1.0),
        "iris": np.array([0.78, 0.73, 0.56]) * rng.uniform(0.9, 1.1),
        "belly_v": float(rng.uniform(0.52, 0.62)),
    }


def sample_gloss(rng, difficulty):
    """Per-photo glossy highlight band and skin-scale grid phase.

    Args:
        rng: ``numpy.random.Generator`` (the photo's).
        difficulty: ``Difficulty`` (``specular`` bounds the highlight strength).

    Returns:
        Dict of floats: ``'strength'``, ``'v'``, ``'freq'``, ``'phase'``, ``'scale_phase'``.
    """
    return {
        "strength": float(rng.uniform(0.0, difficulty.specular)),
        "v": float(rng.uniform(0.1, 0.6)),
        "freq": float(rng.uniform(0.5, 2.0)),
        "phase": float(rng.uniform(0.0, 2 * np.pi)),
        "scale_phase": float(rng.uniform(0.0, 2 * np.pi)),
    }
