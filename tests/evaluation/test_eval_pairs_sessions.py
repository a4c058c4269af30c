"""Protocol building blocks: session ranks, enrolment split, side filter, pair sets."""

import itertools

import numpy as np
import pytest

from lateral_keras.evaluation import (
    enrolment_mask,
    protocol_pairs,
    session_ranks,
    side_compatibility,
)

# 3 identities x 3 sessions x 2 images, image k: identity k // 6, session (k // 2) % 3.
IDENTITIES = np.repeat(["a", "b", "c"], 6)
RANKS = np.tile(np.repeat([0, 1, 2], 2), 3)


def _loop_pairs(identities, ranks, sides, same_session, cross_side=False):
    genuine, impostor = set(), set()
    for a, b in itertools.combinations(range(len(identities)), 2):
        if (ranks[a] == ranks[b]) != same_session:
            continue
        if not cross_side and "unknown" not in (sides[a], sides[b]) and sides[a] != sides[b]:
            continue
        (genuine if identities[a] == identities[b] else impostor).add((a, b))
    return genuine, impostor


def _as_sets(a, b, genuine):
    pairs = list(zip(a.tolist(), b.tolist()))
    return (
        {p for p, g in zip(pairs, genuine) if g},
        {p for p, g in zip(pairs, genuine) if not g},
    )


def test_session_ranks_from_order_and_integers():
    assert session_ranks(["S2", "S1", "S3"], ["S1", "S2", "S3"]).tolist() == [1, 0, 2]
    assert session_ranks([4, 2, 2]).tolist() == [4, 2, 2]


@pytest.mark.parametrize(
    "sessions,order,message",
    [
        (["S1", "S2"], None, "integer ranks"),
        (["S1", "S9"], ["S1", "S2"], "unknown sessions=\\['S9'\\]"),
        (["S1"], ["S1", "S1"], "must not repeat"),
    ],
)
def test_session_ranks_invalid(sessions, order, message):
    with pytest.raises(ValueError, match=message):
        session_ranks(sessions, order)


def test_enrolment_is_each_identity_earliest_session():
    # "b" is first seen in session 1, so its session-1 images are its enrolment.
    mask = enrolment_mask(["a", "a", "b", "b", "b", "a"], [0, 1, 1, 1, 2, 0])
    assert mask.tolist() == [True, False, True, True, False, True]


def test_cross_session_counts_are_combinatorial():
    # Genuine: per identity C(6, 2) - 3 same-session = 12, x 3 identities = 36.
    # Impostor: C(18, 2) - 3 C(6, 2) = 108 different-identity pairs, minus the same-session
    # ones (3 sessions x (C(6, 2) - 3) = 36): 72.
    compatible = np.ones((18, 18), bool)
    a, b, genuine = protocol_pairs(IDENTITIES, RANKS, compatible, same_session=False)
    assert (int(genuine.sum()), int((~genuine).sum())) == (36, 72)
    assert np.all(a < b)
    assert np.all(RANKS[a] != RANKS[b])
    np.testing.assert_array_equal(genuine, IDENTITIES[a] == IDENTITIES[b])


def test_same_session_counts_and_no_self_pairs():
    # Genuine: one pair per identity and session = 9. Impostor: 3 x (C(6, 2) - 3) = 36.
    compatible = np.ones((18, 18), bool)
    a, b, genuine = protocol_pairs(IDENTITIES, RANKS, compatible, same_session=True)
    assert (int(genuine.sum()), int((~genuine).sum())) == (9, 36)
    assert np.all(a < b)
    assert np.all(RANKS[a] == RANKS[b])


@pytest.mark.parametrize("same_session", [False, True])
@pytest.mark.parametrize("cross_side", [False, True])
def test_side_filter_matches_loop(same_session, cross_side):
    sides = np.array(["left", "right", "unknown"] * 6)
    compatible = side_compatibility(sides, cross_side)
    a, b, genuine = protocol_pairs(IDENTITIES, RANKS, compatible, same_session=same_session)
    assert _as_sets(a, b, genuine) == _loop_pairs(
        IDENTITIES, RANKS, sides, same_session, cross_side
    )


def test_side_compatibility_hand_case():
    expected = [[True, False, True], [False, True, True], [True, True, True]]
    assert side_compatibility(["left", "right", "unknown"]).tolist() == expected


def test_impostor_sample_is_seeded_subset():
    compatible = np.ones((18, 18), bool)
    full = _as_sets(*protocol_pairs(IDENTITIES, RANKS, compatible, same_session=False))
    first = protocol_pairs(IDENTITIES, RANKS, compatible, same_session=False, max_impostors=10)
    again = protocol_pairs(IDENTITIES, RANKS, compatible, same_session=False, max_impostors=10)
    other = protocol_pairs(
        IDENTITIES, RANKS, compatible, same_session=False, max_impostors=10, seed=1
    )
    genuine, impostor = _as_sets(*first)
    assert genuine == full[0]  # every genuine pair kept
    assert len(impostor) == 10 and impostor <= full[1]
    for x, y in zip(first, again):
        np.testing.assert_array_equal(x, y)
    assert _as_sets(*other)[1] != impostor


def test_invalid_max_impostors():
    with pytest.raises(ValueError, match="Received: max_impostors=-1"):
        protocol_pairs(
            IDENTITIES, RANKS, np.ones((18, 18), bool), same_session=False, max_impostors=-1
        )
