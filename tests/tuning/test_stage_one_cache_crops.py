"""The tuning's evaluation-fish embeddings follow `evaluation.test_time_crops`, cached apart."""

import types

import numpy as np

import lateral_keras.tuning.stage_one_cache as stage_one_cache
from lateral_keras.config import load_config


def test_eval_embeddings_use_the_configs_crops_in_their_own_cache_file(tmp_path, monkeypatch):
    calls = []

    def embed(model, config, part, crops=("centre",)):
        calls.append(list(crops))
        return np.full((2, 3), len(calls), np.float32)

    monkeypatch.setattr(stage_one_cache, "embed", embed)
    monkeypatch.setattr(stage_one_cache, "train_stage_one", lambda *a, **k: "embedder")
    data = types.SimpleNamespace(parts={"eval": "eval part"})
    monkeypatch.setattr(stage_one_cache.StageOneCache, "data", lambda self: data)

    def cache(crops):
        config = load_config(overrides=[f"runs_dir={tmp_path}",
                                        f"evaluation.test_time_crops={crops}"])
        return stage_one_cache.StageOneCache(config, str(tmp_path / "tuning"))

    three = "[centre, top_left, bottom_right]"
    assert cache("[centre]").eval_embeddings(0.5)[0, 0] == 1
    assert cache(three).eval_embeddings(0.5)[0, 0] == 2  # not the centre crop's cache
    assert cache(three).eval_embeddings(0.5)[0, 0] == 2  # its own cache, not embedded again
    assert calls == [["centre"], ["centre", "top_left", "bottom_right"]]
    folder = tmp_path / "tuning" / "stage_one" / "margin_0.5" / "embeddings"
    assert sorted(p.name for p in folder.iterdir()) == [
        "eval.npy", "eval_centre+top_left+bottom_right.npy"]
