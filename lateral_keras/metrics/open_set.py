"""Open-set identification: detection and identification rate at a false alarm rate (NumPy).

Reference: Grother and Ngan, "Face Recognition Vendor Test (FRVT): Performance of Face
Identification Algorithms", NIST IR 8009, 2014 (FNIR / FPIR; DIR = 1 - FNIR).
"""

import numpy as np

from lateral_keras.metrics.identification import as_probe_gallery
from lateral_keras.metrics.verification import check_far_targets


def dir_at_far(similarity, probe_labels, gallery_labels, far_targets=(1e-1, 1e-2)):
    """Detection and identification rate (DIR) at each false alarm rate target.

    Probes whose label is absent from the gallery are non-mated: their score is their highest
    similarity, and a false alarm is a non-mated score strictly above the threshold. For a target
    FAR `f` with `N` non-mated probes, at most `floor(f * N)` false alarms are allowed, so the
    threshold is the `(floor(f * N) + 1)`-th highest non-mated score. DIR is the share of mated
    probes that are rank-1 correct (their best mated similarity beats every non-mated gallery
    item; ties count as failures) and whose best similarity is strictly above the threshold.
    A target below `1 / N` cannot be resolved by the probes at hand: its DIR is NaN.

    Args:
        similarity: array-like of floats, shape `(n_probe, n_gallery)`, higher = more similar.
        probe_labels: array-like, shape `(n_probe,)`, with at least one mated and one non-mated
            probe.
        gallery_labels: array-like, shape `(n_gallery,)`.
        far_targets: sequence of floats in `(0, 1]`.

    Returns:
        float64 array of shape `(len(far_targets),)`, in the order of `far_targets`.

    Example:

    >>> similarity = [[0.9, 0.1], [0.6, 0.2], [0.8, 0.4], [0.65, 0.3], [0.5, 0.2]]
    >>> dir_at_far(similarity, ["a", "a", "b", "x", "y"], ["a", "b"], far_targets=(0.5,))
    ... # one false alarm allowed -> threshold 0.5; probe "b" is not rank-1 -> [2 / 3]
    """
    targets = check_far_targets(far_targets)
    similarity, probe_labels, gallery_labels = as_probe_gallery(
        similarity, probe_labels, gallery_labels
    )
    if np.any(np.isnan(similarity)):
        raise ValueError(f"`similarity` must not hold NaN. Received: similarity={similarity}")
    mated = probe_labels[:, None] == gallery_labels[None, :]
    is_mated_probe = mated.any(axis=1)
    if is_mated_probe.all() or not is_mated_probe.any():
        raise ValueError(
            "Need at least one mated and one non-mated probe. "
            f"Received: {int(is_mated_probe.sum())} mated of {probe_labels.size} probes"
        )
    top = similarity.max(axis=1)
    non_mated_scores = np.sort(top[~is_mated_probe])[::-1]
    best_mated = np.where(mated, similarity, -np.inf).max(axis=1)
    best_non_mated = np.where(mated, -np.inf, similarity).max(axis=1)
    rank_one = (best_mated > best_non_mated)[is_mated_probe]
    mated_top = top[is_mated_probe]
    result = np.full(targets.shape, np.nan)
    for k, target in enumerate(targets):
        allowed = int(np.floor(target * non_mated_scores.size + 1e-9))
        if allowed == 0:
            continue
        threshold = non_mated_scores[allowed] if allowed < non_mated_scores.size else -np.inf
        result[k] = np.mean(rank_one & (mated_top > threshold))
    return result
