"""Closed-set identification metrics against explicit ranked lists."""

import numpy as np
import pytest

from lateral_keras.metrics import (
    cmc_curve,
    mean_average_precision,
    probe_ranks,
    rank_k_accuracy,
)


def _ranked_mated(row, probe_label, gallery_labels):
    """Gallery sorted by decreasing score, non-mated first among equal scores (pessimistic)."""
    items = sorted(range(len(row)), key=lambda g: (-row[g], gallery_labels[g] == probe_label))
    return [gallery_labels[g] == probe_label for g in items]


def _loop_figures(similarity, probe_labels, gallery_labels):
    ranks, aps = [], []
    for row, label in zip(similarity, probe_labels):
        ranked = _ranked_mated(row, label, gallery_labels)
        ranks.append(ranked.index(True) + 1)
        hits, precisions = 0, []
        for position, is_mated in enumerate(ranked, start=1):
            if is_mated:
                hits += 1
                precisions.append(hits / position)
        aps.append(np.mean(precisions))
    return np.array(ranks), float(np.mean(aps))


def _random_case(seed, decimals=None):
    rng = np.random.default_rng(seed)
    gallery_labels = rng.integers(0, 6, size=15)
    gallery_labels[:6] = np.arange(6)  # every label present
    probe_labels = rng.integers(0, 6, size=20)
    similarity = rng.normal(size=(20, 15)) + 1.5 * (probe_labels[:, None] == gallery_labels)
    if decimals is not None:
        similarity = np.round(similarity, decimals)
    return similarity, probe_labels, gallery_labels


@pytest.mark.parametrize("seed,decimals", [(0, None), (1, 1), (2, 0)])
def test_ranks_cmc_and_map_match_loops(seed, decimals):
    similarity, probe_labels, gallery_labels = _random_case(seed, decimals)
    expected_ranks, expected_map = _loop_figures(similarity, probe_labels, gallery_labels)
    np.testing.assert_array_equal(
        probe_ranks(similarity, probe_labels, gallery_labels), expected_ranks
    )
    cmc = cmc_curve(similarity, probe_labels, gallery_labels)
    assert cmc.shape == (15,)
    for k in range(1, 16):
        assert cmc[k - 1] == pytest.approx(np.mean(expected_ranks <= k))
        assert rank_k_accuracy(similarity, probe_labels, gallery_labels, k) == cmc[k - 1]
    assert cmc[-1] == 1.0
    assert mean_average_precision(similarity, probe_labels, gallery_labels) == pytest.approx(
        expected_map
    )


def test_ties_are_pessimistic():
    # Probe "a" ties its mate with an impostor: rank 2, AP = 1/2.
    assert probe_ranks([[0.5, 0.5]], ["a"], ["a", "b"]).tolist() == [2]
    assert rank_k_accuracy([[0.5, 0.5]], ["a"], ["a", "b"], k=1) == 0.0
    assert mean_average_precision([[0.5, 0.5]], ["a"], ["a", "b"]) == 0.5


def test_hand_worked_map():
    # Ranked gallery: a (mated), b, a (mated): AP = (1/1 + 2/3) / 2.
    assert mean_average_precision([[0.9, 0.8, 0.7]], ["a"], ["a", "b", "a"]) == pytest.approx(
        (1 + 2 / 3) / 2
    )


def test_minus_inf_ranks_last():
    ranks = probe_ranks([[-np.inf, 0.1, 0.2]], ["a"], ["a", "b", "c"])
    assert ranks.tolist() == [3]


def test_cmc_max_rank():
    similarity, probe_labels, gallery_labels = _random_case(3)
    cmc = cmc_curve(similarity, probe_labels, gallery_labels, max_rank=4)
    np.testing.assert_array_equal(cmc, cmc_curve(similarity, probe_labels, gallery_labels)[:4])


def test_probe_without_mate_raises():
    with pytest.raises(ValueError, match="mated gallery item"):
        probe_ranks([[0.1, 0.2]], ["z"], ["a", "b"])


def test_shape_mismatch_raises():
    with pytest.raises(ValueError, match="Received: similarity.shape"):
        probe_ranks([[0.1, 0.2]], ["a", "b"], ["a", "b"])


@pytest.mark.parametrize("k", [0, 1.5, True])
def test_invalid_k_raises(k):
    with pytest.raises(ValueError, match="Received: k="):
        rank_k_accuracy([[0.1, 0.2]], ["a"], ["a", "b"], k=k)
