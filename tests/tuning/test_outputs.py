"""What a search writes besides the table: HParams logs, the best config, the plot."""

import os
import sys

import cv2

from lateral_keras.config import load_config
from lateral_keras.tuning.best_config import write_best_config
from lateral_keras.tuning.hparams_log import write_experiment, write_trial
from lateral_keras.tuning.pareto_plot import pareto_plot
from lateral_keras.tuning.space import code_bits

sys.path.insert(0, os.path.dirname(__file__))
from test_search import hparams_sessions  # noqa: E402


def test_hparams_experiment_once_and_each_trial_once_even_when_rewritten(tmp_path):
    searched = {"q": [2, 4], "m": [8, 16]}
    write_experiment(tmp_path, searched)
    write_experiment(tmp_path, searched)  # a resumed job does not add a second experiment
    write_trial(tmp_path, "0", {"q": 2, "m": 8}, {"val_eer": 0.3, "val_rank1": 0.5})
    write_trial(tmp_path, "1", {"q": 4, "m": 16}, {"val_eer": 0.2, "val_rank1": 0.6})
    write_trial(tmp_path, "1", {"q": 4, "m": 16}, {"val_eer": 0.1, "val_rank1": 0.7})  # rerun
    experiments, sessions = hparams_sessions(str(tmp_path))
    assert experiments == 1
    assert sessions == {"0": {"q": 2, "m": 8}, "1": {"q": 4, "m": 16}}


def test_best_config_loads_as_a_recipe_config(tmp_path):
    config = load_config(overrides=["sub_name=fish", "stage_two.epochs=7"])
    row = {"trial_id": "3", "q": 16, "m": 64, "arc_margin": 0.3, "val_eer": 0.12,
           "code_bits": code_bits(64, 16)}
    write_best_config(config, row, tmp_path / "best.yaml")
    text = (tmp_path / "best.yaml").read_text()
    assert text.startswith("# Chosen by the tuning search: trial 3")
    chosen = load_config(tmp_path / "best.yaml")
    assert (chosen.stage_two.q, chosen.stage_two.m, chosen.stage_one.arc_margin) == (16, 64, 0.3)
    assert chosen.sub_name == "fish_tuned" and chosen.stage_two.epochs == 7
    assert chosen.to_dict()["data"] == config.to_dict()["data"]


def test_pareto_plot_draws_every_q_and_the_front(tmp_path):
    rows = [{"trial_id": str(i), "status": "COMPLETED", "q": q, "m": m,
             "code_bits": code_bits(m, q), "val_eer": 0.1 + 0.3 / (1 + i)}
            for i, (q, m) in enumerate([(2, 32), (2, 64), (8, 32), (8, 256), (64, 1024)])]
    path = pareto_plot(rows, str(tmp_path / "p.png"))
    image = cv2.imread(path)
    assert image.shape == (560, 1000, 3)
    assert (image != 255).any(axis=2).mean() > 0.01  # something was drawn
