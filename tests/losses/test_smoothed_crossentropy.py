"""Label-smoothed sparse cross-entropy against a NumPy loop."""

import math

import keras
import numpy as np
import pytest

from lateral_keras.losses import SparseSmoothedCrossentropy, sparse_smoothed_crossentropy

pytestmark = pytest.mark.backend_agnostic


def oracle(labels, logits, smoothing):
    out = []
    for label, row in zip(np.ravel(labels), np.asarray(logits, float)):
        top = max(row)
        log_norm = top + math.log(sum(math.exp(v - top) for v in row))
        loss = 0.0
        for j, value in enumerate(row):
            target = (1 - smoothing) * (j == label) + smoothing / len(row)
            loss -= target * (value - log_norm)
        out.append(loss)
    return np.array(out)


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.3])
@pytest.mark.parametrize("label_shape", [(6,), (6, 1)])
def test_matches_the_loop(smoothing, label_shape):
    rng = np.random.default_rng(0)
    logits = (rng.normal(size=(6, 5)) * 8).astype("float32")  # margin-logit scale
    labels = rng.integers(0, 5, 6).reshape(label_shape)
    got = keras.ops.convert_to_numpy(sparse_smoothed_crossentropy(labels, logits, smoothing))
    np.testing.assert_allclose(got, oracle(labels, logits, smoothing), rtol=1e-5, atol=1e-5)


def test_no_smoothing_is_keras_sparse_crossentropy_and_smoothing_changes_it():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(8, 7)).astype("float32") * 4
    labels = rng.integers(0, 7, 8)
    plain = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, logits)
    ours = SparseSmoothedCrossentropy(label_smoothing=0.0)(labels, logits)
    np.testing.assert_allclose(float(ours), float(plain), rtol=1e-5)
    assert abs(float(SparseSmoothedCrossentropy(0.2)(labels, logits)) - float(plain)) > 1e-2


def test_closed_form_for_equal_logits():
    # Equal logits: softmax is uniform, so the loss is log C whatever the smoothing.
    got = SparseSmoothedCrossentropy(0.4, reduction="none")([2, 0], np.zeros((2, 4), "float32"))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), [math.log(4)] * 2, rtol=1e-6)


def test_sample_weights_and_config_round_trip():
    loss = SparseSmoothedCrossentropy(label_smoothing=0.15, name="ls")
    restored = keras.losses.deserialize(keras.losses.serialize(loss))
    assert isinstance(restored, SparseSmoothedCrossentropy)
    assert restored.get_config() == loss.get_config()
    logits = np.random.default_rng(2).normal(size=(4, 3)).astype("float32")
    labels = np.array([0, 1, 2, 1])
    weights = np.array([1.0, 0.0, 2.0, 1.0], "float32")
    expected = (oracle(labels, logits, 0.15) * weights).sum() / 4
    np.testing.assert_allclose(float(restored(labels, logits, sample_weight=weights)), expected,
                               rtol=1e-5)


@pytest.mark.parametrize("smoothing", [-0.1, 1.0])
def test_bad_smoothing_is_refused(smoothing):
    with pytest.raises(ValueError, match="label_smoothing"):
        SparseSmoothedCrossentropy(label_smoothing=smoothing)


def test_a_model_compiled_with_it_survives_a_keras_file(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(4)(inputs))
    model.compile(optimizer="sgd", loss=SparseSmoothedCrossentropy(label_smoothing=0.25))
    path = str(tmp_path / "model.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.random.default_rng(3).normal(size=(5, 3)).astype("float32")
    y = np.array([0, 1, 2, 3, 1])
    logits = keras.ops.convert_to_numpy(loaded(x))
    expected = oracle(y, logits, 0.25).mean()
    np.testing.assert_allclose(float(loaded.evaluate(x, y, verbose=0)), expected, rtol=1e-5)
