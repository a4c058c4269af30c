"""Verification pairs of the evaluation protocol: cross-session and same-session, side-aware."""

import dataclasses
import numbers

import numpy as np

UNKNOWN_SIDE = "unknown"


@dataclasses.dataclass(frozen=True)
class PairScores:
    """Scored image pairs, one entry per pair `index_a < index_b`.

    Attributes:
        index_a: int64 array `(p,)`, first image of each pair.
        index_b: int64 array `(p,)`, second image of each pair.
        score: float64 array `(p,)`, similarity (higher = more similar).
        genuine: bool array `(p,)`, True when both images show the same identity.
    """

    index_a: np.ndarray
    index_b: np.ndarray
    score: np.ndarray
    genuine: np.ndarray

    @property
    def num_genuine(self):
        """Number of genuine pairs."""
        return int(np.sum(self.genuine))

    @property
    def num_impostor(self):
        """Number of impostor pairs."""
        return int(self.genuine.size - np.sum(self.genuine))


CROSS_SIDE_ONLY = "only"
"""`cross_side` value that keeps only pairs of two different known sides (left vs right)."""


def side_compatibility(sides, cross_side=False):
    """Which image pairs may be compared: same side, or either side `"unknown"`.

    Args:
        sides: array-like of side names, shape `(n,)` (e.g. `"left"`, `"right"`, `"unknown"`).
        cross_side: False (default: same side or unknown), True (every pair) or `"only"`
            (only pairs of two different known sides, for cross-side figures).

    Returns:
        bool array of shape `(n, n)`.

    Example:

    >>> side_compatibility(["left", "right", "unknown"])
    ... # [[T, F, T], [F, T, T], [T, T, T]]
    >>> side_compatibility(["left", "right", "unknown"], cross_side="only")
    ... # [[F, T, F], [T, F, F], [F, F, F]]
    """
    sides = np.asarray(sides)
    unknown = sides == UNKNOWN_SIDE
    if isinstance(cross_side, str):
        if cross_side != CROSS_SIDE_ONLY:
            raise ValueError(
                f"`cross_side` must be a bool or {CROSS_SIDE_ONLY!r}. Received: {cross_side!r}"
            )
        known = ~unknown
        return (sides[:, None] != sides[None, :]) & known[:, None] & known[None, :]
    if cross_side:
        return np.ones((sides.size, sides.size), dtype=bool)
    return (sides[:, None] == sides[None, :]) | unknown[:, None] | unknown[None, :]


def protocol_pairs(identities, ranks, compatible, *, same_session, max_impostors=None, seed=0):
    """Image pairs `a < b` of the protocol, with a seeded cap on the number of impostors.

    Args:
        identities: array-like, shape `(n,)`.
        ranks: int array-like of session ranks, shape `(n,)`.
        compatible: bool array `(n, n)` of comparable pairs (see `side_compatibility`).
        same_session: bool; True for pairs within one session, False for pairs across sessions.
        max_impostors: optional non-negative int; when there are more impostor pairs, a uniform
            random sample of this many (without replacement, seeded) is kept.
        seed: int, seeds the impostor sample.

    Returns:
        `(index_a, index_b, genuine)`: int64, int64 and bool arrays of shape `(p,)`, sorted by
        `(index_a, index_b)`.

    Example:

    >>> protocol_pairs(["a", "a", "b"], [0, 1, 1], np.ones((3, 3), bool), same_session=False)
    ... # ([0, 0], [1, 2], [True, False])
    """
    if max_impostors is not None and (
        isinstance(max_impostors, bool)
        or not isinstance(max_impostors, numbers.Integral)
        or max_impostors < 0
    ):
        raise ValueError(
            f"`max_impostors` must be None or an int >= 0. Received: max_impostors={max_impostors}"
        )
    identities = np.asarray(identities)
    ranks = np.asarray(ranks)
    n = identities.size
    upper = np.triu(np.ones((n, n), dtype=bool), k=1)
    same_rank = ranks[:, None] == ranks[None, :]
    kept = upper & compatible & (same_rank if same_session else ~same_rank)
    same_identity = identities[:, None] == identities[None, :]
    genuine_a, genuine_b = np.nonzero(kept & same_identity)
    impostor_a, impostor_b = np.nonzero(kept & ~same_identity)
    if max_impostors is not None and impostor_a.size > max_impostors:
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(impostor_a.size, size=max_impostors, replace=False))
        impostor_a, impostor_b = impostor_a[chosen], impostor_b[chosen]
    index_a = np.concatenate([genuine_a, impostor_a]).astype(np.int64)
    index_b = np.concatenate([genuine_b, impostor_b]).astype(np.int64)
    genuine = np.r_[np.ones(genuine_a.size, bool), np.zeros(impostor_a.size, bool)]
    order = np.lexsort((index_b, index_a))
    return index_a[order], index_b[order], genuine[order]
