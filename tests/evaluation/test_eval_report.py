"""evaluate_and_report on fake models: report figures equal the metric functions recomputed from
the saved per-pair scores, and thresholds come from the validation identities only."""

import json
import sys
import types

import cv2
import numpy as np
import pytest

from lateral_keras import metrics
from lateral_keras.config import load_config
from lateral_keras.evaluation import evaluate_protocol, run_evaluation
from lateral_keras.evaluation.scores_csv import read_pair_scores
from lateral_keras.evaluation.thresholds import threshold_at_far
from lateral_keras.preprocessing.cache import CachedRoi
from lateral_keras.training.data_setup import PartData, PreparedData
from lateral_keras.training.run_folder import RunFolder

ORDER = ("S1", "S2", "S3")
M, Q, D = 8, 4, 6


class FakeCodeModel:
    """Embedding -> IoM codes by a fixed random projection (argmax per group)."""

    def __init__(self):
        self.weights = np.random.default_rng(7).normal(size=(D, M * Q))

    def predict(self, embeddings, verbose=0):
        z = (np.asarray(embeddings) @ self.weights).reshape(len(embeddings), M, Q)
        return np.argmax(z, axis=-1).astype(np.int32)


def _part(tmp_path, name, n_fish, per_session):
    roi = np.full((20, 60, 3), 90, np.uint8)
    records = []
    for fish in range(n_fish):
        for session in ORDER:
            for k in range(per_session):
                path = tmp_path / "data" / session / f"{name}{fish}" / f"img_{k}.jpg"
                roi_path = str(tmp_path / "rois" / f"{name}{fish}_{session}_{k}.png")
                (tmp_path / "rois").mkdir(exist_ok=True)
                cv2.imwrite(roi_path, roi)
                records.append(CachedRoi(str(path), f"{name}{fish}", session, "unknown",
                                         roi_path))
    _, labels = np.unique([r.identity for r in records], return_inverse=True)
    return PartData(records, labels.astype(np.int32))


def _features(part, seed, noise=0.9):
    rng = np.random.default_rng(seed)
    _, index = np.unique(part.identities, return_inverse=True)
    centres = rng.normal(size=(index.max() + 1, D))
    return (centres[index] + noise * rng.normal(size=(index.size, D))).astype(np.float32)


@pytest.fixture
def setup(tmp_path, monkeypatch):
    calls = []
    fake = types.ModuleType("lateral_keras.protection.assessment")

    def protection_section(config, run, eval_embeddings, part, code_model):
        calls.append((eval_embeddings, part))
        return {"d_sys": 0.01}, "Unlinkability D<->sys: 0.01 (fake)\n"

    fake.protection_section = protection_section
    monkeypatch.setitem(sys.modules, "lateral_keras.protection.assessment", fake)
    val, part = _part(tmp_path, "v", 6, 2), _part(tmp_path, "e", 10, 2)
    features = {id(val): _features(val, 1), id(part): _features(part, 2)}
    seen_crops = []

    def embed(model, config, p, crops):
        seen_crops.append((p, crops))
        return features[id(p)]

    monkeypatch.setattr(run_evaluation, "embed", embed)
    pairs = tmp_path / "pairs.csv"
    pairs.write_text("image_a,image_b,genuine\nS1/e0/img_0.jpg,S3/e0/img_1.jpg,1\n"
                     "S1/e0/img_0.jpg,S2/e4/img_1.jpg,0\nS2/e3/img_0.jpg,S3/e3/img_0.jpg,1\n"
                     "S1/e1/img_1.jpg,S3/e7/img_0.jpg,0\nS1/v1/img_1.jpg,S3/e7/img_0.jpg,0\n")

    def run(*overrides):
        config = load_config(overrides=[
            f"runs_dir={tmp_path / 'runs'}", "sub_name=t", f"stage_two.m={M}",
            f"stage_two.q={Q}", "evaluation.far_targets=[0.1, 0.01]",
            "evaluation.threshold_far=0.1", "evaluation.example_pairs=2",
            f"evaluation.pairs_file={pairs}", *overrides])
        run_folder = RunFolder(config)
        data = PreparedData(None, ORDER, {"val": val, "eval": part})
        report = run_evaluation.evaluate_and_report(config, run_folder, data, None,
                                                    FakeCodeModel())
        return report, run_folder

    return types.SimpleNamespace(run=run, val=val, part=part, features=features, calls=calls,
                                 crops=seen_crops)


def test_report_figures_equal_metrics_recomputed_from_saved_scores(setup):
    report, run = setup.run("stage_two.bin_lut_loss=tanh")
    assert list(report["kinds"]) == ["embeddings", "codes", "codes_lut"]
    columns = read_pair_scores(run.file("pair_scores.csv.gz"))
    with open(run.file("thresholds.json")) as stream:
        thresholds = json.load(stream)
    with open(run.file("report.json")) as stream:
        saved = json.load(stream)
    with open(run.file("metrics.json")) as stream:
        metrics_json = json.load(stream)
    for kind, figures in saved["kinds"].items():
        score = columns[f"score_{kind}"]
        cross = columns["set"] == "cross_session"
        s, g = score[cross], columns["genuine"][cross]
        summary = figures["protocol"]
        assert metrics_json[kind] == summary
        assert summary["num_genuine"] == g.sum() and summary["num_impostor"] == (~g).sum()
        assert summary["eer"] == metrics.eer(s, g)[0]
        assert summary["auc"] == metrics.auc(s, g)
        assert summary["tar@far=0.1"] == metrics.tar_at_far(s, g, (0.1,))[0]
        same = columns["set"] == "same_session"
        assert summary["same_session_eer"] == metrics.eer(score[same],
                                                          columns["genuine"][same])[0]
        threshold = thresholds[kind]["threshold"]
        decision = figures["decision"]["cross_session"]
        assert decision["far"] == np.mean(s[~g] >= threshold)
        assert decision["tar"] == np.mean(s[g] >= threshold)
        listed = columns["set"] == "pairs_file"
        assert listed.sum() == 4  # the validation photo's row is skipped
        assert figures["pairs_file"]["eer"] == metrics.eer(score[listed],
                                                           columns["genuine"][listed])[0]
        for row in figures["session_gaps"]:
            chosen = cross & (
                (columns["session_a"] == row["gallery_session"])
                & (columns["session_b"] == row["probe_session"])
                | (columns["session_a"] == row["probe_session"])
                & (columns["session_b"] == row["gallery_session"]))
            assert row["eer"] == metrics.eer(score[chosen], columns["genuine"][chosen])[0]
    assert saved["counts"]["pairs_file_skipped"] == 1
    # The identities and sessions in the CSV are those of the indexed photos.
    identities = setup.part.identities
    np.testing.assert_array_equal(columns["identity_a"], identities[columns["index_a"]])
    np.testing.assert_array_equal(columns["genuine"],
                                  identities[columns["index_a"]] == identities[columns["index_b"]])


def test_thresholds_come_from_validation_identities_only(setup):
    report, run = setup.run()
    with open(run.file("thresholds.json")) as stream:
        first = json.load(stream)
    assert set(first) == {"embeddings", "codes"}
    val_embeddings = setup.features[id(setup.val)]
    val_result = evaluate_protocol(val_embeddings, setup.val.identities, setup.val.sessions,
                                   session_order=ORDER)
    oracle = threshold_at_far(val_result.pairs.score, val_result.pairs.genuine, 0.1)
    assert first["embeddings"]["threshold"] == oracle["threshold"]
    assert first["embeddings"]["far"] == 0.1
    # Changing the evaluation fish's features changes the figures, not the thresholds.
    setup.features[id(setup.part)] = _features(setup.part, 99, noise=2.0)
    report_again, _ = setup.run()
    with open(run.file("thresholds.json")) as stream:
        assert json.load(stream) == first
    assert (report_again["kinds"]["embeddings"]["protocol"]["eer"]
            != report["kinds"]["embeddings"]["protocol"]["eer"])
    # Changing the validation fish's features does move them.
    setup.features[id(setup.val)] = _features(setup.val, 5, noise=2.0)
    setup.run()
    with open(run.file("thresholds.json")) as stream:
        assert json.load(stream)["embeddings"] != first["embeddings"]


def test_report_files_plots_and_protection_section(setup):
    report, run = setup.run()
    assert len(setup.calls) == 1
    embeddings, part = setup.calls[0]
    np.testing.assert_array_equal(embeddings, setup.features[id(setup.part)])
    assert part is setup.part
    assert report["protection"] == {"d_sys": 0.01}
    text = open(run.file("report.md")).read()
    assert "Unlinkability D<->sys: 0.01 (fake)" in text
    assert f"embedding 512 (within-class whitened); IoM m={M}, q={Q}" in text
    assert setup.crops == [(setup.part, ["centre"]), (setup.val, ["centre"])]  # the default
    assert "Each photo: its ROI's centre crop." in text
    for heading in ("## Verification", "## Decisions at the validation threshold",
                    "## Per session gap", "## Templates", "## Pairs file", "## Plots",
                    "## Template protection", "vote accuracy", "open-set DIR@FAR=0.1"):
        assert heading in text, heading
    for name in ("roc", "det", "cmc", "scores_embeddings", "scores_codes",
                 "examples_embeddings", "examples_codes"):
        assert report["files"][name] == f"plots/{name}.png"
        assert f"(plots/{name}.png)" in text
        assert cv2.imread(run.file("plots", f"{name}.png")) is not None
    images = open(run.file("images.csv")).read().splitlines()
    assert len(images) == 1 + len(setup.part.records)
    templates = report["kinds"]["codes"]["templates"]
    assert templates["num_templates"] == 30 and templates["num_genuine"] == 30


def test_missing_protection_module_is_reported_not_fatal(setup, monkeypatch):
    monkeypatch.setitem(sys.modules, "lateral_keras.protection.assessment", None)
    monkeypatch.setitem(sys.modules, "lateral_keras.protection", None)
    report, run = setup.run()
    assert report["protection"] == {"available": False}


def test_the_configured_crops_embed_both_parts(setup):
    _, run = setup.run("evaluation.test_time_crops=[centre, top_left, bottom_right]")
    crops = ["centre", "top_left", "bottom_right"]
    assert setup.crops == [(setup.part, crops), (setup.val, crops)]
    text = open(run.file("report.md")).read()
    assert "mean embedding of 3 crops of its ROI (centre, top left, bottom right)" in text
    with open(run.file("thresholds.json")) as stream:  # galleries check what they were for
        assert {kind: entry["test_time_crops"] for kind, entry in json.load(stream).items()} \
            == {"embeddings": crops, "codes": crops}
