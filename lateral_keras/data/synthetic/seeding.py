"""Random generators derived from (seed, fish, session, image): results never depend on workers."""

import numpy as np

_IDENTITY, _PATTERN, _SESSION, _IMAGE = 0, 1, 2, 3
_SIDES = {"left": 0, "right": 1}


def _side_code(side):
    if side not in _SIDES:
        raise ValueError(f"`side` must be 'left' or 'right'. Received: side={side!r}")
    return _SIDES[side]


def identity_rng(seed, fish):
    """Generator for what never changes for a fish: its body shape and colours.

    Args:
        seed: dataset seed (non-negative int).
        fish: fish index (non-negative int).

    Returns:
        A ``numpy.random.Generator``.

    Example:
        >>> int(identity_rng(0, 3).integers(10)) == int(identity_rng(0, 3).integers(10))
        True
    """
    return np.random.default_rng(np.random.SeedSequence([seed, _IDENTITY, fish]))


def pattern_rng(seed, fish, side="left"):
    """Generator for the base spot pattern of one flank (``'left'`` or ``'right'``)."""
    return np.random.default_rng(np.random.SeedSequence([seed, _PATTERN, fish, _side_code(side)]))


def session_rng(seed, fish, session, side="left"):
    """Generator for the skin change of a flank from session ``session - 1`` to ``session``."""
    return np.random.default_rng(
        np.random.SeedSequence([seed, _SESSION, fish, session, _side_code(side)])
    )


def image_rngs(seed, fish, session, image):
    """Independent generators for one photo, so each draw stream stays stable on its own.

    Args:
        seed: dataset seed.
        fish: fish index.
        session: session index (0 = first session).
        image: image index within the session.

    Returns:
        Dict of ``numpy.random.Generator``: ``'pose'`` (rotation, scale, position, bend),
        ``'background'``, ``'gloss'`` (highlight on the skin) and ``'photo'`` (lighting, blur,
        noise, JPEG quality).

    Example:
        >>> sorted(image_rngs(0, 1, 2, 3))
        ['background', 'gloss', 'photo', 'pose']
    """
    children = np.random.SeedSequence([seed, _IMAGE, fish, session, image]).spawn(4)
    names = ("pose", "background", "gloss", "photo")
    return {name: np.random.default_rng(child) for name, child in zip(names, children)}
