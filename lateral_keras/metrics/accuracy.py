"""Best verification accuracy by k-fold cross-validation of the threshold (NumPy)."""

import numbers

import numpy as np

from lateral_keras.metrics.verification import check_scores_labels


def _best_threshold(scores, labels):
    """Threshold with the highest accuracy on scores sorted in increasing order; lowest on ties.

    Candidates: the lowest score (accept all), the midpoints between consecutive distinct scores,
    and the value just above the highest score (reject all).
    """
    last_of_run = np.r_[scores[1:] != scores[:-1], True]
    distinct = scores[last_of_run]
    # Genuine / impostor counts strictly below each candidate, the last candidate being above all.
    genuine_below = np.r_[0, np.cumsum(labels)[last_of_run]]
    impostor_below = np.r_[0, np.cumsum(~labels)[last_of_run]]
    correct = genuine_below[-1] - genuine_below + impostor_below
    midpoints = (distinct[1:] + distinct[:-1]) / 2
    candidates = np.r_[distinct[0], midpoints, np.nextafter(distinct[-1], np.inf)]
    return candidates[int(np.argmax(correct))]


def best_accuracy_10fold(scores, labels, seed=0, num_folds=10):
    """Verification accuracy with the threshold chosen on the other folds (LFW style).

    The pairs are shuffled with `seed` and split into `num_folds` folds of near-equal size. For
    each fold, the threshold that maximises accuracy on the other folds (candidates: midpoints
    between consecutive distinct scores, plus accept-all and reject-all; the lowest on ties) is
    applied to that fold (`score >= threshold` accepted).

    Args:
        scores: array-like of finite floats, shape `(n,)`, higher = more similar.
        labels: array-like of 0/1, shape `(n,)`, 1 = genuine, both classes present.
        seed: int, seeds the fold assignment.
        num_folds: int >= 2, at most `n`.

    Returns:
        `(accuracy, threshold)`: Python floats, the mean over folds of the held-out accuracy and
        of the chosen threshold.

    Example:

    >>> best_accuracy_10fold(np.r_[np.ones(20), np.zeros(20)], np.r_[np.ones(20), np.zeros(20)])
    ... # (1.0, 0.5)
    """
    scores, labels = check_scores_labels(scores, labels)
    if (
        isinstance(num_folds, bool)
        or not isinstance(num_folds, numbers.Integral)
        or not (2 <= num_folds <= scores.size)
    ):
        raise ValueError(
            f"`num_folds` must be an int in [2, {scores.size}]. Received: num_folds={num_folds}"
        )
    order = np.random.default_rng(seed).permutation(scores.size)
    fold_of = np.empty(scores.size, dtype=np.int64)
    for k, fold in enumerate(np.array_split(order, num_folds)):
        fold_of[fold] = k
    by_score = np.argsort(scores, kind="stable")
    sorted_scores, sorted_labels = scores[by_score], labels[by_score]
    sorted_folds = fold_of[by_score]
    accuracies, thresholds = [], []
    for k in range(num_folds):
        train = sorted_folds != k
        threshold = _best_threshold(sorted_scores[train], sorted_labels[train])
        test = fold_of == k
        accuracies.append(np.mean((scores[test] >= threshold) == labels[test]))
        thresholds.append(threshold)
    return float(np.mean(accuracies)), float(np.mean(thresholds))
