"""Figures per session gap: how matching degrades from one session to each later one.

For every pair of sessions `i < j` (in time order): verification on the protocol's
cross-session pairs with one image in `i` and the other in `j`, and closed-set identification
with session `i`'s images as the gallery and session `j`'s images of fish photographed in `i` as
the probes (side-incompatible gallery images excluded, as in the protocol).

Example:

```python
rows = session_gap_breakdown(features, identities, sessions, sides, result.pairs,
                             session_order=order)
rows[0]["gallery_session"], rows[0]["probe_session"], rows[0]["rank1"]
```
"""

import numpy as np

from lateral_keras import metrics
from lateral_keras.evaluation.identity_scores import max_over_identity
from lateral_keras.evaluation.pairs import UNKNOWN_SIDE, side_compatibility
from lateral_keras.evaluation.sessions import session_ranks
from lateral_keras.evaluation.similarity import similarity_matrix


def session_gap_breakdown(features, identities, sessions, sides, pairs, *, session_order=None,
                          cross_side=False, far_targets=(1e-2,)):
    """One row of figures per ordered session pair `i < j` present in the data.

    Args:
        features: float embeddings or integer codes, shape `(n, d)`.
        identities: array-like, shape `(n,)`.
        sessions: array-like, shape `(n,)`, session names (or integer ranks without
            `session_order`).
        sides: optional array-like of side names `(n,)`; None means all unknown.
        pairs: the protocol's cross-session `PairScores` on these images.
        session_order: optional session names, earliest first.
        cross_side: bool, compare images of different sides too.
        far_targets: FAR targets of the `tar@far=` entries.

    Returns:
        list of dicts with `gallery_session`, `probe_session`, `gap` (`j - i` in sessions),
        `num_genuine`, `num_impostor`, `eer`, `tar@far=...`, `num_probes`, `rank1` (NaN when
        the pair of sessions cannot give a figure).

    Example:

    >>> features, fish, sessions = np.eye(2)[[0, 0, 1, 1]], [0, 0, 1, 1], [0, 1, 0, 1]
    >>> pairs = evaluate_protocol(features, fish, sessions).pairs
    >>> session_gap_breakdown(features, fish, sessions, None, pairs)[0]["rank1"]  # 1.0
    """
    features = np.asarray(features)
    identities = np.asarray(identities)
    ranks = session_ranks(sessions, session_order)
    names = list(session_order) if session_order is not None else None
    sides = np.full(identities.size, UNKNOWN_SIDE) if sides is None else np.asarray(sides)
    compatible = side_compatibility(sides, cross_side)
    present = np.unique(ranks)
    rows = []
    for position, first in enumerate(present):
        for second in present[position + 1:]:
            row = {
                "gallery_session": names[first] if names else int(first),
                "probe_session": names[second] if names else int(second),
                "gap": int(second - first),
            }
            row.update(_verification(pairs, ranks, first, second, far_targets))
            row.update(_identification(features, identities, ranks, compatible, first, second))
            rows.append(row)
    return rows


def _verification(pairs, ranks, first, second, far_targets):
    rank_a, rank_b = ranks[pairs.index_a], ranks[pairs.index_b]
    chosen = ((rank_a == first) & (rank_b == second)) | ((rank_a == second) & (rank_b == first))
    score, genuine = pairs.score[chosen], pairs.genuine[chosen]
    row = {"num_genuine": int(genuine.sum()), "num_impostor": int((~genuine).sum())}
    both = row["num_genuine"] > 0 and row["num_impostor"] > 0
    if both:
        figures = metrics.verification_figures(score, genuine, far_targets)
        row["eer"], tars = figures["eer"], figures["tar_at_far"]
    else:
        row["eer"], tars = np.nan, [np.nan] * len(far_targets)
    row.update({f"tar@far={far:g}": float(tar) for far, tar in zip(far_targets, tars)})
    return row


def _identification(features, identities, ranks, compatible, first, second):
    gallery = np.flatnonzero(ranks == first)
    probes = np.flatnonzero((ranks == second) & np.isin(identities, identities[gallery]))
    if probes.size == 0:
        return {"num_probes": 0, "rank1": np.nan}
    similarity = similarity_matrix(features[probes], features[gallery])
    similarity = np.where(compatible[np.ix_(probes, gallery)], similarity, -np.inf)
    scores, gallery_identities = max_over_identity(similarity, identities[gallery])
    rank1 = metrics.rank_k_accuracy(scores, identities[probes], gallery_identities, k=1)
    return {"num_probes": int(probes.size), "rank1": rank1}
