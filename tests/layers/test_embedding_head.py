"""EmbeddingHead: harness, NumPy oracle in inference mode, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import EmbeddingHead

pytestmark = pytest.mark.backend_agnostic


class EmbeddingHeadHarnessTest(TestCase):
    def test_harness_feature_maps(self):
        self.run_layer_test(
            EmbeddingHead,
            {"embd_shape": 16, "seed": 1},
            input_shape=(4, 3, 3, 2),
            expected_output_shape=(4, 16),
            expected_num_trainable_weights=6,
            expected_num_non_trainable_weights=4,
            expected_num_seed_generators=1,
            expected_num_losses=1,
        )

    def test_harness_vectors(self):
        self.run_layer_test(
            EmbeddingHead,
            {"embd_shape": 8, "dropout": 0.0, "weight_decay": 0.0},
            input_shape=(4, 10),
            expected_output_shape=(4, 8),
            expected_num_losses=0,
        )


def _batch_norm(x, gamma, beta, mean, var, eps=1e-3):
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def test_inference_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 2, 2, 3)).astype("float32")
    head = EmbeddingHead(embd_shape=5)
    head.build(x.shape)
    for w in head.weights:  # non-trivial statistics so the BatchNorms matter
        w.assign(rng.uniform(0.5, 1.5, size=w.shape).astype("float32"))
    gamma1, beta1, mean1, var1 = (keras.ops.convert_to_numpy(w) for w in head.input_norm.weights)
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in head.dense.weights)
    gamma2, beta2, mean2, var2 = (keras.ops.convert_to_numpy(w) for w in head.output_norm.weights)
    expected = np.zeros((3, 5))
    for i in range(3):
        flat = _batch_norm(x[i], gamma1, beta1, mean1, var1).reshape(-1)
        for j in range(5):
            dense = sum(flat[k] * kernel[k, j] for k in range(flat.size)) + bias[j]
            expected[i, j] = _batch_norm(dense, gamma2[j], beta2[j], mean2[j], var2[j])
    got = keras.ops.convert_to_numpy(head(x, training=False))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_training_mode_applies_dropout():
    x = np.random.default_rng(2).normal(size=(8, 20)).astype("float32")
    head = EmbeddingHead(embd_shape=4, dropout=0.5, seed=3)
    a = keras.ops.convert_to_numpy(head(x, training=False))
    b = keras.ops.convert_to_numpy(head(x, training=False))
    np.testing.assert_array_equal(a, b)
    head_no_dropout = EmbeddingHead(embd_shape=4, dropout=0.0)
    head_no_dropout.build(x.shape)
    head_no_dropout.set_weights(head.get_weights())
    with_dropout = keras.ops.convert_to_numpy(head(x, training=True))
    without = keras.ops.convert_to_numpy(head_no_dropout(x, training=True))
    assert not np.allclose(with_dropout, without)


def test_round_trip(keras_round_trip):
    inputs = keras.Input((2, 2, 3))
    model = keras.Model(inputs, EmbeddingHead(embd_shape=6)(inputs))
    keras_round_trip(model, np.random.default_rng(1).normal(size=(2, 2, 2, 3)).astype("float32"))


@pytest.mark.parametrize("kwargs", [{"embd_shape": 0}, {"dropout": 1.0}, {"weight_decay": -0.1}])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match="Received: "):
        EmbeddingHead(**kwargs)


@pytest.mark.parametrize("pooling, axes", [("height", (1,)), ("average", (1, 2))])
def test_pooling_averages_before_the_dense_layer(pooling, axes):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 4, 5, 2)).astype("float32")
    head = EmbeddingHead(embd_shape=3, dropout=0.0, pooling=pooling)
    head.build(x.shape)
    for w in head.weights:
        w.assign(rng.uniform(0.5, 1.5, size=w.shape).astype("float32"))
    gamma1, beta1, mean1, var1 = (keras.ops.convert_to_numpy(w) for w in head.input_norm.weights)
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in head.dense.weights)
    gamma2, beta2, mean2, var2 = (keras.ops.convert_to_numpy(w) for w in head.output_norm.weights)
    pooled = _batch_norm(x, gamma1, beta1, mean1, var1).mean(axis=axes).reshape(3, -1)
    expected = _batch_norm(pooled @ kernel + bias, gamma2, beta2, mean2, var2)
    assert kernel.shape[0] == {"height": 5 * 2, "average": 2}[pooling]
    got = keras.ops.convert_to_numpy(head(x, training=False))
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)
    assert head.compute_output_shape(x.shape) == (3, 3)


def test_pooling_round_trip(keras_round_trip):
    inputs = keras.Input((3, 4, 2))
    model = keras.Model(inputs, EmbeddingHead(embd_shape=6, pooling="height")(inputs))
    keras_round_trip(model, np.random.default_rng(1).normal(size=(2, 3, 4, 2)).astype("float32"))
    assert model.layers[-1].get_config()["pooling"] == "height"


def test_unknown_pooling_names_the_value():
    with pytest.raises(ValueError, match="pooling='max'"):
        EmbeddingHead(pooling="max")
