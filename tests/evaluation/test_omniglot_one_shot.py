"""n-way one-shot trials and accuracy, against a NumPy loop oracle."""

import numpy as np
import pytest

from lateral_keras.evaluation.one_shot import one_shot_accuracy, one_shot_trials


def _dataset(n_groups=(7, 25), drawers=4):
    """Identities in groups of the given sizes, each drawn by every drawer."""
    identities, captures, groups = [], [], []
    for g, size in enumerate(n_groups):
        for c in range(size):
            for d in range(drawers):
                identities.append(f"g{g}/c{c}")
                captures.append(d)
                groups.append(f"g{g}")
    return np.array(identities), np.array(captures), np.array(groups)


def _oracle_accuracy(similarity, trials):
    right = 0
    for t in range(trials.query.size):
        scores = [similarity[trials.query[t], g] for g in trials.gallery[t]]
        best_other = max(s for k, s in enumerate(scores) if k != trials.answer[t])
        right += scores[trials.answer[t]] > best_other
    return right / trials.query.size


@pytest.mark.parametrize("n_way", [5, 20])
def test_accuracy_matches_a_loop_oracle(n_way):
    identities, captures, groups = _dataset()
    trials = one_shot_trials(identities, captures, groups, n_way=n_way, trials=300, seed=1)
    rng = np.random.default_rng(0)
    similarity = rng.normal(size=(identities.size, identities.size))
    similarity = np.round(similarity, 1)  # ties happen, and count as wrong
    assert one_shot_accuracy(similarity, trials) == pytest.approx(
        _oracle_accuracy(similarity, trials))


def test_trials_follow_the_rules():
    identities, captures, groups = _dataset()
    trials = one_shot_trials(identities, captures, groups, n_way=5, trials=400, seed=2)
    for t in range(400):
        gallery = trials.gallery[t]
        ids = identities[gallery]
        assert len(set(ids)) == 5
        assert len(set(groups[gallery])) == 1  # within one alphabet
        answer = gallery[trials.answer[t]]
        assert identities[trials.query[t]] == identities[answer]
        assert captures[trials.query[t]] != captures[answer]
    # Both groups have >= 5 identities and are drawn; the answer column varies.
    assert set(groups[trials.gallery[:, 0]]) == {"g0", "g1"}
    assert set(trials.answer.tolist()) == set(range(5))
    assert trials.within_group.all()


def test_groups_too_small_draw_across_groups_and_seed_is_deterministic():
    identities, captures, groups = _dataset(n_groups=(7, 9))
    trials = one_shot_trials(identities, captures, groups, n_way=12, trials=50, seed=3)
    assert not trials.within_group.any()
    assert any(len(set(groups[g])) == 2 for g in trials.gallery)
    again = one_shot_trials(identities, captures, groups, n_way=12, trials=50, seed=3)
    np.testing.assert_array_equal(trials.gallery, again.gallery)
    np.testing.assert_array_equal(trials.query, again.query)
    with pytest.raises(ValueError, match="17-way"):
        one_shot_trials(identities, captures, groups, n_way=17, trials=5)


def test_perfect_similarity_gives_full_accuracy():
    identities, captures, groups = _dataset()
    similarity = (identities[:, None] == identities[None, :]).astype(float)
    trials = one_shot_trials(identities, captures, groups, n_way=20, trials=100, seed=0)
    assert one_shot_accuracy(similarity, trials) == 1.0
