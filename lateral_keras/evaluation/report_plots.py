"""The report's PNG plots, drawn from the protocol results of every feature kind.

Example:

```python
files = draw_report_plots(run, protocol, kinds, part, n_examples=6)
files["roc"]  # "plots/roc.png"
```
"""

import os

import numpy as np

from lateral_keras.evaluation.feature_sets import LABELS
from lateral_keras.plots import (
    PairExample,
    cmc_plot,
    det_plot,
    example_pairs_page,
    roc_plot,
    score_histogram,
)


def decision_errors(pairs, threshold, count):
    """The worst errors of the decision `score >= threshold` on scored pairs.

    Args:
        pairs: `PairScores`.
        threshold: float.
        count: examples per kind of error.

    Returns:
        `(false_matches, false_non_matches)`: int arrays of pair positions; accepted impostor
        pairs from the highest score down, rejected genuine pairs from the lowest score up.

    Example:

    >>> decision_errors(pairs, 0.5, 3)  # doctest: +SKIP
    """
    score, genuine = pairs.score, pairs.genuine
    false_match = np.flatnonzero(~genuine & (score >= threshold))
    false_non_match = np.flatnonzero(genuine & (score < threshold))
    false_match = false_match[np.argsort(-score[false_match], kind="stable")][:count]
    false_non_match = false_non_match[np.argsort(score[false_non_match], kind="stable")][:count]
    return false_match, false_non_match


def _caption(record):
    return f"{record.identity}  {record.session}  {os.path.basename(record.path)}"


def _examples(pairs, positions, records):
    return [
        PairExample(records[pairs.index_a[p]].roi_path, records[pairs.index_b[p]].roi_path,
                    float(pairs.score[p]), _caption(records[pairs.index_a[p]]),
                    _caption(records[pairs.index_b[p]]))
        for p in positions
    ]


def draw_report_plots(run, protocol, kinds, part, n_examples):
    """Draw ROC, DET, CMC, per-kind score histograms and example error pages.

    Args:
        run: the `RunFolder` (plots go to `<run>/plots/`).
        protocol: dict kind -> `ProtocolResult` on the evaluation part.
        kinds: dict kind -> figures of `evaluate_kind` (for the thresholds).
        part: the evaluation `PartData` (ROI paths and names).
        n_examples: false matches and false non-matches shown per kind.

    Returns:
        dict plot name -> path relative to the run folder.
    """
    files = {}

    def target(name):
        files[name] = f"plots/{name}.png"
        return run.file("plots", f"{name}.png")

    usable = {k: r for k, r in protocol.items() if r.pairs.num_genuine and r.pairs.num_impostor}
    scored = {LABELS[k]: (r.pairs.score, r.pairs.genuine) for k, r in usable.items()}
    if scored:
        roc_plot(scored, target("roc"))
        det_plot(scored, target("det"))
    cmcs = {LABELS[k]: r.cmc for k, r in protocol.items() if r.cmc.size}
    if cmcs:
        cmc_plot(cmcs, target("cmc"))
    for kind, result in usable.items():
        threshold = kinds[kind]["decision"]["threshold"]
        score_histogram(result.pairs.score, result.pairs.genuine, threshold,
                        target(f"scores_{kind}"),
                        title=f"{LABELS[kind]}: cross-session pair scores")
        false_match, false_non_match = decision_errors(result.pairs, threshold, n_examples)
        sections = {
            "false matches (different fish accepted)":
                _examples(result.pairs, false_match, part.records),
            "false non-matches (same fish rejected)":
                _examples(result.pairs, false_non_match, part.records),
        }
        example_pairs_page(sections, target(f"examples_{kind}"),
                           title=f"{LABELS[kind]}: errors at threshold {threshold:.4f} "
                                 "(chosen on validation fish)")
    return files
