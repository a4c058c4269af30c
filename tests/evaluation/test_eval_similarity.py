"""Feature scoring: cosine for embeddings, collision share for codes, any block size."""

import numpy as np
import pytest

from lateral_keras.evaluation import similarity_matrix
from lateral_keras.evaluation.similarity import is_code


@pytest.mark.parametrize("block_size", [None, 1, 3, 100])
def test_cosine_any_block_size(block_size):
    x = np.random.default_rng(0).normal(size=(7, 5))
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    result = similarity_matrix(x, block_size=block_size)
    np.testing.assert_allclose(result, unit @ unit.T, atol=1e-5)


@pytest.mark.parametrize("block_size", [None, 2])
def test_collisions_against_loop(block_size):
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 3, size=(5, 8)), rng.integers(0, 3, size=(4, 8))
    expected = [[sum(int(u == v) for u, v in zip(x, y)) / 8 for y in b] for x in a]
    np.testing.assert_allclose(similarity_matrix(a, b, block_size=block_size), expected, atol=1e-7)
    assert is_code(a) and not is_code(a.astype(float))


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
