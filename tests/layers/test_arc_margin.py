"""ArcMargin: harness, NumPy oracle, margin branches, finite gradients at |cos| = 1."""

import math

import keras
import numpy as np
import pytest
from keras.src.testing import TestCase

from lateral_keras.layers import ArcMargin

pytestmark = pytest.mark.backend_agnostic


def arc_oracle(emb, kernel, labels, s=64.0, m=0.5, m1=1.0, m3=0.0, easy=False, eps=1e-7):
    """Explicit loops over samples and classes, via the angle theta = arccos(c)."""
    n, num_classes = emb.shape[0], kernel.shape[1]
    out = np.zeros((n, num_classes))
    for i in range(n):
        e = emb[i] / np.linalg.norm(emb[i])
        for j in range(num_classes):
            c = float(e @ (kernel[:, j] / np.linalg.norm(kernel[:, j])))
            if labels is None or j != labels[i]:
                out[i, j] = s * c
                continue
            theta = math.acos(min(max(c, -1 + eps), 1 - eps))
            monotone = c > 0 if easy else c > math.cos(math.pi - m)
            if monotone:
                phi = math.cos(m1 * theta + m)
            else:
                phi = c if easy else c - m * math.sin(m)
            out[i, j] = s * (phi - m3)
    return out


def make_layer(emb_dim, kernel, **kwargs):
    layer = ArcMargin(kernel.shape[1], **kwargs)
    layer.build((None, emb_dim))
    layer.kernel.assign(kernel)
    return layer


class ArcMarginHarnessTest(TestCase):
    def test_with_labels(self):
        rng = np.random.default_rng(0)
        self.run_layer_test(
            ArcMargin,
            {"num_classes": 5, "scale": 30.0, "margin": 0.3},
            input_data=(rng.normal(size=(3, 8)).astype("float32"), np.array([0, 1, 4], "int32")),
            expected_output_shape=(3, 5),
            expected_output_dtype="float32",
            expected_num_trainable_weights=1,
            expected_num_non_trainable_weights=0,
        )

    def test_without_labels(self):
        self.run_layer_test(
            ArcMargin,
            {"num_classes": 7, "kernel_regularizer": "l2"},
            input_shape=(2, 8),
            expected_output_shape=(2, 7),
            expected_num_trainable_weights=1,
            expected_num_losses=1,
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"scale": 30.0, "margin": 0.3, "easy_margin": True},
        {"scale": 10.0, "margin": 0.25, "margin1": 1.3, "margin3": 0.1},
        {"scale": 16.0, "margin": 0.0, "margin3": 0.35},
        {"scale": 20.0, "margin": 0.2, "margin1": 2.0, "easy_margin": True},
    ],
)
def test_logits_match_numpy_oracle(kwargs):
    rng = np.random.default_rng(1)
    emb = rng.normal(size=(16, 6)).astype("float32")
    kernel = rng.normal(size=(6, 9)).astype("float32")
    labels = rng.integers(0, 9, size=16)
    emb[:4] = -kernel[:, labels[:4]].T + 0.05 * rng.normal(size=(4, 6))  # cos near -1
    layer = make_layer(6, kernel, **kwargs)
    oracle_kwargs = {
        "s": kwargs.get("scale", 64.0),
        "m": kwargs.get("margin", 0.5),
        "m1": kwargs.get("margin1", 1.0),
        "m3": kwargs.get("margin3", 0.0),
        "easy": kwargs.get("easy_margin", False),
    }
    got = keras.ops.convert_to_numpy(layer(emb, labels=labels.astype("int32")))
    np.testing.assert_allclose(got, arc_oracle(emb, kernel, labels, **oracle_kwargs), atol=2e-4)


def test_non_easy_margin_branch_closed_form():
    kernel = np.eye(3, dtype="float32")
    cos_y = np.array([-0.95, -0.5, 0.8], "float32")  # cos(pi - 0.5) = -0.8776
    emb = np.stack([cos_y, np.sqrt(1 - cos_y**2), np.zeros(3, "float32")], axis=1)
    layer = make_layer(3, kernel, scale=2.0, margin=0.5)
    got = keras.ops.convert_to_numpy(layer(emb, labels=np.zeros(3, "int32")))[:, 0]
    expected = [
        2.0 * (-0.95 - 0.5 * math.sin(0.5)),
        2.0 * math.cos(math.acos(-0.5) + 0.5),
        2.0 * math.cos(math.acos(0.8) + 0.5),
    ]
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_no_labels_returns_scaled_cosines_and_label_shapes_agree():
    rng = np.random.default_rng(2)
    emb = rng.normal(size=(5, 4)).astype("float32")
    kernel = rng.normal(size=(4, 3)).astype("float32")
    layer = make_layer(4, kernel, scale=8.0)
    got = keras.ops.convert_to_numpy(layer(emb))
    np.testing.assert_allclose(got, arc_oracle(emb, kernel, None, s=8.0), atol=1e-5)
    labels = np.array([0, 1, 2, 0, 1], "int32")
    flat = keras.ops.convert_to_numpy(layer(emb, labels=labels))
    column = keras.ops.convert_to_numpy(layer([emb, labels[:, None]]))
    np.testing.assert_array_equal(flat, column)
    assert not np.allclose(flat, got)


@pytest.mark.parametrize(
    "kwargs", [{}, {"easy_margin": True}, {"margin1": 2.0}, {"margin3": 0.2, "margin": 0.0}]
)
def test_gradients_finite_at_unit_cosine(kwargs, gradient):
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(5, 4)).astype("float32")
    emb = np.stack([kernel[:, 0], -kernel[:, 1]]).astype("float32")  # cos = +1 and -1
    labels = np.array([0, 1], "int32")
    layer = ArcMargin(4, **kwargs)
    layer.build((None, 5))

    unit = kernel / np.linalg.norm(kernel, axis=0)
    np.testing.assert_allclose(np.diag(emb @ unit) / np.linalg.norm(emb, axis=1), [1, -1], 1e-6)

    def loss(e, w):
        logits, _ = layer.stateless_call([w], [], e, labels=labels)
        return keras.ops.sum(logits)

    grads = gradient(loss, emb, kernel)
    for g in grads:
        assert np.all(np.isfinite(g))
    assert np.any(grads[0] != 0)


@pytest.mark.parametrize("labels_as_keyword", [False, True])
def test_functional_model_round_trip(labels_as_keyword, keras_round_trip):
    emb_in = keras.Input((6,))
    label_in = keras.Input((), dtype="int32")
    layer = ArcMargin(4, scale=16.0, margin=0.3, margin3=0.05)
    if labels_as_keyword:
        logits = layer(emb_in, labels=label_in)
    else:
        logits = layer([emb_in, label_in])
    model = keras.Model([emb_in, label_in], logits)
    rng = np.random.default_rng(4)
    inputs = [rng.normal(size=(3, 6)).astype("float32"), np.array([0, 3, 1], "int32")]
    loaded = keras_round_trip(model, inputs)
    assert loaded.layers[-1].get_config() == model.layers[-1].get_config()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_classes": 0},
        {"num_classes": 3, "scale": 0.0},
        {"num_classes": 3, "margin": -0.1},
        {"num_classes": 3, "margin1": 0.0},
        {"num_classes": 3, "margin3": -1.0},
        {"num_classes": 3, "epsilon": 0.5},
    ],
)
def test_invalid_arguments(kwargs):
    with pytest.raises(ValueError, match="Received: "):
        ArcMargin(**kwargs)
