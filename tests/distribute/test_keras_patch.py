"""The Keras multi-worker patch stays tied to the Keras releases it was checked on.

When Keras changes, ``test_installed_keras_is_checked_and_still_defective`` fails on purpose:
rerun ``tests/distribute/test_multi_worker.py`` (slow) with and without the patch on the new
release, then update ``CHECKED_KERAS`` or delete the patch.
"""

import keras
import numpy as np
import pytest

from lateral_keras.distribute import keras_patch


def test_installed_keras_is_checked_and_still_defective():
    assert keras.__version__.startswith(keras_patch.CHECKED_KERAS), (
        f"Keras {keras.__version__} is not among {keras_patch.CHECKED_KERAS}: re-check the "
        "multi-worker patch (keras-team/keras#20585) on it"
    )
    assert keras_patch.defects_present() == {name: True for name in keras_patch.DEFECT_MARKERS}


def test_apply_refuses_an_unchecked_release(monkeypatch):
    if keras_patch._STATE["applied"]:
        pytest.skip("already applied in this process")
    monkeypatch.setattr(keras, "__version__", "99.0.0")
    with pytest.raises(RuntimeError, match="99.0.0"):
        keras_patch.apply()
    assert not keras_patch._STATE["applied"]


def test_single_worker_reductions_are_left_to_keras():
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer

    original = keras_patch._STATE.get("reduce_per_replica", trainer.reduce_per_replica)
    patched = keras_patch._patched_reduce(original)
    strategy = tf.distribute.get_strategy()
    values = {"loss": tf.constant(2.5), "batch": tf.constant([[1.0, 2.0]])}
    for reduction in ("auto", "mean", "sum", "concat"):
        out = patched(values, strategy, reduction)
        expected = original(values, strategy, reduction)
        for name in values:
            np.testing.assert_array_equal(np.asarray(out[name]), np.asarray(expected[name]))
