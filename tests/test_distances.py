"""Pairwise distances against explicit NumPy loops."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from lateral_keras import distances

pytestmark = pytest.mark.backend_agnostic


def _gradient(fn, x):
    """Gradient of the scalar `fn(x)` with respect to the array `x`, on the active backend."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        variable = tf.Variable(x)
        with tf.GradientTape() as tape:
            value = fn(variable)
        return np.asarray(tape.gradient(value, variable))
    if keras.backend.backend() == "jax":
        import jax

        return np.asarray(jax.grad(fn)(jax.numpy.asarray(x)))
    pytest.skip(f"no gradient helper for backend {keras.backend.backend()}")


def _loop(fn, a, b):
    return np.array([[fn(x, y) for y in b] for x in a])


def _data(seed, n_a=5, n_b=4, d=6):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n_a, d)).astype("float32"), rng.normal(size=(n_b, d)).astype("float32")


@pytest.mark.parametrize("seed", [0, 1])
def test_euclidean_families_match_loops(seed):
    a, b = _data(seed)
    sq = lambda x, y: float(np.sum((x.astype(float) - y) ** 2))  # noqa: E731
    cos = lambda x, y: float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))  # noqa: E731
    np.testing.assert_allclose(
        ops.convert_to_numpy(distances.pairwise_squared_euclidean(a, b)), _loop(sq, a, b),
        rtol=1e-4, atol=1e-4,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(distances.pairwise_euclidean(a, b)),
        _loop(lambda x, y: math.sqrt(sq(x, y)), a, b), rtol=1e-4, atol=1e-4,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(distances.pairwise_cosine_similarity(a, b)), _loop(cos, a, b),
        atol=1e-5,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(distances.pairwise_angle(a, b)),
        _loop(lambda x, y: math.acos(cos(x, y)), a, b), atol=1e-4,
    )


def test_self_distances_have_zero_diagonal_and_symmetry():
    a, _ = _data(3)
    d = ops.convert_to_numpy(distances.pairwise_euclidean(a))
    assert d.shape == (5, 5)
    np.testing.assert_array_equal(np.diag(d), np.zeros(5))
    np.testing.assert_allclose(d, d.T, atol=1e-5)
    cosine = ops.convert_to_numpy(distances.pairwise_cosine_similarity(a))
    np.testing.assert_allclose(np.diag(cosine), np.ones(5), atol=1e-6)


def test_closed_form_values():
    points = np.array([[0.0, 0.0], [3.0, 4.0]], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(distances.pairwise_euclidean(points)), [[0, 5], [5, 0]]
    )
    angle = ops.convert_to_numpy(distances.pairwise_angle([[1.0, 0.0]], [[0.0, 2.0], [-1.0, 0.0]]))
    np.testing.assert_allclose(angle, [[math.pi / 2, math.pi]], atol=1e-3)


def test_integer_input_is_cast_to_floatx():
    d = distances.pairwise_squared_euclidean(np.array([[0, 0], [1, 2]]))
    assert keras.backend.standardize_dtype(d.dtype) == keras.config.floatx()
    np.testing.assert_array_equal(ops.convert_to_numpy(d), [[0, 5], [5, 0]])


def test_cosine_is_not_the_original_asymmetric_formula():
    a = np.array([[1.0, 0.0], [2.0, 2.0]], "float32")
    cosine = ops.convert_to_numpy(distances.pairwise_cosine_similarity(a))
    np.testing.assert_allclose(cosine, [[1, 0.5**0.5], [0.5**0.5, 1]], atol=1e-6)


def test_zero_row_gives_finite_cosine():
    cosine = ops.convert_to_numpy(distances.pairwise_cosine_similarity([[0.0, 0.0], [1.0, 0.0]]))
    assert np.all(np.isfinite(cosine))
    assert cosine[0, 1] == 0.0


def test_euclidean_gradient_is_finite_at_zero_distance():
    a = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, -1.0]], "float32")
    grad = _gradient(lambda x: ops.sum(distances.pairwise_euclidean(x)), a)
    assert np.all(np.isfinite(grad))
    # d|x0 - x2| / dx0 for both orderings: 2 * (x0 - x2) / |x0 - x2|; the duplicate row adds 0.
    expected = 2 * (a[0] - a[2]) / np.linalg.norm(a[0] - a[2])
    np.testing.assert_allclose(grad[0], expected, atol=1e-4)


def test_angle_gradient_is_finite_at_the_clip_bounds():
    a = np.array([[1.0, 0.0], [2.0, 0.0], [-1.0, 0.0]], "float32")
    grad = _gradient(lambda x: ops.sum(distances.pairwise_angle(x)), a)
    assert np.all(np.isfinite(grad))


def test_collisions_match_loop_and_hamming_of_one_hot_packing():
    rng = np.random.default_rng(0)
    m, q = 7, 4
    codes_a = rng.integers(0, q, size=(5, m))
    codes_b = rng.integers(0, q, size=(3, m))
    expected = _loop(lambda x, y: int(np.sum(x == y)), codes_a, codes_b)
    collisions = ops.convert_to_numpy(distances.pairwise_collisions(codes_a, codes_b))
    np.testing.assert_array_equal(collisions, expected)
    np.testing.assert_allclose(
        ops.convert_to_numpy(distances.collision_similarity(codes_a, codes_b)), expected / m
    )
    one_hot = lambda c: np.eye(q, dtype=int)[c].reshape(-1)  # noqa: E731
    hamming = _loop(lambda x, y: int(np.sum(one_hot(x) != one_hot(y))), codes_a, codes_b)
    np.testing.assert_array_equal(
        ops.convert_to_numpy(distances.hamming_from_collisions(collisions, m)), hamming
    )
    self_collisions = ops.convert_to_numpy(distances.pairwise_collisions(codes_a))
    np.testing.assert_array_equal(np.diag(self_collisions), np.full(5, m))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: distances.pairwise_euclidean(np.ones(3)), "Received: a.shape"),
        (lambda: distances.pairwise_euclidean(np.ones((2, 3)), np.ones((2, 4))), "b.shape"),
        (lambda: distances.pairwise_euclidean(np.ones((2, 3)), epsilon=0.0), "epsilon=0.0"),
        (lambda: distances.pairwise_angle(np.ones((2, 3)), epsilon=1.0), "epsilon=1.0"),
        (lambda: distances.hamming_from_collisions(np.ones(2), m=0), "m=0"),
    ],
)
def test_invalid_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
