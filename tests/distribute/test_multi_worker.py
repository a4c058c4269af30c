"""Two workers on 127.0.0.1 train both stages under MultiWorkerMirroredStrategy (slow).

Each test starts the workers as fresh processes (``tests/distribute/worker_main.py``) with their
own ``TF_CONFIG`` and free ports, after one single-process run prepared the data and split.
"""

import csv
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

WORKER = os.path.join(os.path.dirname(__file__), "worker_main.py")
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TINY = [
    "data.synthetic.n_fish=18", "data.synthetic.n_sessions=2",
    "data.synthetic.images_per_session=3", "data.synthetic.image_size=[320, 240]",
    "stage_one.backbone_type=SmallCNN", "stage_one.epochs=2", "stage_two.epochs=2",
    "stage_two.m=32", "stage_two.q=4", "stage_two.classes_per_batch=3",
    "stage_two.samples_per_class=3", "stage_one.batch_size=8", "stage_one.embd_shape=32",
    "stage_two.views_per_image=2", "preprocessing.input_size=[32, 96]",
]


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def overrides(tmp_path, *extra):
    return [f"data.synthetic.out={tmp_path / 'fish'}", f"runs_dir={tmp_path / 'runs'}",
            *TINY, *extra]


def prepare(tmp_path, *extra):
    env = dict(os.environ, PYTHONPATH=REPO)
    done = subprocess.run([sys.executable, WORKER, str(tmp_path), "--prepare-only",
                           *overrides(tmp_path, *extra)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]


def run_workers(tmp_path, *extra, flags=(), timeout=1200):
    """Start two workers, wait for both; return their (returncode, stderr)."""
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = []
    for index in range(2):
        tf_config = {"cluster": cluster, "task": {"type": "worker", "index": index}}
        env = dict(os.environ, PYTHONPATH=REPO, TF_CONFIG=json.dumps(tf_config),
                   CUDA_VISIBLE_DEVICES="")
        args = [sys.executable, WORKER, str(tmp_path), *flags,
                *overrides(tmp_path, "distribute.strategy=multi_worker", *extra)]
        processes.append(subprocess.Popen(args, cwd=tmp_path, env=env, text=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    results = []
    for process in processes:
        try:
            _, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise
        results.append((process.returncode, err))
    return results


def assert_same_weights(tmp_path):
    with np.load(tmp_path / "weights-0.npz") as a, np.load(tmp_path / "weights-1.npz") as b:
        assert a.files == b.files and len(a.files) > 4
        for name in a.files:
            np.testing.assert_array_equal(a[name], b[name])


def epochs_logged(path):
    with open(path, newline="") as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


@pytest.mark.slow
def test_two_workers_train_both_stages_to_identical_weights_and_resume(tmp_path):
    prepare(tmp_path, "sub_name=mw")
    crashed = run_workers(tmp_path, "sub_name=mw", flags=("--crash-after-epoch", "0"))
    assert [code for code, _ in crashed] == [3, 3], crashed[0][1][-3000:]
    run = tmp_path / "runs" / "mw"
    assert (run / "checkpoints" / "stage_one_backup").is_dir()
    assert epochs_logged(run / "stage_one_history.csv") == [0]
    results = run_workers(tmp_path, "sub_name=mw")
    for code, err in results:
        assert code == 0, err[-3000:]
    assert "Multi-worker training" in results[1][1]
    # The rerun resumed from the chief's backup: epoch 0 was not trained again.
    assert epochs_logged(run / "stage_one_history.csv") == [0, 1]
    assert epochs_logged(run / "stage_two_history.csv") == [0, 1]
    for name in ("models/embedder.keras", "models/iom_codes.keras", "stage_one.done.json",
                 "stage_two.done.json"):
        assert (run / name).exists(), name
    assert_same_weights(tmp_path)


@pytest.mark.slow
def test_two_workers_train_from_tfrecord_shards(tmp_path):
    shards = f"data.tfrecords={tmp_path / 'shards'}"
    prepare(tmp_path, "sub_name=tfr", shards)
    sys.path.insert(0, REPO)
    from lateral_keras.data.tfrecords import write_tfrecord_shards

    caches = [p for p in (tmp_path / "runs" / ".roi_cache").iterdir() if p.is_dir()]
    assert len(caches) == 1
    write_tfrecord_shards(caches[0], tmp_path / "shards", num_shards=4)
    results = run_workers(tmp_path, "sub_name=tfr", shards)
    for code, err in results:
        assert code == 0, err[-3000:]
    assert epochs_logged(tmp_path / "runs" / "tfr" / "stage_one_history.csv") == [0, 1]
    assert_same_weights(tmp_path)
