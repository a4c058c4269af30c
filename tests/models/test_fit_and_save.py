"""A fit step through the small backbones, and `.keras` round trips."""

import keras
import numpy as np
import pytest

from lateral_keras.models import build_backbone


@pytest.mark.backend_agnostic
@pytest.mark.parametrize("backbone_type", ["SmallCNN", "ResNet18"])
def test_one_fit_step_updates_the_backbone(backbone_type):
    backbone = build_backbone(backbone_type, (32, 64, 3))
    inputs = keras.Input((32, 64, 3))
    logits = keras.layers.Dense(4)(keras.layers.Flatten()(backbone(inputs)))
    model = keras.Model(inputs, logits)
    model.compile(
        optimizer=keras.optimizers.SGD(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    before = [keras.ops.convert_to_numpy(w).copy() for w in backbone.trainable_weights]
    x = np.random.default_rng(0).uniform(0, 255, (8, 32, 64, 3)).astype("float32")
    history = model.fit(x, np.arange(8) % 4, batch_size=8, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = [keras.ops.convert_to_numpy(w) for w in backbone.trainable_weights]
    assert all(not np.array_equal(a, b) for a, b in zip(after, before))


@pytest.mark.parametrize("backbone_type", ["SmallCNN", "ResNet18"])
def test_keras_file_round_trip(backbone_type, tmp_path):
    backbone = build_backbone(backbone_type, (32, 48, 3), name="trunk")
    path = str(tmp_path / "backbone.keras")
    backbone.save(path)
    restored = keras.saving.load_model(path)
    assert restored.name == "trunk"
    assert restored.output_shape == backbone.output_shape
    x = np.random.default_rng(1).uniform(0, 255, (2, 32, 48, 3)).astype("float32")
    np.testing.assert_array_equal(np.asarray(restored(x)), np.asarray(backbone(x)))
