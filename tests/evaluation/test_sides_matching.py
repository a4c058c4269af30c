"""Side-aware matching: a left probe is never matched to a right template unless asked."""

import numpy as np
import pytest

from lateral_keras.evaluation import evaluate_protocol, side_compatibility
from lateral_keras.evaluation.by_side import evaluate_by_side, shows_both_sides


def _oracle_compatibility(sides, mode):
    n = len(sides)
    out = np.zeros((n, n), bool)
    for i in range(n):
        for j in range(n):
            a, b = sides[i], sides[j]
            if mode is True:
                out[i, j] = True
            elif mode == "only":
                out[i, j] = a != b and "unknown" not in (a, b)
            else:
                out[i, j] = a == b or "unknown" in (a, b)
    return out


@pytest.mark.parametrize("mode", [False, True, "only"])
def test_side_compatibility_against_a_loop(mode):
    sides = np.random.default_rng(0).choice(["left", "right", "unknown"], size=12)
    np.testing.assert_array_equal(side_compatibility(sides, mode),
                                  _oracle_compatibility(list(sides), mode))


def test_side_compatibility_rejects_other_strings():
    with pytest.raises(ValueError, match="cross_side"):
        side_compatibility(["left"], "sometimes")


def _two_flank_gallery():
    """Fish A and B, gallery session 0 holds A's right flank and B's left flank; the probe is A's
    left flank, which looks exactly like B's left template (B is the wrong answer)."""
    features = np.array([
        [1.0, 0.0, 0.0],  # A right, session 0 (the only template of A)
        [0.0, 1.0, 0.0],  # B left, session 0
        [0.0, 0.9, 0.1],  # A left, session 1 (the probe)
    ])
    identities = np.array(["A", "B", "A"])
    sessions = np.array([0, 0, 1])
    sides = np.array(["right", "left", "left"])
    return features, identities, sessions, sides


def test_left_probe_never_matches_a_right_template_by_default():
    features, identities, sessions, sides = _two_flank_gallery()
    default = evaluate_protocol(features, identities, sessions, sides)
    # A's only template is a right flank: the left probe cannot reach it (a failure), and the
    # probe-vs-template pair A-left / A-right is not a verification pair.
    assert default.rank1 == 0.0
    pairs = set(zip(default.pairs.index_a.tolist(), default.pairs.index_b.tolist()))
    assert pairs == {(1, 2)}
    asked = evaluate_protocol(features, identities, sessions, sides, cross_side=True)
    assert set(zip(asked.pairs.index_a.tolist(), asked.pairs.index_b.tolist())) == {
        (0, 2), (1, 2)}


def test_evaluate_by_side_reports_same_and_cross_side_apart():
    rng = np.random.default_rng(3)
    n_fish, per = 6, 4
    identities = np.repeat(np.arange(n_fish), per)
    sessions = np.tile([0, 0, 1, 1], n_fish)
    sides = np.tile(["left", "right", "left", "right"], n_fish)
    # Each flank has its own pattern: left and right of one fish are unrelated.
    patterns = rng.normal(size=(n_fish, 2, 16))
    flank = (sides == "right").astype(int)
    features = patterns[identities, flank] + 0.05 * rng.normal(size=(n_fish * per, 16))
    results = evaluate_by_side(features, identities, sessions, sides)
    same, cross = results["same_side"], results["cross_side"]
    assert same.eer == 0.0 and same.rank1 == 1.0
    assert cross.eer > 0.2
    for result, want_same in ((same, True), (cross, False)):
        a, b = result.pairs.index_a, result.pairs.index_b
        assert np.all((sides[a] == sides[b]) == want_same)
    assert evaluate_by_side(features, identities, sessions, ["left"] * 24)["cross_side"] is None
    with pytest.raises(ValueError, match="cross_side"):
        evaluate_by_side(features, identities, sessions, sides, cross_side=True)


def _two_flank_part():
    """Six fish, two sessions, both flanks (unrelated patterns), two photos each."""
    from lateral_keras.preprocessing.cache import CachedRoi

    rng = np.random.default_rng(5)
    records, features = [], []
    for fish in range(6):
        flanks = {side: rng.normal(size=8) for side in ("left", "right")}
        for session in ("S1", "S2"):
            for side in ("left", "right"):
                for shot in range(2):
                    records.append(CachedRoi(f"/p/{fish}{session}{side}{shot}.png", f"f{fish}",
                                             session, side, "/roi.png"))
                    features.append(flanks[side] + 0.3 * rng.normal(size=8))
    return records, np.asarray(features, np.float32)


def test_the_report_gives_same_side_and_cross_side_figures_apart(monkeypatch):
    from lateral_keras.config import load_config
    from lateral_keras.evaluation import kind_evaluation
    from lateral_keras.evaluation.kind_evaluation import evaluate_kind
    from lateral_keras.training.data_setup import PartData

    records, features = _two_flank_part()
    part = PartData(records, np.zeros(len(records), np.int32))
    config = load_config(overrides=["evaluation.open_set_fraction=0"])
    _, figures = evaluate_kind(features, part, ("S1", "S2"), config, threshold=0.5)
    expected = evaluate_by_side(features, part.identities, part.sessions, part.sides,
                                session_order=("S1", "S2"), open_set_fraction=0.0,
                                far_targets=tuple(config.evaluation.far_targets))
    for name in ("same_side", "cross_side"):
        assert figures["by_side"][name]["eer"] == pytest.approx(expected[name].eer)
    # two flanks carry unrelated patterns: matching across them is near chance
    assert figures["by_side"]["same_side"]["eer"] < 0.1 < figures["by_side"]["cross_side"]["eer"]
    one_side = PartData([r for r in records if r.side == "left"], np.zeros(24, np.int32))
    left = features[[r.side == "left" for r in records]]
    with monkeypatch.context() as patch:  # one flank: the same-side run would repeat the main one
        patch.setattr(kind_evaluation, "evaluate_by_side", _must_not_run)
        assert evaluate_kind(left, one_side, ("S1", "S2"), config, 0.5)[1]["by_side"] is None


def _must_not_run(*args, **kwargs):
    raise AssertionError("evaluate_by_side ran on a part that shows one flank")


@pytest.mark.parametrize("cross_side", [False, True])
def test_the_same_side_run_reuses_the_main_run_under_the_default_matching(monkeypatch,
                                                                          cross_side):
    from lateral_keras.config import load_config
    from lateral_keras.evaluation import by_side
    from lateral_keras.evaluation.kind_evaluation import evaluate_kind
    from lateral_keras.training.data_setup import PartData

    records, features = _two_flank_part()
    part = PartData(records, np.zeros(len(records), np.int32))
    config = load_config(overrides=["evaluation.open_set_fraction=0",
                                    f"evaluation.cross_side={str(cross_side).lower()}"])
    modes = []

    def recording(*args, cross_side, **kwargs):
        modes.append(cross_side)
        return evaluate_protocol(*args, cross_side=cross_side, **kwargs)

    monkeypatch.setattr(by_side, "evaluate_protocol", recording)
    _, figures = evaluate_kind(features, part, ("S1", "S2"), config, threshold=0.5)
    expected = evaluate_protocol(features, part.identities, part.sessions, part.sides,
                                 session_order=("S1", "S2"), open_set_fraction=0.0,
                                 far_targets=tuple(config.evaluation.far_targets))
    # the main run matches across flanks only when asked; the same-side one never does
    assert modes == (["only"] if not cross_side else [False, "only"])
    assert figures["by_side"]["same_side"]["eer"] == pytest.approx(expected.eer)
    assert figures["by_side"]["same_side"]["rank1"] == pytest.approx(expected.rank1)
    if cross_side:  # left probes now also meet right images: not the same-side figures
        assert figures["protocol"]["eer"] != pytest.approx(expected.eer)


def test_both_sides_need_two_known_flanks():
    assert shows_both_sides(["left", "right", "unknown"])
    assert not shows_both_sides(["left", "left", "unknown"])
    assert not shows_both_sides(["unknown"])
