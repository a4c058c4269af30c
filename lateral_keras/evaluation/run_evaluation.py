"""Evaluate a trained run on its evaluation identities: embeddings and IoM codes side by side."""

import numpy as np

from lateral_keras.evaluation.protocol import evaluate_protocol
from lateral_keras.utils.atomic import write_json

HEADLINE = (("eer", "EER"), ("auc", "AUC"), ("rank1", "rank-1"), ("rank5", "rank-5"),
            ("tar@far=0.01", "TAR@FAR=1e-2"), ("same_session_eer", "same-session EER"))


def evaluate_features(features, part, session_order, config):
    """Run the protocol (SPEC section 1) on one feature set of the evaluation part.

    Args:
        features: embeddings (float) or codes (int), one row per record of ``part``.
        part: the evaluation ``PartData``.
        session_order: session names in time order.
        config: the run's ``Config`` (``evaluation`` section).

    Returns:
        ``ProtocolResult``.
    """
    ev = config.evaluation
    return evaluate_protocol(
        features, part.identities, part.sessions, part.sides, session_order=session_order,
        max_impostors=ev.max_impostors, open_set_fraction=ev.open_set_fraction,
        far_targets=tuple(ev.far_targets), seed=ev.seed,
    )


def evaluate_run(config, run, eval_embeddings, eval_codes, part, session_order):
    """Score embeddings and codes of the evaluation identities; write ``metrics.json``.

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder``.
        eval_embeddings: float32 ``(n, d)`` stage-one embeddings of the evaluation images.
        eval_codes: int ``(n, m)`` IoM codes of the same images.
        part: the evaluation ``PartData``.
        session_order: session names in time order.

    Returns:
        ``{"embeddings": summary dict, "codes": summary dict, "counts": {...}}``.
    """
    results = {
        "embeddings": evaluate_features(eval_embeddings, part, session_order, config).summary(),
        "codes": evaluate_features(np.asarray(eval_codes), part, session_order, config).summary(),
        "counts": {
            "identities": int(len(set(part.identities))),
            "images": int(len(part.records)),
            "sessions": list(session_order),
        },
    }
    write_json(run.file("metrics.json"), results)
    return results


def headline_table(results):
    """A Markdown table of the headline figures, embeddings and codes side by side."""
    rows = ["| figure | embeddings | IoM codes |", "| --- | --- | --- |"]
    for key, label in HEADLINE:
        emb, codes = results["embeddings"].get(key), results["codes"].get(key)
        if emb is None:
            continue
        rows.append(f"| {label} | {emb:.4f} | {codes:.4f} |")
    return "\n".join(rows)
