"""Every loss class trains a small model for one compiled (graph / jit) step that moves weights."""

import keras
import numpy as np
import pytest

from lateral_keras.losses import (
    ArcTripletLoss,
    CodeBalanceLoss,
    LUTLoss,
    QuantizationLoss,
    SparseSmoothedCrossentropy,
    TripletLoss,
)

pytestmark = pytest.mark.backend_agnostic

M, Q = 3, 4


def soft_code_model():
    inputs = keras.Input((5,))
    logits = keras.layers.Reshape((M, Q))(keras.layers.Dense(M * Q)(inputs))
    return keras.Model(inputs, keras.layers.Softmax(axis=-1)(logits))


def class_logits_model():
    inputs = keras.Input((5,))
    return keras.Model(inputs, keras.layers.Dense(4)(inputs))


def soft_index_model():
    inputs = keras.Input((5,))
    p = soft_code_model()(inputs)
    return keras.Model(inputs, keras.layers.Dense(M, use_bias=False)(keras.layers.Flatten()(p)))


@pytest.mark.parametrize(
    "loss, build",
    [
        (TripletLoss(mining="batch_hard", margin=0.5), soft_index_model),
        (TripletLoss(mining="semi_hard", distance="angular"), soft_index_model),
        (TripletLoss(mining="batch_all", distance="squared_euclidean"), soft_index_model),
        (ArcTripletLoss(mining="batch_hard", margin=0.1), soft_index_model),
        (ArcTripletLoss(mining="batch_all"), soft_index_model),
        (QuantizationLoss(), soft_index_model),
        (CodeBalanceLoss(), soft_code_model),
        (LUTLoss(lut=[[0, 0], [0, 1], [1, 0], [1, 1]]), soft_code_model),
        (SparseSmoothedCrossentropy(label_smoothing=0.1), class_logits_model),
    ],
    ids=lambda x: getattr(x, "name", "") if isinstance(x, keras.losses.Loss) else "",
)
def test_one_compiled_fit_step(loss, build):
    keras.utils.set_random_seed(0)
    model = build()
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss=loss)
    x = np.random.default_rng(0).normal(size=(8, 5)).astype("float32")
    y = np.repeat(np.arange(4), 2)[:, None]
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))
