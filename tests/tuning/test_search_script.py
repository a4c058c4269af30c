"""tuning/search.py end to end on tiny synthetic fish: real stage one, two trials, resume."""

import glob
import os
import subprocess
import sys

import pytest

from lateral_keras.config import load_config

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "training"))
from test_recipe import TINY  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "tuning", "search.py")


def run_search(tmp_path, *extra):
    args = [sys.executable, os.path.abspath(SCRIPT), "--quiet", "--max-trials", "2"]
    for item in [f"data.synthetic.out={tmp_path / 'fish'}", *TINY, "tuning.epochs=2",
                 "tuning.q_values=[2, 4]", "tuning.m_values=[16, 32]"]:
        args += ["--set", item]
    return subprocess.run(args + list(extra), cwd=tmp_path, capture_output=True, text=True,
                          timeout=1200)


@pytest.mark.slow
def test_search_script_writes_results_and_a_rerun_repeats_nothing(tmp_path):
    done = run_search(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    folder = tmp_path / "runs" / "tiny" / "tuning"
    assert "Chosen: trial" in done.stdout and "| EER |" in done.stdout
    assert (folder / "stage_one" / "margin_0.5" / "models" / "embedder.keras").exists()
    best = glob.glob(str(folder / "*_best_config.yaml"))
    assert len(best) == 1
    chosen = load_config(best[0])
    assert chosen.stage_two.q in (2, 4) and chosen.stage_two.m in (16, 32)
    assert chosen.sub_name == "tiny_tuned"
    for suffix in ("results.csv", "results.md", "pareto.png", "evaluation.md"):
        assert len(glob.glob(str(folder / f"*_{suffix}"))) == 1, suffix
    # The same command again: nothing is trained again, no new trial.
    again = run_search(tmp_path, "--no-evaluate")
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(glob.glob(str(folder / "*" / "trial_*" / "trial.json"))) == 2
    assert "Chosen: trial" in again.stdout
