"""Shared helpers for the loss tests: P x K batches, NumPy distance oracles, gradients."""

import math

import keras
import numpy as np
import pytest


def pk_batch(seed, num_identities=3, per_identity=3, dim=5):
    """Shuffled P x K labels (batch,) and float32 embeddings (batch, dim)."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(num_identities), per_identity)
    rng.shuffle(labels)
    embeddings = rng.normal(size=(labels.size, dim)).astype("float32")
    return labels, embeddings


def distance_oracle(embeddings, distance):
    """(batch, batch) distances by an explicit loop over pairs, in float64."""
    x = np.asarray(embeddings, dtype=np.float64)
    n = len(x)
    out = np.zeros((n, n))
    for a in range(n):
        for b in range(n):
            diff = x[a] - x[b]
            if distance == "euclidean":
                out[a, b] = math.sqrt(float(diff @ diff))
            elif distance == "squared_euclidean":
                out[a, b] = float(diff @ diff)
            else:
                cosine = float(x[a] @ x[b]) / (np.linalg.norm(x[a]) * np.linalg.norm(x[b]))
                out[a, b] = math.acos(min(max(cosine, -1.0 + 1e-7), 1.0 - 1e-7))
    return out


def positives_and_negatives(labels, a):
    """Indices of the positives (same label, not a) and negatives of anchor a."""
    positives = [p for p in range(len(labels)) if p != a and labels[p] == labels[a]]
    negatives = [n for n in range(len(labels)) if labels[n] != labels[a]]
    return positives, negatives


def gradient(fn, x):
    """Gradient of the scalar fn(x) with respect to the float32 array x on the active backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        variable = tf.Variable(x)
        with tf.GradientTape() as tape:
            value = fn(variable)
        return np.asarray(tape.gradient(value, variable))
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(fn)(jax.numpy.asarray(x)))
    pytest.skip(f"no gradient helper for backend {backend}")


def projection_gradient(loss_fn, num_positions=4, num_values=3, seed=0):
    """Gradient of loss_fn(soft_one_hot) w.r.t. the kernel of a Dense(m * q) projection.

    The projection feeds a softmax over q, as in the Index-of-Max layer.
    """
    rng = np.random.default_rng(seed)
    inputs = rng.normal(size=(6, 5)).astype("float32")
    layer = keras.layers.Dense(num_positions * num_values)
    layer.build((None, 5))
    bias = keras.ops.convert_to_numpy(layer.bias)

    def loss_of_kernel(kernel):
        logits, _ = layer.stateless_call([kernel, bias], [], inputs)
        logits = keras.ops.reshape(logits, (6, num_positions, num_values))
        return loss_fn(keras.ops.softmax(logits, axis=-1))

    return gradient(loss_of_kernel, keras.ops.convert_to_numpy(layer.kernel))
