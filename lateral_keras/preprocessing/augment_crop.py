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
    target. One random offset is drawn per call, so a batch shares it; map the layer over single
    images (as `roi_tf_dataset` does) for one offset per image. Uses `keras.ops` and
    `keras.random` only, so it runs on every Keras backend.

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

    def _offset(self, size, target, training):
        if not training:
            return (size - target) // 2
        room = ops.cast(size - target + 1, "float32")
        draw = keras.random.uniform((), 0.0, 1.0, seed=self.generator)
        offset = ops.cast(ops.floor(draw * room), "int32")
        return ops.minimum(offset, ops.cast(size - target, "int32"))

    def call(self, inputs, training=True):
        inputs = ops.cast(inputs, self.compute_dtype)
        self._check_rank_and_size(inputs.shape)
        shape = ops.shape(inputs)
        top = self._offset(shape[-3], self.height, training)
        left = self._offset(shape[-2], self.width, training)
        if len(inputs.shape) == 3:
            return ops.slice(inputs, [top, left, 0], [self.height, self.width, shape[-1]])
        return ops.slice(
            inputs, [0, top, left, 0], [shape[0], self.height, self.width, shape[-1]]
        )

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-3]) + (self.height, self.width, input_shape[-1])

    def get_config(self):
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "seed": self.seed})
        return config
