"""Stage two end to end (images through the frozen embedder) and the precision / XLA switches."""

import cv2
import keras
import numpy as np
import pytest

from lateral_keras.config import load_config
from lateral_keras.preprocessing.cache import CachedRoi
from lateral_keras.training.data_setup import PartData
from lateral_keras.training.stage_one import build_stage_one, compile_stage_one
from lateral_keras.training.stage_two_run import build_trainer, training_stream

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="stage two's train_step is TensorFlow-only"
)

TINY = ["input_size=[16, 32]", "m=8", "q=4", "classes_per_batch=2", "samples_per_class=2",
        "stage_two.epochs=3", "embd_shape=8", "stage_two.end_to_end=true"]


def tiny_embedder():
    embedder = keras.Sequential([
        keras.Input((16, 32, 3)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(4, 3, strides=2),
        keras.layers.BatchNormalization(),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(8),
    ])
    norm = embedder.layers[2]
    norm.moving_mean.assign(np.linspace(-0.5, 0.5, 4))
    norm.moving_variance.assign(np.linspace(0.5, 2.0, 4))
    return embedder


def roi_part(tmp_path, n_ids=3, per_id=3):
    """`n_ids` fish of `per_id` cached ROIs each, photo `i` of a fish in session `i % 2`."""
    rng = np.random.default_rng(0)
    tmp_path.mkdir(parents=True, exist_ok=True)
    records, labels = [], []
    for identity in range(n_ids):
        pattern = rng.integers(0, 256, (18, 35, 3), dtype=np.uint8)
        for i in range(per_id):
            path = str(tmp_path / f"id{identity}_{i}.png")
            cv2.imwrite(path, pattern)
            records.append(CachedRoi(path, f"id{identity}", f"SESSION{i % 2 + 1}", "left", path))
            labels.append(identity)
    return PartData(records, np.array(labels, np.int32))


def test_end_to_end_trains_only_the_projection_through_the_frozen_embedder(tmp_path):
    config = load_config(overrides=TINY)
    part = roi_part(tmp_path)
    embedder = tiny_embedder()
    frozen = [w.copy() for w in embedder.get_weights()]
    dataset, steps, sample = training_stream(config, None, embedder, part)
    images, labels = next(iter(dataset))
    assert tuple(images.shape) == (4, 16, 32, 3) and tuple(sample.shape) == (1, 16, 32, 3)
    assert len(set(labels.numpy().tolist())) == 2 and steps == 2
    trainer = build_trainer(config.stage_two, 0, embedder)
    trainer(sample)
    kernel = trainer.projection.kernel.numpy().copy()
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2), steps_per_execution=steps)
    history = trainer.fit(dataset, steps_per_epoch=steps, epochs=2, verbose=0)
    assert all(np.isfinite(history.history["loss"]))
    for before, after in zip(frozen, embedder.get_weights()):  # BatchNorm statistics included
        np.testing.assert_array_equal(before, after)
    assert not np.allclose(kernel, trainer.projection.kernel.numpy())
    assert {id(v) for v in trainer.trainable_variables} == {
        id(v) for v in trainer.projection.trainable_variables
    }
    x = images.numpy()
    np.testing.assert_allclose(trainer.embed(x), embedder.predict(x, verbose=0), atol=1e-5)


def train_both_stages(jit_compile):
    """Stage one under ``mixed_float16``, then the end-to-end stage two on its embedder."""
    config = load_config(overrides=TINY + [
        "backbone_type=SmallCNN", "stage_one.mixed_precision=true", "stage_one.batch_size=4",
        f"stage_one.jit_compile={str(jit_compile).lower()}",
    ])
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 255, (8, 16, 32, 3)).astype("float32")
    labels = np.array([0, 1, 2, 0, 1, 2, 0, 1], np.int32)
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        models = build_stage_one(config.stage_one, (16, 32), 3, seed=0)
        compile_stage_one(models, config.stage_one, 2)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert models.backbone.compute_dtype == "float16"
    assert models.train_model.get_layer("arc_margin").compute_dtype == "float32"
    assert models.train_model.get_layer("image_standardization").compute_dtype == "float32"
    assert models.train_model.output.dtype == "float32"
    history = models.train_model.fit((images, labels), labels, batch_size=8, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()

    trainer = build_trainer(config.stage_two, 0, models.embedder)
    trainer(images[:1])
    assert trainer.projection.compute_dtype == "float32"
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2), jit_compile=jit_compile)
    pk = np.array([0, 3, 1, 4])
    history = trainer.fit(images[pk], labels[pk], batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert type(trainer.optimizer).__name__ == "Adam"  # float32 trainer: no loss scaling


def test_mixed_precision_trains_both_stages():
    train_both_stages(jit_compile=False)


@pytest.mark.slow
def test_mixed_precision_with_xla_trains_both_stages():
    train_both_stages(jit_compile=True)
