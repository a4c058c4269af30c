"""Decision thresholds chosen on the validation identities at a target FAR, and their use.

A pair (or a probe's best match) is accepted when its score is `>= threshold`. The threshold is
the lowest ROC threshold of the validation cross-session pairs whose FAR does not exceed the
target, so the evaluation identities never influence it; the evaluation report then shows the
FAR and TAR that threshold actually gives on fish it never saw.

Example:

```python
choice = threshold_at_far(val_result.pairs.score, val_result.pairs.genuine, 1e-2)
decision_rates(eval_result.pairs.score, eval_result.pairs.genuine, choice["threshold"])
```
"""

import numpy as np

from lateral_keras import metrics
from lateral_keras.metrics.verification import check_far_targets


def threshold_at_far(scores, genuine, far):
    """The lowest threshold whose FAR on these pairs is at most `far`.

    Args:
        scores: array-like of finite floats `(p,)`, higher = more similar.
        genuine: array-like of 0/1 or bools `(p,)`, both classes present.
        far: target FAR in `(0, 1]`.

    Returns:
        dict with `threshold`, `far` (the target), `far_achieved` and `tar` on these pairs and
        `num_genuine` / `num_impostor`. When even the highest score accepts too many impostors,
        the threshold lies just above the highest score (nothing accepted).

    Example:

    >>> threshold_at_far([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0], 0.5)["threshold"]  # 0.4
    """
    target = float(check_far_targets(far)[0])
    far_curve, tar_curve, thresholds = metrics.roc_curve(scores, genuine)
    point = int(np.flatnonzero(far_curve <= target)[-1])
    scores = np.asarray(scores, dtype=np.float64)
    threshold = thresholds[point] if point > 0 else np.nextafter(scores.max(), np.inf)
    genuine = np.asarray(genuine).astype(bool)
    return {
        "threshold": float(threshold),
        "far": target,
        "far_achieved": float(far_curve[point]),
        "tar": float(tar_curve[point]),
        "num_genuine": int(genuine.sum()),
        "num_impostor": int((~genuine).sum()),
    }


def decision_rates(scores, genuine, threshold):
    """FAR, TAR and FRR of the decision `score >= threshold` on scored pairs.

    Args:
        scores: array-like of floats `(p,)`.
        genuine: array-like of 0/1 or bools `(p,)`.
        threshold: float.

    Returns:
        dict with `far`, `tar`, `frr` (NaN for a class without pairs), `false_matches` and
        `false_non_matches` (counts).

    Example:

    >>> decision_rates([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0], 0.5)["far"]  # 0.5
    """
    scores = np.asarray(scores, dtype=np.float64)
    genuine = np.asarray(genuine).astype(bool)
    accepted = scores >= threshold
    false_matches = int(np.sum(accepted & ~genuine))
    false_non_matches = int(np.sum(~accepted & genuine))
    num_impostor, num_genuine = int((~genuine).sum()), int(genuine.sum())
    far = false_matches / num_impostor if num_impostor else np.nan
    frr = false_non_matches / num_genuine if num_genuine else np.nan
    tar = (num_genuine - false_non_matches) / num_genuine if num_genuine else np.nan
    return {"far": far, "tar": tar, "frr": frr, "false_matches": false_matches,
            "false_non_matches": false_non_matches}
