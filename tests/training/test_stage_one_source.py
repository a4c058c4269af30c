"""stage_one.sub_name: a finished stage one of another run is checked, copied and marked done."""

import json
import pathlib

import pytest

from lateral_keras.config import ConfigError, load_config
from lateral_keras.training.run_folder import RunFolder
from lateral_keras.training.stage_one_source import (
    check_stage_one_source,
    reuse_stage_one,
    stage_one_source,
)

SPLIT = {"train": ["a", "b"], "val": ["c"], "eval": ["d"]}


def at(run, *parts):
    return pathlib.Path(run.path, *parts)


def config_for(tmp_path, name, *overrides):
    return load_config(overrides=[f"runs_dir={tmp_path}", f"sub_name={name}", *overrides])


def finished_source(tmp_path):
    """A run folder 'base' with a finished stage one (its files hold known bytes)."""
    run = RunFolder(config_for(tmp_path, "base", "stage_two.views_per_image=2")).open()
    at(run, "models").mkdir()
    (at(run, "models") / "embedder.keras").write_bytes(b"embedder bytes")
    at(run, "embeddings").mkdir()
    (at(run, "embeddings") / "train.npz").write_bytes(b"views")
    at(run, "stage_one_history.csv").write_text("epoch,val_eer\n0,0.1\n")
    at(run, "split.json").write_text(json.dumps(SPLIT))
    run.mark_done("stage_one", {"val_eer": 0.1, "val_rank1": 0.9})
    return run


def opened(tmp_path, *overrides, split=SPLIT):
    config = config_for(tmp_path, "two", "stage_one.sub_name=base", *overrides)
    run = RunFolder(config).open()
    at(run, "split.json").write_text(json.dumps(split))
    return config, run


def test_no_source_without_a_finished_stage_one(tmp_path):
    assert stage_one_source(config_for(tmp_path, "two")) is None  # no stage_one.sub_name
    assert stage_one_source(config_for(tmp_path, "base", "stage_one.sub_name=base")) is None
    RunFolder(config_for(tmp_path, "base")).open()  # a folder, but stage one not finished
    config = config_for(tmp_path, "two", "stage_one.sub_name=base")
    assert stage_one_source(config) is None and check_stage_one_source(config) is None


def test_stage_two_settings_may_differ_but_stage_one_settings_may_not(tmp_path):
    finished_source(tmp_path)
    allowed = config_for(tmp_path, "two", "stage_one.sub_name=base", "stage_two.q=16",
                         "data.num_classes=2")
    assert check_stage_one_source(allowed) == str(tmp_path / "base")
    refused = config_for(tmp_path, "two", "stage_one.sub_name=base", "stage_one.arc_margin=0.3",
                         "preprocessing.bottom_fraction=0.5", "stage_two.q=16")
    with pytest.raises(ConfigError) as err:
        check_stage_one_source(refused)
    message = str(err.value)
    assert "stage_one.arc_margin: 0.5 -> 0.3" in message
    assert "preprocessing.bottom_fraction: 0.75 -> 0.5" in message
    assert "stage_two.q" not in message


def test_reuse_copies_the_stage_and_marks_it_done(tmp_path):
    finished_source(tmp_path)
    config, run = opened(tmp_path)
    reuse_stage_one(config, run, check_stage_one_source(config))
    target = at(run)
    assert (target / "models" / "embedder.keras").read_bytes() == b"embedder bytes"
    assert (target / "embeddings" / "train.npz").read_bytes() == b"views"
    assert (target / "stage_one_history.csv").read_text() == "epoch,val_eer\n0,0.1\n"
    assert run.done_info("stage_one") == {"val_eer": 0.1, "val_rank1": 0.9,
                                          "reused_from": str(tmp_path / "base")}


def test_another_split_is_refused(tmp_path):
    finished_source(tmp_path)
    config, run = opened(tmp_path, split={**SPLIT, "eval": ["a"]})
    with pytest.raises(ConfigError, match="split"):
        reuse_stage_one(config, run, check_stage_one_source(config))
    assert not run.is_done("stage_one")
