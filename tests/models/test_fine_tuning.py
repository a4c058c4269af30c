"""Freezing, unfreezing and the `UnfreezeBackbone` callback during `fit`."""

import keras
import numpy as np
import pytest

from lateral_keras.models import UnfreezeBackbone, set_backbone_trainable, small_cnn


def _classifier(backbone):
    inputs = keras.Input(backbone.input_shape[1:])
    features = keras.layers.GlobalAveragePooling2D()(backbone(inputs))
    return keras.Model(inputs, keras.layers.Dense(3, name="logits")(features))


def _is_bn(layer):
    return isinstance(layer, keras.layers.BatchNormalization)


@pytest.mark.backend_agnostic
def test_set_backbone_trainable():
    backbone = small_cnn((16, 16, 3), widths=(4, 8), convs_per_block=1)
    set_backbone_trainable(backbone, False)
    assert backbone.trainable_weights == []
    set_backbone_trainable(backbone, True)
    assert all(not layer.trainable for layer in backbone.layers if _is_bn(layer))
    assert all(layer.trainable for layer in backbone.layers if not _is_bn(layer))
    assert len(backbone.trainable_weights) == 2  # the two conv kernels
    set_backbone_trainable(backbone, True, keep_batchnorm_frozen=False)
    assert len(backbone.trainable_weights) == 2 + 2 * 2  # plus gamma and beta per BN


def test_argument_errors():
    backbone = small_cnn((16, 16, 3), widths=(4,))
    with pytest.raises(ValueError, match="trainable=1"):
        set_backbone_trainable(backbone, 1)
    with pytest.raises(ValueError, match="backbone="):
        set_backbone_trainable("resnet", True)
    with pytest.raises(ValueError, match="at_epoch=-1"):
        UnfreezeBackbone(backbone, -1)
    with pytest.raises(ValueError, match="keep_batchnorm_frozen=None"):
        UnfreezeBackbone(backbone, 1, keep_batchnorm_frozen=None)


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_backbone_trains_only_from_at_epoch(optimizer):
    keras.utils.set_random_seed(0)
    backbone = small_cnn((16, 16, 3), widths=(4, 8))
    model = _classifier(backbone)
    set_backbone_trainable(backbone, False)
    model.compile(
        optimizer=keras.optimizers.get(
            {"class_name": optimizer, "config": {"learning_rate": 0.05}}
        ),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    conv, bn, head = (
        backbone.get_layer("block1_conv"),
        backbone.get_layer("block1_bn"),
        model.get_layer("logits"),
    )

    def snapshot():
        return [
            keras.ops.convert_to_numpy(v).copy() for v in (conv.kernel, bn.moving_mean, head.kernel)
        ]

    snaps = [snapshot()]
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snaps.append(snapshot())
    )
    x = np.random.default_rng(0).uniform(0, 255, (16, 16, 16, 3)).astype("float32")
    y = np.arange(16) % 3
    model.fit(
        x, y, batch_size=8, epochs=3, verbose=0, callbacks=[UnfreezeBackbone(backbone, 1), record]
    )

    def changed(epoch, i):
        return not np.array_equal(snaps[epoch + 1][i], snaps[epoch][i])

    assert changed(0, 2)  # the head trains from the start
    assert not changed(0, 0)  # frozen backbone in epoch 0
    assert changed(1, 0) and changed(2, 0)  # unfrozen from epoch 1
    assert all(not changed(e, 1) for e in range(3))  # BatchNorm statistics stay frozen
    assert int(model.optimizer.iterations) == 6


def test_resumed_fit_unfreezes_at_first_epoch():
    backbone = small_cnn((16, 16, 3), widths=(4,))
    model = _classifier(backbone)
    set_backbone_trainable(backbone, False)
    model.compile(
        optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    callback = UnfreezeBackbone(backbone, 2, keep_batchnorm_frozen=False)
    x = np.zeros((4, 16, 16, 3), "float32")
    model.fit(x, np.zeros(4), epochs=4, initial_epoch=3, verbose=0, callbacks=[callback])
    assert callback.unfrozen
    assert backbone.get_layer("block1_bn").trainable
