"""protection_section: figures and Markdown for a run, on a small code model."""

import json

import keras
import numpy as np

from lateral_keras.config import load_config
from lateral_keras.layers import IoMProjection
from lateral_keras.protection.assessment import protection_section
from lateral_keras.training.data_setup import PartData
from lateral_keras.training.run_folder import RunFolder


class Record:
    def __init__(self, identity, side):
        self.identity, self.session, self.side = identity, "S1", side


def inputs(tmp_path):
    config = load_config(overrides=[f"runs_dir={tmp_path}", "sub_name=p", "m=64", "q=8"])
    run = RunFolder(config).open()
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(40, 16))
    embeddings = np.repeat(centres, 8, axis=0) + 0.3 * rng.normal(size=(320, 16))
    records = [Record(f"f{i // 8}", "unknown") for i in range(320)]
    part = PartData(records, np.repeat(np.arange(40), 8))
    features = keras.Input((16,))
    code_model = keras.Model(features, IoMProjection(m=64, q=8, seed=3)(features, mode="hard"))
    return config, run, embeddings.astype("float32"), part, code_model


def test_protection_section_reports_revocability_and_unlinkability(tmp_path):
    config, run, embeddings, part, code_model = inputs(tmp_path)
    figures, text = protection_section(config, run, embeddings, part, code_model)
    rev, link = figures["revocability"], figures["unlinkability"]
    assert figures["m"] == 64 and figures["q"] == 8
    assert rev["revoked"]["count"] == 320 and rev["genuine_same_key"]["count"] == 40 * 28
    assert abs(rev["revoked"]["mean"] - 1 / 8) < 0.02  # old templates score like chance
    assert rev["genuine_same_key"]["mean"] > 0.5
    assert 0.35 < rev["eer_revoked_vs_impostor"] < 0.65
    assert link["across_keys"]["num_mated"] == 40 * 28
    assert link["across_keys"]["num_non_mated"] == 320 * 319 // 2 - 40 * 28
    assert link["across_keys"]["num_bins"] == 65
    assert link["across_keys"]["d_sys"] < 0.1 < 0.8 < link["same_key"]["d_sys"]
    assert rev["revoked_accepted"] is None and "No validation threshold" in text
    assert f"**{link['across_keys']['d_sys']:.4f}**" in text
    json.dumps(figures)  # goes into report.json as it is


def test_a_validation_threshold_gives_acceptance_shares(tmp_path):
    config, run, embeddings, part, code_model = inputs(tmp_path)
    (tmp_path / "p" / "thresholds.json").write_text(
        json.dumps({"codes": {"threshold": 0.3, "far": 0.01}}))
    figures, text = protection_section(config, run, embeddings, part, code_model)
    rev = figures["revocability"]
    assert rev["threshold"] == 0.3 and rev["revoked_accepted"] < 0.01
    assert "validation threshold 0.3000" in text
