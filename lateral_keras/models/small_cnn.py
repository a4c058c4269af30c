"""A small, fast conv-BN-ReLU backbone for tests and quick CPU runs."""

import keras

from lateral_keras.models.input_shape import check_input_shape


def small_cnn(input_shape, *, widths=(16, 32, 64, 128), name="small_cnn"):
    """Builds a plain stack of stride-2 Conv3x3 -> BatchNorm -> ReLU blocks.

    Pixels in [0, 255] are scaled to [-1, 1] inside the model (layer
    `"input_scaling"`). Each block halves the height and width ("same" padding).

    Output feature map: `(ceil(h / 2**n), ceil(w / 2**n), widths[-1])` with
    `n = len(widths)`; with the default 4 blocks 64x256 -> (4, 16, 128).

    Args:
        input_shape: `(height, width, 3)`; non-square allowed.
        widths: filters of each block, a non-empty sequence of positive ints.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, h, w, 3)` float pixels to the feature map.

    Example:
        >>> small_cnn((64, 256, 3)).output_shape
        (None, 4, 16, 128)
    """
    shape = check_input_shape(input_shape)
    if not widths or not all(isinstance(w, int) and w > 0 for w in widths):
        raise ValueError(
            f"`widths` must be a non-empty sequence of positive ints. Received: widths={widths!r}"
        )
    inputs = keras.Input(shape, name="image")
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="input_scaling")(inputs)
    for i, filters in enumerate(widths, start=1):
        x = keras.layers.Conv2D(
            filters, 3, strides=2, padding="same", use_bias=False, name=f"block{i}_conv"
        )(x)
        x = keras.layers.BatchNormalization(name=f"block{i}_bn")(x)
        x = keras.layers.ReLU(name=f"block{i}_relu")(x)
    return keras.Model(inputs, x, name=name)
