"""Stage one's stream: P x K batches of whole fish, with the labels once per model output, or
shuffled batches of photos."""

import time

import keras
import numpy as np
import pytest

from lateral_keras.config import load_config
from lateral_keras.training.stage_one_run import stage_one_stream
from tests.training.test_stage_two_end_to_end import roi_part

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the ROI pipeline is tf.data"
)

SMALL = ["input_size=[16, 32]", "stage_one.batch_size=4", "stage_one.mirror_classes=none"]


def _stream(tmp_path, overrides, batches):
    part = roi_part(tmp_path, n_ids=5, per_id=3)
    config = load_config(overrides=SMALL + overrides)
    config.data.num_classes = 5
    return list(stage_one_stream(config, part, batches=batches).as_numpy_iterator())


def test_pk_batches_hold_p_fish_with_k_photos_each_and_every_fish_each_pass(tmp_path):
    batches = _stream(tmp_path, ["stage_one.samples_per_class=2", "stage_one.triplet_weight=1"],
                      batches=7)
    assert len(batches) == 9  # 5 fish in P = 2 per batch: 3 batches a pass; 3 passes for 7
    for (images, labels), targets in batches:
        assert images.shape == (4, 16, 32, 3)
        np.testing.assert_array_equal(targets[0], labels)  # logits
        np.testing.assert_array_equal(targets[1], labels)  # the embedding's triplet loss
        _, counts = np.unique(labels, return_counts=True)
        assert counts.tolist() == [2, 2]
    for start in range(0, 9, 3):
        seen = np.concatenate([labels for (_, labels), _ in batches[start:start + 3]])
        assert set(seen.tolist()) == set(range(5))


def test_without_pk_batches_are_one_shuffled_pass_over_the_photos(tmp_path):
    batches = _stream(tmp_path, [], batches=7)  # the defaults
    assert [len(labels) for (_, labels), _ in batches] == [4, 4, 4, 3]
    for (_, labels), targets in batches:
        np.testing.assert_array_equal(targets, labels)
    every = np.concatenate([labels for (_, labels), _ in batches])
    assert sorted(every.tolist()) == sorted(np.repeat(np.arange(5), 3).tolist())


@pytest.mark.parametrize("overrides", [[], ["stage_one.samples_per_class=2"]])
def test_the_stream_runs_without_autotuning(tmp_path, overrides):
    # fit deletes the stream's iterator when training ends; with autotuning that waited for
    # its model thread, 9-48 s after the last epoch
    part = roi_part(tmp_path, n_ids=5, per_id=3)
    config = load_config(overrides=SMALL + overrides)
    config.data.num_classes = 5
    assert stage_one_stream(config, part, batches=2).options().autotune.enabled is False


def test_fit_trains_on_the_pk_stream_with_the_triplet_term_logged(tmp_path):
    from lateral_keras.training.stage_one import build_stage_one, compile_stage_one

    part = roi_part(tmp_path, n_ids=5, per_id=3)
    config = load_config(overrides=SMALL + ["stage_one.samples_per_class=2", "embd_shape=8",
                                            "stage_one.triplet_weight=1"])
    config.data.num_classes = 5
    models = build_stage_one(config.stage_one, (16, 32), 5, seed=0)
    compile_stage_one(models, config.stage_one, steps_per_epoch=3)
    stream = stage_one_stream(config, part, batches=6).repeat()
    history = models.train_model.fit(stream, steps_per_epoch=3, epochs=2, verbose=0).history
    assert {"logits_accuracy", "logits_loss", "embedding_loss"} <= set(history)
    assert all(np.isfinite(history["embedding_loss"]))
    assert history["embedding_loss"][0] > 0


def test_mirrored_classes_keep_a_fishs_photos_in_one_class(tmp_path):
    batches = _stream(tmp_path, ["stage_one.samples_per_class=2", "stage_one.mirror_classes=both"],
                      batches=30)
    kinds = set()
    for (_, labels), _ in batches:
        pairs = labels.reshape(2, 2)  # P = 2 fish x K = 2 photos, fish after fish
        assert (pairs[:, 0] == pairs[:, 1]).all()
        kinds.update((pairs[:, 0] // 5).tolist())
    assert kinds == {0, 1, 2, 3}  # all four mirror classes drawn


def _first_batches(dataset, count=3):
    return [images for (images, _), _ in dataset.take(count).as_numpy_iterator()]


def _peek_and_let_it_prefetch(dataset):
    next(iter(dataset.take(1)))  # what a sample-image callback does
    time.sleep(0.5)  # the deleted iterator's prefetch thread ran ahead meanwhile


def test_a_peek_at_a_separately_built_stream_leaves_the_training_stream_as_it_was(tmp_path):
    # SampleImages builds its own stream: a peek at fit's own stream advances its shared seed
    # generators by however far the prefetch ran ahead, and a seeded run no longer repeats
    keras.utils.set_random_seed(0)  # as train_stage_one does: the jitter's op seeds follow
    part = roi_part(tmp_path, n_ids=5, per_id=3)
    config = load_config(overrides=SMALL + ["stage_one.samples_per_class=2"])
    config.data.num_classes = 5
    reference = _first_batches(stage_one_stream(config, part, batches=12))

    training = stage_one_stream(config, part, batches=12)
    _peek_and_let_it_prefetch(stage_one_stream(config, part, batches=12))
    np.testing.assert_array_equal(_first_batches(training), reference)

    _peek_and_let_it_prefetch(training)  # the hazard the separate stream avoids
    assert not np.array_equal(_first_batches(training)[0], reference[0])


def test_sample_images_writes_a_batch_from_the_stream_it_builds(tmp_path):
    import tensorflow as tf

    from lateral_keras.training.sample_images import SampleImages

    images = np.full((6, 16, 32, 3), 255, np.uint8)
    built = []

    def make_dataset():
        built.append(True)
        return tf.data.Dataset.from_tensor_slices((images, np.zeros(6))).batch(4)

    SampleImages(str(tmp_path), make_dataset, max_images=3).on_train_begin()
    assert built == [True]
    (event_file,) = (tmp_path / "samples").iterdir()
    shown = [value for event in tf.compat.v1.train.summary_iterator(str(event_file))
             for value in event.summary.value if value.tag.startswith("augmented_rois")]
    assert len(shown) == 1 and shown[0].tensor.string_val[:2] == [b"32", b"16"]
    assert len(shown[0].tensor.string_val) == 2 + 3  # width, height, then three PNGs


def test_the_sample_streams_fish_are_the_first_by_label_and_fill_a_batch(tmp_path):
    part = roi_part(tmp_path, n_ids=5, per_id=3)
    order = np.random.default_rng(1).permutation(len(part.records))
    shuffled = type(part)([part.records[i] for i in order], part.labels[order])
    first = shuffled.first_fish(2)
    expected = [(r.identity, label) for r, label in zip(shuffled.records, shuffled.labels)
                if label in (0, 1)]
    assert [(r.identity, label) for r, label in zip(first.records, first.labels)] == expected
    assert len(expected) == 6
    config = load_config(overrides=SMALL + ["stage_one.samples_per_class=2"])
    config.data.num_classes = 5
    (images, labels), _ = next(iter(stage_one_stream(config, shuffled.first_fish(4))))
    assert images.shape[0] == 4 and set(labels.numpy().tolist()) <= {0, 1, 2, 3}
