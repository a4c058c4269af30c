"""The evaluation protocol of SPEC section 1, shared by training (validation EER), evaluation and
tuning.

From per-image features (float embeddings or integer Index-of-Max codes), identities, ordered
sessions and optional sides:

- verification: every genuine pair of images of one identity from different sessions and every
  (or a seeded sample of) impostor pair of different identities from different sessions, scored
  and exported; same-session pairs (never self-pairs) are scored and reported apart;
- identification: the gallery holds each identity's images from its earliest session, the probes
  are its images from later sessions. A probe's score for an identity is its best similarity over
  that identity's gallery images; rank-k and the CMC rank identities by that score (ties
  pessimistic), mAP ranks all gallery images. Open set: a seeded share of the identities that
  have probes is kept out of the gallery; their probes are the non-mated ones of DIR at FAR;
- sides: only images of one side are compared (a side `"unknown"` matches any), unless
  `cross_side=True`. Side-incompatible gallery images score `-inf` for a probe; a probe whose
  identity has only such gallery images counts as an identification failure.

Figures a layout cannot give (no genuine cross-session pair, no probe, ...) are NaN.

Example:

```python
from lateral_keras.evaluation import evaluate_protocol

result = evaluate_protocol(embeddings, fish_ids, session_names,
                           session_order=["SESSION2", "SESSION3", "SESSION4"])
result.summary()["eer"], result.pairs.score   # figure, per-pair scores
```
"""

import dataclasses
import numbers

import numpy as np

from lateral_keras import metrics
from lateral_keras.evaluation.identity_scores import max_over_identity
from lateral_keras.evaluation.pairs import (
    UNKNOWN_SIDE,
    PairScores,
    protocol_pairs,
    side_compatibility,
)
from lateral_keras.evaluation.sessions import enrolment_mask, session_ranks
from lateral_keras.evaluation.similarity import similarity_matrix
from lateral_keras.metrics.verification import check_far_targets

FAR_TARGETS = (1e-1, 1e-2, 1e-3, 1e-4)


@dataclasses.dataclass(frozen=True)
class ProtocolResult:
    """Scores and figures of one protocol run.

    Attributes:
        pairs: `PairScores` of the cross-session verification pairs.
        same_session_pairs: `PairScores` of the same-session pairs.
        gallery_indices: int64 array, the images enrolled in the gallery.
        probe_indices: int64 array, the probe images (mated and non-mated).
        open_set_identities: identities kept out of the gallery (their probes are non-mated).
        eer, eer_threshold, auc: cross-session verification figures.
        tar_at_far: dict FAR target -> TAR (NaN when the pairs cannot resolve the target).
        accuracy, accuracy_threshold: 10-fold best accuracy and its mean threshold.
        same_session_eer: EER of the same-session pairs.
        rank1, rank5: closed-set identification accuracies of the mated probes.
        cmc: float64 array `(n_gallery_identities,)`, the CMC curve (empty without probes).
        mean_average_precision: mAP of the mated probes over the ranked gallery images.
        vote_accuracy: share of probe identities whose most frequent rank-1 identity is right.
        dir_at_far: dict FAR target -> open-set DIR (NaN without held-out identities).
    """

    pairs: PairScores
    same_session_pairs: PairScores
    gallery_indices: np.ndarray
    probe_indices: np.ndarray
    open_set_identities: np.ndarray
    eer: float
    eer_threshold: float
    auc: float
    tar_at_far: dict
    accuracy: float
    accuracy_threshold: float
    same_session_eer: float
    rank1: float
    rank5: float
    cmc: np.ndarray
    mean_average_precision: float
    vote_accuracy: float
    dir_at_far: dict

    def summary(self):
        """Every figure and count as a flat dict of Python floats (keys such as `"tar@far=0.01"`).

        Returns:
            dict str -> float.

        Example:

        >>> result.summary()["rank1"]  # doctest: +SKIP
        """
        figures = {
            "eer": self.eer,
            "eer_threshold": self.eer_threshold,
            "auc": self.auc,
            "accuracy": self.accuracy,
            "accuracy_threshold": self.accuracy_threshold,
            "same_session_eer": self.same_session_eer,
            "rank1": self.rank1,
            "rank5": self.rank5,
            "mean_average_precision": self.mean_average_precision,
            "vote_accuracy": self.vote_accuracy,
            "num_genuine": self.pairs.num_genuine,
            "num_impostor": self.pairs.num_impostor,
            "num_same_session_genuine": self.same_session_pairs.num_genuine,
            "num_same_session_impostor": self.same_session_pairs.num_impostor,
            "num_gallery_images": self.gallery_indices.size,
            "num_probes": self.probe_indices.size,
        }
        figures.update({f"tar@far={far:g}": tar for far, tar in self.tar_at_far.items()})
        figures.update({f"dir@far={far:g}": rate for far, rate in self.dir_at_far.items()})
        return {key: float(value) for key, value in figures.items()}


def evaluate_protocol(
    features,
    identities,
    sessions,
    sides=None,
    *,
    session_order=None,
    cross_side=False,
    max_impostors=None,
    open_set_fraction=0.0,
    far_targets=FAR_TARGETS,
    seed=0,
):
    """Runs the cross-session verification and identification protocol on per-image features.

    Args:
        features: float embeddings (cosine similarity) or integer codes (collision similarity
            `c / m`), shape `(n, d)`.
        identities: array-like, shape `(n,)`, the fish of each image.
        sessions: array-like, shape `(n,)`: session names ordered by `session_order`, or integer
            session ranks (smaller = earlier).
        sides: optional array-like of side names, shape `(n,)`; `None` means all `"unknown"`.
        session_order: optional sequence of session names, earliest first.
        cross_side: bool, compare images of different sides too; `"only"` compares only
            images of two different known sides (see `evaluate_by_side`).
        max_impostors: optional int; cap on the number of impostor pairs (cross-session and
            same-session separately), sampled uniformly with `seed`.
        open_set_fraction: float in `[0, 1)`, share of the identities with probes kept out of the
            gallery (rounded to a whole number, seeded).
        far_targets: FAR targets of TAR@FAR and DIR@FAR.
        seed: int, seeds the impostor sample, the open-set identities and the 10 folds.

    Returns:
        `ProtocolResult`.

    Example:

    >>> features = np.eye(3)[[0, 0, 1, 1, 2, 2]]  # one-hot identity: perfect features
    >>> result = evaluate_protocol(features, [0, 0, 1, 1, 2, 2], [0, 1, 0, 1, 0, 1])
    >>> result.eer, result.rank1  # (0.0, 1.0)
    """
    features = np.asarray(features)
    identities = np.asarray(identities)
    n = identities.size
    sides = np.full(n, UNKNOWN_SIDE) if sides is None else np.asarray(sides)
    shapes_match = identities.ndim == 1 and np.shape(sessions) == (n,) and sides.shape == (n,)
    if features.ndim != 2 or features.shape[0] != n or not shapes_match:
        raise ValueError(
            "`features` (n, d), `identities`, `sessions` and `sides` (n,) must describe the same "
            f"images. Received: features.shape={features.shape}, identities.shape="
            f"{identities.shape}, sessions.shape={np.shape(sessions)}, sides.shape={sides.shape}"
        )
    if not (isinstance(open_set_fraction, numbers.Real) and 0 <= open_set_fraction < 1):
        raise ValueError(
            "`open_set_fraction` must be in [0, 1). "
            f"Received: open_set_fraction={open_set_fraction}"
        )
    far_targets = tuple(check_far_targets(far_targets).tolist())
    ranks = session_ranks(sessions, session_order)
    compatible = side_compatibility(sides, cross_side)
    similarity = similarity_matrix(features)

    def scored_pairs(same_session):
        a, b, genuine = protocol_pairs(
            identities,
            ranks,
            compatible,
            same_session=same_session,
            max_impostors=max_impostors,
            seed=seed,
        )
        return PairScores(a, b, similarity[a, b], genuine)

    pairs = scored_pairs(same_session=False)
    same_session_pairs = scored_pairs(same_session=True)
    verification = _verification_figures(pairs, far_targets, seed)

    enrolled = enrolment_mask(identities, ranks)
    probe_identities = np.unique(identities[~enrolled])
    num_held_out = int(round(open_set_fraction * probe_identities.size))
    held_out = np.sort(
        np.random.default_rng(seed).choice(probe_identities, size=num_held_out, replace=False)
    )
    gallery = enrolled & ~np.isin(identities, held_out)
    probes = ~enrolled
    probe_vs_gallery = np.where(
        compatible[np.ix_(probes, gallery)], similarity[np.ix_(probes, gallery)], -np.inf
    )
    identification = _identification_figures(
        probe_vs_gallery, identities[probes], identities[gallery], far_targets
    )
    return ProtocolResult(
        pairs=pairs,
        same_session_pairs=same_session_pairs,
        gallery_indices=np.flatnonzero(gallery),
        probe_indices=np.flatnonzero(probes),
        open_set_identities=held_out,
        same_session_eer=_eer_or_nan(same_session_pairs),
        **verification,
        **identification,
    )


def _has_both_classes(pairs):
    return pairs.num_genuine > 0 and pairs.num_impostor > 0


def _eer_or_nan(pairs):
    return metrics.eer(pairs.score, pairs.genuine)[0] if _has_both_classes(pairs) else np.nan


def _verification_figures(pairs, far_targets, seed):
    """EER, AUC, TAR@FAR and 10-fold accuracy of scored pairs (NaN when undefined)."""
    if not _has_both_classes(pairs):
        return {
            "eer": np.nan,
            "eer_threshold": np.nan,
            "auc": np.nan,
            "tar_at_far": dict.fromkeys(far_targets, np.nan),
            "accuracy": np.nan,
            "accuracy_threshold": np.nan,
        }
    figures = metrics.verification_figures(pairs.score, pairs.genuine, far_targets)
    accuracy, accuracy_threshold = (
        metrics.best_accuracy_10fold(pairs.score, pairs.genuine, seed=seed)
        if pairs.genuine.size >= 10
        else (np.nan, np.nan)
    )
    return {
        "eer": figures["eer"],
        "eer_threshold": figures["eer_threshold"],
        "auc": figures["auc"],
        "tar_at_far": dict(zip(far_targets, figures["tar_at_far"].tolist())),
        "accuracy": accuracy,
        "accuracy_threshold": accuracy_threshold,
    }


def _identification_figures(similarity, probe_labels, gallery_labels, far_targets):
    """Closed-set figures over the mated probes and open-set DIR over all probes."""
    identity_scores, gallery_identities = max_over_identity(similarity, gallery_labels)
    mated = np.isin(probe_labels, gallery_identities)
    figures = {
        "rank1": np.nan,
        "rank5": np.nan,
        "cmc": np.zeros(0),
        "mean_average_precision": np.nan,
        "vote_accuracy": np.nan,
        "dir_at_far": dict.fromkeys(far_targets, np.nan),
    }
    if not mated.any():
        return figures
    scores, labels = identity_scores[mated], probe_labels[mated]
    figures["cmc"] = metrics.cmc_curve(scores, labels, gallery_identities)
    figures["rank1"] = metrics.rank_k_accuracy(scores, labels, gallery_identities, k=1)
    figures["rank5"] = metrics.rank_k_accuracy(scores, labels, gallery_identities, k=5)
    figures["mean_average_precision"] = metrics.mean_average_precision(
        similarity[mated], labels, gallery_labels
    )
    predicted = gallery_identities[np.argmax(scores, axis=1)]
    figures["vote_accuracy"] = metrics.vote_accuracy(predicted, labels, labels)
    if not mated.all():
        rates = metrics.dir_at_far(identity_scores, probe_labels, gallery_identities, far_targets)
        figures["dir_at_far"] = dict(zip(far_targets, rates.tolist()))
    return figures
