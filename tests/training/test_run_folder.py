"""Run folders resume, refuse changed training settings, and restart on request."""

import os

import pytest

from lateral_keras.config import ConfigError, load_config
from lateral_keras.training.run_folder import RunFolder


def config_for(tmp_path, *overrides):
    return load_config(overrides=[f"runs_dir={tmp_path}", "sub_name=r", *overrides])


def test_resume_keeps_markers(tmp_path):
    run = RunFolder(config_for(tmp_path)).open()
    run.mark_done("stage_one", {"val_eer": 0.1})
    again = RunFolder(config_for(tmp_path)).open()
    assert again.is_done("stage_one") and not again.is_done("stage_two")
    assert again.done_info("stage_one") == {"val_eer": 0.1}
    assert os.path.exists(tmp_path / "r" / "config.yaml")


def test_changed_training_setting_stops_with_message(tmp_path):
    RunFolder(config_for(tmp_path)).open().mark_done("stage_one")
    with pytest.raises(ConfigError) as err:
        RunFolder(config_for(tmp_path, "stage_two.q=16")).open()
    assert "stage_two.q: 8 -> 16" in str(err.value) and "--restart" in str(err.value)


def test_evaluation_settings_may_change(tmp_path):
    RunFolder(config_for(tmp_path)).open()
    RunFolder(config_for(tmp_path, "evaluation.max_impostors=1000")).open()


def test_restart_clears_the_folder(tmp_path):
    RunFolder(config_for(tmp_path)).open().mark_done("stage_one")
    run = RunFolder(config_for(tmp_path, "stage_two.q=16"), restart=True).open()
    assert not run.is_done("stage_one")


def test_settings_added_later_count_as_their_default(tmp_path):
    import yaml

    RunFolder(config_for(tmp_path)).open().mark_done("stage_one")
    path = tmp_path / "r" / "config.yaml"
    saved = yaml.safe_load(path.read_text())
    del saved["stage_one"]["pooling"]  # a run folder from before this setting existed
    path.write_text(yaml.safe_dump(saved))
    assert RunFolder(config_for(tmp_path)).open().is_done("stage_one")
    path.write_text(yaml.safe_dump(saved))
    with pytest.raises(ConfigError, match="stage_one.pooling: 'flatten' -> 'height'"):
        RunFolder(config_for(tmp_path, "stage_one.pooling=height")).open()


def test_a_run_from_before_the_session_weight_did_plain_whitening(tmp_path):
    import yaml

    RunFolder(config_for(tmp_path)).open().mark_done("stage_one")
    path = tmp_path / "r" / "config.yaml"
    saved = yaml.safe_load(path.read_text())
    del saved["stage_one"]["whitening_session_weight"]
    path.write_text(yaml.safe_dump(saved))
    with pytest.raises(ConfigError, match="stage_one.whitening_session_weight: 1.0 -> 4.0"):
        RunFolder(config_for(tmp_path)).open()
    path.write_text(yaml.safe_dump(saved))
    old = config_for(tmp_path, "stage_one.whitening_session_weight=1")
    assert RunFolder(old).open().is_done("stage_one")
