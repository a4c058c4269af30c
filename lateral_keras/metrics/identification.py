"""Closed-set identification metrics: probe ranks, rank-k accuracy, CMC and mAP (NumPy).

Each probe is compared with every gallery item through a similarity matrix of shape
`(n_probe, n_gallery)` (higher = more similar). A gallery item is *mated* to a probe when their
labels are equal; every probe must have at least one mated gallery item. `-inf` similarities
are allowed and mark gallery items a probe may not be compared with (they rank last).

Ties are resolved pessimistically: a non-mated gallery item whose similarity equals a mated
one is ranked before it. A probe whose best mated similarity ties with an impostor is therefore
not rank-1 correct.

Example:

```python
import numpy as np
from lateral_keras.metrics import identification

similarity = np.array([[0.9, 0.2, 0.5], [0.1, 0.3, 0.8]])
identification.probe_ranks(similarity, ["a", "b"], ["a", "b", "c"])  # [1, 2]
```
"""

import numbers

import numpy as np


def as_probe_gallery(similarity, probe_labels, gallery_labels):
    """Arrays of a probe-by-gallery similarity matrix and its labels, shapes checked.

    Returns:
        `(similarity float64 (n_probe, n_gallery), probe_labels, gallery_labels)`.
    """
    similarity = np.asarray(similarity, dtype=np.float64)
    probe_labels = np.asarray(probe_labels)
    gallery_labels = np.asarray(gallery_labels)
    if similarity.ndim != 2 or similarity.shape != (probe_labels.size, gallery_labels.size):
        raise ValueError(
            "`similarity` must have shape (len(probe_labels), len(gallery_labels)). "
            f"Received: similarity.shape={similarity.shape}, "
            f"probe_labels.shape={probe_labels.shape}, gallery_labels.shape={gallery_labels.shape}"
        )
    return similarity, probe_labels, gallery_labels


def check_identification(similarity, probe_labels, gallery_labels):
    """Validates a probe-by-gallery similarity matrix and its labels.

    Args:
        similarity: array-like of floats, shape `(n_probe, n_gallery)`, no NaN nor `+inf`.
        probe_labels: array-like, shape `(n_probe,)`.
        gallery_labels: array-like, shape `(n_gallery,)`.

    Returns:
        `(similarity, mated)`: float64 array and bool array, both `(n_probe, n_gallery)`, with
        `mated[p, g] = probe_labels[p] == gallery_labels[g]`.

    Example:

    >>> check_identification([[0.3, 0.1]], ["a"], ["a", "b"])[1]  # [[True, False]]
    """
    similarity, probe_labels, gallery_labels = as_probe_gallery(
        similarity, probe_labels, gallery_labels
    )
    if similarity.size == 0:
        raise ValueError(
            f"Need at least one probe and one gallery item. Received: shape={similarity.shape}"
        )
    if np.any(np.isnan(similarity) | (similarity == np.inf)):
        raise ValueError(
            f"`similarity` must not hold NaN or +inf. Received: similarity={similarity}"
        )
    mated = probe_labels[:, None] == gallery_labels[None, :]
    unmated = ~mated.any(axis=1)
    if unmated.any():
        raise ValueError(
            "Every probe needs a mated gallery item. "
            f"Received: probe_labels without one={np.unique(probe_labels[unmated]).tolist()}"
        )
    return similarity, mated


def probe_ranks(similarity, probe_labels, gallery_labels):
    """Rank of the first mated gallery item in each probe's ranked list (1 = top).

    Rank = 1 + the number of non-mated gallery items whose similarity is at least the probe's
    best mated similarity (pessimistic ties).

    Args:
        similarity: array-like of floats, shape `(n_probe, n_gallery)`.
        probe_labels: array-like, shape `(n_probe,)`.
        gallery_labels: array-like, shape `(n_gallery,)`.

    Returns:
        int64 array of shape `(n_probe,)`, values in `[1, n_gallery]`.

    Example:

    >>> probe_ranks([[0.5, 0.5]], ["a"], ["a", "b"])  # [2] (tie: pessimistic)
    """
    similarity, mated = check_identification(similarity, probe_labels, gallery_labels)
    best_mated = np.where(mated, similarity, -np.inf).max(axis=1, keepdims=True)
    return 1 + np.sum(~mated & (similarity >= best_mated), axis=1)


def cmc_curve(similarity, probe_labels, gallery_labels, max_rank=None):
    """Cumulative match characteristic: share of probes of rank at most `k`, for `k = 1..K`.

    Args:
        similarity: array-like of floats, shape `(n_probe, n_gallery)`.
        probe_labels: array-like, shape `(n_probe,)`.
        gallery_labels: array-like, shape `(n_gallery,)`.
        max_rank: optional positive int `K`; defaults to `n_gallery`.

    Returns:
        float64 array of shape `(K,)`, non-decreasing; entry `k - 1` is the rank-`k` accuracy.

    Example:

    >>> cmc_curve([[0.9, 0.2, 0.5], [0.1, 0.3, 0.8]], ["a", "b"], ["a", "b", "c"])
    ... # [0.5, 1.0, 1.0]
    """
    ranks = probe_ranks(similarity, probe_labels, gallery_labels)
    if max_rank is None:
        max_rank = np.shape(similarity)[1]
    _check_positive_int("max_rank", max_rank)
    return np.mean(ranks[:, None] <= np.arange(1, max_rank + 1)[None, :], axis=0)


def rank_k_accuracy(similarity, probe_labels, gallery_labels, k):
    """Share of probes whose first mated gallery item ranks within the top `k`.

    Args:
        similarity: array-like of floats, shape `(n_probe, n_gallery)`.
        probe_labels: array-like, shape `(n_probe,)`.
        gallery_labels: array-like, shape `(n_gallery,)`.
        k: positive int.

    Returns:
        Python float in `[0, 1]`.

    Example:

    >>> rank_k_accuracy([[0.9, 0.2, 0.5], [0.1, 0.3, 0.8]], ["a", "b"], ["a", "b", "c"], k=1)
    ... # 0.5
    """
    _check_positive_int("k", k)
    ranks = probe_ranks(similarity, probe_labels, gallery_labels)
    return float(np.mean(ranks <= k))


def mean_average_precision(similarity, probe_labels, gallery_labels):
    """Mean over probes of the average precision of the ranked gallery.

    A probe's AP is the mean, over all its mated gallery items, of the precision at the position
    of that item in the gallery sorted by decreasing similarity (pessimistic ties: non-mated
    items first among equals).

    Args:
        similarity: array-like of floats, shape `(n_probe, n_gallery)`.
        probe_labels: array-like, shape `(n_probe,)`.
        gallery_labels: array-like, shape `(n_gallery,)`.

    Returns:
        Python float in `(0, 1]`.

    Example:

    >>> mean_average_precision([[0.9, 0.8, 0.7]], ["a"], ["a", "b", "a"])
    ... # (1/1 + 2/3) / 2 = 0.8333
    """
    similarity, mated = check_identification(similarity, probe_labels, gallery_labels)
    order = np.lexsort((mated, -similarity), axis=-1)
    ranked = np.take_along_axis(mated, order, axis=1)
    hits = np.cumsum(ranked, axis=1)
    precision = hits / np.arange(1, ranked.shape[1] + 1)[None, :]
    average_precision = np.sum(precision * ranked, axis=1) / ranked.sum(axis=1)
    return float(np.mean(average_precision))


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive int. Received: {name}={value}")
