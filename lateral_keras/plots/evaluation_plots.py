"""The evaluation report's curves: ROC, DET, CMC and genuine / impostor score histograms.

Every function takes the figures of several feature kinds (embeddings, IoM codes, ...) and draws
them on shared axes with `line_plot`, so the kinds compare at a glance.

Example:

```python
roc_plot({"embeddings": (scores, genuine), "IoM codes": (code_scores, genuine)}, "roc.png")
```
"""

import numpy as np

from lateral_keras import metrics
from lateral_keras.plots.line_plot import line_plot


def _far_floor(curves):
    """The smallest non-zero FAR the pairs can show, as a power of ten (the axis start)."""
    smallest = min((far[far > 0].min() for far, _ in curves if np.any(far > 0)), default=1e-4)
    return 10.0 ** np.floor(np.log10(smallest))


def roc_plot(scored, path, title="ROC, cross-session pairs"):
    """TAR against FAR (log axis) per feature kind.

    Args:
        scored: dict label -> `(scores, genuine)` arrays of one pair set.
        path: output PNG path.
        title: plot title.

    Returns:
        `path`.
    """
    curves = {label: metrics.roc_curve(s, g)[:2] for label, (s, g) in scored.items()}
    return line_plot(curves, path, title=title, xlabel="false accept rate (FAR)",
                     ylabel="true accept rate (TAR)", x_scale="log",
                     x_range=(_far_floor(curves.values()), 1.0), y_range=(0, 1),
                     legend="lower right")


def det_plot(scored, path, title="DET, cross-session pairs"):
    """FRR against FAR, both on normal-deviate (probit) axes, per feature kind.

    Args:
        scored: dict label -> `(scores, genuine)` arrays.
        path: output PNG path.
        title: plot title.

    Returns:
        `path`.
    """
    curves = {}
    for label, (scores, genuine) in scored.items():
        far, tar, _ = metrics.roc_curve(scores, genuine)
        curves[label] = (far, 1.0 - tar)
    lowest = max(1e-4, _far_floor(curves.values()))
    return line_plot(curves, path, title=title, xlabel="false accept rate (FAR)",
                     ylabel="false reject rate (FRR)", x_scale="probit", y_scale="probit",
                     x_range=(lowest, 0.99), y_range=(1e-3, 0.99), legend="upper right")


def cmc_plot(curves, path, title="CMC, cross-session probes", max_rank=20):
    """Identification rate against rank per feature kind.

    Args:
        curves: dict label -> CMC array (entry `k - 1` = rank-`k` accuracy).
        path: output PNG path.
        title: plot title.
        max_rank: last rank shown.

    Returns:
        `path`.
    """
    series = {}
    for label, cmc in curves.items():
        cmc = np.asarray(cmc, dtype=float)[:max_rank]
        series[label] = (np.arange(1, cmc.size + 1), cmc)
    return line_plot(series, path, title=title, xlabel="rank", ylabel="identification rate",
                     y_range=(0, 1), legend="lower right")


def _bin_edges(values, bins):
    """Bin edges over sorted distinct `values`; lattice scores (codes: multiples of 1 / m) get
    whole lattice steps per bin, so no bin holds one value more than its neighbour."""
    if values.size < 2:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    step = float(np.diff(values).min())
    positions = (values - values[0]) / step
    if not np.allclose(positions, np.round(positions), atol=1e-6):
        return np.linspace(values[0], values[-1], bins + 1)
    points = int(round(positions[-1])) + 1
    per_bin = -(-points // bins)
    return values[0] - step / 2 + step * per_bin * np.arange(-(-points // per_bin) + 1)


def score_histogram(scores, genuine, threshold, path, title="scores", bins=40):
    """Genuine and impostor score distributions (share of pairs per bin) and the threshold.

    Args:
        scores: float array `(p,)`.
        genuine: bool array `(p,)`.
        threshold: float drawn as a vertical line (NaN: none).
        path: output PNG path.
        title: plot title.
        bins: at most this many bins over the score range (scores on a lattice, as with
            codes, get a whole number of lattice steps per bin).

    Returns:
        `path`.
    """
    scores = np.asarray(scores, dtype=float)
    genuine = np.asarray(genuine, dtype=bool)
    edges = _bin_edges(np.unique(scores), bins)
    series, top = {}, 0.0
    for label, chosen in (("genuine", genuine), ("impostor", ~genuine)):
        counts, _ = np.histogram(scores[chosen], bins=edges)
        share = counts / max(1, counts.sum())
        series[f"{label} ({int(chosen.sum()):,})"] = (np.repeat(edges, 2)[1:-1],
                                                    np.repeat(share, 2))
        top = max(top, float(share.max()))
    if np.isfinite(threshold):
        series[f"threshold {threshold:.3f}"] = ([threshold, threshold], [0.0, top * 1.05])
    lo = min(edges[0], threshold) if np.isfinite(threshold) else edges[0]
    hi = max(edges[-1], threshold) if np.isfinite(threshold) else edges[-1]
    margin = 0.03 * (hi - lo) if hi > lo else 0.5
    return line_plot(series, path, title=title, xlabel="similarity score",
                     ylabel="share of pairs per bin", x_range=(lo - margin, hi + margin),
                     y_range=(0, top * 1.05), legend="upper right")
