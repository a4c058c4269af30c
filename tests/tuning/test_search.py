"""Searches on fake stage-one embeddings: outputs, HParams logs, memory, kill and resume,
chief and workers."""

import glob
import json
import os
import signal
import socket
import subprocess
import sys
import time

import cv2
import pytest

from lateral_keras.config import load_config
from lateral_keras.tuning import Search, collect_trials

sys.path.insert(0, os.path.dirname(__file__))
from fake_stage_one import FakeStageOne, tiny_config  # noqa: E402

SCRIPT = os.path.join(os.path.dirname(__file__), "fake_stage_one.py")


def hparams_sessions(logdir):
    """trial_id -> hyperparameter values of every HParams session-start summary under logdir."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import metadata

    sessions, experiments = {}, 0
    for folder in sorted({os.path.dirname(p) for p in
                          glob.glob(os.path.join(logdir, "**", "events.out.tfevents*"),
                                    recursive=True)}):
        events = EventAccumulator(folder, size_guidance={"tensors": 0})
        events.Reload()
        content = events.PluginTagToContent(metadata.PLUGIN_NAME)
        for tag, raw in content.items():
            if tag == metadata.EXPERIMENT_TAG:
                experiments += 1
                experiment = metadata.parse_experiment_plugin_data(raw)
                assert {h.name for h in experiment.hparam_infos} == {"q", "m"}
                assert "val_eer" in {m.name.tag for m in experiment.metric_infos}
            elif tag == metadata.SESSION_START_INFO_TAG:
                info = metadata.parse_session_start_info_plugin_data(raw)
                assert info.group_name not in sessions, "a trial logged twice"
                sessions[info.group_name] = {k: v.number_value for k, v in info.hparams.items()}
                assert "val_eer" in events.Tags()["tensors"]
    return experiments, sessions


@pytest.mark.slow
def test_two_trial_search_writes_table_best_yaml_plot_and_hparams(tmp_path):
    config = tiny_config(tmp_path, "tuning.max_trials=2")
    stage_one = FakeStageOne()
    search = Search(config, stage_one=stage_one)
    search.run()
    out = search.write_results(evaluate=True)
    rows = collect_trials(search.project_dir)
    assert [r["trial_id"] for r in rows] == ["0", "1"]
    assert all(r["status"] == "COMPLETED" and 0 <= r["val_eer"] <= 1 for r in rows)
    assert stage_one.calls == {0.5: 3 + 2}  # prepared once, then once per trial and evaluation
    assert len(open(out["results.csv"]).read().splitlines()) == 3
    assert len(open(out["results.md"]).read().splitlines()) == 4
    image = cv2.imread(out["pareto.png"])
    assert image is not None and image.shape == (560, 1000, 3)
    # The best config loads as a recipe config, with the chosen values.
    best = out["best"]
    chosen = load_config(out["best_config.yaml"])
    assert (chosen.stage_two.q, chosen.stage_two.m) == (best["q"], best["m"])
    assert chosen.sub_name == "fake_tuned" and chosen.stage_two.epochs == 2
    # The evaluation identities score the chosen and the config's own values.
    report = json.load(open(out["evaluation.json"]))
    assert report["chosen"]["values"] == {"q": best["q"], "m": best["m"]}
    assert 0 <= report["chosen"]["codes"]["eer"] <= 1
    assert "| EER |" in open(out["evaluation.md"]).read()
    # The HParams dashboard: the experiment once, one session per trial with its values.
    experiments, sessions = hparams_sessions(search.hparams_dir)
    assert experiments == 1
    assert sessions == {r["trial_id"]: {"q": r["q"], "m": r["m"]} for r in rows}


@pytest.mark.slow
def test_hyperband_continues_earlier_trials(tmp_path):
    config = tiny_config(tmp_path, "tuning.tuner=hyperband", "tuning.epochs=3")
    search = Search(config, stage_one=FakeStageOne())
    search.run()
    rows = collect_trials(search.project_dir)
    assert rows and {r["status"] for r in rows} == {"COMPLETED"}
    trials = [json.load(open(p)) for p in glob.glob(os.path.join(search.project_dir, "*",
                                                                 "trial.json"))]
    continued = [t for t in trials if "tuner/trial_id" in t["hyperparameters"]["values"]]
    assert continued, "no Hyperband bracket continued an earlier trial"
    assert search.write_results(evaluate=False)["best"]["trial_id"] in {r["trial_id"]
                                                                        for r in rows}


def _rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


@pytest.mark.slow
def test_resident_memory_does_not_grow_across_trials(tmp_path):
    config = tiny_config(tmp_path, "tuning.max_trials=10")
    search = Search(config, stage_one=FakeStageOne())
    rss = []
    search.run(progress=lambda done, total: rss.append(_rss_mb()))
    assert len(rss) == 10
    assert rss[9] - rss[2] < 50, f"RSS after each trial (MB): {rss}"


def _statuses(directory):
    return {os.path.basename(os.path.dirname(p)): json.load(open(p))["status"]
            for p in glob.glob(os.path.join(directory, "*", "trial_*", "trial.json"))}


@pytest.mark.slow
def test_killed_search_resumes_and_records_every_trial_once(tmp_path):
    command = [sys.executable, SCRIPT, str(tmp_path), "5"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    # Kill it while a trial runs, after at least one trial finished.
    while time.time() < deadline:
        statuses = _statuses(tmp_path)
        if "COMPLETED" in statuses.values() and "RUNNING" in statuses.values():
            break
        assert process.poll() is None, "the search ended before it could be killed"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _statuses(tmp_path)
    killed = [t for t, s in before.items() if s == "RUNNING"]
    assert len(killed) == 1 and len(before) < 5
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    after = _statuses(tmp_path)
    assert sorted(after) == [f"trial_{i}" for i in range(5)]
    assert set(after.values()) == {"COMPLETED"}
    for trial, status in before.items():  # finished trials were kept, not run again
        if status == "COMPLETED":
            assert after[trial] == "COMPLETED"
    oracle = json.load(open(glob.glob(str(tmp_path / "*" / "oracle.json"))[0]))
    assert sorted(oracle["end_order"]) == [str(i) for i in range(5)]
    assert oracle["run_times"][killed[0].split("_")[1]] == 1  # the killed attempt not counted
    _, sessions = hparams_sessions(glob.glob(str(tmp_path / "logs" / "*"))[0])
    assert sorted(sessions) == [str(i) for i in range(5)]
    table = glob.glob(str(tmp_path / "*_results.csv"))[0]
    assert len(open(table).read().splitlines()) == 1 + 5


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_chief_and_two_workers_share_one_search(tmp_path):
    port = str(_free_port())
    env = dict(os.environ, KERASTUNER_ORACLE_IP="127.0.0.1", KERASTUNER_ORACLE_PORT=port)
    command = [sys.executable, SCRIPT, str(tmp_path), "6"]
    chief = subprocess.Popen(command, env=dict(env, KERASTUNER_TUNER_ID="chief"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    workers = [subprocess.Popen(command, env=dict(env, KERASTUNER_TUNER_ID=f"tuner{i}"),
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for i in range(2)]
    try:
        for process in [*workers, chief]:
            output, _ = process.communicate(timeout=900)
            assert process.returncode == 0, output[-3000:]
    finally:
        for process in [chief, *workers]:
            if process.poll() is None:
                process.kill()
    rows = collect_trials(os.path.dirname(glob.glob(str(tmp_path / "*" / "oracle.json"))[0]))
    assert sorted(r["trial_id"] for r in rows) == [str(i) for i in range(6)]
    assert {r["status"] for r in rows} == {"COMPLETED"}
    # Every trial was logged once in the shared HParams folder.
    _, sessions = hparams_sessions(glob.glob(str(tmp_path / "logs" / "*"))[0])
    assert sorted(sessions) == [str(i) for i in range(6)]
    assert len(open(glob.glob(str(tmp_path / "*_results.csv"))[0]).read().splitlines()) == 7
