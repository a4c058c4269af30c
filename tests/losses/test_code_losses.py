"""Quantization, code-balance and LUT losses against explicit loops and closed forms."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from lateral_keras.losses import (
    CodeBalanceLoss,
    LUTLoss,
    QuantizationLoss,
    code_balance_loss,
    expected_bits,
    expected_hamming,
    lut_loss,
    quantization_loss,
)
from tests.losses.loss_testing import gradient, projection_gradient

pytestmark = pytest.mark.backend_agnostic

BINARY_LUT = [[0, 0], [0, 1], [1, 0], [1, 1]]
PK_LABELS = np.array([0, 0, 1, 1, 2, 2])


def soft_one_hot(seed, batch=6, m=3, q=4):
    logits = np.random.default_rng(seed).normal(size=(batch, m, q))
    return (np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)).astype("float32")


def quantization_oracle(h):
    return np.array([sum((round(v) - v) ** 2 for v in row) for row in np.asarray(h, float)])


def code_balance_oracle(p):
    p = np.asarray(p, float)
    batch, m, q = p.shape
    kl = 0.0
    for i in range(m):
        for k in range(q):
            usage = sum(p[b, i, k] for b in range(batch)) / batch
            kl += usage * math.log(q * usage) / m if usage > 0 else 0.0
    out = []
    for b in range(batch):
        mean_index = sum(k * p[b, i, k] for i in range(m) for k in range(q)) / m
        out.append(abs(mean_index - (q - 1) / 2) + kl)
    return np.array(out)


def lut_oracle(labels, p, lut, activation):
    p, lut = np.asarray(p, float), np.asarray(lut, float)
    batch, m, q = p.shape
    bits = lut.shape[1]
    e = np.zeros((batch, m * bits))
    for b in range(batch):
        for i in range(m):
            for j in range(bits):
                e[b, i * bits + j] = sum(p[b, i, k] * lut[k, j] for k in range(q))

    def f(distance):
        return 0.5 * math.tanh(distance) if activation == "tanh" else 1 / (1 + math.exp(-distance))

    out = np.zeros(batch)
    for a in range(batch):
        positive, negative = [], []
        for c in range(batch):
            n_bits = m * bits
            hamming = sum(e[a, j] * (1 - e[c, j]) + e[c, j] * (1 - e[a, j]) for j in range(n_bits))
            distance = hamming / n_bits
            if c != a and labels[c] == labels[a]:
                positive.append(f(distance))
            elif labels[c] != labels[a]:
                negative.append(1 - f(distance))
        out[a] = (np.mean(positive) if positive else 0.0) + (np.mean(negative) if negative else 0.0)
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_quantization_matches_loop_and_treats_round_as_constant(seed):
    h = np.random.default_rng(seed).uniform(0, 3, size=(5, 4)).astype("float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(quantization_loss(h)), quantization_oracle(h), rtol=1e-5
    )
    grad = gradient(lambda x: ops.sum(quantization_loss(x)), h)
    np.testing.assert_allclose(grad, 2 * (h - np.round(h)), rtol=1e-5, atol=1e-6)


def test_quantization_closed_form_and_reductions():
    h = np.array([[0.25, 2.0], [1.5, 0.9]], "float32")
    weights = np.array([2.0, 1.0], "float32")
    values = np.array([0.0625, 0.26])
    np.testing.assert_allclose(ops.convert_to_numpy(quantization_loss(h)), values, rtol=1e-5)
    labels = np.array([0, 1])
    for reduction, expected in [("none", values), ("sum", values.sum()), (None, values)]:
        loss = QuantizationLoss(reduction=reduction)
        np.testing.assert_allclose(ops.convert_to_numpy(loss(labels, h)), expected, rtol=1e-5)
    np.testing.assert_allclose(
        ops.convert_to_numpy(QuantizationLoss()(labels, h, sample_weight=weights)),
        (weights * values).mean(), rtol=1e-5,
    )


@pytest.mark.parametrize("seed", [0, 1])
def test_code_balance_matches_loop(seed):
    p = soft_one_hot(seed)
    np.testing.assert_allclose(
        ops.convert_to_numpy(code_balance_loss(p)), code_balance_oracle(p), rtol=1e-4, atol=1e-6
    )


def test_code_balance_closed_forms():
    q = 4
    uniform = np.full((3, 5, q), 1 / q, "float32")
    np.testing.assert_allclose(ops.convert_to_numpy(code_balance_loss(uniform)), 0.0, atol=1e-6)
    all_zero = np.zeros((3, 5, q), "float32")
    all_zero[..., 0] = 1.0
    np.testing.assert_allclose(
        ops.convert_to_numpy(code_balance_loss(all_zero)), (q - 1) / 2 + math.log(q), rtol=1e-5
    )
    # Hard codes using every value equally often: only the centring term remains.
    balanced = np.eye(q, dtype="float32")[:, None, :].repeat(2, axis=1)
    np.testing.assert_allclose(
        ops.convert_to_numpy(code_balance_loss(balanced)), [1.5, 0.5, 0.5, 1.5], atol=1e-5
    )


def test_code_balance_reductions():
    p = soft_one_hot(3)
    values = code_balance_oracle(p)
    labels = np.zeros(6)
    weights = np.arange(6, dtype="float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(CodeBalanceLoss(reduction="none")(labels, p)), values, rtol=1e-4
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(CodeBalanceLoss()(labels, p, sample_weight=weights)),
        (weights * values).mean(), rtol=1e-4,
    )


def test_expected_bits_and_hamming_closed_forms():
    bits = ops.convert_to_numpy(expected_bits([[[0.5, 0.5, 0.0, 0.0]]], BINARY_LUT))
    np.testing.assert_allclose(bits, [[0.0, 0.5]])
    # Hard bits: the expected distance is the Hamming distance divided by the number of bits.
    hard = np.array([[0, 1, 1, 0], [1, 1, 0, 0], [0, 1, 1, 0]], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(expected_hamming(hard)),
        [[0, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0]], atol=1e-6,
    )


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("seed", [0, 1])
def test_lut_matches_loop(seed, activation):
    p = soft_one_hot(seed)
    np.testing.assert_allclose(
        ops.convert_to_numpy(lut_loss(PK_LABELS, p, BINARY_LUT, activation=activation)),
        lut_oracle(PK_LABELS, p, BINARY_LUT, activation),
        rtol=1e-5,
    )


def test_lut_closed_form_perfect_codes():
    # Identities use index 0 and 3: LUT bits 00 and 11, identical within, complementary across.
    p = np.zeros((4, 2, 4), "float32")
    p[:2, :, 0] = 1.0
    p[2:, :, 3] = 1.0
    values = ops.convert_to_numpy(lut_loss([0, 0, 1, 1], p, BINARY_LUT, activation="tanh"))
    np.testing.assert_allclose(values, np.full(4, 1 - 0.5 * math.tanh(1.0)), rtol=1e-6)
    loss = LUTLoss(lut=BINARY_LUT, reduction="sum")
    np.testing.assert_allclose(ops.convert_to_numpy(loss([0, 0, 1, 1], p)), values.sum(), 1e-6)


@pytest.mark.parametrize(
    "loss_fn",
    [
        lambda p: ops.mean(code_balance_loss(p)),
        lambda p: ops.mean(lut_loss(PK_LABELS, p, BINARY_LUT)),
        lambda p: ops.mean(lut_loss(PK_LABELS, p, BINARY_LUT, activation="sigmoid")),
        lambda p: ops.mean(quantization_loss(ops.sum(p * ops.arange(4, dtype=p.dtype), -1))),
    ],
    ids=["code_balance", "lut_tanh", "lut_sigmoid", "quantization"],
)
def test_code_losses_have_non_zero_gradients_through_a_projection(loss_fn):
    grad = projection_gradient(loss_fn, num_positions=4, num_values=4)
    assert np.all(np.isfinite(grad))
    assert np.abs(grad).max() > 1e-6


@pytest.mark.parametrize(
    "instance",
    [
        QuantizationLoss(reduction="sum", name="q"),
        CodeBalanceLoss(epsilon=1e-6),
        LUTLoss(lut=BINARY_LUT, activation="sigmoid"),
        LUTLoss(lut=np.array(BINARY_LUT), activation="tanh", reduction="none"),
    ],
    ids=["quantization", "code_balance", "lut_sigmoid", "lut_numpy_table"],
)
def test_serialization_round_trip(instance):
    restored = keras.losses.deserialize(keras.losses.serialize(instance))
    assert type(restored) is type(instance)
    assert restored.get_config() == instance.get_config()
    assert type(instance).from_config(instance.get_config()).get_config() == instance.get_config()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: CodeBalanceLoss(epsilon=0.0), "epsilon=0.0"),
        (lambda: code_balance_loss(np.ones((2, 3), "float32")), r"shape=\(2, 3\)"),
        (lambda: quantization_loss(np.ones(3, "float32")), r"shape=\(3,\)"),
        (lambda: LUTLoss(lut=[[0, 2], [1, 0]]), "Received: lut="),
        (lambda: LUTLoss(lut=BINARY_LUT, activation="relu"), "activation=relu"),
        (lambda: expected_bits(np.ones((2, 3, 3), "float32"), BINARY_LUT), r"shape=\(2, 3, 3\)"),
    ],
)
def test_invalid_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
