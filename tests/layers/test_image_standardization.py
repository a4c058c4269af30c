"""ImageStandardization: harness, NumPy-loop oracle, gain/offset invariance, round trip."""

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import ImageStandardization

pytestmark = pytest.mark.backend_agnostic


class ImageStandardizationHarnessTest(TestCase):
    def test_harness(self):
        for window in (None, (3, 5)):
            self.run_layer_test(
                ImageStandardization,
                {"target_mean": 0.0, "target_std": 1.0, "epsilon": 0.5, "window": window},
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


@pytest.mark.parametrize("window", [(3, 5), (1, 3), (7, 7)])
def test_windowed_output_matches_a_numpy_loop(window):
    x = _images(3, (2, 5, 6, 2))
    out = keras.ops.convert_to_numpy(ImageStandardization(epsilon=4.0, window=window)(x))
    batch, height, width, channels = x.shape
    rows, cols = window[0] // 2, window[1] // 2
    for b in range(batch):
        for c in range(channels):
            for i in range(height):
                for j in range(width):
                    patch = x[b, max(i - rows, 0):i + rows + 1, max(j - cols, 0):j + cols + 1, c]
                    values = [float(v) for v in patch.ravel()]  # the pixels inside the image
                    mean = sum(values) / len(values)
                    variance = sum((v - mean) ** 2 for v in values) / len(values)
                    expected = 127.5 + 42.5 * (x[b, i, j, c] - mean) / (variance + 4.0) ** 0.5
                    assert out[b, i, j, c] == pytest.approx(expected, rel=1e-3, abs=1e-2)


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


@pytest.mark.parametrize("window", [None, (3, 5)])
def test_round_trip(keras_round_trip, window):
    inputs = keras.Input((6, 8, 3))
    model = keras.Model(inputs, ImageStandardization(target_std=30.0, window=window)(inputs))
    loaded = keras_round_trip(model, _images(2, (2, 6, 8, 3)))
    assert loaded.layers[-1].get_config()["target_std"] == 30.0
    assert loaded.layers[-1].window == window


def test_a_window_takes_out_a_gain_that_varies_across_the_image():
    x = _images(4, (1, 9, 40, 3)) * 0.5 + 20
    ramp = np.linspace(0.5, 2.0, 40, dtype="float32")[None, None, :, None]  # light falls off
    local = ImageStandardization(epsilon=1e-3, window=(9, 9))
    whole = ImageStandardization(epsilon=1e-3)
    lit = (x - 20) * ramp + 20
    local_change = np.abs(keras.ops.convert_to_numpy(local(lit) - local(x)))
    whole_change = np.abs(keras.ops.convert_to_numpy(whole(lit) - whole(x)))
    assert whole_change.mean() > 4 * local_change.mean()


@pytest.mark.parametrize("kwargs, match", [({"target_std": 0.0}, "target_std"),
                                           ({"epsilon": 0.0}, "epsilon"),
                                           ({"window": (4, 5)}, "window=\\(4, 5\\)"),
                                           ({"window": (3,)}, "window"),
                                           ({"window": (1, 1)}, "not \\(1, 1\\)")])
def test_bad_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ImageStandardization(**kwargs)


def test_non_image_input_is_refused():
    with pytest.raises(ValueError, match="height, width, channels"):
        ImageStandardization().build((None, 4))
