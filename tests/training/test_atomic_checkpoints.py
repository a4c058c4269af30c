"""Stage checkpoints survive a kill while they are written."""

import os
import types

import keras
import numpy as np
import pytest

from lateral_keras.training.atomic_checkpoint import AtomicModelCheckpoint
from lateral_keras.training.callbacks import stage_callbacks

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                                reason="checkpoints are written by the TensorFlow stages")


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs."""


class FakeEER(keras.callbacks.Callback):
    """Writes a scripted `val_eer` per epoch, as the protocol callback would."""

    def __init__(self, values):
        super().__init__()
        self.values = values

    def on_epoch_end(self, epoch, logs=None):
        logs["val_eer"] = self.values[epoch]


def tiny_model(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def fit(model, callbacks, epochs):
    x, y = np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32)
    model.fit(x, y, epochs=epochs, callbacks=callbacks, verbose=0)


def test_a_kill_while_the_best_weights_are_written_keeps_the_previous_best(tmp_path):
    path = str(tmp_path / "best.weights.h5")
    model = tiny_model(0)
    checkpoint = AtomicModelCheckpoint(path, monitor="val_eer", mode="min",
                                       save_best_only=True, save_weights_only=True)
    fit(model, [FakeEER([0.5]), checkpoint], 1)
    kept = [w.copy() for w in model.get_weights()]

    def killed_mid_write(filepath, overwrite=True):
        with open(filepath, "wb") as stream:
            stream.write(b"\x89HDF half")
        raise Killed

    model.save_weights = killed_mid_write
    with pytest.raises(Killed):
        fit(model, [FakeEER([0.1]), checkpoint], 1)
    restored = tiny_model(1)
    restored.load_weights(path)
    for before, after in zip(kept, restored.get_weights()):
        np.testing.assert_array_equal(before, after)

    # the next improvement is written whole, over the stale partial file
    del model.save_weights
    fit(model, [FakeEER([0.05]), checkpoint], 1)
    restored.load_weights(path)
    for now, after in zip(model.get_weights(), restored.get_weights()):
        np.testing.assert_array_equal(now, after)
    assert os.listdir(tmp_path) == ["best.weights.h5"]


def test_a_half_written_backup_resumes_from_the_one_before(tmp_path):
    run = types.SimpleNamespace(
        file=lambda *parts: str(tmp_path.joinpath(*parts)),
        folder=lambda *parts: str(tmp_path.joinpath(*parts)),
    )
    (tmp_path / "checkpoints").mkdir()

    def callbacks():
        found, _ = stage_callbacks(run, "stage_one", FakeEER([0.5, 0.4, 0.3, 0.2]))
        return found

    model = tiny_model(0)
    fit(model, callbacks(), 2)
    latest = tmp_path / "checkpoints" / "stage_one_backup" / "latest.weights.h5"
    latest.write_bytes(latest.read_bytes()[:100])  # killed while the second epoch's was written

    starts = []
    resumed = tiny_model(2)
    fit(resumed, [*callbacks(), keras.callbacks.LambdaCallback(
        on_epoch_begin=lambda epoch, logs: starts.append(epoch))], 4)
    assert starts == [1, 2, 3]  # after the first epoch: the backup before the broken one
