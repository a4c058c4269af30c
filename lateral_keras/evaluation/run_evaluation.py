"""Evaluate a trained run: every feature kind on the evaluation identities, with the decision
thresholds chosen on the validation identities, and write the report.

`evaluate_and_report` is what both `recipes/two_stage.py` and `lateral evaluate --run DIR` call.
It writes into the run folder: `thresholds.json`, `metrics.json` (the protocol summary per
kind), `report.json` (every figure), `images.csv` and `pair_scores.csv.gz` (per-pair scores),
the plots under `plots/` and `report.md`.

Example:

```python
results = evaluate_and_report(config, run, data, embedder, code_model)
results["kinds"]["codes"]["protocol"]["eer"]
```
"""

import logging
import time

from lateral_keras.config import require_path
from lateral_keras.evaluation.feature_sets import LABELS, feature_sets
from lateral_keras.evaluation.kind_evaluation import evaluate_features, evaluate_kind
from lateral_keras.evaluation.pairs_file import paired_similarity, read_pairs_file
from lateral_keras.evaluation.report_plots import draw_report_plots
from lateral_keras.evaluation.run_report import write_report
from lateral_keras.evaluation.scores_csv import write_images_csv, write_pair_scores
from lateral_keras.evaluation.thresholds import threshold_at_far
from lateral_keras.training.inputs import embed
from lateral_keras.utils.atomic import write_json

logger = logging.getLogger(__name__)

HEADLINE = (("eer", "EER"), ("auc", "AUC"), ("rank1", "rank-1"), ("rank5", "rank-5"),
            ("tar@far=0.01", "TAR@FAR=1e-2"), ("same_session_eer", "same-session EER"))


def validation_thresholds(val_sets, val_part, session_order, config):
    """Decision thresholds at `evaluation.threshold_far`, from the validation identities only.

    Args:
        val_sets: dict kind -> features of the validation images.
        val_part: the validation `PartData`.
        session_order: session names in time order.
        config: the run's `Config`.

    Returns:
        dict kind -> `threshold_at_far` dict (`threshold`, `far`, `far_achieved`, `tar`, ...)
        with the `test_time_crops` the features were embedded with.
    """
    far = config.evaluation.threshold_far
    crops = list(config.evaluation.test_time_crops)
    thresholds = {}
    for kind, features in val_sets.items():
        pairs = evaluate_features(features, val_part, session_order, config).pairs
        thresholds[kind] = {**threshold_at_far(pairs.score, pairs.genuine, far),
                            "test_time_crops": crops}
    return thresholds


def protection_figures(config, run, eval_embeddings, part, code_model):
    """The template-protection section (revocability, unlinkability) of the report.

    Returns:
        `(dict, markdown)`; when `lateral_keras.protection` is not installed, a dict saying so.
    """
    try:
        from lateral_keras.protection.assessment import protection_section
    except ModuleNotFoundError as error:
        if not (error.name or "").startswith("lateral_keras.protection"):
            raise
        logger.warning("Template protection assessment not available: %s", error)
        return {"available": False}, "Not available: `lateral_keras.protection` is missing.\n"
    return protection_section(config, run, eval_embeddings, part, code_model)


def evaluate_and_report(config, run, data, embedder, code_model, *, timings=None,
                        progress=None):
    """Evaluate every feature kind and write the run's report files.

    Each photo's embedding is the mean over ``evaluation.test_time_crops`` (evaluation and
    validation photos alike, so the threshold fits the figures).

    Args:
        config: the run's `Config`.
        run: the `RunFolder`.
        data: `PreparedData` (validation and evaluation parts).
        embedder: stage-one embedder (ROI image -> embedding).
        code_model: stage-two model (embedding -> IoM codes).
        timings: optional `{step: seconds}` of earlier steps, shown in the report.
        progress: optional `callback(stage, done, total)`.

    Returns:
        The `report.json` dict: `counts`, `thresholds`, `kinds` (kind -> figures, see
        `evaluate_kind`), `protection`, `timings`, `files`.

    Raises:
        ConfigError: `evaluation.pairs_file` is set but missing.
        ValueError: the pairs file is malformed or has no usable pair.
    """
    start = time.time()
    steps = ["embed", "thresholds", "evaluate", "scores", "plots", "protection"]

    def step(name):
        if progress is not None:
            progress("evaluation", steps.index(name), len(steps))

    part, val = data.parts["eval"], data.parts["val"]
    pair_list = None
    if config.evaluation.pairs_file:
        path = require_path(config, "evaluation.pairs_file", kind="file")
        pair_list = read_pairs_file(path, [r.path for r in part.records], part.identities)
        for line, reason in pair_list.skipped:
            logger.warning("%s line %d skipped: %s", path, line, reason)
    step("embed")
    crops = config.evaluation.test_time_crops
    eval_embeddings = embed(embedder, config, part, crops=crops)
    eval_sets = feature_sets(config, eval_embeddings, code_model)
    val_sets = feature_sets(config, embed(embedder, config, val, crops=crops), code_model)
    step("thresholds")
    thresholds = validation_thresholds(val_sets, val, data.session_order, config)
    write_json(run.file("thresholds.json"), thresholds)
    step("evaluate")
    protocol, kinds = {}, {}
    for kind, features in eval_sets.items():
        protocol[kind], kinds[kind] = evaluate_kind(
            features, part, data.session_order, config, thresholds[kind]["threshold"], pair_list
        )
    counts = {
        "identities": int(len(set(part.identities))),
        "images": int(len(part.records)),
        "sessions": list(data.session_order),
        "validation_identities": int(len(set(val.identities))),
        "pairs_file_skipped": len(pair_list.skipped) if pair_list is not None else 0,
    }
    write_json(run.file("metrics.json"),
               {**{kind: figures["protocol"] for kind, figures in kinds.items()},
                "counts": counts})
    step("scores")
    write_images_csv(run.file("images.csv"), part)
    write_pair_scores(run.file("pair_scores.csv.gz"),
                      _pair_sets(protocol, eval_sets, pair_list), part.identities, part.sessions)
    step("plots")
    plots = draw_report_plots(run, protocol, kinds, part, config.evaluation.example_pairs)
    step("protection")
    protection, protection_md = protection_figures(config, run, eval_embeddings, part,
                                                   code_model)
    timings = {**(timings or {}), "evaluation": time.time() - start}
    report = {"counts": counts, "thresholds": thresholds, "kinds": kinds,
              "protection": protection, "timings": timings, "files": plots}
    write_json(run.file("report.json"), report)
    write_report(config, run, report, protection_md)
    if progress is not None:
        progress("evaluation", len(steps), len(steps))
    return report


def _pair_sets(protocol, eval_sets, pair_list):
    """The scored pair sets for `write_pair_scores`: protocol pairs, then the pairs file."""
    sets = {}
    for name, attribute in (("cross_session", "pairs"), ("same_session", "same_session_pairs")):
        first = getattr(next(iter(protocol.values())), attribute)
        scores = {kind: getattr(result, attribute).score for kind, result in protocol.items()}
        sets[name] = (first.index_a, first.index_b, first.genuine, scores)
    if pair_list is not None:
        scores = {kind: paired_similarity(features, pair_list.index_a, pair_list.index_b)
                  for kind, features in eval_sets.items()}
        sets["pairs_file"] = (pair_list.index_a, pair_list.index_b, pair_list.genuine, scores)
    return sets


def headline_table(results):
    """A Markdown table of the headline figures, one column per feature kind.

    Args:
        results: `metrics.json`'s dict (kind -> protocol summary, plus `counts`) or
            `report.json`'s (with `kinds`).

    Returns:
        str.
    """
    if "kinds" in results:
        results = {kind: figures["protocol"] for kind, figures in results["kinds"].items()}
    kinds = [kind for kind in LABELS if kind in results]
    rows = ["| figure | " + " | ".join(LABELS[k] for k in kinds) + " |",
            "| --- |" + " --- |" * len(kinds)]
    for key, label in HEADLINE:
        if key in results[kinds[0]]:
            rows.append(f"| {label} | " + " | ".join(f"{results[k][key]:.4f}" for k in kinds)
                        + " |")
    return "\n".join(rows)
