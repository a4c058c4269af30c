"""The tuner: KerasTuner's oracles with atomic state files, one trial = one stage-two fit."""

import importlib.util
import json
import os

import keras_tuner
import numpy as np

from lateral_keras.config import ConfigError
from lateral_keras.tuning.hparams_log import write_trial
from lateral_keras.tuning.hypermodel import OBJECTIVE
from lateral_keras.utils.atomic import write_text

ORACLES = {
    "random": keras_tuner.oracles.RandomSearchOracle,
    "bayesian": keras_tuner.oracles.BayesianOptimizationOracle,
    "hyperband": keras_tuner.oracles.HyperbandOracle,
}


def _atomic_oracle(base):
    """``base`` with its ``oracle.json`` and ``trial.json`` files written atomically.

    A search killed while KerasTuner writes its state then leaves the previous, complete file
    instead of a truncated one that would stop the resume.
    """

    class AtomicOracle(base):
        def save(self):
            write_text(self._get_oracle_fname(), json.dumps(self.get_state()))

        def _save_trial(self, trial):
            write_text(os.path.join(self._get_trial_dir(trial.trial_id), "trial.json"),
                       json.dumps(trial.get_state()))

    AtomicOracle.__name__ = f"Atomic{base.__name__}"
    return AtomicOracle


class TrialTuner(keras_tuner.Tuner):
    """Runs each trial as: clear the Keras session, build, ``hypermodel.fit``, log HParams.

    Unlike ``keras_tuner.Tuner`` it writes no per-epoch checkpoint (an m=1024, q=64 projection
    is 130 MB); under Hyperband, whose later brackets continue earlier trials, the best weights
    of each trial are saved once at its end.

    Attributes:
        progress: optional callable, called after each trial.

    Args:
        hparams_dir: the TensorBoard folder where each finished trial is logged.
        **kwargs: ``keras_tuner.Tuner`` arguments (``oracle``, ``hypermodel``, ``directory``,
            ``project_name``).
    """

    def __init__(self, *, hparams_dir, **kwargs):
        super().__init__(**kwargs)
        self.hparams_dir = hparams_dir
        self.progress = None
        self.continues_trials = isinstance(kwargs["oracle"], keras_tuner.oracles.HyperbandOracle)

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        if self.progress is not None:
            self.progress()

    def _build_hypermodel(self, hp):
        model = super()._build_hypermodel(hp)
        if "tuner/trial_id" in hp.values:  # Hyperband: continue the earlier bracket's trial
            trial_id = hp.values["tuner/trial_id"]
            with open(self._get_build_config_fname(trial_id), encoding="utf-8") as f:
                input_shape = json.load(f)["input_shape"]
            model(np.zeros([1, *input_shape[1:]], dtype="float32"))  # build, then load
            model.load_weights(self._get_checkpoint_fname(trial_id))
        return model

    def run_trial(self, trial, *args, **kwargs):
        hp = trial.hyperparameters
        if "tuner/epochs" in hp.values:
            kwargs["epochs"] = hp.values["tuner/epochs"]
            kwargs["initial_epoch"] = hp.values["tuner/initial_epoch"]
        model = self._try_build(hp)  # clears the Keras session and collects garbage first
        results = self.hypermodel.fit(hp, model, *args, **kwargs)
        if self.continues_trials:
            write_text(self._get_build_config_fname(trial.trial_id),
                       json.dumps(model.get_build_config()))
            model.save_weights(self._get_checkpoint_fname(trial.trial_id))
        values = {k: v for k, v in hp.values.items() if not k.startswith("tuner/")}
        if results[OBJECTIVE] == results[OBJECTIVE]:  # not NaN
            write_trial(self.hparams_dir, trial.trial_id, values, results)
        return results


def check_tuner(kind):
    """Stop early when the search algorithm ``kind`` cannot run here.

    Raises:
        ConfigError: an unknown kind, or ``bayesian`` without scikit-learn (KerasTuner's
            Gaussian process needs it: ``pip install "keras-tuner[bayesian]"``).
    """
    if kind not in ORACLES:
        raise ConfigError(f"tuning.tuner must be one of {', '.join(ORACLES)}. Received: {kind!r}")
    if kind == "bayesian" and importlib.util.find_spec("sklearn") is None:
        raise ConfigError('tuning.tuner=bayesian needs scikit-learn: pip install '
                          '"keras-tuner[bayesian]", or use --tuner random or hyperband.')


def make_tuner(kind, hypermodel, *, directory, project_name, max_trials, max_epochs, seed,
               hparams_dir):
    """Create (or reload, to resume) the tuner of a search.

    Args:
        kind: ``"random"``, ``"bayesian"`` or ``"hyperband"``.
        hypermodel: the ``StageTwoHyperModel``.
        directory: KerasTuner's folder; ``<directory>/<project_name>`` holds the oracle state.
        project_name: the search's project name.
        max_trials: number of trials (random, bayesian; Hyperband sizes itself from
            ``max_epochs``).
        max_epochs: the most epochs of a Hyperband trial.
        seed: the search algorithm's seed.
        hparams_dir: the TensorBoard HParams folder.

    Returns:
        A ``TrialTuner``; an existing project is reloaded (``overwrite=False``): finished
        trials are kept and a trial that was running when the job died is run again.

    Example:
        >>> tuner = make_tuner("random", hypermodel, directory="tuning", project_name="p",
        ...                    max_trials=20, max_epochs=20, seed=0, hparams_dir="logs")
        ... # doctest: +SKIP
    """
    check_tuner(kind)
    objective = keras_tuner.Objective(OBJECTIVE, direction="min")
    if kind == "hyperband":
        oracle = _atomic_oracle(ORACLES[kind])(objective=objective, max_epochs=max_epochs,
                                               seed=seed)
    else:
        oracle = _atomic_oracle(ORACLES[kind])(objective=objective, max_trials=max_trials,
                                               seed=seed)
    return TrialTuner(oracle=oracle, hypermodel=hypermodel, directory=directory,
                      project_name=project_name, overwrite=False, hparams_dir=hparams_dir)
