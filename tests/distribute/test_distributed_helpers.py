"""Single-process behaviour of the multi-worker helpers (no cluster needed)."""

import json

import numpy as np
import pytest
import tensorflow as tf

from lateral_keras.config import ConfigError, load_config
from lateral_keras.training import distributed


def test_tf_config_is_checked_before_any_work(monkeypatch):
    config = load_config([], ["distribute.strategy=multi_worker"])
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match="TF_CONFIG"):
        distributed.training_strategy(config)
    for bad in ("not json", json.dumps({"cluster": {"worker": ["a:1"]}}),
                json.dumps({"cluster": {"worker": ["a:1"]}, "task": {"type": "worker",
                                                                     "index": 3}})):
        with pytest.raises(ConfigError, match="TF_CONFIG must be JSON"):
            distributed.cluster_config(bad)


def test_without_a_strategy_everything_is_unchanged():
    config = load_config([], [])
    assert distributed.training_strategy(config) is None
    assert distributed.is_chief(None) and distributed.replicas(None) == 1
    run = object()
    assert distributed.worker_run(run, None) is run
    assert distributed.epoch_steps(36, 8, None) == 5
    loss = object()
    assert distributed.replica_loss(loss, None) is loss
    assert distributed.stage_two_optimizer_options(None) == {}
    assert distributed.distribute_pk_batches("stream", 7, None) == ("stream", 7)
    shards = []

    def make(shard):
        shards.append(shard)
        return tf.data.Dataset.range(3)

    stream = distributed.distributed_stream(make, None)
    assert shards == [(0, 1)]
    assert list(stream.take(7).as_numpy_iterator()) == [0, 1, 2, 0, 1, 2, 0]


class _FakeStrategy:
    num_replicas_in_sync = 2


def test_epoch_steps_count_every_replica_batch():
    assert distributed.epoch_steps(36, 8, _FakeStrategy()) == 3  # ceil(36 / 16)
    assert distributed.epoch_steps(3, 8, _FakeStrategy()) == 1
    assert distributed.stage_two_optimizer_options(_FakeStrategy()) == {"loss_scale_factor": 2.0}
    with pytest.raises(ValueError, match="fewer than the 2 replicas"):
        distributed.distribute_pk_batches(None, 1, _FakeStrategy())


def test_replica_loss_undoes_the_division_by_replicas():
    scaled = distributed.replica_loss(lambda labels, index: np.float32(0.25), _FakeStrategy())
    assert scaled(None, None) == 0.5


def test_stage_two_train_step_leaves_loss_scaling_to_the_optimizer():
    # stage_two_optimizer_options divides the all-reduced gradients by the replica count
    # through `loss_scale_factor`; that is only right while train_step never scales its loss.
    import inspect

    from lateral_keras.training.stage_two import IoMTrainer

    assert "scale_loss" not in inspect.getsource(IoMTrainer.train_step), (
        "IoMTrainer.train_step now scales its loss: revisit stage_two_optimizer_options"
    )
