"""The end-to-end evaluation protocol on small synthetic layouts."""

import numpy as np
import pytest

from lateral_keras.evaluation import evaluate_protocol, similarity_matrix
from lateral_keras.evaluation.identity_scores import max_over_identity
from lateral_keras.metrics import dir_at_far, rank_k_accuracy

IDENTITIES = np.repeat(["a", "b", "c"], 6)
SESSIONS = np.tile(np.repeat(["S1", "S2", "S3"], 2), 3)
ORDER = ["S1", "S2", "S3"]


def _noisy_features(seed, identities, scale=0.8, d=12):
    rng = np.random.default_rng(seed)
    _, index = np.unique(identities, return_inverse=True)
    centres = rng.normal(size=(index.max() + 1, d))
    return centres[index] + scale * rng.normal(size=(len(identities), d))


def test_perfect_features():
    features = np.eye(3)[np.repeat([0, 1, 2], 6)]
    result = evaluate_protocol(features, IDENTITIES, SESSIONS, session_order=ORDER)
    assert result.eer == 0.0 and result.auc == 1.0
    assert result.rank1 == 1.0 and result.mean_average_precision == 1.0
    assert result.vote_accuracy == 1.0 and result.same_session_eer == 0.0
    np.testing.assert_array_equal(result.cmc, [1.0, 1.0, 1.0])


def test_counts_gallery_and_probes():
    result = evaluate_protocol(
        _noisy_features(0, IDENTITIES), IDENTITIES, SESSIONS, session_order=ORDER
    )
    summary = result.summary()
    # See test_eval_pairs_sessions for the combinatorics of this 3 x 3 x 2 layout.
    assert (summary["num_genuine"], summary["num_impostor"]) == (36.0, 72.0)
    assert summary["num_same_session_genuine"] == 9.0
    assert summary["num_same_session_impostor"] == 36.0
    assert set(SESSIONS[result.gallery_indices]) == {"S1"}
    assert set(SESSIONS[result.probe_indices]) == {"S2", "S3"}
    assert result.gallery_indices.size == 6 and result.probe_indices.size == 12
    assert all(isinstance(value, float) for value in summary.values())
    assert {"tar@far=0.1", "tar@far=0.01", "dir@far=0.1"} <= set(summary)


def test_session_order_sets_the_gallery():
    result = evaluate_protocol(
        _noisy_features(1, IDENTITIES), IDENTITIES, SESSIONS, session_order=["S3", "S1", "S2"]
    )
    assert set(SESSIONS[result.gallery_indices]) == {"S3"}


def test_pair_scores_are_cosines():
    features = _noisy_features(2, IDENTITIES)
    result = evaluate_protocol(features, IDENTITIES, SESSIONS, session_order=ORDER)
    pairs = result.pairs
    for a, b, score in zip(pairs.index_a, pairs.index_b, pairs.score):
        expected = (
            features[a] @ features[b] / np.linalg.norm(features[a]) / np.linalg.norm(features[b])
        )
        assert score == pytest.approx(expected, abs=1e-5)


def test_codes_use_collisions():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 4, size=(18, 10))
    result = evaluate_protocol(codes, IDENTITIES, SESSIONS, session_order=ORDER)
    for pairs in (result.pairs, result.same_session_pairs):
        expected = [np.sum(codes[a] == codes[b]) / 10 for a, b in zip(pairs.index_a, pairs.index_b)]
        np.testing.assert_allclose(pairs.score, expected, atol=1e-6)


def test_identification_matches_loop():
    # Probe score for an identity = max over its gallery images; rank-1 by explicit loop.
    identities = np.repeat(np.arange(6), 4)
    sessions = np.tile([0, 0, 1, 2], 6)
    features = _noisy_features(4, identities, scale=1.5)
    result = evaluate_protocol(features, identities, sessions)
    sim = similarity_matrix(features)
    gallery, probes = result.gallery_indices, result.probe_indices
    correct = []
    for p in probes:
        best = {g_id: max(sim[p, g] for g in gallery if identities[g] == g_id) for g_id in range(6)}
        own = best[identities[p]]
        correct.append(all(own > s for g_id, s in best.items() if g_id != identities[p]))
    assert result.rank1 == pytest.approx(np.mean(correct))
    assert 0.0 < result.rank1 < 1.0  # noisy enough to be informative


def test_sides_filter_pairs_and_gallery():
    sides = np.array(["left", "right"] * 9)
    features = _noisy_features(5, IDENTITIES)
    result = evaluate_protocol(features, IDENTITIES, SESSIONS, sides, session_order=ORDER)
    for pairs in (result.pairs, result.same_session_pairs):
        np.testing.assert_array_equal(sides[pairs.index_a], sides[pairs.index_b])
    both = evaluate_protocol(
        features, IDENTITIES, SESSIONS, sides, session_order=ORDER, cross_side=True
    )
    assert both.pairs.genuine.size == 108
    assert result.pairs.genuine.size < 108


def test_side_incompatible_gallery_scores_minus_inf():
    scores, identities = max_over_identity(np.array([[0.2, -np.inf, 0.4, -np.inf]]), [0, 1, 0, 1])
    assert scores.tolist() == [[0.4, -np.inf]]
    assert identities.tolist() == [0, 1]


def test_impostor_sampling_is_reproducible():
    features = _noisy_features(6, IDENTITIES)
    kwargs = {"session_order": ORDER, "max_impostors": 20, "seed": 7}
    first = evaluate_protocol(features, IDENTITIES, SESSIONS, **kwargs)
    again = evaluate_protocol(features, IDENTITIES, SESSIONS, **kwargs)
    assert first.pairs.num_impostor == 20 and first.pairs.num_genuine == 36
    np.testing.assert_array_equal(first.pairs.index_a, again.pairs.index_a)
    np.testing.assert_array_equal(first.pairs.index_b, again.pairs.index_b)
    assert first.summary() == pytest.approx(again.summary(), nan_ok=True)


def test_open_set_holds_out_identities():
    identities = np.repeat(np.arange(10), 4)
    sessions = np.tile([0, 0, 1, 1], 10)
    features = _noisy_features(8, identities, scale=1.0)
    result = evaluate_protocol(
        features, identities, sessions, open_set_fraction=0.3, far_targets=(0.5, 0.1), seed=1
    )
    held_out = result.open_set_identities
    assert held_out.size == 3
    assert not np.isin(identities[result.gallery_indices], held_out).any()
    assert np.isin(held_out, identities[result.probe_indices]).all()
    # Probe-by-identity scores rebuilt by hand, then the (separately tested) DIR metric.
    sim = similarity_matrix(features)
    gallery, probes = result.gallery_indices, result.probe_indices
    gallery_ids = np.unique(identities[gallery])
    scores = [
        [sim[p, gallery[identities[gallery] == g]].max() for g in gallery_ids] for p in probes
    ]
    expected = dir_at_far(scores, identities[probes], gallery_ids, far_targets=(0.5,))
    assert result.dir_at_far[0.5] == pytest.approx(expected[0])
    assert np.isnan(result.dir_at_far[0.1])  # 6 non-mated probes cannot resolve FAR 0.1
    # Closed-set figures use the mated probes only.
    mated = ~np.isin(identities[probes], held_out)
    assert result.cmc.size == gallery_ids.size
    assert result.rank1 == pytest.approx(
        rank_k_accuracy(np.array(scores)[mated], identities[probes][mated], gallery_ids, 1)
    )
    closed = evaluate_protocol(features, identities, sessions)
    assert np.isnan(closed.dir_at_far[0.1]) and closed.open_set_identities.size == 0


def test_single_session_gives_nan_cross_session_figures():
    result = evaluate_protocol(_noisy_features(9, IDENTITIES), IDENTITIES, np.zeros(18, dtype=int))
    assert np.isnan(result.eer) and np.isnan(result.rank1)
    assert result.pairs.genuine.size == 0 and result.probe_indices.size == 0
    assert np.isfinite(result.same_session_eer)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"sessions": np.zeros(5, int)}, "same images"),
        ({"open_set_fraction": 1.0}, "Received: open_set_fraction=1.0"),
        ({"far_targets": (2.0,)}, "Received: far_targets="),
    ],
)
def test_invalid_arguments(kwargs, message):
    arguments = {
        "features": _noisy_features(10, IDENTITIES),
        "identities": IDENTITIES,
        "sessions": np.tile([0, 1], 9),
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        evaluate_protocol(**arguments)
