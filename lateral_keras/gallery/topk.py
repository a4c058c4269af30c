"""Exact top-k selection over rows of a score matrix, ties broken by the lower index."""

import numpy as np


def smallest_k(values, k):
    """The `k` smallest entries of each row and their column indices, in increasing order.

    Equal values are ordered by column index; when the `k`-th smallest value is tied, which of
    the tied columns make the cut is not specified (ids are identical "up to ties").

    Args:
        values: array `(n, N)`.
        k: int, `1 <= k <= N`.

    Returns:
        `(values (n, k), indices (n, k) int64)`.

    Example:
        >>> smallest_k(np.array([[3, 1, 2, 1]]), 3)
        (array([[1, 1, 2]]), array([[1, 3, 2]]))
    """
    if k < values.shape[1]:
        candidates = np.argpartition(values, k - 1, axis=1)[:, :k]
    else:
        candidates = np.broadcast_to(np.arange(values.shape[1]), values.shape)
    chosen = np.take_along_axis(values, candidates, axis=1)
    order = np.lexsort((candidates, chosen), axis=-1)
    return (
        np.take_along_axis(chosen, order, axis=1),
        np.take_along_axis(candidates, order, axis=1).astype(np.int64),
    )
