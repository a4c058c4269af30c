"""EmbeddingWhitening: harness, NumPy oracle, fixed weights, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import EmbeddingWhitening

pytestmark = pytest.mark.backend_agnostic


class EmbeddingWhiteningHarnessTest(TestCase):
    def test_harness(self):
        self.run_layer_test(
            EmbeddingWhitening,
            {},
            input_shape=(3, 6),
            expected_output_shape=(3, 6),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=2,
            supports_masking=False,
        )


def _fitted_layer(dim, seed=0):
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=dim).astype("float32")
    matrix = rng.normal(size=(dim, dim)).astype("float32")
    layer = EmbeddingWhitening()
    layer.build((None, dim))
    layer.set_weights([mean, matrix])
    return layer, mean, matrix


def test_output_matches_a_numpy_loop():
    layer, mean, matrix = _fitted_layer(4)
    x = np.random.default_rng(1).normal(size=(3, 4)).astype("float32") * 7.0
    out = keras.ops.convert_to_numpy(layer(x))
    for i in range(3):
        norm = sum(v * v for v in x[i]) ** 0.5
        for j in range(4):
            expected = sum((x[i, k] / norm - mean[k]) * matrix[k, j] for k in range(4))
            assert out[i, j] == pytest.approx(expected, abs=1e-4)


def test_starts_as_unit_normalisation_and_is_not_trained():
    layer = EmbeddingWhitening()
    x = np.array([[3.0, 4.0], [0.0, -2.0]], "float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), [[0.6, 0.8], [0.0, -1.0]],
                               atol=1e-6)
    assert layer.trainable_weights == []


def test_round_trip(keras_round_trip):
    layer, _, _ = _fitted_layer(5)
    inputs = keras.Input((5,))
    model = keras.Model(inputs, layer(inputs))
    loaded = keras_round_trip(
        model, np.random.default_rng(2).normal(size=(2, 5)).astype("float32")
    )
    assert isinstance(loaded.layers[-1], EmbeddingWhitening)


def test_unknown_size_is_refused():
    with pytest.raises(ValueError, match="known embedding size"):
        EmbeddingWhitening().build((None, None))
