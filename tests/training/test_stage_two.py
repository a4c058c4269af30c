"""Stage two's custom train_step: every term tracked, codes learn the identities."""

import keras
import numpy as np
import pytest

from lateral_keras.layers import IoMProjection
from lateral_keras.training.pk_sampler import pk_index_batches
from lateral_keras.training.stage_two import TERMS, IoMTrainer, iom_loss_terms

pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="stage two's train_step is TensorFlow-only"
)


def clustered(n_ids=12, per_id=8, dim=32, noise=0.6, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_ids, dim))
    labels = np.repeat(np.arange(n_ids), per_id)
    x = centres[labels] + noise * rng.normal(size=(len(labels), dim))
    return x.astype("float32"), labels.astype("int32")


def pk_dataset(x, y, epochs, seed=0):
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    batches = np.concatenate([pk_index_batches(y, 4, 4, rng) for _ in range(epochs)])
    return tf.data.Dataset.from_tensor_slices(batches).map(
        lambda idx: (tf.gather(x, idx), tf.gather(y, idx))
    )


def test_terms_off_are_zero_and_on_are_positive():
    x, y = clustered()
    soft = IoMProjection(m=16, q=4, seed=1)(x[:16])
    from lateral_keras.losses import get_metric_loss

    lut = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
    off = iom_loss_terms(y[:16], soft, metric_loss=get_metric_loss("batch_hard_triplet"),
                         quanti=False, code_balance=False, lut=None, lut_activation="tanh",
                         lut_weight=0.001, regularization=0.0)
    on = iom_loss_terms(y[:16], soft, metric_loss=get_metric_loss("batch_hard_triplet"),
                        quanti=True, code_balance=True, lut=lut, lut_activation="tanh",
                        lut_weight=0.001, regularization=1.5)
    assert set(off) == set(TERMS) == set(on)
    for name in TERMS[1:]:
        assert float(off[name]) == 0.0
        assert float(on[name]) > 0.0
    assert float(on["regularization_loss"]) == pytest.approx(1.5)


def test_fit_tracks_every_term_and_codes_separate_identities():
    x, y = clustered()
    projection = IoMProjection(m=32, q=4, seed=3)
    lut = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32")
    trainer = IoMTrainer(projection, "batch_hard_arc_triplet_loss", margin=0.1, lut=lut,
                         weight_decay=1e-5)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
    before = trainer.evaluate(pk_dataset(x, y, 1, seed=9), verbose=0, return_dict=True)
    history = trainer.fit(pk_dataset(x, y, 20), steps_per_epoch=3, epochs=20, verbose=0)
    for name in ("loss",) + TERMS:
        assert name in history.history and np.isfinite(history.history[name]).all()
    assert history.history["metric_loss"][-1] < history.history["metric_loss"][0]
    after = trainer.evaluate(pk_dataset(x, y, 1, seed=9), verbose=0, return_dict=True)
    assert after["pairwise_eer"] < before["pairwise_eer"]
    assert after["pairwise_eer"] < 0.1


def trained_weights(jit_compile, x, y):
    trainer = IoMTrainer(IoMProjection(m=32, q=4, seed=3), "batch_hard_triplet", margin=0.2,
                         lut=np.array([[0, 0], [0, 1], [1, 0], [1, 1]], "float32"))
    trainer(x[:1])
    trainer.compile(optimizer=keras.optimizers.SGD(0.05), jit_compile=jit_compile,
                    steps_per_execution=2)
    assert trainer.jit_compile is jit_compile  # Keras did not fall back
    history = trainer.fit(pk_dataset(x, y, 4), steps_per_epoch=6, epochs=2, verbose=0)
    return trainer.projection.get_weights(), history.history


def test_xla_train_step_trains_as_the_plain_one():
    x, y = clustered()
    plain_weights, plain_history = trained_weights(False, x, y)
    xla_weights, xla_history = trained_weights(True, x, y)
    for name in ("loss",) + TERMS:
        np.testing.assert_allclose(xla_history[name], plain_history[name], rtol=1e-4, atol=1e-6)
    assert plain_history["loss"][1] != plain_history["loss"][0]  # it did train
    for plain, xla in zip(plain_weights, xla_weights):
        np.testing.assert_allclose(xla, plain, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "overrides, strategy, expected",
    [
        ([], None, True),
        (["stage_two.jit_compile=false"], None, False),
        ([], "a strategy", False),
        (["stage_two.end_to_end=true"], None, False),
        (["stage_two.end_to_end=true", "stage_one.jit_compile=true"], None, True),
    ],
)
def test_uses_xla_follows_the_config(overrides, strategy, expected):
    from lateral_keras.config import load_config
    from lateral_keras.training.stage_two_run import uses_xla

    assert uses_xla(load_config(overrides=overrides), strategy) is expected
