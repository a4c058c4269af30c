"""The searched space, trial configs, the results table and the Pareto front (no training)."""

import csv
import importlib.util
import itertools
import math

import keras_tuner
import numpy as np
import pytest

from lateral_keras.config import ConfigError, load_config
from lateral_keras.tuning import SEARCHED, code_bits, declare, pareto_front, searched_values
from lateral_keras.tuning.results import best_row, write_tables
from lateral_keras.tuning.space import trial_config


def test_default_space_is_q_and_m_with_the_config_values_as_defaults():
    config = load_config()
    assert searched_values(config) == {"q": [2, 4, 8, 16, 32, 64],
                                       "m": [32, 64, 128, 256, 512, 1024, 2048]}
    hp = keras_tuner.HyperParameters()
    assert declare(hp, config) == {"q": config.stage_two.q, "m": config.stage_two.m}
    assert set(hp.values) == {"q", "m"}


def test_optional_hyperparameters_and_margin_are_declared_when_asked():
    config = load_config(overrides=[
        "tuning.t_values=[0.5, 2.0]", "tuning.loss_values=[batch_all_triplet_loss]",
        "tuning.lr_values=[0.01]", "tuning.search_margin=true", "stage_two.T=2.0",
    ])
    hp = keras_tuner.HyperParameters()
    values = declare(hp, config)
    assert list(values) == list(SEARCHED)
    # The config's own value is the default when it is a candidate, else the first candidate.
    assert values["T"] == 2.0 and values["loss_fun"] == "batch_all_triplet_loss"
    assert values["arc_margin"] == config.stage_one.arc_margin == 0.5


def test_a_trial_config_is_a_copy_with_the_values_in_their_sections():
    config = load_config([], ["stage_two.q=8", "stage_two.m=256", "stage_one.arc_margin=0.5"])
    chosen = trial_config(config, {"q": 16, "m": 64, "arc_margin": 0.3, "tuner/epochs": 4})
    assert (chosen.stage_two.q, chosen.stage_two.m, chosen.stage_one.arc_margin) == (16, 64, 0.3)
    assert (config.stage_two.q, config.stage_two.m, config.stage_one.arc_margin) == (8, 256, 0.5)


def test_bad_search_values_stop_with_the_key_named():
    with pytest.raises(ConfigError, match="tuning.loss_values.*batch_hard_triplet"):
        load_config(overrides=["tuning.loss_values=[hinge]"])
    with pytest.raises(ConfigError, match=r"tuning.q_values. must be a whole number.*2\.5"):
        load_config(overrides=["tuning.q_values=[2.5, 4]"])


def _rows(rng, n):
    grid = list(itertools.product([2, 4, 8, 16], [8, 16, 32, 64]))
    rows = []
    for i in range(n):
        q, m = grid[rng.integers(len(grid))]
        rows.append({"trial_id": f"{i:02d}", "status": "COMPLETED", "q": q, "m": m,
                     "code_bits": code_bits(m, q), "val_eer": float(rng.uniform(0, 0.5)),
                     "val_rank1": 0.5, "val_auc": 0.9, "best_epoch": 3.0})
    return rows


@pytest.mark.parametrize("seed", range(5))
def test_pareto_front_matches_a_brute_force_dominance_check(seed):
    rows = _rows(np.random.default_rng(seed), 30)
    rows[3]["status"] = "FAILED"
    rows[4]["val_eer"] = math.nan
    done = [r for r in rows if r["status"] == "COMPLETED" and math.isfinite(r["val_eer"])]

    def dominated(r):
        return any(o["code_bits"] <= r["code_bits"] and o["val_eer"] <= r["val_eer"]
                   and (o["code_bits"] < r["code_bits"] or o["val_eer"] < r["val_eer"])
                   for o in done)

    expected = sorted(r["trial_id"] for r in done if not dominated(r))
    assert sorted(r["trial_id"] for r in pareto_front(rows)) == expected


def test_best_row_and_tables(tmp_path):
    rows = _rows(np.random.default_rng(0), 6)
    rows[1]["val_eer"] = rows[2]["val_eer"] = 0.01
    rows[1]["code_bits"], rows[2]["code_bits"] = 64.0, 32.0
    assert best_row(rows)["trial_id"] == "02"  # equal EER: the smaller code wins
    write_tables(rows, tmp_path / "t.csv", tmp_path / "t.md")
    with open(tmp_path / "t.csv", newline="") as f:
        table = list(csv.DictReader(f))
    assert [r["trial_id"] for r in table] == [
        r["trial_id"] for r in sorted(rows, key=lambda r: (r["val_eer"], r["trial_id"]))]
    front = {r["trial_id"] for r in pareto_front(rows)}
    assert {r["trial_id"] for r in table if r["pareto"] == "yes"} == front
    markdown = (tmp_path / "t.md").read_text().splitlines()
    assert markdown[0].startswith("| trial_id | status | q | m | code_bits | val_eer")
    assert len(markdown) == 2 + len(rows)
    with pytest.raises(ValueError, match="No trial"):
        best_row([dict(rows[0], status="FAILED")])


def test_an_unavailable_search_algorithm_stops_before_any_work(monkeypatch):
    from lateral_keras.tuning import Search
    from lateral_keras.tuning.tuner import check_tuner

    with pytest.raises(ConfigError, match="tuning.tuner must be one of"):
        check_tuner("grid")
    check_tuner("bayesian")  # scikit-learn comes with keras-tuner[bayesian]
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sklearn" else find_spec(name, *a))
    with pytest.raises(ConfigError, match="scikit-learn"):
        Search(load_config(overrides=["tuning.tuner=bayesian"]))
