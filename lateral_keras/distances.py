"""Pairwise distances and similarities between embeddings and between Index-of-Max codes.

Every function takes a batch ``a`` of shape ``(n_a, d)`` and an optional batch ``b`` of shape
``(n_b, d)`` (``b=None`` compares ``a`` with itself) and returns an ``(n_a, n_b)`` matrix. Inputs
may be NumPy arrays or backend tensors; only ``keras.ops`` is used, so every Keras backend works
and the float functions are differentiable.

Example:

```python
import numpy as np
from lateral_keras import distances

x = np.random.default_rng(0).normal(size=(4, 8)).astype("float32")
distances.pairwise_euclidean(x)            # (4, 4), zero diagonal
codes = np.array([[0, 1, 2], [0, 3, 2]])
distances.pairwise_collisions(codes)       # [[3, 2], [2, 3]]
```

Reference:
- Jin, Hwang, Lai, Kim, Teoh, "Ranking-Based Locality Sensitive Hashing-Enabled Cancelable
  Biometrics: Index-of-Max Hashing", IEEE TIFS 13(2), 2018.
"""

import numbers

import keras
from keras import ops


def _float_pair(a, b):
    """Converts `a` (and `b`, defaulting to `a`) to rank-2 float tensors of one dtype."""
    a = ops.convert_to_tensor(a)
    if not keras.backend.is_float_dtype(a.dtype):
        a = ops.cast(a, keras.config.floatx())
    b = a if b is None else ops.cast(ops.convert_to_tensor(b), a.dtype)
    _check_rank2(a, b)
    return a, b


def _check_rank2(a, b):
    """Raises `ValueError` unless `a` and `b` are rank 2 with matching last dimensions."""
    if len(a.shape) != 2:
        raise ValueError(f"Expected `a` of rank 2 (n_a, d). Received: a.shape={a.shape}")
    if len(b.shape) != 2:
        raise ValueError(f"Expected `b` of rank 2 (n_b, d). Received: b.shape={b.shape}")
    if a.shape[-1] is not None and b.shape[-1] is not None and a.shape[-1] != b.shape[-1]:
        raise ValueError(
            "`a` and `b` must have the same last dimension. "
            f"Received: a.shape={a.shape}, b.shape={b.shape}"
        )


def _check_epsilon(epsilon):
    if not epsilon > 0:
        raise ValueError(f"`epsilon` must be positive. Received: epsilon={epsilon}")


def pairwise_squared_euclidean(a, b=None):
    """Squared Euclidean distances between the rows of `a` and `b`.

    Computed as `|a_i|^2 - 2 a_i.b_j + |b_j|^2`, clipped at 0 against rounding. When `b` is
    `None` the diagonal is exactly 0.

    Args:
        a: float tensor or array, shape `(n_a, d)`.
        b: optional float tensor or array, shape `(n_b, d)`; defaults to `a`.

    Returns:
        Tensor of shape `(n_a, n_b)` with `|a_i - b_j|^2`, in the dtype of `a` (integer input is
        cast to `keras.config.floatx()`).

    Example:

    >>> pairwise_squared_euclidean([[0.0, 0.0], [3.0, 4.0]])  # [[0, 25], [25, 0]]
    """
    self_distance = b is None
    a, b = _float_pair(a, b)
    a_sq = ops.sum(ops.square(a), axis=-1, keepdims=True)
    b_sq = ops.sum(ops.square(b), axis=-1, keepdims=True)
    squared = a_sq - 2.0 * ops.matmul(a, ops.transpose(b)) + ops.transpose(b_sq)
    squared = ops.maximum(squared, 0.0)
    if self_distance:
        n = ops.shape(a)[0]
        squared = squared * (1.0 - ops.eye(n, dtype=squared.dtype))
    return squared


def pairwise_euclidean(a, b=None, epsilon=1e-12):
    """Euclidean distances between the rows of `a` and `b`, with a finite gradient at 0.

    `sqrt` has an infinite derivative at 0, which turns the diagonal of a self-distance matrix
    into NaN gradients. Squared distances `<= epsilon` are mapped to a distance of exactly 0 with
    a zero gradient; the others get `sqrt(squared)`.

    Args:
        a: float tensor or array, shape `(n_a, d)`.
        b: optional float tensor or array, shape `(n_b, d)`; defaults to `a`.
        epsilon: positive float, squared distances at or below it count as 0.

    Returns:
        Tensor of shape `(n_a, n_b)` with `|a_i - b_j|`.

    Example:

    >>> pairwise_euclidean([[0.0, 0.0], [3.0, 4.0]])  # [[0, 5], [5, 0]]
    """
    _check_epsilon(epsilon)
    squared = pairwise_squared_euclidean(a, b)
    is_zero = squared <= epsilon
    safe = ops.where(is_zero, ops.ones_like(squared), squared)
    return ops.where(is_zero, ops.zeros_like(squared), ops.sqrt(safe))


def pairwise_cosine_similarity(a, b=None, epsilon=1e-12):
    """True cosine similarity `a_i.b_j / (|a_i| |b_j|)` between the rows of `a` and `b`.

    The original code divided the Gram matrix by `|b_j|^2`, which is neither symmetric nor a
    cosine; this is the real one. Each squared norm is floored at `epsilon`, so a zero row gives a
    similarity of 0 instead of NaN.

    Args:
        a: float tensor or array, shape `(n_a, d)`.
        b: optional float tensor or array, shape `(n_b, d)`; defaults to `a`.
        epsilon: positive float, floor on each squared norm.

    Returns:
        Tensor of shape `(n_a, n_b)` with values in `[-1, 1]` (up to rounding).

    Example:

    >>> pairwise_cosine_similarity([[1.0, 0.0], [1.0, 1.0]])  # [[1, .7071], [.7071, 1]]
    """
    _check_epsilon(epsilon)
    a, b = _float_pair(a, b)
    a_norm = ops.sqrt(ops.maximum(ops.sum(ops.square(a), axis=-1, keepdims=True), epsilon))
    b_norm = ops.sqrt(ops.maximum(ops.sum(ops.square(b), axis=-1, keepdims=True), epsilon))
    return ops.matmul(a / a_norm, ops.transpose(b / b_norm))


def pairwise_angle(a, b=None, epsilon=1e-7):
    """Angle `arccos(cos_sim(a_i, b_j))` in radians between the rows of `a` and `b`.

    The cosine is clipped to `[-1 + epsilon, 1 - epsilon]` before `arccos`, whose derivative is
    infinite at +-1: at the clip bounds the gradient stays finite, outside them it is 0. The
    price is that identical directions give an angle of about `sqrt(2 * epsilon)`, not 0.

    Args:
        a: float tensor or array, shape `(n_a, d)`.
        b: optional float tensor or array, shape `(n_b, d)`; defaults to `a`.
        epsilon: positive float below 1, the clip margin.

    Returns:
        Tensor of shape `(n_a, n_b)` with angles in `[0, pi]`.

    Example:

    >>> pairwise_angle([[1.0, 0.0], [0.0, 1.0]])  # [[~0, pi/2], [pi/2, ~0]]
    """
    if not 0 < epsilon < 1:
        raise ValueError(f"`epsilon` must be in (0, 1). Received: epsilon={epsilon}")
    cosine = pairwise_cosine_similarity(a, b)
    return ops.arccos(ops.clip(cosine, -1.0 + epsilon, 1.0 - epsilon))


def pairwise_collisions(codes_a, codes_b=None):
    """Number of positions at which two Index-of-Max codes agree.

    Broadcasts to `(n_a, n_b, m)` booleans, fine for moderate sizes; large galleries should use
    packed bits instead.

    Args:
        codes_a: integer tensor or array, shape `(n_a, m)`.
        codes_b: optional integer tensor or array, shape `(n_b, m)`; defaults to `codes_a`.

    Returns:
        int32 tensor of shape `(n_a, n_b)` with `#{i : codes_a[a, i] == codes_b[b, i]}`.

    Example:

    >>> pairwise_collisions([[0, 1, 2]], [[0, 3, 2], [1, 1, 1]])  # [[2, 1]]
    """
    codes_a = ops.convert_to_tensor(codes_a)
    codes_b = codes_a if codes_b is None else ops.convert_to_tensor(codes_b)
    _check_rank2(codes_a, codes_b)
    equal = ops.equal(ops.expand_dims(codes_a, 1), ops.expand_dims(codes_b, 0))
    return ops.sum(ops.cast(equal, "int32"), axis=-1)


def collision_similarity(codes_a, codes_b=None):
    """Hamming similarity of Index-of-Max codes: the fraction of positions that collide.

    Args:
        codes_a: integer tensor or array, shape `(n_a, m)`.
        codes_b: optional integer tensor or array, shape `(n_b, m)`; defaults to `codes_a`.

    Returns:
        Tensor of shape `(n_a, n_b)` and dtype `keras.config.floatx()` with values `c / m` in
        `[0, 1]`.

    Example:

    >>> collision_similarity([[0, 1, 2, 3]], [[0, 1, 0, 0]])  # [[0.5]]
    """
    collisions = pairwise_collisions(codes_a, codes_b)
    m = ops.shape(ops.convert_to_tensor(codes_a))[-1]
    floatx = keras.config.floatx()
    return ops.cast(collisions, floatx) / ops.cast(m, floatx)


def hamming_from_collisions(collisions, m):
    """Hamming distance between the one-hot packings of two Index-of-Max codes.

    Packing a code of `m` indices into `m` one-hot blocks of `q` bits, each position where the
    codes differ flips 2 bits and each collision flips none, so the distance is `2 (m - c)`.
    Binary indexes (e.g. FAISS `IndexBinary*`) over packed bits therefore rank codes exactly by
    collisions.

    Args:
        collisions: integer tensor, array or scalar of collision counts `c`, any shape, each in
            `[0, m]`.
        m: positive int, the code length.

    Returns:
        Tensor of the shape and dtype of `collisions` with `2 * (m - c)`.

    Example:

    >>> hamming_from_collisions([[3, 1]], m=4)  # [[2, 6]]
    """
    if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1:
        raise ValueError(f"`m` must be a positive int. Received: m={m}")
    collisions = ops.convert_to_tensor(collisions)
    return 2 * (ops.cast(m, collisions.dtype) - collisions)
