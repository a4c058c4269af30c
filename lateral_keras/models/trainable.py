"""Freezing and unfreezing a backbone for fine-tuning."""

import keras


def set_backbone_trainable(backbone, trainable, *, keep_batchnorm_frozen=True):
    """Freezes or unfreezes every layer of `backbone`.

    With `trainable=True` and `keep_batchnorm_frozen=True` the BatchNormalization
    layers stay frozen: in Keras 3 a frozen BatchNorm also runs in inference
    mode, so its moving statistics are kept (the usual fine-tuning practice
    with small batches). A model compiled before the change needs a fresh
    train function (and an optimizer that knows the new variables) before
    `fit` sees it; `UnfreezeBackbone` does both during `fit`.

    Args:
        backbone: the backbone `keras.layers.Layer` / `keras.Model`.
        trainable: bool, the new state.
        keep_batchnorm_frozen: bool, leave BatchNormalization layers frozen when
            unfreezing. Ignored when `trainable` is False.

    Returns:
        None.

    Example:
        >>> set_backbone_trainable(backbone, False)   # train the head first
        >>> set_backbone_trainable(backbone, True)    # then fine-tune, BN frozen
    """
    if not isinstance(backbone, keras.layers.Layer):
        raise ValueError(
            f"`backbone` must be a keras Layer or Model. Received: backbone={backbone!r}"
        )
    for arg, value in (("trainable", trainable), ("keep_batchnorm_frozen", keep_batchnorm_frozen)):
        if not isinstance(value, bool):
            raise ValueError(f"`{arg}` must be a bool. Received: {arg}={value!r}")
    backbone.trainable = trainable
    # Every layer explicitly (parents before children): Keras' recursive setter
    # does not re-enable a sub-layer that was frozen on its own.
    for layer in backbone._flatten_layers(include_self=False, recursive=True):
        is_bn = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = trainable and not (is_bn and keep_batchnorm_frozen)
