"""A compact ResNet-18 (basic blocks [2, 2, 2, 2]) with a stem for small inputs."""

import keras

from lateral_keras.layers.fused_batch_norm import FusedBatchNormalization
from lateral_keras.models.input_shape import check_input_shape


def _basic_block(x, filters, stride, prefix):
    """Conv3x3(stride)-BN-ReLU-Conv3x3-BN plus a (projected) shortcut, then ReLU."""
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = keras.layers.Conv2D(
            filters, 1, strides=stride, use_bias=False, name=f"{prefix}_proj_conv"
        )(x)
        shortcut = FusedBatchNormalization(name=f"{prefix}_proj_bn")(shortcut)
    y = keras.layers.Conv2D(
        filters, 3, strides=stride, padding="same", use_bias=False, name=f"{prefix}_conv1"
    )(x)
    y = FusedBatchNormalization(name=f"{prefix}_bn1")(y)
    y = keras.layers.ReLU(name=f"{prefix}_relu1")(y)
    y = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"{prefix}_conv2")(y)
    y = FusedBatchNormalization(name=f"{prefix}_bn2")(y)
    y = keras.layers.Add(name=f"{prefix}_add")([y, shortcut])
    return keras.layers.ReLU(name=f"{prefix}_out")(y)


def resnet18(input_shape, *, widths=(32, 64, 128, 256), name="resnet18"):
    """Builds a slim ResNet-18: four stages of two basic blocks each.

    The stem is a single stride-2 Conv3x3 -> BN -> ReLU (no 7x7 conv, no max
    pool, which suit 224-pixel photos but waste our 64-pixel-high strips);
    stages 2-4 halve the size again. Pixels in [0, 255] are scaled to [-1, 1]
    inside the model (layer `"input_scaling"`).

    Output feature map: `(ceil(h / 16), ceil(w / 16), widths[-1])`;
    64x256 -> (4, 16, 256), 75x320 -> (5, 20, 256).

    Args:
        input_shape: `(height, width, 3)`; non-square allowed.
        widths: filters of the four stages (the stem uses `widths[0]`), four
            positive ints. The classic ResNet-18 uses `(64, 128, 256, 512)`.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, h, w, 3)` float pixels to the feature map.

    Example:
        >>> resnet18((64, 256, 3)).output_shape
        (None, 4, 16, 256)

    Reference:
        He et al., "Deep Residual Learning for Image Recognition", CVPR 2016.
    """
    shape = check_input_shape(input_shape)
    if len(widths) != 4 or not all(isinstance(w, int) and w > 0 for w in widths):
        raise ValueError(f"`widths` must be four positive ints. Received: widths={widths!r}")
    inputs = keras.Input(shape, name="image")
    x = keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="input_scaling")(inputs)
    x = keras.layers.Conv2D(
        widths[0], 3, strides=2, padding="same", use_bias=False, name="stem_conv"
    )(x)
    x = FusedBatchNormalization(name="stem_bn")(x)
    x = keras.layers.ReLU(name="stem_relu")(x)
    for stage, filters in enumerate(widths, start=1):
        for block in (1, 2):
            stride = 2 if stage > 1 and block == 1 else 1
            x = _basic_block(x, filters, stride, f"stage{stage}_block{block}")
    return keras.Model(inputs, x, name=name)
