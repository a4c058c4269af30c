"""Arc-triplet loss against explicit loops over anchors and triplets."""

import math

import keras
import numpy as np
import pytest
from keras import ops

from lateral_keras.losses import ArcTripletLoss, arc_triplet_loss
from tests.losses.loss_testing import distance_oracle, gradient, pk_batch, positives_and_negatives

pytestmark = pytest.mark.backend_agnostic


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def negative_term(theta, m):
    return sigmoid(math.cos(theta + m) - math.sin(theta))


def positive_term(theta, m):
    return sigmoid(math.sin(theta + m) - math.cos(theta))


def batch_hard_oracle(labels, theta, margin, scale, add_positive_angle):
    out = np.zeros(len(labels))
    for a in range(len(labels)):
        positives, negatives = positives_and_negatives(labels, a)
        if positives and negatives:
            theta_p = max(theta[a, p] for p in positives)
            theta_n = min(theta[a, n] for n in negatives)
            out[a] = scale * (negative_term(theta_n, margin) + positive_term(theta_p, margin))
            out[a] += theta_p if add_positive_angle else 0.0
    return out


def batch_all_oracle(labels, theta, margin, scale, add_positive_angle):
    values = []
    for a in range(len(labels)):
        positives, negatives = positives_and_negatives(labels, a)
        for p in positives:
            for n in negatives:
                value = negative_term(theta[a, n], margin) + positive_term(theta[a, p], margin)
                values.append(scale * value + (theta[a, p] if add_positive_angle else 0.0))
    return np.mean(values)


@pytest.mark.parametrize("add_positive_angle", [False, True])
@pytest.mark.parametrize("seed, margin", [(0, 0.0), (1, 0.2), (2, 0.5)])
def test_matches_loop_oracles(seed, margin, add_positive_angle):
    labels, embeddings = pk_batch(seed)
    theta = distance_oracle(embeddings, "angular")
    kwargs = {"margin": margin, "scale": 32.0, "add_positive_angle": add_positive_angle}
    hard = arc_triplet_loss(labels, embeddings, mining="batch_hard", **kwargs)
    np.testing.assert_allclose(
        ops.convert_to_numpy(hard), batch_hard_oracle(labels, theta, **kwargs), rtol=1e-4
    )
    every = arc_triplet_loss(labels, embeddings, mining="batch_all", **kwargs)
    np.testing.assert_allclose(
        ops.convert_to_numpy(every),
        np.full(len(labels), batch_all_oracle(labels, theta, **kwargs)),
        rtol=1e-4,
    )


def test_hand_computed_right_angle_case():
    # The two positives are 0.3 rad apart; the negative is orthogonal to the first.
    labels = np.array([0, 0, 1])
    embeddings = np.array([[1.0, 0.0], [math.cos(0.3), math.sin(0.3)], [0.0, 1.0]], "float32")
    values = ops.convert_to_numpy(
        arc_triplet_loss(labels, embeddings, mining="batch_hard", margin=0.1, scale=1.0)
    )
    # Anchor 0: theta+ = 0.3, theta- = pi/2; anchor 1: theta+ = 0.3, theta- = pi/2 - 0.3.
    expected_0 = sigmoid(math.cos(math.pi / 2 + 0.1) - 1.0) + sigmoid(
        math.sin(0.4) - math.cos(0.3)
    )
    expected_1 = sigmoid(math.cos(math.pi / 2 - 0.2) - math.sin(math.pi / 2 - 0.3)) + sigmoid(
        math.sin(0.4) - math.cos(0.3)
    )
    np.testing.assert_allclose(values, [expected_0, expected_1, 0.0], rtol=1e-5)


def test_scale_is_linear_and_batch_all_is_a_mean_not_a_sum():
    labels, embeddings = pk_batch(4)
    small = arc_triplet_loss(labels, embeddings, mining="batch_all", scale=1.0)
    large = arc_triplet_loss(labels, embeddings, mining="batch_all", scale=32.0)
    np.testing.assert_allclose(ops.convert_to_numpy(large), 32 * ops.convert_to_numpy(small))
    # Two sigmoids per triplet: a mean lies in (0, 2 * scale).
    assert 0.0 < float(ops.convert_to_numpy(small)[0]) < 2.0


def test_uses_the_true_cosine():
    # Scaling one embedding changes no angle, so the loss is scale invariant per sample.
    labels, embeddings = pk_batch(6)
    scaled = embeddings * np.linspace(0.5, 3.0, len(labels))[:, None].astype("float32")
    for mining in ["batch_hard", "batch_all"]:
        np.testing.assert_allclose(
            ops.convert_to_numpy(arc_triplet_loss(labels, embeddings, mining=mining)),
            ops.convert_to_numpy(arc_triplet_loss(labels, scaled, mining=mining)),
            rtol=1e-4,
        )


@pytest.mark.parametrize("mining", ["batch_hard", "batch_all"])
def test_reductions_and_finite_gradients(mining):
    labels = np.array([0, 0, 1, 1])
    embeddings = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], "float32")
    values = ops.convert_to_numpy(arc_triplet_loss(labels, embeddings, mining=mining))
    loss = ArcTripletLoss(mining=mining, reduction="sum")
    np.testing.assert_allclose(ops.convert_to_numpy(loss(labels, embeddings)), values.sum(), 1e-5)
    loss = ArcTripletLoss(mining=mining)
    weights = np.array([1.0, 0.0, 2.0, 1.0], "float32")
    np.testing.assert_allclose(
        ops.convert_to_numpy(loss(labels, embeddings, sample_weight=weights)),
        (weights * values).mean(),
        rtol=1e-5,
    )
    grad = gradient(lambda x: loss(labels, x), embeddings)
    assert np.all(np.isfinite(grad))
    assert np.any(grad != 0)


def test_serialization_round_trip():
    instance = ArcTripletLoss(mining="batch_all", margin=0.2, scale=16.0, add_positive_angle=True)
    restored = keras.losses.deserialize(keras.losses.serialize(instance))
    assert isinstance(restored, ArcTripletLoss)
    assert restored.get_config() == instance.get_config()
    assert ArcTripletLoss.from_config(instance.get_config()).get_config() == instance.get_config()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mining": "semi_hard"}, "mining=semi_hard"),
        ({"margin": -0.1}, "margin=-0.1"),
        ({"scale": 0.0}, "scale=0.0"),
    ],
)
def test_invalid_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ArcTripletLoss(**kwargs)
