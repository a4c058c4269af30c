"""10-fold best accuracy against an explicit re-run of the fold procedure."""

import numpy as np
import pytest

from lateral_keras.metrics import best_accuracy_10fold


def _loop_accuracy(scores, labels, threshold):
    return sum((s >= threshold) == bool(y) for s, y in zip(scores, labels)) / len(scores)


def _brute_10fold(scores, labels, seed, num_folds=10):
    """Same seeded folds; every candidate threshold scored by an explicit loop."""
    folds = np.array_split(np.random.default_rng(seed).permutation(len(scores)), num_folds)
    accuracies, thresholds = [], []
    for k in range(num_folds):
        train = [i for j, fold in enumerate(folds) if j != k for i in fold]
        distinct = sorted({scores[i] for i in train})
        candidates = [distinct[0]]
        candidates += [(lo + hi) / 2 for lo, hi in zip(distinct[:-1], distinct[1:])]
        candidates += [np.nextafter(distinct[-1], np.inf)]
        train_scores, train_labels = scores[train], labels[train]
        best = max(candidates, key=lambda t: (_loop_accuracy(train_scores, train_labels, t), -t))
        accuracies.append(_loop_accuracy(scores[folds[k]], labels[folds[k]], best))
        thresholds.append(best)
    return np.mean(accuracies), np.mean(thresholds)


def test_separable_data_is_perfect():
    rng = np.random.default_rng(0)
    scores = np.r_[rng.uniform(0.8, 1.0, 50), rng.uniform(0.0, 0.2, 70)]
    labels = np.r_[np.ones(50), np.zeros(70)]
    accuracy, threshold = best_accuracy_10fold(scores, labels, seed=3)
    assert accuracy == 1.0
    assert 0.2 < threshold < 0.8


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_explicit_folds(seed):
    rng = np.random.default_rng(10 + seed)
    labels = (rng.random(80) < 0.4).astype(int)
    scores = np.round(rng.normal(size=80) + labels, 1)  # ties included
    accuracy, threshold = best_accuracy_10fold(scores, labels, seed=seed)
    expected_accuracy, expected_threshold = _brute_10fold(scores, labels, seed)
    assert accuracy == pytest.approx(expected_accuracy)
    assert threshold == pytest.approx(expected_threshold)


def test_seed_is_reproducible():
    rng = np.random.default_rng(2)
    labels = (rng.random(100) < 0.5).astype(int)
    scores = rng.normal(size=100) + labels
    assert best_accuracy_10fold(scores, labels, seed=4) == best_accuracy_10fold(
        scores, labels, seed=4
    )


@pytest.mark.parametrize("num_folds", [1, 11, 2.5, True])
def test_invalid_num_folds_raises(num_folds):
    with pytest.raises(ValueError, match="Received: num_folds="):
        best_accuracy_10fold(np.arange(10.0), [1, 0] * 5, num_folds=num_folds)
