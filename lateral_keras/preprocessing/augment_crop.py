"""Random crop for training, centre crop for inference.

Keras's own `keras.layers.RandomCrop` (3.15) returns its input unchanged at inference, which
leaves the evaluation images larger than the training crops; this layer centre-crops instead, so a
model that contains it sees the same size in both modes.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lateral_keras")
class RandomCrop(keras.layers.Layer):
    """Crops images to `(height, width)`: a random window when training, the centre otherwise.

    Inputs are channels-last images, `(h, w, c)` or `(batch, h, w, c)`, at least as large as the
    target. Each image of a batch gets its own random offset, so the layer can augment whole
    batches (the crops are gathered with one vectorised `take`, no per-image loop). Uses
    `keras.ops` and `keras.random` only, so it runs on every Keras backend.

    Args:
        height: output height in pixels, a positive int.
        width: output width in pixels, a positive int.
        seed: int or None, seeds the layer's `keras.random.SeedGenerator`.
        **kwargs: base layer arguments (`name`, `dtype`).

    Call arguments:
        inputs: image tensor of rank 3 or 4.
        training: bool, default True like Keras's augmentation layers; False gives the centre
            crop (offset `(h - height) // 2`, `(w - width) // 2`, as `keras.layers.CenterCrop`).

    Returns:
        Float tensor `(..., height, width, c)` in the layer's compute dtype.

    Example:
        >>> import numpy as np
        >>> layer = RandomCrop(112, 112, seed=0)
        >>> tuple(layer(np.zeros((2, 128, 128, 3)), training=True).shape)
        (2, 112, 112, 3)
    """

    def __init__(self, height, width, seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("height", height), ("width", width)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"`{name}` must be a positive int. Received: {name}={value!r}")
        self.height = height
        self.width = width
        self.seed = seed
        self.generator = keras.random.SeedGenerator(seed)

    def _check_rank_and_size(self, shape):
        if len(shape) not in (3, 4):
            raise ValueError(
                "RandomCrop expects images of rank 3 (h, w, c) or 4 (batch, h, w, c). "
                f"Received: inputs.shape={tuple(shape)}"
            )
        in_h, in_w = shape[-3], shape[-2]
        if (in_h is not None and in_h < self.height) or (in_w is not None and in_w < self.width):
            raise ValueError(
                f"RandomCrop({self.height}, {self.width}) needs inputs at least that large; "
                f"resize first. Received: inputs.shape={tuple(shape)}"
            )

    def _offsets(self, batch, size, target):
        """One uniform integer offset in `[0, size - target]` per image, `(batch,)` int32."""
        room = ops.cast(size - target + 1, "float32")
        draw = keras.random.uniform((batch,), 0.0, 1.0, seed=self.generator)
        offset = ops.cast(ops.floor(draw * room), "int32")
        return ops.minimum(offset, ops.cast(size - target, "int32"))

    def _random_crops(self, images):
        """Crops every image of `images` `(batch, h, w, c)` at its own random offset."""
        batch, in_h, in_w, channels = ops.shape(images)
        top = self._offsets(batch, in_h, self.height)
        left = self._offsets(batch, in_w, self.width)
        rows = top[:, None] + ops.arange(self.height, dtype="int32")
        cols = left[:, None] + ops.arange(self.width, dtype="int32")
        first_row = ops.arange(batch, dtype="int32") * ops.cast(in_h, "int32")
        pixel = (first_row[:, None, None] + rows[:, :, None]) * ops.cast(in_w, "int32")
        pixel = pixel + cols[:, None, :]
        return ops.take(ops.reshape(images, (-1, channels)), pixel, axis=0)

    def call(self, inputs, training=True):
        inputs = ops.cast(inputs, self.compute_dtype)
        self._check_rank_and_size(inputs.shape)
        single = len(inputs.shape) == 3
        images = ops.expand_dims(inputs, 0) if single else inputs
        if training:
            crops = self._random_crops(images)
        else:
            shape = ops.shape(images)
            top, left = (shape[1] - self.height) // 2, (shape[2] - self.width) // 2
            crops = ops.slice(
                images, [0, top, left, 0], [shape[0], self.height, self.width, shape[3]]
            )
        return crops[0] if single else crops

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
