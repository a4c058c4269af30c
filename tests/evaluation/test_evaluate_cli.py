"""`lateral evaluate --run`: clear errors before any work (the full path is in the slow recipe
test, tests/training/test_recipe.py)."""

import pytest

from lateral_keras.cli import main
from lateral_keras.config import dump_config, load_config


def _run_folder(tmp_path):
    folder = tmp_path / "runs" / "r"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(dump_config(load_config(overrides=["sub_name=r"])))
    return folder


def test_not_a_run_folder(tmp_path, capsys):
    assert main(["evaluate", "--run", str(tmp_path), "--quiet"]) == 1
    assert "not a run folder (no config.yaml)" in capsys.readouterr().err


def test_only_evaluation_settings_can_be_overridden(tmp_path, capsys):
    folder = _run_folder(tmp_path)
    assert main(["evaluate", "--run", str(folder), "--set", "stage_two.m=8"]) == 1
    assert "Only evaluation.* settings" in capsys.readouterr().err


def test_bad_evaluation_override_names_the_key(tmp_path, capsys):
    folder = _run_folder(tmp_path)
    assert main(["evaluate", "--run", str(folder), "--set", "evaluation.threshold_far=2"]) == 1
    assert "threshold_far" in capsys.readouterr().err


def test_untrained_run_names_the_missing_models(tmp_path, capsys):
    folder = _run_folder(tmp_path)
    assert main(["evaluate", "--run", str(folder), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "not trained to the end" in err and "models/embedder.keras" in err


@pytest.mark.parametrize("argv", [["evaluate"]])
def test_run_is_required(argv):
    with pytest.raises(SystemExit):
        main(argv)
