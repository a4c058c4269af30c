"""Streaming pairwise metrics against the NumPy figures on all in-batch pairs."""

import keras
import numpy as np
import pytest
from keras import ops

from lateral_keras.metrics import (
    PairwiseAUC,
    PairwiseEER,
    PairwiseTARatFAR,
    auc,
    eer,
    tar_at_far,
)

pytestmark = pytest.mark.backend_agnostic


def _numpy_cosine(x):
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    return unit @ unit.T


def _numpy_collision(codes):
    return np.mean(codes[:, None, :] == codes[None, :, :], axis=-1)


def _in_batch_pairs(batches, similarity):
    """Scores and labels of every pair i < j within each batch, concatenated (the oracle)."""
    scores, labels = [], []
    for y, x in batches:
        s = similarity(x)
        for i in range(len(y)):
            for j in range(i + 1, len(y)):
                scores.append(s[i, j])
                labels.append(int(y[i] == y[j]))
    return np.array(scores), np.array(labels)


def _embedding_batches(seed, num_batches=3, batch_size=24):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(6, 8))
    batches = []
    for _ in range(num_batches):
        y = rng.integers(0, 6, size=batch_size)
        batches.append((y, (centres[y] + 1.2 * rng.normal(size=(batch_size, 8))).astype("float32")))
    return batches


def _code_batches(seed, num_batches=3, batch_size=20, m=16, q=4):
    rng = np.random.default_rng(seed)
    prototypes = rng.integers(0, q, size=(5, m))
    batches = []
    for _ in range(num_batches):
        y = rng.integers(0, 5, size=batch_size)
        noise = rng.integers(0, q, size=(batch_size, m))
        keep = rng.random((batch_size, m)) < 0.5
        batches.append((y, np.where(keep, prototypes[y], noise).astype("int32")))
    return batches


@pytest.mark.parametrize("num_bins,tolerance", [(200, 1e-2), (4000, 1e-3)])
def test_eer_accumulates_all_pairs(num_bins, tolerance):
    batches = _embedding_batches(0)
    metric = PairwiseEER(num_bins=num_bins)
    for y, x in batches:
        metric.update_state(y, x)
    scores, labels = _in_batch_pairs(batches, _numpy_cosine)
    expected, _ = eer(scores, labels)
    assert abs(float(metric.result()) - expected) < tolerance


def test_collision_figures_are_exact():
    # Every collision count c / m has its own bin, so the histogram ROC is the exact ROC.
    batches = _code_batches(1)
    metrics = [
        PairwiseEER(num_bins=64, similarity="collision"),
        PairwiseAUC(num_bins=64, similarity="collision"),
        PairwiseTARatFAR(far=0.05, num_bins=64, similarity="collision"),
    ]
    for y, codes in batches:
        for metric in metrics:
            metric.update_state(y, codes)
    scores, labels = _in_batch_pairs(batches, _numpy_collision)
    expected = [eer(scores, labels)[0], auc(scores, labels), tar_at_far(scores, labels, 0.05)[0]]
    results = [float(metric.result()) for metric in metrics]
    np.testing.assert_allclose(results, expected, atol=1e-5)


def test_soft_codes_are_argmaxed_or_rounded():
    y, codes = _code_batches(2, num_batches=1)[0]
    rng = np.random.default_rng(3)
    one_hot = np.eye(4, dtype="float32")[codes] + 0.1 * rng.random((*codes.shape, 4))
    soft_index = codes.astype("float32") + rng.uniform(-0.4, 0.4, size=codes.shape)
    results = []
    for y_pred in (codes, one_hot.astype("float32"), soft_index.astype("float32")):
        metric = PairwiseEER(num_bins=64, similarity="collision")
        metric.update_state(y, y_pred)
        results.append(float(metric.result()))
    assert results[0] == pytest.approx(results[1]) == pytest.approx(results[2])


def test_auc_and_tar_close_to_numpy():
    batches = _embedding_batches(4)
    auc_metric = PairwiseAUC(num_bins=2000)
    tar_metric = PairwiseTARatFAR(far=0.1, num_bins=2000)
    for y, x in batches:
        auc_metric.update_state(y, x)
        tar_metric.update_state(y, x)
    scores, labels = _in_batch_pairs(batches, _numpy_cosine)
    assert float(auc_metric.result()) == pytest.approx(auc(scores, labels), abs=2e-3)
    tar = float(tar_metric.result())
    assert tar <= tar_at_far(scores, labels, 0.1)[0] + 1e-6  # bin edges only: never above
    assert tar == pytest.approx(tar_at_far(scores, labels, 0.1)[0], abs=2e-2)


def test_zero_sample_weight_drops_the_sample():
    y, x = _embedding_batches(5, num_batches=1)[0]
    weighted = PairwiseEER(num_bins=500)
    weights = np.ones(len(y), "float32")
    weights[:5] = 0.0
    weighted.update_state(y, x, sample_weight=weights)
    dropped = PairwiseEER(num_bins=500)
    dropped.update_state(y[5:], x[5:])
    assert float(weighted.result()) == pytest.approx(float(dropped.result()))


def test_reset_and_empty_state():
    metric = PairwiseEER()
    assert np.isnan(float(metric.result()))
    y, x = _embedding_batches(6, num_batches=1)[0]
    metric.update_state(y, x)
    assert np.isfinite(float(metric.result()))
    metric.reset_state()
    assert float(ops.sum(metric.genuine_counts)) == 0.0
    assert np.isnan(float(metric.result()))


def test_tar_needs_enough_impostors():
    metric = PairwiseTARatFAR(far=1e-3)
    y, x = _embedding_batches(7, num_batches=1, batch_size=10)[0]  # < 1000 impostor pairs
    metric.update_state(y, x)
    assert np.isnan(float(metric.result()))


@pytest.mark.parametrize("cls", [PairwiseEER, PairwiseAUC, PairwiseTARatFAR])
def test_config_round_trip(cls):
    metric = cls(num_bins=50, similarity="collision", name="m")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert type(restored) is cls
    assert restored.get_config() == metric.get_config()
    assert restored.num_bins == 50 and restored.similarity == "collision"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"num_bins": 1}, "Received: num_bins=1"),
        ({"similarity": "hamming"}, "Received: similarity=hamming"),
        ({"far": 0.0}, "Received: far=0.0"),
    ],
)
def test_invalid_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        PairwiseTARatFAR(**kwargs)


def test_compile_fit_evaluate():
    rng = np.random.default_rng(8)
    y = rng.integers(0, 4, size=48)
    x = (np.eye(4)[y] @ rng.normal(size=(4, 6)) + 0.5 * rng.normal(size=(48, 6))).astype("float32")
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5)])
    model.compile(
        optimizer="sgd",
        loss=lambda y_true, y_pred: ops.mean(ops.square(y_pred), axis=-1),
        metrics=[PairwiseEER(num_bins=4000), PairwiseAUC(num_bins=4000)],
    )
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    assert np.isfinite(history.history["pairwise_eer"][0])
    logs = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    embeddings = model.predict(x, batch_size=16, verbose=0)
    batches = [(y[k : k + 16], embeddings[k : k + 16]) for k in range(0, 48, 16)]
    scores, labels = _in_batch_pairs(batches, _numpy_cosine)
    assert logs["pairwise_eer"] == pytest.approx(eer(scores, labels)[0], abs=5e-3)
    assert logs["pairwise_auc"] == pytest.approx(auc(scores, labels), abs=5e-3)


@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_keras_file_round_trip(tmp_path):
    rng = np.random.default_rng(9)
    y = rng.integers(0, 3, size=24)
    x = rng.normal(size=(24, 4)).astype("float32")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[PairwiseTARatFAR(far=0.2, num_bins=300)],
    )
    before = model.evaluate(x, y, batch_size=24, verbose=0, return_dict=True)
    path = str(tmp_path / "model.keras")
    model.save(path)
    restored = keras.saving.load_model(path)
    after = restored.evaluate(x, y, batch_size=24, verbose=0, return_dict=True)
    assert np.isfinite(before["pairwise_tar_at_far"])
    assert after["pairwise_tar_at_far"] == pytest.approx(before["pairwise_tar_at_far"])
