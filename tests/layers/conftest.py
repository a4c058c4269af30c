"""Helpers shared by the layer tests."""

import keras
import numpy as np
import pytest


def _to_numpy(structure):
    return keras.tree.map_structure(keras.ops.convert_to_numpy, structure)


@pytest.fixture
def keras_round_trip(tmp_path):
    """Save ``model`` as ``.keras``, load it back and check identical outputs on ``inputs``.

    Returns the loaded model.
    """

    def check(model, inputs):
        before = _to_numpy(model(inputs, training=False))
        path = tmp_path / "model.keras"
        model.save(path)
        loaded = keras.saving.load_model(path)
        after = _to_numpy(loaded(inputs, training=False))
        keras.tree.map_structure(np.testing.assert_array_equal, before, after)
        return loaded

    return check


@pytest.fixture
def gradient():
    """``gradient(fn, *args)``: gradients of scalar ``fn(*args)`` wrt every arg, as NumPy."""

    def compute(fn, *args):
        args = [keras.ops.convert_to_tensor(a) for a in args]
        if keras.backend.backend() == "jax":
            import jax

            grads = jax.grad(fn, argnums=tuple(range(len(args))))(*args)
        else:
            import tensorflow as tf

            with tf.GradientTape() as tape:
                tape.watch(args)
                value = fn(*args)
            grads = tape.gradient(value, args)
        return [keras.ops.convert_to_numpy(g) for g in grads]

    return compute
