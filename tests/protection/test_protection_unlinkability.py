"""D<->(s) and D<->sys (Gomez-Barrero et al. 2018): a hand-computed case, and keyed codes."""

import numpy as np
import pytest

from lateral_keras.protection import apply_key, unlinkability
from lateral_keras.protection.pairs import linkage_pairs, pair_collision_scores
from lateral_keras.protection.unlinkability import code_score_edges


def test_hand_computed_small_case():
    # Bins [0, .3), [.3, .7), [.7, 1]: p_m = (1/4, 1/2, 1/4), p_nm = (1/2, 1/4, 1/4),
    # LR = (1/2, 2, 1): D = (0, 2*2/3 - 1 = 1/3, 0), D_sys = 1/2 * 1/3 = 1/6.
    mated, non_mated, edges = [0.1, 0.5, 0.5, 0.9], [0.1, 0.1, 0.5, 0.9], [0, 0.3, 0.7, 1.0]
    result = unlinkability(mated, non_mated, bins=edges)
    np.testing.assert_allclose(result.local, [0, 1 / 3, 0])
    assert result.d_sys == pytest.approx(1 / 6)
    assert (result.num_mated, result.num_non_mated, result.num_bins) == (4, 4, 3)
    # omega = 2: omega LR = (1, 4, 2) -> D = (0, 3/5, 1/3), D_sys = 1/2*3/5 + 1/4*1/3.
    result = unlinkability(mated, non_mated, bins=edges, omega=2.0)
    np.testing.assert_allclose(result.local, [0, 0.6, 1 / 3])
    assert result.d_sys == pytest.approx(0.3 + 1 / 12)


def test_only_mated_scores_in_a_bin_mean_fully_linkable_there():
    result = unlinkability([0.9, 0.9, 0.1], [0.1, 0.1], bins=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(result.local, [0, 1])
    assert result.d_sys == pytest.approx(2 / 3)


def test_bad_samples_are_refused():
    with pytest.raises(ValueError, match="non-empty finite"):
        unlinkability([], [0.1])
    with pytest.raises(ValueError, match="omega"):
        unlinkability([0.1], [0.2], omega=0)


def noisy_codes(n_fish=120, per_fish=10, m=128, q=8, keep=0.7, seed=0):
    """Each fish has a base code; each image keeps each position with probability `keep`."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, q, (n_fish, m))
    codes = np.repeat(base, per_fish, axis=0)
    redraw = rng.random(codes.shape) > keep
    codes[redraw] = rng.integers(0, q, redraw.sum())
    return codes, np.repeat([f"f{i}" for i in range(n_fish)], per_fish)


def test_same_key_codes_are_linkable_and_codes_across_keys_are_not():
    codes, fish = noisy_codes()
    m, q = codes.shape[1], 8
    (ma, mb), (na, nb) = linkage_pairs(fish, ["unknown"] * len(fish), 20_000, seed=0)
    assert len(ma) >= 5000 and len(na) >= 5000
    key_a, key_b = apply_key(codes, b"A", q), apply_key(codes, b"B", q)
    edges = code_score_edges(m)
    same = unlinkability(pair_collision_scores(key_a, key_a, ma, mb, m),
                         pair_collision_scores(key_a, key_a, na, nb, m), bins=edges)
    across = unlinkability(pair_collision_scores(key_a, key_b, ma, mb, m),
                           pair_collision_scores(key_a, key_b, na, nb, m), bins=edges)
    assert same.d_sys > 0.95
    assert across.d_sys < 0.05
    assert across.num_bins == m + 1 and across.num_mated == len(ma)


@pytest.mark.parametrize("low, high", [(0, 8), (0, 256), (-3, 300)])  # uint8 path, then not
def test_pair_collision_scores_count_equal_positions_like_a_loop(low, high):
    rng = np.random.default_rng(7)
    m = 24
    codes_a = rng.integers(low, high, (6, m))
    codes_b = codes_a.copy()
    codes_b[:, ::3] = rng.integers(low, high, (6, m // 3))  # some positions change
    index_a, index_b = rng.integers(0, 6, (2, 40))
    expected = [sum(int(codes_a[i, k] == codes_b[j, k]) for k in range(m)) / m
                for i, j in zip(index_a, index_b)]
    got = pair_collision_scores(codes_a, codes_b, index_a, index_b, m, chunk=7)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    assert got.dtype == np.float64
