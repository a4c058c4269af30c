"""Feature scoring: cosine for embeddings, collision share for codes, any block size."""

import numpy as np
import pytest

from lateral_keras.evaluation import similarity, similarity_matrix
from lateral_keras.evaluation.similarity import is_code


@pytest.mark.parametrize("block_size", [None, 1, 3, 100])
def test_cosine_any_block_size(block_size):
    x = np.random.default_rng(0).normal(size=(7, 5))
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    result = similarity_matrix(x, block_size=block_size)
    np.testing.assert_allclose(result, unit @ unit.T, atol=1e-5)


@pytest.mark.parametrize("block_size", [None, 2])
@pytest.mark.parametrize("packing", ["one_hot", "broadcast"])
def test_collisions_against_loop(block_size, packing, monkeypatch):
    if packing == "broadcast":  # packings too large for memory fall back to the broadcast
        monkeypatch.setattr(similarity, "_ONE_HOT_BYTES", 0)
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 3, size=(5, 8)), rng.integers(0, 3, size=(4, 8))
    expected = [[sum(int(u == v) for u, v in zip(x, y)) / 8 for y in b] for x in a]
    np.testing.assert_allclose(similarity_matrix(a, b, block_size=block_size), expected, atol=1e-7)
    assert is_code(a) and not is_code(a.astype(float))


def test_collisions_of_long_codes_and_negative_values_against_loop():
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 16, size=(6, 1000)), rng.integers(0, 16, size=(3, 1000))
    b[0] = a[0]
    # c / m in float32, widened: the same bits as `distances.collision_similarity`.
    expected = [[float(np.float32(sum(int(u == v) for u, v in zip(x, y))) / np.float32(1000))
                 for y in b] for x in a]
    np.testing.assert_array_equal(similarity_matrix(a, b), expected)
    negative = a - 5  # not IoM codes, but still integer: scored by the broadcast
    np.testing.assert_array_equal(similarity_matrix(negative, b - 5), expected)


@pytest.mark.parametrize(
    "a,b,message",
    [
        (np.zeros((2, 3)), np.zeros((2, 4)), "one feature size"),
        (np.zeros((2, 3)), np.zeros((2, 3), int), "both float embeddings or both integer"),
    ],
)
def test_invalid_features(a, b, message):
    with pytest.raises(ValueError, match=message):
        similarity_matrix(a, b)
