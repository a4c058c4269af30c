"""The template-protection section of a run's report: revocability and unlinkability.

The evaluation images are coded by the run's code model and keyed with two assessment keys
(fixed strings derived from `evaluation.seed`, used for nothing else), then:

- revocability: the score of each image's code under key A against its own code under key B
  (an old, stolen template against the re-keyed gallery) next to the impostor scores under one
  key (different fish). Revoked templates must not be accepted: with a validation threshold
  (`thresholds.json`) the share of them accepted is given beside the impostors' share. An EER
  between the two near 0.5 means they look alike; above 0.5, old templates score even lower
  than impostors (trained codes of different fish collide more often than chance, 1/q, while a
  key change leaves about 1/q);
- unlinkability D<->sys (Gomez-Barrero et al., IEEE TIFS 2018): mated = two different images of
  one fish, non-mated = images of two fish (a seeded sample), one template under key A and the
  other under key B. Near 0 = the two keyed databases cannot be linked. The same figure with
  one key for both (no re-keying) is given for reference: that is how linkable the codes are
  without protection.

Scores are `collisions / m` as in the protocol; the histograms have one bin per collision
count (m + 1 bins).
"""

import numpy as np

from lateral_keras import metrics
from lateral_keras.gallery.threshold import validation_threshold
from lateral_keras.protection.keying import apply_key
from lateral_keras.protection.pairs import linkage_pairs, pair_collision_scores
from lateral_keras.protection.unlinkability import code_score_edges, unlinkability

MAX_NON_MATED = 100_000
"""Most non-mated pairs sampled (impostors, and non-mated linkage pairs)."""


def assessment_keys(seed):
    """The two fixed assessment keys of a run (not secret: they protect nothing)."""
    return (f"lateral_keras/assessment/{seed}/A", f"lateral_keras/assessment/{seed}/B")


def _spread(scores):
    return {"mean": float(np.mean(scores)), "sd": float(np.std(scores)),
            "max": float(np.max(scores)), "count": len(scores)}


def _linkability(mated, non_mated, m):
    result = unlinkability(mated, non_mated, bins=code_score_edges(m))
    return {"d_sys": result.d_sys, "num_mated": result.num_mated,
            "num_non_mated": result.num_non_mated, "num_bins": result.num_bins,
            "omega": result.omega, "mated_mean": float(np.mean(mated)),
            "non_mated_mean": float(np.mean(non_mated))}


def assess_codes(codes, identities, sides, q, seed=0, threshold=None):
    """Revocability and unlinkability figures of one set of unkeyed codes.

    Args:
        codes: int array `(n, m)`, unkeyed argmax codes.
        identities: fish per code `(n,)`.
        sides: side per code `(n,)`.
        q: index values per position.
        seed: seeds the assessment keys and the non-mated sample.
        threshold: optional decision threshold on `c / m` (e.g. from validation).

    Returns:
        dict (see `protection_section`).
    """
    codes = np.asarray(codes)
    m = codes.shape[1]
    key_a, key_b = assessment_keys(seed)
    keyed_a, keyed_b = apply_key(codes, key_a, q), apply_key(codes, key_b, q)
    (mated_a, mated_b), (other_a, other_b) = linkage_pairs(identities, sides, MAX_NON_MATED,
                                                           seed)
    everyone = np.arange(len(codes))
    revoked = pair_collision_scores(keyed_a, keyed_b, everyone, everyone, m)
    impostor = pair_collision_scores(keyed_a, keyed_a, other_a, other_b, m)
    genuine = pair_collision_scores(keyed_a, keyed_a, mated_a, mated_b, m)
    labels = np.r_[np.ones(len(revoked)), np.zeros(len(impostor))]
    revocability = {
        "revoked": _spread(revoked),
        "impostor": _spread(impostor),
        "genuine_same_key": _spread(genuine),
        "eer_revoked_vs_impostor": metrics.eer(np.r_[revoked, impostor], labels)[0],
        "d_sys_revoked_vs_impostor": _linkability(revoked, impostor, m)["d_sys"],
        "threshold": None if threshold is None else float(threshold),
        "revoked_accepted": None,
        "impostor_accepted": None,
    }
    if threshold is not None:
        revocability["revoked_accepted"] = float(np.mean(revoked >= threshold))
        revocability["impostor_accepted"] = float(np.mean(impostor >= threshold))
    across = _linkability(pair_collision_scores(keyed_a, keyed_b, mated_a, mated_b, m),
                          pair_collision_scores(keyed_a, keyed_b, other_a, other_b, m), m)
    same_key = _linkability(genuine, impostor, m)
    return {"m": int(m), "q": int(q), "chance_score": 1.0 / q, "revocability": revocability,
            "unlinkability": {"across_keys": across, "same_key": same_key},
            "keys": "two fixed assessment keys derived from evaluation.seed"}


def _markdown(figures, threshold_source):
    rev, link = figures["revocability"], figures["unlinkability"]
    across, same = link["across_keys"], link["same_key"]

    def spread(entry):
        return (f"{entry['mean']:.4f} +- {entry['sd']:.4f}, max {entry['max']:.4f} "
                f"({entry['count']:,} scores)")

    lines = [
        "## Template protection",
        "",
        f"Keyed IoM codes (m={figures['m']}, q={figures['q']}): the evaluation images coded "
        "under two keys A and B (fixed assessment keys). Scores are collisions / m; "
        f"unrelated codes score {figures['chance_score']:.4f} on average.",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| same image, key A vs key B (revoked template) | {spread(rev['revoked'])} |",
        f"| different fish, one key (impostor) | {spread(rev['impostor'])} |",
        f"| same fish, one key (genuine) | {spread(rev['genuine_same_key'])} |",
        f"| EER revoked vs impostor (0.5: indistinguishable; above: old templates score "
        f"below impostors) | {rev['eer_revoked_vs_impostor']:.4f} |",
        f"| D<->sys revoked vs impostor | {rev['d_sys_revoked_vs_impostor']:.4f} |",
    ]
    if rev["threshold"] is not None:
        lines += [
            f"| revoked templates accepted at the {threshold_source} threshold "
            f"{rev['threshold']:.4f} | {rev['revoked_accepted']:.4f} "
            f"(impostors: {rev['impostor_accepted']:.4f}) |",
        ]
    lines += [
        f"| **unlinkability D<->sys across keys** | **{across['d_sys']:.4f}** |",
        f"| D<->sys with one key (no re-keying, reference) | {same['d_sys']:.4f} |",
        "",
        f"Unlinkability (Gomez-Barrero et al., IEEE TIFS 2018, omega = 1): mated = two "
        f"different images of one fish ({across['num_mated']:,} scores), non-mated = two fish "
        f"({across['num_non_mated']:,} scores, seeded sample), one template under each key; "
        f"{across['num_bins']} histogram bins (one per collision count). D<->sys = 0: the "
        "keyed databases cannot be linked; 1: fully linkable. A finite sample biases it "
        "slightly above 0 even for identical distributions.",
    ]
    if rev["threshold"] is None:
        lines += ["", "No validation threshold (`thresholds.json`) in the run folder: the share "
                  "of revoked templates accepted is not given."]
    return "\n".join(lines) + "\n"


def protection_section(config, run, eval_embeddings, part, code_model):
    """The template-protection figures and Markdown section of a run's report.

    Args:
        config: the run's `Config` (`stage_two.q`, `evaluation.seed`).
        run: the `RunFolder` (its `thresholds.json`, if written, gives the codes' decision
            threshold chosen on the validation identities).
        eval_embeddings: float32 `(n, d)` stage-one embeddings of the evaluation images.
        part: the evaluation `PartData` (identities and sides of the same images).
        code_model: the stage-two model, embeddings -> argmax codes `(n, m)`.

    Returns:
        `(figures dict, markdown str)`: `figures` holds `m`, `q`, `chance_score`,
        `revocability` (score spreads, EER and D<->sys revoked vs impostor, threshold and
        acceptance shares) and `unlinkability` (`across_keys`, `same_key`: `d_sys`,
        `num_mated`, `num_non_mated`, `num_bins`, `omega`).

    Example:
        >>> figures, text = protection_section(  # doctest: +SKIP
        ...     config, run, embeddings, part, code_model)
    """
    codes = np.asarray(code_model.predict(np.asarray(eval_embeddings), verbose=0))
    chosen = validation_threshold(run.path, "codes", config.evaluation.test_time_crops)
    figures = assess_codes(codes, part.identities, part.sides, config.stage_two.q,
                           seed=config.evaluation.seed,
                           threshold=None if chosen is None else chosen["threshold"])
    return figures, _markdown(figures, "validation")
