"""Random saturation, in closed form equal to an RGB -> HSV -> RGB round trip.

Keras's `keras.layers.RandomSaturation` (3.15) clips the HSV saturation to `value_range` (e.g.
[0, 255]) instead of [0, 1], so a factor above 1 can push saturation past 1 and give negative
colours; it also takes its factor on an unusual scale (0.5 = no change). This layer takes the
multiplier itself, e.g. `(0.6, 1.4)`, and clips the saturation to [0, 1].
"""

import numbers

import keras
from keras import ops


def _factor_range(factor):
    """Returns `factor` as a validated `(low, high)` pair of non-negative floats."""
    if isinstance(factor, numbers.Real) and not isinstance(factor, bool):
        factor = (1.0 - float(factor), 1.0 + float(factor))
    if (
        not isinstance(factor, (tuple, list))
        or len(factor) != 2
        or not all(isinstance(f, numbers.Real) for f in factor)
        or not 0 <= factor[0] <= factor[1]
    ):
        raise ValueError(
            "`factor` must be a pair (low, high) with 0 <= low <= high, or a float f <= 1 "
            f"meaning (1 - f, 1 + f). Received: factor={factor!r}"
        )
    return (float(factor[0]), float(factor[1]))


def _value_range(value_range):
    """Returns `value_range` as a validated `(low, high)` pair with low < high."""
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or not value_range[0] < value_range[1]
    ):
        raise ValueError(
            f"`value_range` must be a pair (low, high) with low < high. "
            f"Received: value_range={value_range!r}"
        )
    return (float(value_range[0]), float(value_range[1]))


@keras.saving.register_keras_serializable(package="lateral_keras")
class RandomSaturation(keras.layers.Layer):
    """Multiplies each image's HSV saturation by a random factor drawn from `factor`.

    The image is mapped from `value_range` to [0, 1]; its HSV saturation `S = (max - min) / max`
    (over the channels of each pixel) is multiplied by the factor and clipped to [0, 1], hue and
    value (`max`) unchanged. In RGB that is `c' = max - (max - c) * r` with
    `r = min(factor, max / (max - min))`, which this layer computes directly: the same result
    as `rgb_to_hsv`, scaling and `hsv_to_rgb`, at a fraction of the cost. One factor is drawn
    per image, so whole batches can be augmented at once. Uses `keras.ops` and `keras.random`
    only, so it runs on every Keras backend.

    Args:
        factor: `(low, high)` multipliers, `0 <= low <= high` (1 = unchanged, 0 = grey), or a
            float `f` meaning `(1 - f, 1 + f)`. Default `(0.6, 1.4)`.
        value_range: `(low, high)` of the input pixel values, default `(0, 255)`.
        seed: int or None, seeds the layer's `keras.random.SeedGenerator`.
        **kwargs: base layer arguments (`name`, `dtype`).

    Call arguments:
        inputs: RGB images `(h, w, 3)` or `(batch, h, w, 3)` in `value_range`.
        training: bool, default True like Keras's augmentation layers; False returns the input.

    Returns:
        Float tensor of the input's shape, in `value_range`.

    Example:
        >>> import numpy as np
        >>> layer = RandomSaturation((0.6, 1.4), seed=0)
        >>> tuple(layer(np.full((2, 8, 8, 3), 100.0), training=True).shape)
        (2, 8, 8, 3)
    """

    def __init__(self, factor=(0.6, 1.4), value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = _factor_range(factor)
        self.value_range = _value_range(value_range)
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=True):
        images = ops.cast(inputs, self.compute_dtype)
        if len(images.shape) not in (3, 4) or images.shape[-1] != 3:
            raise ValueError(
                "RandomSaturation expects RGB images (3 channels) of rank 3 or 4. "
                f"Received: inputs.shape={tuple(images.shape)}"
            )
        if not training:
            return images
        low, high = self.value_range
        batched = images if len(images.shape) == 4 else ops.expand_dims(images, 0)
        unit = ops.clip((batched - low) / (high - low), 0.0, 1.0)
        red, green, blue = unit[..., 0:1], unit[..., 1:2], unit[..., 2:3]
        # Elementwise max / min: much faster than a reduction over an axis of 3.
        value = ops.maximum(ops.maximum(red, green), blue)
        darkest = ops.minimum(ops.minimum(red, green), blue)
        factor = keras.random.uniform(
            (ops.shape(batched)[0], 1, 1, 1),
            minval=self.factor[0],
            maxval=self.factor[1],
            seed=self.generator,
            dtype=self.compute_dtype,
        )
        # Grey pixels (value == darkest) stay as they are whatever the ratio; the floor only
        # keeps the division finite.
        ratio = ops.minimum(factor, value / ops.maximum(value - darkest, 1e-6))
        rgb = (value - (value - unit) * ratio) * (high - low) + low
        return rgb if len(images.shape) == 4 else rgb[0]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {"factor": list(self.factor), "value_range": list(self.value_range), "seed": self.seed}
        )
        return config
