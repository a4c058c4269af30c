"""`without_autotune_thread` turns tf.data autotuning off and leaves the elements alone."""

import numpy as np
import tensorflow as tf

from lateral_keras.training.fit_stream import without_autotune_thread
from lateral_keras.training.pk_sampler import pk_dataset


def test_elements_are_unchanged_and_autotuning_is_off():
    dataset = tf.data.Dataset.range(10).map(lambda i: i * i, num_parallel_calls=tf.data.AUTOTUNE)
    stream = without_autotune_thread(dataset.batch(3).prefetch(tf.data.AUTOTUNE))
    assert dataset.options().autotune.enabled is None  # TensorFlow's default: on
    assert stream.options().autotune.enabled is False
    batches = [batch.tolist() for batch in stream.as_numpy_iterator()]
    assert batches == [[0, 1, 4], [9, 16, 25], [36, 49, 64], [81]]


def test_stage_two_stream_runs_without_autotuning():
    labels = np.repeat(np.arange(4), 3)
    embeddings = np.arange(12 * 2, dtype="float32").reshape(12, 2)
    dataset, steps = pk_dataset(embeddings, labels, 2, 2, passes=3, seed=0)
    assert dataset.options().autotune.enabled is False
    batches = list(dataset.as_numpy_iterator())
    assert steps == 2 and len(batches) == 3 * steps
    for x, y in batches:  # each row is one sample's embedding [2 i, 2 i + 1], with its label
        index = (x[:, 0] // 2).astype(int)
        np.testing.assert_array_equal(x[:, 1], x[:, 0] + 1)
        np.testing.assert_array_equal(labels[index], y)
        _, counts = np.unique(y, return_counts=True)
        assert counts.tolist() == [2, 2]  # P = 2 identities, K = 2 photos each
