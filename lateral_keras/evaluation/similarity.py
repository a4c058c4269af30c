"""Scoring of features: cosine for float embeddings, collision similarity for integer codes."""

import numbers

import keras
import numpy as np

from lateral_keras import distances


def is_code(features):
    """True for integer Index-of-Max codes, False for float embeddings.

    Args:
        features: array-like of shape `(n, d)`.

    Returns:
        Python bool.

    Example:

    >>> is_code(np.array([[0, 3, 1]]))  # True
    """
    return bool(np.issubdtype(np.asarray(features).dtype, np.integer))


# Elements per block by default: of the `(rows, n_b, m)` collision broadcast (64 MB as int32), or
# of the `(rows, n_b)` cosine block.
_BLOCK_ELEMENTS = 2**24


def similarity_matrix(features_a, features_b=None, block_size=None):
    """All-pairs similarity, computed in row blocks to bound memory.

    Float features are compared by cosine similarity, integer codes by the share of colliding
    positions `c / m` (see `lateral_keras.distances`). The collision count broadcasts to
    `(block_size, n_b, m)`, hence the blocks.

    Args:
        features_a: float embeddings or integer codes, shape `(n_a, d)`.
        features_b: optional features of the same kind, shape `(n_b, d)`; defaults to
            `features_a`.
        block_size: optional positive int, rows scored at a time; by default as many as keep
            `block_size * n_b * m` (codes) or `block_size * n_b` (embeddings) within 2**24.

    Returns:
        float64 array of shape `(n_a, n_b)`.

    Example:

    >>> similarity_matrix(np.array([[0, 1], [0, 2]]))  # [[1, .5], [.5, 1]]
    """
    features_a = np.asarray(features_a)
    features_b = features_a if features_b is None else np.asarray(features_b)
    if features_a.ndim != 2 or features_b.ndim != 2 or features_a.shape[1] != features_b.shape[1]:
        raise ValueError(
            "Features must be rank 2 with one feature size. "
            f"Received: shapes={features_a.shape}, {features_b.shape}"
        )
    if is_code(features_a) != is_code(features_b):
        raise ValueError(
            "Features must be both float embeddings or both integer codes. "
            f"Received: dtypes={features_a.dtype}, {features_b.dtype}"
        )
    if block_size is None:
        per_row = features_b.shape[0] * (features_b.shape[1] if is_code(features_b) else 1)
        block_size = max(1, _BLOCK_ELEMENTS // max(1, per_row))
    is_int = isinstance(block_size, numbers.Integral) and not isinstance(block_size, bool)
    if not is_int or block_size < 1:
        raise ValueError(f"`block_size` must be a positive int. Received: block_size={block_size}")
    score = distances.collision_similarity if is_code(features_a) else _cosine
    blocks = [
        keras.ops.convert_to_numpy(score(features_a[start : start + block_size], features_b))
        for start in range(0, features_a.shape[0], block_size)
    ]
    if not blocks:
        return np.zeros((0, features_b.shape[0]))
    return np.concatenate(blocks).astype(np.float64)


def _cosine(a, b):
    return distances.pairwise_cosine_similarity(a.astype(np.float32), b.astype(np.float32))
