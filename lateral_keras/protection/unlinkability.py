"""Unlinkability of protected templates: local D<->(s) and global D<->sys.

Gomez-Barrero, Galbally, Rathgeb, Busch, "General framework to evaluate unlinkability in
biometric template protection systems", IEEE TIFS 13(6), 2018. An attacker compares two
templates from two systems (two keys) and tries to tell whether they come from the same
subject. With `p(s|H_m)` and `p(s|H_nm)` the score distributions of mated (same subject) and
non-mated pairs, `LR(s) = p(s|H_m) / p(s|H_nm)` and the prior ratio `omega = p(H_m)/p(H_nm)`:

    D<->(s) = 2 * omega LR(s) / (1 + omega LR(s)) - 1   where omega LR(s) > 1, else 0
    D<->sys = integral of p(s|H_m) D<->(s) ds

Both lie in [0, 1]: 0 = the scores say nothing about whether two templates are mated (fully
unlinkable), 1 = fully linkable. The distributions are histograms on shared bins, so the
integral is the sum over bins of the mated share times D<->: a bin with mated scores and no
non-mated score has D<-> = 1. A finite sample leaves a small positive bias where the two
distributions are equal (about `sqrt(bins / n)`): report the counts and bins with the figure.
"""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True)
class Unlinkability:
    """Local and global unlinkability of one mated / non-mated score sample.

    Attributes:
        d_sys: global D<->sys in [0, 1].
        local: float64 `(bins,)`, D<->(s) per bin.
        edges: float64 `(bins + 1,)`, the bin edges.
        num_mated: number of mated scores.
        num_non_mated: number of non-mated scores.
        omega: the prior ratio used.
    """

    d_sys: float
    local: np.ndarray
    edges: np.ndarray
    num_mated: int
    num_non_mated: int
    omega: float

    @property
    def num_bins(self):
        return len(self.local)


def unlinkability(mated, non_mated, bins=100, omega=1.0):
    """D<->(s) per score bin and D<->sys from mated and non-mated linkage scores.

    Args:
        mated: scores of mated pairs (same subject, templates from two systems), `(n_m,)`.
        non_mated: scores of non-mated pairs, `(n_nm,)`.
        bins: number of equal bins over the range of all scores, or an array of bin edges.
        omega: prior ratio `p(H_m) / p(H_nm)` (1: no prior knowledge).

    Returns:
        `Unlinkability`.

    Raises:
        ValueError: an empty or non-finite sample, or `omega <= 0`.

    Example:
        >>> unlinkability([0.9, 0.9], [0.1, 0.1], bins=[0.0, 0.5, 1.0]).d_sys
        1.0
    """
    mated = np.asarray(mated, dtype=np.float64).ravel()
    non_mated = np.asarray(non_mated, dtype=np.float64).ravel()
    for name, sample in (("mated", mated), ("non_mated", non_mated)):
        if sample.size == 0 or not np.all(np.isfinite(sample)):
            raise ValueError(f"`{name}` scores must be a non-empty finite sample. "
                             f"Received: size={sample.size}")
    if not omega > 0:
        raise ValueError(f"`omega` must be positive. Received: omega={omega}")
    if np.isscalar(bins):
        low = min(mated.min(), non_mated.min())
        high = max(mated.max(), non_mated.max())
        edges = np.linspace(low, high if high > low else low + 1.0, int(bins) + 1)
    else:
        edges = np.asarray(bins, dtype=np.float64)
    p_mated = np.histogram(mated, edges)[0] / mated.size
    p_non_mated = np.histogram(non_mated, edges)[0] / non_mated.size
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = omega * p_mated / p_non_mated  # inf where only mated scores fall
        local = np.where(ratio > 1, 2 * ratio / (1 + ratio) - 1, 0.0)
    local = np.where(np.isinf(ratio), 1.0, local)
    local = np.where(p_mated == 0, 0.0, np.nan_to_num(local))
    return Unlinkability(float(np.sum(p_mated * local)), local, edges, int(mated.size),
                         int(non_mated.size), float(omega))


def code_score_edges(m):
    """Bin edges with one bin per collision count of length-`m` codes (scores `c / m`)."""
    return (np.arange(m + 2) - 0.5) / m
