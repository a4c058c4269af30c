"""InsightFace LResNet100E-IR ("IR" units), ending before the "E" output block."""

import keras

from lateral_keras.layers.fused_batch_norm import FusedBatchNormalization
from lateral_keras.models.input_shape import check_input_shape

# MXNet BatchNorm settings of InsightFace's fresnet: eps 2e-5, momentum 0.9.
_BN = {"epsilon": 2e-5, "momentum": 0.9}


def _pad_conv(x, filters, stride, name):
    """MXNet's Conv3x3 with symmetric 1-pixel padding (not Keras' "same")."""
    x = keras.layers.ZeroPadding2D(1, name=f"{name}_pad")(x)
    return keras.layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=name)(x)


def _prelu(x, name):
    """Per-channel PReLU, MXNet's initial slope 0.25."""
    return keras.layers.PReLU(
        alpha_initializer=keras.initializers.Constant(0.25), shared_axes=[1, 2], name=name
    )(x)


def _ir_unit(x, filters, stride, project, prefix):
    """BN-Conv3x3-BN-PReLU-Conv3x3(stride)-BN plus the shortcut (InsightFace v3 unit)."""
    y = FusedBatchNormalization(**_BN, name=f"{prefix}_bn1")(x)
    y = _pad_conv(y, filters, 1, f"{prefix}_conv1")
    y = FusedBatchNormalization(**_BN, name=f"{prefix}_bn2")(y)
    y = _prelu(y, f"{prefix}_relu1")
    y = _pad_conv(y, filters, stride, f"{prefix}_conv2")
    y = FusedBatchNormalization(**_BN, name=f"{prefix}_bn3")(y)
    shortcut = x
    if project:
        shortcut = keras.layers.Conv2D(
            filters, 1, strides=stride, use_bias=False, name=f"{prefix}_conv1sc"
        )(x)
        shortcut = FusedBatchNormalization(**_BN, name=f"{prefix}_sc")(shortcut)
    return keras.layers.Add(name=f"{prefix}_plus")([y, shortcut])


def insight_resnet(
    input_shape,
    *,
    units=(3, 13, 30, 3),
    widths=(64, 128, 256, 512),
    stem_width=64,
    name="insight_resnet100",
):
    """Builds InsightFace's LResNet-E-IR body (LResNet100E-IR by default).

    Input stem: `(x - 127.5) / 128` (InsightFace's own scaling, layer
    `"input_scaling"`, so callers feed [0, 255]) -> Conv3x3 (stride 1) -> BN ->
    PReLU. Then four stages of IR units; the first unit of each stage has
    stride 2 and a Conv1x1 + BN shortcut. Layers carry the MXNet names
    (`conv0`, `bn0`, `relu0`, `stage{s}_unit{u}_bn1`, `..._conv1`, `..._bn2`,
    `..._relu1`, `..._conv2`, `..._bn3`, `..._conv1sc`, `..._sc`), so that
    `load_insightface_npy` maps converted weights mechanically. 3x3 convs pad
    one pixel on every side, like MXNet, instead of Keras' asymmetric "same".

    The model ends at the last unit's residual sum (its `bn3` plus shortcut):
    the "E" output block `bn1` -> Dropout -> `pre_fc1` (Dense) -> `fc1` (BN) is
    the job of the embedding head (`lateral_keras.layers.EmbeddingHead`).

    Output feature map: `(ceil(h / 16), ceil(w / 16), widths[-1])`;
    112x112 -> (7, 7, 512), 64x256 -> (4, 16, 512), 75x320 -> (5, 20, 512).

    Args:
        input_shape: `(height, width, 3)`; non-square allowed.
        units: IR units per stage, four positive ints; `(3, 13, 30, 3)` is
            ResNet100, `(3, 4, 14, 3)` ResNet50.
        widths: filters of the four stages, four positive ints.
        stem_width: filters of `conv0`, a positive int.
        name: model name.

    Returns:
        A `keras.Model` from `(batch, h, w, 3)` float pixels to the feature map.

    Example:
        >>> insight_resnet((112, 112, 3)).output_shape
        (None, 7, 7, 512)

    Reference:
        Deng et al., "ArcFace: Additive Angular Margin Loss for Deep Face
        Recognition", CVPR 2019; `deepinsight/insightface`, `fresnet.py`.
    """
    shape = check_input_shape(input_shape)
    for arg, value in (("units", units), ("widths", widths)):
        if len(value) != 4 or not all(isinstance(v, int) and v > 0 for v in value):
            raise ValueError(f"`{arg}` must be four positive ints. Received: {arg}={value!r}")
    if not isinstance(stem_width, int) or stem_width < 1:
        raise ValueError(
            f"`stem_width` must be a positive int. Received: stem_width={stem_width!r}"
        )
    inputs = keras.Input(shape, name="image")
    x = keras.layers.Rescaling(1 / 128, offset=-127.5 / 128, name="input_scaling")(inputs)
    x = _pad_conv(x, stem_width, 1, "conv0")
    x = FusedBatchNormalization(**_BN, name="bn0")(x)
    x = _prelu(x, "relu0")
    for stage, (count, filters) in enumerate(zip(units, widths), start=1):
        for unit in range(1, count + 1):
            first = unit == 1
            x = _ir_unit(x, filters, 2 if first else 1, first, f"stage{stage}_unit{unit}")
    return keras.Model(inputs, x, name=name)
