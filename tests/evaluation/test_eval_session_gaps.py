"""Per session-gap figures against NumPy loops."""

import itertools

import numpy as np
import pytest

from lateral_keras import metrics
from lateral_keras.evaluation import evaluate_protocol
from lateral_keras.evaluation.session_gaps import session_gap_breakdown

ORDER = ["S1", "S2", "S3"]


def _layout(seed, kind):
    rng = np.random.default_rng(seed)
    identities = np.repeat([f"f{i}" for i in range(6)], 6)
    sessions = np.tile(np.repeat(ORDER, 2), 6)
    _, index = np.unique(identities, return_inverse=True)
    if kind == "codes":
        centres = rng.integers(0, 4, size=(6, 24))
        features = centres[index].copy()
        flip = rng.random(features.shape) < 0.5
        features[flip] = rng.integers(0, 4, size=flip.sum())
    else:
        features = rng.normal(size=(6, 8))[index] + 0.9 * rng.normal(size=(36, 8))
    return features, identities, sessions


def _cos(a, b):
    if np.issubdtype(a.dtype, np.integer):
        return float(np.mean(a == b))
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.mark.parametrize("kind", ["embeddings", "codes"])
def test_breakdown_matches_loops(kind):
    features, identities, sessions = _layout(1, kind)
    result = evaluate_protocol(features, identities, sessions, session_order=ORDER)
    rows = session_gap_breakdown(features, identities, sessions, None, result.pairs,
                                 session_order=ORDER, far_targets=(0.1,))
    assert [(r["gallery_session"], r["probe_session"]) for r in rows] == [
        ("S1", "S2"), ("S1", "S3"), ("S2", "S3")]
    n = len(identities)
    for row in rows:
        g_s, p_s = row["gallery_session"], row["probe_session"]
        scores, genuine = [], []
        for a, b in itertools.combinations(range(n), 2):
            if {sessions[a], sessions[b]} == {g_s, p_s}:
                scores.append(_cos(features[a], features[b]))
                genuine.append(identities[a] == identities[b])
        assert row["num_genuine"] == sum(genuine)
        assert row["num_impostor"] == len(genuine) - sum(genuine)
        assert row["gap"] == ORDER.index(p_s) - ORDER.index(g_s)
        assert row["eer"] == pytest.approx(metrics.eer(scores, genuine)[0], abs=1e-6)
        assert row["tar@far=0.1"] == pytest.approx(
            metrics.tar_at_far(scores, genuine, (0.1,))[0], abs=1e-9)
        gallery = [i for i in range(n) if sessions[i] == g_s]
        probes = [i for i in range(n) if sessions[i] == p_s]
        correct = 0
        for p in probes:
            best = {}
            for g in gallery:
                best[identities[g]] = max(best.get(identities[g], -np.inf),
                                          _cos(features[p], features[g]))
            mine = best[identities[p]]
            correct += all(mine > v for k, v in best.items() if k != identities[p])
        assert row["num_probes"] == len(probes)
        assert row["rank1"] == pytest.approx(correct / len(probes), abs=1e-12)


def test_sparse_session_counts():
    features, identities, sessions = _layout(2, "embeddings")
    keep = ~((sessions == "S3") & (identities != "f0"))  # S3 holds one fish only
    features, identities, sessions = features[keep], identities[keep], sessions[keep]
    result = evaluate_protocol(features, identities, sessions, session_order=ORDER)
    rows = session_gap_breakdown(features, identities, sessions, None, result.pairs,
                                 session_order=ORDER)
    s1_s3 = rows[1]
    assert s1_s3["num_probes"] == 2 and s1_s3["num_genuine"] == 4
    assert s1_s3["num_impostor"] == 20 and np.isfinite(s1_s3["eer"])
