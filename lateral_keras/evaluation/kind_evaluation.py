"""Every figure of one feature kind on one split part: protocol, decisions, gaps, templates.

Example:

```python
result, figures = evaluate_kind(codes, part, session_order, config, threshold=0.31)
figures["protocol"]["eer"], figures["decision"]["cross_session"]["far"]
```
"""

import numpy as np

from lateral_keras.evaluation.by_side import evaluate_by_side, shows_both_sides
from lateral_keras.evaluation.pairs import PairScores
from lateral_keras.evaluation.pairs_file import paired_similarity
from lateral_keras.evaluation.protocol import _verification_figures, evaluate_protocol
from lateral_keras.evaluation.session_gaps import session_gap_breakdown
from lateral_keras.evaluation.templates import build_templates
from lateral_keras.evaluation.thresholds import decision_rates


def evaluate_features(features, part, session_order, config):
    """Run the protocol (SPEC section 1) on one feature set of a split part.

    Args:
        features: embeddings (float) or codes (int), one row per record of `part`.
        part: a `PartData` (evaluation or validation identities).
        session_order: session names in time order.
        config: the run's `Config` (`evaluation` section).

    Returns:
        `ProtocolResult`.
    """
    ev = config.evaluation
    return evaluate_protocol(
        features, part.identities, part.sessions, part.sides, session_order=session_order,
        cross_side=ev.cross_side, max_impostors=ev.max_impostors,
        open_set_fraction=ev.open_set_fraction, far_targets=tuple(ev.far_targets), seed=ev.seed,
    )


def _verification(scores, genuine, far_targets, seed, threshold):
    """The protocol's verification figures (one implementation) on a list of scored pairs."""
    pairs = PairScores(np.zeros(0), np.zeros(0), np.asarray(scores), np.asarray(genuine))
    figures = _verification_figures(pairs, far_targets, seed)
    summary = {key: value for key, value in figures.items() if key != "tar_at_far"}
    summary.update({f"tar@far={far:g}": tar for far, tar in figures["tar_at_far"].items()})
    summary.update(num_genuine=pairs.num_genuine, num_impostor=pairs.num_impostor)
    summary["decision"] = decision_rates(scores, genuine, threshold)
    return {key: value if isinstance(value, dict) else float(value)
            for key, value in summary.items()}


def _by_side(features, part, session_order, config, result):
    """Same-side and cross-side summaries when the part shows two known flanks, else None.

    `result` is the main protocol run; with the default matching (`cross_side: false`) it is
    the same-side run, reused rather than computed again.
    """
    if not shows_both_sides(part.sides):  # else the same-side run would repeat the main one
        return None
    ev = config.evaluation
    results = evaluate_by_side(
        features, part.identities, part.sessions, part.sides,
        same_side=None if ev.cross_side else result, session_order=session_order,
        max_impostors=ev.max_impostors, open_set_fraction=ev.open_set_fraction,
        far_targets=tuple(ev.far_targets), seed=ev.seed,
    )
    return {name: result.summary() for name, result in results.items()}


def evaluate_kind(features, part, session_order, config, threshold, pair_list=None):
    """Protocol figures, decisions at the validation threshold, session gaps, templates and
    the pairs file's figures of one feature kind.

    Args:
        features: float embeddings or integer codes, one row per record of `part`.
        part: the evaluation `PartData`.
        session_order: session names in time order.
        config: the run's `Config`.
        threshold: decision threshold chosen on the validation identities.
        pair_list: optional `PairList` of the pairs file.

    Returns:
        `(ProtocolResult, figures)`: figures is a JSON-ready dict with `protocol` (the
        summary), `cmc`, `decision` (threshold and its FAR / TAR on the cross-session and
        same-session pairs), `session_gaps` (rows), `templates` (1:1 and 1:N on templates),
        `pairs_file` (or None) and `by_side` (same-side and cross-side summaries when the part
        shows both flanks, else None).
    """
    ev = config.evaluation
    far_targets = tuple(ev.far_targets)
    result = evaluate_features(features, part, session_order, config)
    templates = build_templates(features, part.identities, part.sessions, part.sides)
    template_result = evaluate_protocol(
        templates.features, templates.identities, templates.sessions, templates.sides,
        session_order=session_order, cross_side=ev.cross_side, max_impostors=ev.max_impostors,
        open_set_fraction=ev.open_set_fraction, far_targets=far_targets, seed=ev.seed,
    )
    figures = {
        "protocol": result.summary(),
        "cmc": result.cmc.tolist(),
        "decision": {
            "threshold": float(threshold),
            "cross_session": decision_rates(result.pairs.score, result.pairs.genuine, threshold),
            "same_session": decision_rates(result.same_session_pairs.score,
                                           result.same_session_pairs.genuine, threshold),
        },
        "session_gaps": session_gap_breakdown(
            features, part.identities, part.sessions, part.sides, result.pairs,
            session_order=session_order, cross_side=ev.cross_side, far_targets=far_targets,
        ),
        "templates": {"num_templates": int(templates.identities.size),
                      **template_result.summary()},
        "pairs_file": None,
        "by_side": _by_side(features, part, session_order, config, result),
    }
    if pair_list is not None:
        scores = paired_similarity(features, pair_list.index_a, pair_list.index_b)
        figures["pairs_file"] = _verification(scores, pair_list.genuine, far_targets, ev.seed,
                                              threshold)
    return result, figures
