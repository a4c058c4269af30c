"""ImageStandardization: harness, NumPy-loop oracle, gain/offset invariance, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import ImageStandardization

pytestmark = pytest.mark.backend_agnostic


class ImageStandardizationHarnessTest(TestCase):
    def test_harness(self):
        self.run_layer_test(
            ImageStandardization,
            {"target_mean": 0.0, "target_std": 1.0, "epsilon": 0.5},
            input_shape=(2, 5, 7, 3),
            expected_output_shape=(2, 5, 7, 3),
            expected_num_trainable_weights=0,
            expected_num_non_trainable_weights=0,
            supports_masking=False,
        )


def _images(seed=0, shape=(2, 4, 5, 3)):
    return (np.random.default_rng(seed).random(shape) * 255).astype("float32")


def test_output_matches_a_numpy_loop():
    x = _images()
    out = keras.ops.convert_to_numpy(ImageStandardization(epsilon=2.0)(x))
    batch, height, width, channels = x.shape
    for b in range(batch):
        for c in range(channels):
            values = [float(x[b, i, j, c]) for i in range(height) for j in range(width)]
            mean = sum(values) / len(values)
            variance = sum((v - mean) ** 2 for v in values) / len(values)
            for i in range(height):
                for j in range(width):
                    expected = 127.5 + 42.5 * (x[b, i, j, c] - mean) / (variance + 2.0) ** 0.5
                    assert out[b, i, j, c] == pytest.approx(expected, abs=1e-3)


def test_channel_gain_and_offset_change_nothing():
    x = _images(1) * 0.5
    gain = np.array([1.8, 0.6, 1.2], "float32")  # exposure and white balance
    offset = np.array([20.0, -5.0, 9.0], "float32")
    layer = ImageStandardization(epsilon=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x * gain + offset)),
                               keras.ops.convert_to_numpy(layer(x)), atol=1e-2)


def test_a_flat_image_stays_flat_at_the_target_mean():
    out = keras.ops.convert_to_numpy(ImageStandardization()(np.full((1, 3, 3, 3), 90.0)))
    np.testing.assert_allclose(out, 127.5)


def test_round_trip(keras_round_trip):
    inputs = keras.Input((6, 8, 3))
    model = keras.Model(inputs, ImageStandardization(target_std=30.0)(inputs))
    loaded = keras_round_trip(model, _images(2, (2, 6, 8, 3)))
    assert loaded.layers[-1].get_config()["target_std"] == 30.0


@pytest.mark.parametrize("kwargs, match", [({"target_std": 0.0}, "target_std"),
                                           ({"epsilon": 0.0}, "epsilon")])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageStandardization(**kwargs)


def test_non_image_input_is_refused():
    with pytest.raises(ValueError, match="height, width, channels"):
        ImageStandardization().build((None, 4))
