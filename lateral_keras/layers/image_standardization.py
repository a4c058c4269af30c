"""Per-image, per-channel standardisation of pixels: exposure and white balance taken out,
over the whole image or over a sliding window (uneven lighting taken out too)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lateral_keras")
class ImageStandardization(keras.layers.Layer):
    """Give each channel of each image the same mean and spread.

    Computes `target_mean + target_std * (x - mean) / sqrt(variance + epsilon)`, where `mean`
    and `variance` are taken per image and per channel over height and width, or, with a
    `window`, over the window centred on each pixel (clipped at the borders). A gain or an
    offset applied to a channel (a brighter exposure, another white balance, a dimmer lamp)
    gives the same output, while the layout of light and dark within the image, which carries
    the skin pattern, is kept; a window also takes out gains that vary slowly across the
    image (light falling off along the body). The output stays in the pixel range backbones
    expect (about `[0, 255]` with the defaults), so it can precede any backbone.

    Args:
        target_mean: mean of every output channel. Defaults to 127.5.
        target_std: standard deviation of every output channel, `> 0`. Defaults to 42.5
            (three standard deviations span `[0, 255]`).
        epsilon: added to the variance, `> 0`, in squared input units: an almost flat
            channel stays almost flat instead of amplifying its noise. Defaults to 1.0.
        window: `None` (the whole image, the default) or odd `(height, width)` of the window
            the statistics are taken over (a separable box filter), not `(1, 1)`.
        **kwargs: base `keras.layers.Layer` arguments (the dtype defaults to float32:
            variances of 8-bit pixels overflow float16).

    Call arguments:
        inputs: images `(batch, height, width, channels)`.

    Returns:
        Standardised images, same shape, in the layer's dtype.

    Example:
        >>> layer = ImageStandardization()
        >>> out = layer(np.random.rand(2, 8, 8, 3) * 255)
        >>> np.allclose(keras.ops.convert_to_numpy(out).mean(axis=(1, 2)), 127.5, atol=1e-3)
        True
    """

    def __init__(self, target_mean=127.5, target_std=42.5, epsilon=1.0, window=None, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        if not target_std > 0:
            raise ValueError(f"`target_std` must be > 0. Received: target_std={target_std}")
        if not epsilon > 0:
            raise ValueError(f"`epsilon` must be > 0. Received: epsilon={epsilon}")
        if window is not None:
            window = tuple(window)
            if len(window) != 2 or window == (1, 1) or not all(
                isinstance(k, int) and k > 0 and k % 2 for k in window
            ):
                raise ValueError(
                    "`window` must be None or two odd positive ints (height, width), not "
                    f"(1, 1), which would leave a flat image. Received: window={window}"
                )
        self.window = window
        self.target_mean = float(target_mean)
        self.target_std = float(target_std)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(
                "`ImageStandardization` expects images (batch, height, width, channels). "
                f"Received: input_shape={input_shape}"
            )

    def call(self, inputs):
        x = ops.cast(inputs, self.compute_dtype)
        # centred on the image mean first: the whole-image mean is then 0, and a window's
        # E[x^2] - E[x]^2 loses no float32 precision
        x = x - ops.mean(x, axis=(1, 2), keepdims=True)
        if self.window is None:
            variance = ops.mean(ops.square(x), axis=(1, 2), keepdims=True)
        else:
            mean = self._window_average(x)
            variance = ops.maximum(self._window_average(ops.square(x)) - ops.square(mean), 0.0)
            x = x - mean
        return self.target_mean + self.target_std * x / ops.sqrt(variance + self.epsilon)

    def _window_average(self, x):
        """Mean over each pixel's window (at the borders, over the pixels inside)."""
        rows, cols = self.window
        x = ops.average_pool(x, (rows, 1), 1, "same", data_format="channels_last")
        return ops.average_pool(x, (1, cols), 1, "same", data_format="channels_last")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "target_mean": self.target_mean,
                "target_std": self.target_std,
                "epsilon": self.epsilon,
                "window": None if self.window is None else list(self.window),
            }
        )
        return config
