"""Everything that belongs to one fish across photos: body, colours, spot pattern per session."""

import functools

import numpy as np

from lateral_keras.data.synthetic import body, look, pattern, seeding
from lateral_keras.data.synthetic.difficulty import resolve_difficulty


def fish_body(seed, fish):
    """Body shape and colours of a fish (identical for both flanks and all sessions).

    Args:
        seed: dataset seed.
        fish: fish index.

    Returns:
        ``(shape, colours)``: a ``body.BodyShape`` and the dict of ``look.sample_fish_colours``.

    Example:
        >>> fish_body(0, 1)[0] == fish_body(0, 1)[0]
        True
    """
    rng = seeding.identity_rng(seed, fish)
    shape = body.sample_body_shape(rng)
    return shape, look.sample_fish_colours(rng)


def session_spots(seed, fish, session, side="left", difficulty="default"):
    """Spot pattern of one flank in one session: the base pattern drifted ``session`` times.

    Args:
        seed: dataset seed.
        fish: fish index.
        session: session index (0 = first session, no drift).
        side: ``'left'`` or ``'right'``.
        difficulty: name, float or ``Difficulty``.

    Returns:
        Pattern dict (see ``pattern``), spot centres in body coordinates ``(u, v)``.

    Example:
        >>> spots = session_spots(0, 2, 1)
        >>> spots["u"].shape == spots["v"].shape
        True
    """
    if not isinstance(session, (int, np.integer)) or session < 0:
        raise ValueError(f"`session` must be a non-negative int. Received: session={session!r}")
    difficulty = resolve_difficulty(difficulty)
    shape, _ = fish_body(seed, fish)
    spots = pattern.sample_spots(seeding.pattern_rng(seed, fish, side), shape)
    for k in range(1, session + 1):
        spots = pattern.drift_spots(spots, seeding.session_rng(seed, fish, k, side), difficulty)
    return spots


@functools.lru_cache(maxsize=16)
def session_texture(seed, fish, session, side, difficulty):
    """Spot darkness texture of ``session_spots`` (cached: photos of a session share it).

    Args:
        seed, fish, session, side: as for ``session_spots``.
        difficulty: a ``Difficulty`` (hashable).

    Returns:
        float32 array ``pattern.TEXTURE_SIZE`` (read-only).
    """
    shape, _ = fish_body(seed, fish)
    tex = pattern.render_texture(session_spots(seed, fish, session, side, difficulty), shape)
    tex.setflags(write=False)
    return tex
