"""Verification metrics from per-pair scores: ROC, AUC, EER and TAR at FAR (NumPy).

Conventions shared by every function here: a higher score means "more similar"; `labels` are 1 for
genuine (same identity) pairs and 0 for impostor pairs; a pair is accepted at threshold `t` when
`score >= t`. FAR is the share of impostor pairs accepted, TAR the share of genuine pairs accepted
and FRR = 1 - TAR.

Example:

```python
import numpy as np
from lateral_keras.metrics import verification

scores = np.array([0.9, 0.8, 0.4, 0.3])
labels = np.array([1, 0, 1, 0])
verification.eer(scores, labels)   # (0.5, 0.8)
verification.auc(scores, labels)   # 0.75
```
"""

import numbers

import numpy as np


def check_scores_labels(scores, labels):
    """Validates per-pair scores and 0/1 labels; returns them as NumPy arrays.

    Args:
        scores: array-like of finite floats, shape `(n,)`.
        labels: array-like of 0/1 (or booleans), shape `(n,)`, with at least one genuine (1) and
            one impostor (0) pair.

    Returns:
        `(scores, labels)`: float64 array of shape `(n,)` and bool array of shape `(n,)`.

    Example:

    >>> check_scores_labels([0.2, 0.7], [0, 1])  # (array([0.2, 0.7]), array([False, True]))
    """
    scores = np.asarray(scores, dtype=np.float64)
    labels = np.asarray(labels)
    if scores.ndim != 1 or labels.shape != scores.shape:
        raise ValueError(
            "`scores` and `labels` must be 1-D of the same length. "
            f"Received: scores.shape={scores.shape}, labels.shape={labels.shape}"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"`scores` must be finite. Received: scores={scores}")
    if not np.all((labels == 0) | (labels == 1)):
        raise ValueError(f"`labels` must be 0 (impostor) or 1 (genuine). Received: labels={labels}")
    labels = labels.astype(bool)
    if labels.all() or not labels.any():
        raise ValueError(
            "Need at least one genuine (1) and one impostor (0) pair. "
            f"Received: labels with {int(labels.sum())} genuine of {labels.size}"
        )
    return scores, labels


def roc_curve(scores, labels):
    """ROC curve over every distinct score used as a threshold.

    Tied scores form one point. The curve starts at `(0, 0)` (threshold `+inf`, nothing accepted)
    and ends at `(1, 1)` (threshold = the lowest score, everything accepted).

    Args:
        scores: array-like of finite floats, shape `(n,)`, higher = more similar.
        labels: array-like of 0/1, shape `(n,)`, 1 = genuine, with both classes present.

    Returns:
        `(far, tar, thresholds)`, float64 arrays of shape `(u + 1,)` for `u` distinct scores,
        thresholds in decreasing order (`thresholds[0] = inf`), far and tar non-decreasing.

    Example:

    >>> roc_curve([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0])
    ... # far [0, 0, .5, 1], tar [0, .5, 1, 1], thresholds [inf, .9, .5, .1]
    """
    scores, labels = check_scores_labels(scores, labels)
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    genuine = np.cumsum(labels[order])
    impostor = np.cumsum(~labels[order])
    # The last position of each run of tied scores closes one ROC point.
    last_of_run = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    far = np.r_[0.0, impostor[last_of_run] / impostor[-1]]
    tar = np.r_[0.0, genuine[last_of_run] / genuine[-1]]
    thresholds = np.r_[np.inf, sorted_scores[last_of_run]]
    return far, tar, thresholds


def auc(scores, labels):
    """Area under the ROC curve by the trapezoid rule over `roc_curve`.

    With ties drawn as diagonal segments, this equals the Mann-Whitney probability
    `P(genuine > impostor) + P(genuine == impostor) / 2`.

    Args:
        scores: array-like of finite floats, shape `(n,)`.
        labels: array-like of 0/1, shape `(n,)`, both classes present.

    Returns:
        Python float in `[0, 1]`.

    Example:

    >>> auc([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0])  # 0.75
    """
    far, tar, _ = roc_curve(scores, labels)
    return _auc_from_roc(far, tar)


def _auc_from_roc(far, tar):
    return float(np.trapezoid(tar, far))


def eer(scores, labels):
    """Equal error rate: where FAR = FRR on the ROC polyline, and the threshold there.

    `d = FAR - FRR = FAR + TAR - 1` strictly increases along the ROC points from -1 to 1; the EER
    lies on the segment between the last point with `d < 0` and the next one, linearly
    interpolated. The threshold is interpolated the same way between the two points' thresholds,
    except on the first segment, whose start `(0, 0)` has an infinite threshold: there the
    highest score is returned.

    Args:
        scores: array-like of finite floats, shape `(n,)`.
        labels: array-like of 0/1, shape `(n,)`, both classes present.

    Returns:
        `(eer, threshold)`: Python floats, `eer` in `[0, 1]`.

    Example:

    >>> eer([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0])  # (0.5, 0.8)
    """
    return _eer_from_roc(*roc_curve(scores, labels))


def _eer_from_roc(far, tar, thresholds):
    d = far + tar - 1.0
    i = int(np.argmax(d[1:] >= 0.0))  # segment (i, i + 1) brackets the crossing
    alpha = -d[i] / (d[i + 1] - d[i])
    value = far[i] + alpha * (far[i + 1] - far[i])
    if i == 0 or alpha == 1.0:
        threshold = thresholds[i + 1]
    else:
        threshold = thresholds[i] + alpha * (thresholds[i + 1] - thresholds[i])
    return float(value), float(threshold)


def tar_at_far(scores, labels, far_targets=(1e-1, 1e-2, 1e-3, 1e-4)):
    """Largest TAR among the ROC points whose FAR does not exceed each target.

    A target below `1 / n_impostor` cannot be resolved by the pairs at hand (the smallest
    non-zero FAR they can show is `1 / n_impostor`): its TAR is NaN.

    Args:
        scores: array-like of finite floats, shape `(n,)`.
        labels: array-like of 0/1, shape `(n,)`, both classes present.
        far_targets: sequence of floats in `(0, 1]`.

    Returns:
        float64 array of shape `(len(far_targets),)`, in the order of `far_targets`.

    Example:

    >>> tar_at_far([0.9, 0.7, 0.6, 0.2], [1, 0, 1, 0], far_targets=(0.5, 0.1))  # [1.0, nan]
    """
    targets = check_far_targets(far_targets)
    far, tar, _ = roc_curve(scores, labels)
    return _tar_from_roc(far, tar, int(np.sum(np.asarray(labels) == 0)), targets)


def _tar_from_roc(far, tar, num_impostor, targets):
    result = np.full(targets.shape, np.nan)
    for k, target in enumerate(targets):
        if target >= 1.0 / num_impostor:
            result[k] = tar[far <= target].max()
    return result


def verification_figures(scores, labels, far_targets=(1e-1, 1e-2, 1e-3, 1e-4)):
    """`eer`, `auc` and `tar_at_far` of the same pairs from one ROC curve (one sort, not three).

    Args:
        scores: array-like of finite floats, shape `(n,)`.
        labels: array-like of 0/1, shape `(n,)`, both classes present.
        far_targets: sequence of floats in `(0, 1]`.

    Returns:
        dict: `eer` and `eer_threshold` (as `eer` returns them), `auc` (float) and
        `tar_at_far` (float64 array in the order of `far_targets`).

    Example:

    >>> verification_figures([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0], (0.5,))
    ... # {'eer': 0.5, 'eer_threshold': 0.8, 'auc': 0.75, 'tar_at_far': array([0.5])}
    """
    targets = check_far_targets(far_targets)
    scores, labels = check_scores_labels(scores, labels)
    far, tar, thresholds = roc_curve(scores, labels)
    eer_value, threshold = _eer_from_roc(far, tar, thresholds)
    return {
        "eer": eer_value,
        "eer_threshold": threshold,
        "auc": _auc_from_roc(far, tar),
        "tar_at_far": _tar_from_roc(far, tar, int(np.sum(~labels)), targets),
    }


def check_far_targets(far_targets):
    """Validates FAR targets; returns them as a float64 array of shape `(t,)`.

    Args:
        far_targets: non-empty sequence of floats in `(0, 1]`.

    Returns:
        float64 array of shape `(t,)`.

    Example:

    >>> check_far_targets((1e-2, 1e-3))  # array([0.01, 0.001])
    """
    if isinstance(far_targets, numbers.Real):
        far_targets = (far_targets,)
    targets = np.asarray(far_targets, dtype=np.float64)
    if targets.ndim != 1 or targets.size == 0 or not np.all((targets > 0) & (targets <= 1)):
        raise ValueError(
            "`far_targets` must be a non-empty sequence in (0, 1]. "
            f"Received: far_targets={far_targets}"
        )
    return targets
