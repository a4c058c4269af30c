"""A stand-in for ``StageOneCache``: clustered random embeddings of a few fish (no images, no
stage-one training), so searches run in seconds. Run as a script it performs a search (used by
the kill/resume and distributed tests):

    python fake_stage_one.py DIRECTORY MAX_TRIALS [TUNER]
"""

import os
import sys
import types

import numpy as np

from lateral_keras.training.data_setup import PartData

SESSIONS = ("S1", "S2", "S3")
TINY = ["tuning.q_values=[2, 4, 8]", "tuning.m_values=[4, 8, 16, 32]", "tuning.epochs=2",
        "stage_two.epochs=2", "classes_per_batch=4", "samples_per_class=2", "sub_name=fake"]


def _part(n_fish, per_session, prefix):
    records = [types.SimpleNamespace(identity=f"{prefix}{i}", session=s, side="unknown")
               for i in range(n_fish) for s in SESSIONS for _ in range(per_session)]
    labels = np.repeat(np.arange(n_fish), len(SESSIONS) * per_session).astype(np.int32)
    return PartData(records, labels)


class FakeStageOne:
    """Embeddings ``centre + noise`` per fish (dimension 16), fixed by ``seed``.

    ``features``, ``eval_embeddings`` and ``data`` match ``StageOneCache``; ``calls`` counts
    the ``features`` requests per margin.
    """

    def __init__(self, seed=0, dim=16):
        self.rng = np.random.default_rng(seed)
        self.parts = {"train": _part(8, 2, "t"), "val": _part(6, 2, "v"),
                      "eval": _part(6, 2, "e")}
        self.embeddings = {}
        for name, part in self.parts.items():
            centres = self.rng.normal(size=(part.labels.max() + 1, dim))
            noise = 0.6 * self.rng.normal(size=(len(part.labels), dim))
            self.embeddings[name] = (centres[part.labels] + noise).astype(np.float32)
        self.calls = {}

    def data(self):
        return types.SimpleNamespace(parts=self.parts, session_order=SESSIONS)

    def features(self, margin):
        self.calls[margin] = self.calls.get(margin, 0) + 1
        return {"train": self.embeddings["train"], "train_labels": self.parts["train"].labels,
                "val": self.embeddings["val"]}

    def eval_embeddings(self, margin):
        return self.embeddings["eval"]


def tiny_config(directory, *overrides):
    """The tiny search's ``Config`` in ``directory``."""
    from lateral_keras.config import load_config

    return load_config(overrides=[*TINY, f"tuning.directory={directory}", *overrides])


def main(argv):
    from lateral_keras.tuning import Search

    directory, max_trials = argv[0], int(argv[1])
    tuner = argv[2] if len(argv) > 2 else "random"
    config = tiny_config(directory, f"tuning.max_trials={max_trials}", f"tuning.tuner={tuner}")
    search = Search(config, stage_one=FakeStageOne())
    search.run()
    if not search.is_worker:
        search.write_results(evaluate=False)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main(sys.argv[1:]))
