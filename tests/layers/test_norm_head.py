"""NormHead: harness, NumPy oracle, weight decay, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import NormHead

pytestmark = pytest.mark.backend_agnostic


class NormHeadHarnessTest(TestCase):
    def test_harness(self):
        self.run_layer_test(
            NormHead,
            {"num_classes": 6},
            input_shape=(3, 8),
            expected_output_shape=(3, 6),
            expected_num_trainable_weights=2,
            expected_num_non_trainable_weights=0,
            expected_num_losses=1,
        )

    def test_harness_without_weight_decay(self):
        self.run_layer_test(
            NormHead,
            {"num_classes": 2, "weight_decay": 0.0},
            input_shape=(3, 8),
            expected_output_shape=(3, 2),
            expected_num_losses=0,
        )


def test_logits_and_weight_decay_match_numpy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5)).astype("float32")
    head = NormHead(3, weight_decay=1e-2)
    out = keras.ops.convert_to_numpy(head(x))
    kernel, bias = (keras.ops.convert_to_numpy(w) for w in head.weights)
    expected = np.array(
        [
            [sum(x[i, k] * kernel[k, j] for k in range(5)) + bias[j] for j in range(3)]
            for i in range(4)
        ]
    )
    np.testing.assert_allclose(out, expected, atol=1e-5)
    penalty = keras.ops.convert_to_numpy(head.losses[0])
    np.testing.assert_allclose(penalty, 1e-2 * np.sum(kernel**2), rtol=1e-5)


def test_round_trip(keras_round_trip):
    inputs = keras.Input((5,))
    model = keras.Model(inputs, NormHead(4)(inputs))
    keras_round_trip(model, np.random.default_rng(1).normal(size=(2, 5)).astype("float32"))


@pytest.mark.parametrize("kwargs", [{"num_classes": 0}, {"num_classes": 3, "weight_decay": -1.0}])
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match="Received: "):
        NormHead(**kwargs)
