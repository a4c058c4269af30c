"""Triplet losses against explicit loops over enumerated pairs and triplets."""

import keras
import numpy as np
import pytest
from keras import ops

from lateral_keras.losses import (
    TripletLoss,
    anchor_mask,
    batch_all_triplet_loss,
    batch_hard_triplet_loss,
    pair_masks,
    semi_hard_triplet_loss,
    triplet_loss,
)
from tests.losses.loss_testing import distance_oracle, gradient, pk_batch, positives_and_negatives

pytestmark = pytest.mark.backend_agnostic

DISTANCES = ["euclidean", "squared_euclidean", "angular"]


def batch_hard_oracle(labels, d, margin):
    out = np.zeros(len(labels))
    for a in range(len(labels)):
        positives, negatives = positives_and_negatives(labels, a)
        if positives and negatives:
            hardest_positive = max(d[a, p] for p in positives)
            hardest_negative = min(d[a, n] for n in negatives)
            out[a] = max(0.0, hardest_positive - hardest_negative + margin)
    return out


def semi_hard_oracle(labels, d, margin):
    out = np.zeros(len(labels))
    for a in range(len(labels)):
        positives, negatives = positives_and_negatives(labels, a)
        if not (positives and negatives):
            continue
        pair_losses = []
        for p in positives:
            beyond = [d[a, n] for n in negatives if d[a, n] > d[a, p]]
            chosen = min(beyond) if beyond else max(d[a, n] for n in negatives)
            pair_losses.append(max(0.0, d[a, p] - chosen + margin))
        out[a] = np.mean(pair_losses)
    return out


def batch_all_oracle(labels, d, margin):
    active = []
    for a in range(len(labels)):
        positives, negatives = positives_and_negatives(labels, a)
        for p in positives:
            for n in negatives:
                value = d[a, p] - d[a, n] + margin
                if value > 0:
                    active.append(value)
    return np.mean(active) if active else 0.0


@pytest.mark.parametrize("distance", DISTANCES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mining_matches_loop_oracles_on_pk_batches(seed, distance):
    labels, embeddings = pk_batch(seed)
    d = distance_oracle(embeddings, distance)
    margin = {"euclidean": 0.5, "squared_euclidean": 1.0, "angular": 0.3}[distance]
    kwargs = {"margin": margin, "distance": distance}
    np.testing.assert_allclose(
        ops.convert_to_numpy(batch_hard_triplet_loss(labels, embeddings, **kwargs)),
        batch_hard_oracle(labels, d, margin), rtol=1e-4, atol=1e-4,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(semi_hard_triplet_loss(labels, embeddings, **kwargs)),
        semi_hard_oracle(labels, d, margin), rtol=1e-4, atol=1e-4,
    )
    np.testing.assert_allclose(
        ops.convert_to_numpy(batch_all_triplet_loss(labels, embeddings, **kwargs)),
        np.full(len(labels), batch_all_oracle(labels, d, margin)), rtol=1e-4, atol=1e-4,
    )


def test_semi_hard_is_not_batch_all_or_batch_hard():
    labels, embeddings = pk_batch(5, num_identities=4, per_identity=3)
    d = distance_oracle(embeddings, "euclidean")
    semi = ops.convert_to_numpy(semi_hard_triplet_loss(labels, embeddings, margin=1.0))
    hard = ops.convert_to_numpy(batch_hard_triplet_loss(labels, embeddings, margin=1.0))
    assert not np.allclose(semi, hard)
    assert not np.isclose(semi.mean(), batch_all_oracle(labels, d, 1.0))


def test_invalid_anchors_give_zero_and_labels_may_be_a_column():
    # Identity 2 has one image (no positive); every anchor has negatives.
    labels = np.array([[0], [0], [1], [1], [2]])
    embeddings = np.array([[0.0], [1.0], [1.2], [3.0], [0.5]], "float32")
    d = distance_oracle(embeddings, "euclidean")
    for fn, oracle in [
        (batch_hard_triplet_loss, batch_hard_oracle),
        (semi_hard_triplet_loss, semi_hard_oracle),
    ]:
        values = ops.convert_to_numpy(fn(labels, embeddings, margin=1.0))
        np.testing.assert_allclose(values, oracle(labels[:, 0], d, 1.0), atol=1e-5)
        assert values[4] == 0.0
    single_identity = batch_hard_triplet_loss([3, 3, 3], np.eye(3, dtype="float32"), margin=1.0)
    np.testing.assert_array_equal(ops.convert_to_numpy(single_identity), np.zeros(3))


def test_hand_computed_four_points():
    # 1-D points: identity 0 at 0 and 1, identity 1 at 1.5 and 4; margin 1.
    labels = np.array([0, 0, 1, 1])
    embeddings = np.array([[0.0], [1.0], [1.5], [4.0]], "float32")
    # batch hard: a0: 1 - 1.5 + 1; a1: 1 - 0.5 + 1; a2: 2.5 - 0.5 + 1; a3: 2.5 - 3 + 1.
    hard = ops.convert_to_numpy(batch_hard_triplet_loss(labels, embeddings, margin=1.0))
    np.testing.assert_allclose(hard, [0.5, 1.5, 3.0, 0.5], atol=1e-5)
    # semi-hard: a0 (d_ap 1): closest negative beyond 1 is 1.5 -> 0.5; a1 (d_ap 1): negatives
    # 0.5, 3 -> 3 -> 0; a2 (d_ap 2.5): negatives 1.5, 0.5 none beyond -> farthest 1.5 -> 2;
    # a3 (d_ap 2.5): negatives 4, 3 -> 3 -> 0.5.
    semi = ops.convert_to_numpy(semi_hard_triplet_loss(labels, embeddings, margin=1.0))
    np.testing.assert_allclose(semi, [0.5, 0.0, 2.0, 0.5], atol=1e-5)
    # batch all: (0,1,2) .5, (0,1,3) 0, (1,0,2) 1.5, (1,0,3) 0, (2,3,0) 2, (2,3,1) 3,
    # (3,2,0) 0, (3,2,1) .5 -> active mean 7.5 / 5.
    every = ops.convert_to_numpy(batch_all_triplet_loss(labels, embeddings, margin=1.0))
    np.testing.assert_allclose(every, np.full(4, 1.5), atol=1e-5)


@pytest.mark.parametrize("mining", ["batch_hard", "batch_all", "semi_hard"])
@pytest.mark.parametrize("distance", DISTANCES)
def test_separated_clusters_give_zero_with_zero_margin(mining, distance):
    centres = np.array([[10.0, 0.0], [0.0, 10.0], [-10.0, -10.0]])
    offsets = np.random.default_rng(0).normal(scale=0.1, size=(3, 2))
    embeddings = (centres[:, None, :] + offsets[None]).reshape(-1, 2).astype("float32")
    labels = np.repeat(np.arange(3), 3)
    values = triplet_loss(labels, embeddings, mining=mining, margin=0.0, distance=distance)
    np.testing.assert_array_equal(ops.convert_to_numpy(values), np.zeros(9))


def test_reductions_and_sample_weight_for_per_anchor_mining():
    labels = np.array([0, 0, 1, 1, 2])
    embeddings = np.array([[0.0], [1.0], [1.5], [4.0], [0.7]], "float32")
    values = ops.convert_to_numpy(batch_hard_triplet_loss(labels, embeddings, margin=1.0))
    weights = np.array([1.0, 2.0, 0.5, 0.0, 3.0], "float32")

    def loss(reduction, sample_weight=None):
        instance = TripletLoss(mining="batch_hard", margin=1.0, reduction=reduction)
        return ops.convert_to_numpy(instance(labels, embeddings, sample_weight=sample_weight))

    np.testing.assert_allclose(loss("none"), values, atol=1e-6)
    np.testing.assert_allclose(loss("sum"), values.sum(), atol=1e-5)
    # The anchor without a positive counts in the denominator.
    np.testing.assert_allclose(loss("sum_over_batch_size"), values.sum() / 5, atol=1e-5)
    np.testing.assert_allclose(
        loss("sum_over_batch_size", weights), (weights * values).sum() / 5, atol=1e-5
    )
    valid = ops.convert_to_numpy(anchor_mask(*pair_masks(labels))).astype("float32")
    np.testing.assert_array_equal(valid, [1, 1, 1, 1, 0])
    np.testing.assert_allclose(
        loss("mean_with_sample_weight", valid), values[:4].mean(), atol=1e-5
    )


def test_batch_all_is_broadcast_through_reductions():
    labels, embeddings = pk_batch(3)
    value = batch_all_oracle(labels, distance_oracle(embeddings, "euclidean"), 1.0)
    weights = np.linspace(0.0, 2.0, len(labels)).astype("float32")

    def loss(reduction, sample_weight=None):
        instance = TripletLoss(mining="batch_all", margin=1.0, reduction=reduction)
        return ops.convert_to_numpy(instance(labels, embeddings, sample_weight=sample_weight))

    np.testing.assert_allclose(loss("sum_over_batch_size"), value, rtol=1e-4)
    np.testing.assert_allclose(loss("sum"), value * len(labels), rtol=1e-4)
    np.testing.assert_allclose(loss("none"), np.full(len(labels), value), rtol=1e-4)
    np.testing.assert_allclose(
        loss("sum_over_batch_size", weights), value * weights.mean(), rtol=1e-4
    )


@pytest.mark.parametrize("mining", ["batch_hard", "batch_all", "semi_hard"])
@pytest.mark.parametrize("distance", ["euclidean", "angular"])
def test_gradients_are_finite_with_duplicate_embeddings(mining, distance):
    labels = np.array([0, 0, 1, 1])
    embeddings = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], "float32")
    instance = TripletLoss(mining=mining, margin=0.5, distance=distance)
    grad = gradient(lambda x: instance(labels, x), embeddings)
    assert np.all(np.isfinite(grad))
    assert np.any(grad != 0)


def test_serialization_round_trip():
    instance = TripletLoss(mining="semi_hard", margin=0.3, distance="angular", reduction="sum")
    restored = keras.losses.deserialize(keras.losses.serialize(instance))
    assert isinstance(restored, TripletLoss)
    assert restored.get_config() == instance.get_config()
    assert TripletLoss.from_config(instance.get_config()).get_config() == instance.get_config()
    labels, embeddings = pk_batch(0)
    np.testing.assert_allclose(
        ops.convert_to_numpy(restored(labels, embeddings)),
        ops.convert_to_numpy(instance(labels, embeddings)),
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"mining": "hard"}, "mining=hard"),
        ({"margin": -1.0}, "margin=-1.0"),
        ({"distance": "cosine"}, "distance=cosine"),
    ],
)
def test_invalid_arguments_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TripletLoss(**kwargs)
