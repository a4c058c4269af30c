"""One stage-one model per ArcFace margin, trained once into the tuning folder, and its
embeddings: the trials only train stage two on them."""

import copy
import logging
import os

import numpy as np

from lateral_keras.config.schema import CENTRE_CROP
from lateral_keras.training.data_setup import prepare_data
from lateral_keras.training.inputs import embed
from lateral_keras.training.run_folder import RunFolder
from lateral_keras.training.stage_one_run import train_stage_one
from lateral_keras.training.stage_two_run import training_embeddings
from lateral_keras.tuning.file_lock import file_lock
from lateral_keras.utils.atomic import atomic_path

logger = logging.getLogger(__name__)


def _cached_array(path, compute):
    if os.path.exists(path):
        return np.load(path)
    array = compute()
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.save(f, array)
    return array


class StageOneCache:
    """Stage one trained once per margin under ``<directory>/stage_one/margin_<value>/``.

    Each margin's folder is an ordinary run folder (resumable, reused when finished); all of
    them share one split (``<directory>/split.json``, unless ``data.split_file`` is set) and the
    recipe's ROI cache. A file lock makes concurrent workers on a shared folder train each
    stage one only once: the others wait and load it.

    Args:
        config: the search's ``Config``.
        directory: the tuning folder.
        verbose: Keras progress-bar verbosity of stage-one training.

    Example:
        >>> cache = StageOneCache(config, "runs/synthetic_default/tuning")  # doctest: +SKIP
        >>> features = cache.features(0.5)  # doctest: +SKIP
        >>> features["train"].shape, features["val"].shape  # doctest: +SKIP
    """

    def __init__(self, config, directory, *, verbose=0):
        self.directory = directory
        self.verbose = verbose
        base = copy.deepcopy(config)
        base.runs_dir = os.path.join(directory, "stage_one")
        base.data.split_file = base.data.split_file or os.path.join(directory, "split.json")
        base.preprocessing.cache_dir = base.preprocessing.cache_dir or os.path.join(
            config.runs_dir, ".roi_cache")
        self.base = base
        self._data = None
        self._features = {}

    def data(self):
        """The ``PreparedData`` of the search (split and ROIs prepared once, then reused)."""
        if self._data is None:
            with file_lock(os.path.join(self.base.runs_dir, "data.lock")):
                self._data = prepare_data(self.base, RunFolder(self.base))
        return self._data

    def run_config(self, margin):
        """The ``Config`` of the stage-one run for ``margin`` (its own ``sub_name``)."""
        self.data()  # fills data.num_classes
        config = copy.deepcopy(self.base)
        config.stage_one.arc_margin = float(margin)
        config.sub_name = f"margin_{float(margin):g}"
        return config

    def _run(self, margin):
        config = self.run_config(margin)
        return config, RunFolder(config).open()

    def features(self, margin):
        """Training and validation embeddings of the stage one for ``margin``.

        Trains that stage one first if needed (resuming an interrupted training).

        Returns:
            dict with ``train`` (float32 ``(n * views, d)``), ``train_labels`` (int32) and
            ``val`` (float32 ``(n_val, d)``, the clean view).
        """
        key = float(margin)
        if key not in self._features:
            with file_lock(os.path.join(self.base.runs_dir, f"margin_{key:g}.lock")):
                config, run = self._run(key)
                embedder = None
                if not (os.path.exists(run.file("embeddings", "train.npz"))
                        and os.path.exists(run.file("embeddings", "val.npy"))):
                    embedder = train_stage_one(config, run, self.data(), verbose=self.verbose)
                parts = self.data().parts
                train, labels = training_embeddings(config, run, embedder, parts["train"])
                val = _cached_array(run.file("embeddings", "val.npy"),
                                    lambda: embed(embedder, config, parts["val"]))
            self._features[key] = {"train": train, "train_labels": labels, "val": val}
        return self._features[key]

    def eval_embeddings(self, margin):
        """Embeddings of the evaluation images by the stage one for ``margin`` (cached), over
        the config's ``evaluation.test_time_crops`` (the search itself scores the validation
        fish on the centre crop)."""
        config, run = self._run(margin)
        crops = config.evaluation.test_time_crops
        name = "eval.npy" if tuple(crops) == CENTRE_CROP else f"eval_{'+'.join(crops)}.npy"
        return _cached_array(run.file("embeddings", name), lambda: embed(
            train_stage_one(config, run, self.data(), verbose=self.verbose), config,
            self.data().parts["eval"], crops=crops))
