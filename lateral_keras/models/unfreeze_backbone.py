"""A callback that unfreezes the backbone at a given epoch of `fit`."""

import keras

from lateral_keras.models.trainable import set_backbone_trainable


class UnfreezeBackbone(keras.callbacks.Callback):
    """Unfreezes `backbone` at the start of epoch `at_epoch` (0-based).

    Train the head on a frozen backbone first (`set_backbone_trainable(backbone,
    False)` before `compile`), then fine-tune everything. Keras 3 builds the
    optimizer on the variables that are trainable when `fit` starts and
    traces the train function once, so at `at_epoch` this callback:

    1. unfreezes the backbone with `set_backbone_trainable` (BatchNorm layers
       stay frozen when `keep_batchnorm_frozen`);
    2. replaces the optimizer by a fresh one of the same configuration (same
       class, learning rate or schedule, iteration count kept) built on the
       new trainable variables: the old slot state (e.g. Adam moments of the
       head) starts again from zero;
    3. forces a new train function (`model.make_train_function(force=True)`).

    If `fit` starts at or after `at_epoch` (`initial_epoch`), the backbone is
    unfrozen at the first epoch. Works on the TensorFlow and JAX backends.

    Args:
        backbone: the backbone layer inside the trained model.
        at_epoch: 0-based epoch at whose start the backbone is unfrozen, `int >= 0`.
        keep_batchnorm_frozen: bool, leave BatchNormalization layers frozen.

    Example:
        >>> set_backbone_trainable(backbone, False)
        >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        >>> model.fit(ds, epochs=20, callbacks=[UnfreezeBackbone(backbone, at_epoch=5)])
    """

    def __init__(self, backbone, at_epoch, *, keep_batchnorm_frozen=True):
        super().__init__()
        if not isinstance(backbone, keras.layers.Layer):
            raise ValueError(
                f"`backbone` must be a keras Layer or Model. Received: backbone={backbone!r}"
            )
        if not isinstance(at_epoch, int) or isinstance(at_epoch, bool) or at_epoch < 0:
            raise ValueError(f"`at_epoch` must be an int >= 0. Received: at_epoch={at_epoch!r}")
        if not isinstance(keep_batchnorm_frozen, bool):
            raise ValueError(
                "`keep_batchnorm_frozen` must be a bool. Received: "
                f"keep_batchnorm_frozen={keep_batchnorm_frozen!r}"
            )
        self.backbone = backbone
        self.at_epoch = at_epoch
        self.keep_batchnorm_frozen = keep_batchnorm_frozen
        self.unfrozen = False

    def on_epoch_begin(self, epoch, logs=None):
        if self.unfrozen or epoch < self.at_epoch:
            return
        set_backbone_trainable(
            self.backbone, True, keep_batchnorm_frozen=self.keep_batchnorm_frozen
        )
        old = self.model.optimizer
        optimizer = keras.optimizers.deserialize(keras.optimizers.serialize(old))
        optimizer.build(self.model.trainable_variables)
        optimizer.iterations.assign(old.iterations)
        self.model.optimizer = optimizer
        self.model.make_train_function(force=True)
        self.unfrozen = True
