"""recipes/two_stage.py end to end at a tiny size, resume after SIGKILL, early config errors."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

RECIPE = os.path.join(os.path.dirname(__file__), "..", "..", "recipes", "two_stage.py")
TINY = [
    "data.synthetic.n_fish=18", "data.synthetic.n_sessions=2",
    "data.synthetic.images_per_session=3", "data.synthetic.image_size=[320, 240]",
    "backbone_type=SmallCNN", "stage_one.epochs=2", "stage_two.epochs=2", "m=32", "q=4",
    "classes_per_batch=4", "samples_per_class=3", "stage_one.batch_size=16", "embd_shape=32",
    "stage_two.views_per_image=2", "input_size=[32, 96]", "sub_name=tiny",
]


def recipe_command(tmp_path, *overrides):
    args = [sys.executable, os.path.abspath(RECIPE), "--quiet"]
    for item in [f"data.synthetic.out={tmp_path / 'fish'}", *TINY, *overrides]:
        args += ["--set", item]
    return args


def run_recipe(tmp_path, *overrides, timeout=900):
    return subprocess.run(recipe_command(tmp_path, *overrides), cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout)


def history_epochs(path):
    with open(path, newline="") as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


@pytest.mark.slow
def test_recipe_end_to_end_writes_the_run_folder(tmp_path):
    done = run_recipe(tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "| EER |" in done.stdout and "IoM codes" in done.stdout
    run = tmp_path / "runs" / "tiny"
    for name in ("config.yaml", "split.json", "models/embedder.keras", "models/iom_codes.keras",
                 "metrics.json", "report.md", "stage_one_history.csv",
                 "stage_two_history.csv", "plots/stage_one_validation.png"):
        assert (run / name).exists(), name
    assert any((run / "logs" / "stage_one").rglob("events.out.tfevents*"))
    with zipfile.ZipFile(run / "models" / "embedder.keras") as saved:
        assert '"EmbeddingWhitening"' in saved.read("config.json").decode()
    history = (run / "stage_two_history.csv").read_text().splitlines()[0]
    for term in ("metric_loss", "quantization_loss", "balance_loss", "val_eer"):
        assert term in history
    # The evaluation report (issue 6), and `lateral evaluate --run` reproduces the figures.
    for name in ("report.json", "thresholds.json", "pair_scores.csv.gz", "images.csv",
                 "plots/roc.png", "plots/det.png", "plots/cmc.png", "plots/scores_codes.png",
                 "plots/examples_embeddings.png"):
        assert (run / name).exists(), name
    thresholds = json.loads((run / "thresholds.json").read_text())
    assert {"threshold", "far"} <= set(thresholds["embeddings"]) & set(thresholds["codes"])
    recipe_metrics = json.loads((run / "metrics.json").read_text())
    evaluated = subprocess.run(
        [sys.executable, "-c", "import sys; from lateral_keras.cli import main; sys.exit(main())",
         "evaluate", "--run", str(run), "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert evaluated.returncode == 0, evaluated.stderr[-3000:]
    assert "| EER |" in evaluated.stdout
    cli_metrics = json.loads((run / "metrics.json").read_text())
    assert cli_metrics.keys() == recipe_metrics.keys()
    for kind in ("embeddings", "codes"):
        for key, value in recipe_metrics[kind].items():
            assert cli_metrics[kind][key] == pytest.approx(value, rel=1e-6, abs=1e-9,
                                                           nan_ok=True), (kind, key)
    # A second run reuses both finished stages.
    again = run_recipe(tmp_path)
    assert again.returncode == 0
    assert "Stage one already finished" in again.stderr
    assert "Stage two already finished" in again.stderr
    # A changed training setting under the same sub_name stops before any work.
    changed = run_recipe(tmp_path, "q=8")
    assert changed.returncode == 2 and "stage_two.q: 4 -> 8" in changed.stderr
    # Another run reuses the finished stage one (stage_one.sub_name) and trains stage two only.
    reused = run_recipe(tmp_path, "sub_name=reuse", "stage_one.sub_name=tiny", "q=8")
    assert reused.returncode == 0, reused.stderr[-3000:]
    assert "Stage one reused from" in reused.stderr
    other = tmp_path / "runs" / "reuse"
    embedder = (run / "models" / "embedder.keras").read_bytes()
    assert (other / "models" / "embedder.keras").read_bytes() == embedder
    reused_metrics = json.loads((other / "metrics.json").read_text())
    for key in ("eer", "rank1"):
        assert reused_metrics["embeddings"][key] == pytest.approx(
            recipe_metrics["embeddings"][key], rel=1e-6, abs=1e-9)
    # ... but not one trained with other stage-one settings: that stops before any work.
    refused = run_recipe(tmp_path, "sub_name=other", "stage_one.sub_name=tiny",
                         "stage_one.arc_margin=0.3")
    assert refused.returncode == 2 and "stage_one.arc_margin: 0.5 -> 0.3" in refused.stderr
    assert not (tmp_path / "runs" / "other").exists()
    # ... nor one trained on another split (here: its split file edited afterwards).
    split = json.loads((run / "split.json").read_text())
    split["train"], split["eval"] = split["eval"], split["train"]
    (run / "split.json").write_text(json.dumps(split))
    moved = run_recipe(tmp_path, "sub_name=third", "stage_one.sub_name=tiny")
    assert moved.returncode == 2 and "split.json is missing or differs" in moved.stderr
    assert not (tmp_path / "runs" / "third" / "stage_one.done.json").exists()


@pytest.mark.slow
def test_sigkill_during_stage_one_resumes_from_last_epoch(tmp_path):
    history = tmp_path / "runs" / "tiny" / "stage_one_history.csv"
    process = subprocess.Popen(recipe_command(tmp_path, "stage_one.epochs=6"), cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline:
        if history.exists() and len(history_epochs(history)) >= 2:
            break
        assert process.poll() is None, "the run ended before it could be interrupted"
        time.sleep(0.2)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = history_epochs(history)
    assert 2 <= len(before) < 6
    done = run_recipe(tmp_path, "stage_one.epochs=6")
    assert done.returncode == 0, done.stderr[-3000:]
    after = history_epochs(history)
    resumed = after[len(before):]
    # The rerun continued after the last saved epoch instead of starting at epoch 0 ...
    assert resumed[0] >= len(before) - 1 and resumed[0] > 0
    # ... and the run completed every epoch.
    assert sorted(set(after)) == list(range(6))


def test_too_many_classes_per_batch_stops_before_training(tmp_path):
    done = run_recipe(tmp_path, "classes_per_batch=50", "data.synthetic.n_fish=6",
                      "data.synthetic.n_sessions=1", "data.synthetic.images_per_session=1")
    assert done.returncode == 2
    assert "classes_per_batch=50 is larger than the 2 training identities" in done.stderr
    assert not (tmp_path / "runs" / "tiny" / "checkpoints").exists()


def test_empty_dataset_stops_with_message(tmp_path):
    (tmp_path / "empty").mkdir()
    done = run_recipe(tmp_path, f"data.root={tmp_path / 'empty'}")
    assert done.returncode == 2
    assert "holds no image files" in done.stderr
