"""FusedBatchNormalization: harness, NumPy oracles for the training output, its gradients and
the moving averages, the fused kernel in the TensorFlow graph, fallbacks, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import FusedBatchNormalization

pytestmark = pytest.mark.backend_agnostic


class FusedBatchNormalizationHarnessTest(TestCase):
    def test_harness(self):
        self.run_layer_test(
            FusedBatchNormalization,
            {"momentum": 0.9, "epsilon": 1e-3},
            input_shape=(4, 3, 5, 2),
            expected_output_shape=(4, 3, 5, 2),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=2,
            supports_masking=True,
        )


def _inputs(seed=0, shape=(3, 4, 5, 2)):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * 3.0 + 1.5).astype("float32")


def _layer(x, **kwargs):
    layer = FusedBatchNormalization(**kwargs)
    layer.build(x.shape)
    rng = np.random.default_rng(7)
    layer.gamma.assign(rng.uniform(0.5, 2.0, x.shape[-1]).astype("float32"))
    layer.beta.assign(rng.normal(size=x.shape[-1]).astype("float32"))
    return layer


def _numpy_batch_norm(x, gamma, beta, eps):
    flat = x.reshape(-1, x.shape[-1]).astype(np.float64)
    mean, var = flat.mean(axis=0), flat.var(axis=0)  # biased, as in training
    x_hat = (x - mean) / np.sqrt(var + eps)
    return x_hat * gamma + beta, x_hat, mean, var


def test_training_output_and_moving_averages_match_numpy():
    x = _inputs()
    layer = _layer(x, momentum=0.8, epsilon=1e-3)
    gamma, beta = (keras.ops.convert_to_numpy(w) for w in (layer.gamma, layer.beta))
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    expected, _, mean, var = _numpy_batch_norm(x, gamma, beta, 1e-3)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.moving_mean), 0.2 * mean,
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.moving_variance),
                               0.8 + 0.2 * var, rtol=1e-5)


def test_gradients_match_the_closed_form(gradient):
    x = _inputs(1)
    layer = _layer(x, epsilon=1e-3)
    upstream = np.random.default_rng(2).normal(size=x.shape).astype("float32")

    gamma, beta = (keras.ops.convert_to_numpy(w) for w in (layer.gamma, layer.beta))

    def loss(inputs, gamma, beta):
        outputs, _ = layer.stateless_call(
            [gamma, beta], [layer.moving_mean, layer.moving_variance], inputs, training=True)
        return keras.ops.sum(outputs * upstream)

    dx, dgamma, dbeta = gradient(loss, x, gamma, beta)
    _, x_hat, _, var = _numpy_batch_norm(x, gamma, beta, 1e-3)
    dy = upstream.reshape(-1, x.shape[-1]).astype(np.float64)
    x_hat = x_hat.reshape(dy.shape)
    expected_dx = gamma / np.sqrt(var + 1e-3) * (
        dy - dy.mean(axis=0) - x_hat * (dy * x_hat).mean(axis=0))
    np.testing.assert_allclose(dx, expected_dx.reshape(x.shape), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dgamma, (dy * x_hat).sum(axis=0), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dbeta, dy.sum(axis=0), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("shape, kwargs", [
    ((6, 5), {}),                      # not images
    ((3, 4, 5, 2), {"axis": 1}),       # not the last axis
    ((3, 4, 5, 2), {"epsilon": 1e-6}),  # below the fused kernel's smallest epsilon
    ((3, 4, 5, 2), {"center": False, "scale": False}),
])
def test_matches_keras_batch_normalization(shape, kwargs):
    x = _inputs(3, shape)
    ours, theirs = FusedBatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)
    for training in (True, False):
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(ours(x, training=training)),
            keras.ops.convert_to_numpy(theirs(x, training=training)), rtol=1e-4, atol=1e-4)
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(a), keras.ops.convert_to_numpy(b),
                                   rtol=1e-5, atol=1e-6)


def test_float16_inputs_give_float16_outputs():
    x = _inputs(4)
    layer = FusedBatchNormalization(dtype="mixed_float16")
    out = layer(x.astype("float16"), training=True)
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    expected, *_ = _numpy_batch_norm(x.astype("float16").astype("float32"), 1.0, 0.0, 1e-3)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(out).astype("float32"), expected,
                               atol=1e-2)


def test_round_trip(keras_round_trip):
    x = _inputs(5, (2, 3, 4, 3))
    inputs = keras.Input((3, 4, 3))
    model = keras.Model(inputs, FusedBatchNormalization(name="bn")(inputs))
    model(x, training=True)  # moves the averages away from their initial values
    loaded = keras_round_trip(model, x)
    assert isinstance(loaded.get_layer("bn"), FusedBatchNormalization)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's kernel")
def test_training_graph_uses_the_fused_kernel_and_inference_does_not():
    import tensorflow as tf

    layer = FusedBatchNormalization()
    x = tf.constant(_inputs(6))

    def op_types(training):
        graph = tf.function(lambda t: layer(t, training=training)).get_concrete_function(x).graph
        return {op.type for op in graph.get_operations()}

    assert "FusedBatchNormV3" in op_types(True)
    assert "FusedBatchNormV3" not in op_types(False)
