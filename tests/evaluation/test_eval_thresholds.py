"""Thresholds at a target FAR and the decisions they make."""

import numpy as np
import pytest

from lateral_keras.evaluation.thresholds import decision_rates, threshold_at_far


def test_threshold_is_lowest_with_far_at_most_target():
    rng = np.random.default_rng(0)
    scores = rng.normal(size=400)
    genuine = rng.random(400) < 0.3
    scores[genuine] += 1.5
    for target in (0.5, 0.1, 0.02):
        chosen = threshold_at_far(scores, genuine, target)
        # Oracle: try every score as a threshold.
        candidates = [t for t in np.unique(scores)
                      if np.mean(scores[~genuine] >= t) <= target]
        assert chosen["threshold"] == pytest.approx(min(candidates))
        rates = decision_rates(scores, genuine, chosen["threshold"])
        assert rates["far"] == pytest.approx(chosen["far_achieved"]) and rates["far"] <= target
        assert rates["tar"] == pytest.approx(chosen["tar"])
        assert chosen["far"] == target


def test_no_acceptable_threshold_accepts_nothing():
    chosen = threshold_at_far([0.9, 0.8, 0.2], [0, 1, 0], 0.1)
    assert chosen["threshold"] > 0.9 and chosen["far_achieved"] == 0.0 and chosen["tar"] == 0.0
    rates = decision_rates([0.9, 0.8, 0.2], [0, 1, 0], chosen["threshold"])
    assert rates == {"far": 0.0, "tar": 0.0, "frr": 1.0, "false_matches": 0,
                     "false_non_matches": 1}


def test_decision_rates_closed_form():
    rates = decision_rates([0.9, 0.8, 0.4, 0.3], [1, 0, 1, 0], 0.5)
    assert rates == {"far": 0.5, "tar": 0.5, "frr": 0.5, "false_matches": 1,
                     "false_non_matches": 1}
