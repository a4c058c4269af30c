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
    is_int = isinstance(block_size, numbers.Integral) and not isinstance(block_size, bool)
    if block_size is not None and (not is_int or block_size < 1):
        raise ValueError(f"`block_size` must be a positive int. Received: block_size={block_size}")
    if is_code(features_a):
        fast = _one_hot_similarity(features_a, features_b, block_size)
        if fast is not None:
            return fast
    if block_size is None:
        per_row = features_b.shape[0] * (features_b.shape[1] if is_code(features_b) else 1)
        block_size = max(1, _BLOCK_ELEMENTS // max(1, per_row))
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


_ONE_HOT_BYTES = 2**28
"""Largest float32 one-hot packing of `features_b` that `_one_hot_similarity` builds."""


def _one_hot_similarity(codes_a, codes_b, block_size):
    """Collision similarity as a float32 matrix product of one-hot packings (BLAS), or None.

    Code `k` at position `i` becomes a 1 in column `i * q + k`, so the product of two packings
    counts the positions where the codes agree; exact while `m < 2**24`. About 15x faster than
    the `(rows, n_b, m)` broadcast at m=1024. None when a code is negative or the packing of
    `codes_b` would exceed `_ONE_HOT_BYTES`: the caller then broadcasts. By default a block
    packs as many rows of `codes_a` as fit in 2**24 floats (2,048 at m=1024, q=8): blocks sized
    for the broadcast (8 rows against 2,000 codes) would read the whole packing of `codes_b`
    once per 8 rows, and took 5-7 s for 2,000 x 2,000 codes instead of under one.
    """
    if min(codes_a.min(initial=0), codes_b.min(initial=0)) < 0:
        return None
    m = codes_a.shape[1]
    q = int(max(codes_a.max(initial=0), codes_b.max(initial=0))) + 1
    if m >= 2**24 or 4 * m * q * codes_b.shape[0] > _ONE_HOT_BYTES:
        return None
    rows = block_size or max(1, _BLOCK_ELEMENTS // (m * q))
    packed_b = _one_hot(codes_b, q).T
    blocks = [_one_hot(codes_a[start : start + rows], q) @ packed_b
              for start in range(0, codes_a.shape[0], rows)]
    if not blocks:
        return np.zeros((0, codes_b.shape[0]))
    # c / m in float32 like `distances.collision_similarity`, so scores match it bit for bit.
    return (np.concatenate(blocks) / np.float32(m)).astype(np.float64)


def _one_hot(codes, q):
    packed = np.zeros((codes.shape[0], codes.shape[1] * q), np.float32)
    columns = np.arange(codes.shape[1]) * q + codes
    packed[np.arange(codes.shape[0])[:, None], columns] = 1.0
    return packed
