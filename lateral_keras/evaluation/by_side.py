"""Same-side and cross-side figures apart: a fish's two flanks carry different patterns.

`evaluate_by_side` runs the protocol twice: `same_side` compares only images of one flank (a
side `unknown` matches any; the default matching), `cross_side` only images of two different
known flanks (a left probe against right templates). Cross-side figures tell whether one flank
can stand for the other (a symmetric species, or `preprocessing.mirror_side`).

Example:
    >>> results = evaluate_by_side(embeddings, fish_ids, sessions, sides)  # doctest: +SKIP
    >>> results["same_side"].eer, results["cross_side"].rank1  # doctest: +SKIP
"""

import numpy as np

from lateral_keras.evaluation.pairs import CROSS_SIDE_ONLY, UNKNOWN_SIDE
from lateral_keras.evaluation.protocol import evaluate_protocol

SIDE_MODES = {"same_side": False, "cross_side": CROSS_SIDE_ONLY}
"""Names of `evaluate_by_side`'s results and the `cross_side` value each runs with."""


def shows_both_sides(sides):
    """Whether at least two known sides occur, so cross-side pairs exist.

    Args:
        sides: `(n,)` side names (`left`, `right`, `unknown`).

    Returns:
        bool.

    Example:
        >>> shows_both_sides(["left", "unknown"]), shows_both_sides(["left", "right"])
        (False, True)
    """
    return len(set(np.asarray(sides).tolist()) - {UNKNOWN_SIDE}) >= 2


def evaluate_by_side(features, identities, sessions, sides, *, same_side=None,
                     **protocol_kwargs):
    """The protocol's figures for same-side and cross-side comparisons, apart.

    Args:
        features: float embeddings or integer codes, `(n, d)`.
        identities: `(n,)` identity names.
        sessions: `(n,)` session names or ranks.
        sides: `(n,)` side names (`left`, `right`, `unknown`).
        same_side: optional `ProtocolResult` of `evaluate_protocol` on the same images and
            `protocol_kwargs` with `cross_side=False` (the default matching, as the main
            evaluation runs it): returned as `same_side` instead of being computed again.
        **protocol_kwargs: passed to `evaluate_protocol` (`session_order`, `max_impostors`,
            `open_set_fraction`, `far_targets`, `seed`); not `cross_side`.

    Returns:
        `{"same_side": ProtocolResult, "cross_side": ProtocolResult | None}`; `cross_side` is
        None when fewer than two known sides occur (no cross-side pair exists).

    Raises:
        ValueError: `cross_side` among `protocol_kwargs`, or what `evaluate_protocol` raises.
    """
    if "cross_side" in protocol_kwargs:
        raise ValueError("evaluate_by_side chooses `cross_side` itself; do not pass it")
    results = {}
    for name, mode in SIDE_MODES.items():
        if mode == CROSS_SIDE_ONLY and not shows_both_sides(sides):
            results[name] = None
            continue
        if name == "same_side" and same_side is not None:
            results[name] = same_side
            continue
        results[name] = evaluate_protocol(
            features, identities, sessions, sides, cross_side=mode, **protocol_kwargs
        )
    return results

