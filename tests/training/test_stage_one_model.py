"""The stage-one models: the image standardisation in front of the backbone, and its switch."""

import keras
import numpy as np
import pytest

from lateral_keras.config import ConfigError, load_config
from lateral_keras.layers import ImageStandardization
from lateral_keras.training.stage_one import (
    build_stage_one,
    compile_stage_one,
    stage_one_epochs,
)

TINY = ["input_size=[16, 32]", "embd_shape=8", "backbone_type=SmallCNN"]


def _relative_change(embedder, images, changed):
    before = keras.ops.convert_to_numpy(embedder(images, training=False))
    after = keras.ops.convert_to_numpy(embedder(changed, training=False))
    return np.linalg.norm(after - before) / np.linalg.norm(before)


def _embedder(*overrides):
    config = load_config(overrides=TINY + list(overrides))
    return build_stage_one(config.stage_one, (16, 32), 3, seed=0).embedder


def test_embedder_standardizes_images_so_exposure_and_white_balance_change_nothing():
    embedder = _embedder()
    assert any(isinstance(layer, ImageStandardization) for layer in embedder.layers)
    rng = np.random.default_rng(0)
    images = rng.uniform(40, 160, (2, 16, 32, 3)).astype("float32")
    relit = images * np.array([1.5, 0.8, 1.1], "float32") + np.array([10, -20, 5], "float32")
    assert _relative_change(embedder, images, relit) < 1e-3


def test_switched_off_the_embedder_sees_raw_pixels():
    embedder = _embedder("stage_one.standardize_images=false")
    assert not any(isinstance(layer, ImageStandardization) for layer in embedder.layers)
    images = np.random.default_rng(1).uniform(40, 160, (2, 16, 32, 3)).astype("float32")
    assert _relative_change(embedder, images, images * 1.5) > 0.1


def test_a_window_standardizes_locally_and_must_be_odd():
    embedder = _embedder("stage_one.standardize_window=[5, 9]")
    layer = next(layer for layer in embedder.layers if isinstance(layer, ImageStandardization))
    assert layer.window == (5, 9)
    images = np.random.default_rng(2).uniform(40, 160, (2, 16, 32, 3)).astype("float32")
    light = np.linspace(0.6, 1.6, 32, dtype="float32")[None, None, :, None]  # falls off
    whole = _embedder()
    assert _relative_change(embedder, images, images * light) < 0.5 * _relative_change(
        whole, images, images * light
    )
    with pytest.raises(ConfigError, match=r"standardize_window.*odd.*\[4, 9\]"):
        load_config(overrides=["stage_one.standardize_window=[4, 9]"])
    with pytest.raises(ConfigError, match=r"standardize_window.*\[1, 1\]"):
        load_config(overrides=["stage_one.standardize_window=[1, 1]"])


def _batch_hard_angular_triplet(embeddings, labels, margin):
    """NumPy oracle: mean over anchors of [hardest positive - hardest negative angle + margin]+."""
    unit = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    angles = np.arccos(np.clip(unit @ unit.T, -1.0, 1.0))
    values = []
    for a in range(len(labels)):
        positives = [angles[a, p] for p in range(len(labels)) if p != a and labels[p] == labels[a]]
        negatives = [angles[a, n] for n in range(len(labels)) if labels[n] != labels[a]]
        if positives and negatives:
            values.append(max(0.0, max(positives) - min(negatives) + margin))
        else:
            values.append(0.0)
    return np.mean(values)


@pytest.mark.parametrize("smoothing, triplet_weight", [(0.0, 0.0), (0.2, 0.0), (0.0, 0.7)])
def test_training_loss_is_the_label_smoothed_cross_entropy_of_the_margin_logits(
        smoothing, triplet_weight):
    """Plus, with a triplet weight, that weight x the embedding's batch-hard angular triplet
    loss (anchors without a positive count as 0, as in `TripletLoss`)."""
    from lateral_keras.training.stage_one import compile_stage_one, stage_one_targets

    config = load_config(overrides=TINY + [f"stage_one.label_smoothing={smoothing}",
                                           f"stage_one.triplet_weight={triplet_weight}",
                                           "stage_one.triplet_margin=0.4",
                                           "stage_one.samples_per_class=2"])
    models = build_stage_one(config.stage_one, (16, 32), 3, seed=0)
    compile_stage_one(models, config.stage_one, steps_per_epoch=1)
    rng = np.random.default_rng(2)
    images = rng.uniform(0, 255, (5, 16, 32, 3)).astype("float32")
    labels = np.array([0, 1, 2, 1, 0], "int32")
    outputs = models.train_model([images, labels], training=False)
    logits = keras.ops.convert_to_numpy(outputs[0] if triplet_weight else outputs)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    targets = (1 - smoothing) * np.eye(3)[labels] + smoothing / 3
    expected = -(targets * log_probs).sum(axis=1).mean()
    if triplet_weight:
        embeddings = keras.ops.convert_to_numpy(outputs[1])
        expected += triplet_weight * _batch_hard_angular_triplet(embeddings, labels, 0.4)
        assert _batch_hard_angular_triplet(embeddings, labels, 0.4) > 0  # the term is there
    got = models.train_model.compute_loss(
        x=[images, labels], y=stage_one_targets(config.stage_one, labels), y_pred=outputs)
    regularization = sum(float(loss) for loss in models.train_model.losses)  # weight decay
    np.testing.assert_allclose(float(got) - regularization, expected, rtol=1e-5)


@pytest.mark.parametrize(
    "overrides, steps_per_epoch, epochs",
    [
        ([], 82, 11),  # the default 260 training fish: 900 / 82 = 10.98
        ([], 19, 47),  # 60 training fish: 900 / 19 = 47.4
        (["stage_one.steps=750"], 19, 39),  # 39.47
        (["stage_one.steps=10"], 82, 1),  # never fewer than one epoch
        (["stage_one.steps=100"], 30, 3),
        (["stage_one.epochs=5"], 82, 5),  # explicit epochs win over the budget
    ],
)
def test_a_step_budget_sets_the_epochs_and_the_learning_rate_decay(overrides, steps_per_epoch,
                                                                    epochs):
    config = load_config(overrides=TINY + overrides)
    assert stage_one_epochs(config.stage_one, steps_per_epoch) == epochs
    models = build_stage_one(config.stage_one, (16, 32), 3, seed=0)
    compile_stage_one(models, config.stage_one, steps_per_epoch)
    schedule = models.train_model.optimizer._learning_rate  # `learning_rate` is its value
    assert isinstance(schedule, keras.optimizers.schedules.CosineDecay)
    assert schedule.decay_steps == epochs * steps_per_epoch
