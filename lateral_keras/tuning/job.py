"""A whole search: stage one cached per margin, the trials, then the results and the report."""

import hashlib
import json
import logging
import os

from keras_tuner.src.distribute import utils as dist_utils

from lateral_keras.tuning.best_config import write_best_config
from lateral_keras.tuning.hparams_log import write_experiment
from lateral_keras.tuning.hypermodel import StageTwoHyperModel
from lateral_keras.tuning.pareto_plot import pareto_plot
from lateral_keras.tuning.report import comparison_table, evaluate_choice
from lateral_keras.tuning.results import best_row, collect_trials, write_tables
from lateral_keras.tuning.space import SEARCHED, searched_values
from lateral_keras.tuning.stage_one_cache import StageOneCache
from lateral_keras.tuning.tuner import check_tuner, make_tuner
from lateral_keras.utils.atomic import write_json, write_text

logger = logging.getLogger(__name__)

# Sections whose change makes a different search (a new project); max_trials is not one of
# them, so rerunning with a larger --max-trials extends the search.
_DEFINING = ("seed", "data", "preprocessing", "stage_one", "stage_two", "evaluation")


def search_directory(config):
    """The tuning folder: ``tuning.directory``, else ``<runs_dir>/<sub_name>/tuning``."""
    return config.tuning.directory or os.path.join(config.runs_dir, config.sub_name, "tuning")


def project_name(config):
    """``<tuner>-<hash>``: the same command always reaches the same KerasTuner project.

    Example:
        >>> from lateral_keras.config import load_config
        >>> project_name(load_config()).startswith("random-")
        True
    """
    settings = config.to_dict()
    defining = {key: settings[key] for key in _DEFINING}
    defining["searched"] = searched_values(config)
    defining["tuning"] = {"epochs": config.tuning.epochs, "seed": config.tuning.seed}
    text = json.dumps(defining, sort_keys=True, default=str)
    return f"{config.tuning.tuner}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


class Search:
    """One search of ``config``: run it (resumably, alone or as a distributed worker or chief)
    and write its results.

    Args:
        config: the validated ``Config``.
        verbose: Keras progress-bar verbosity of stage-one training.
        stage_one: the provider of stage-one embeddings (default: a ``StageOneCache`` in the
            tuning folder); anything with the same ``features``, ``eval_embeddings`` and
            ``data`` methods.

    Attributes:
        directory: the tuning folder; ``project_dir`` the KerasTuner project in it.

    Example:
        >>> search = Search(load_config(overrides=["tuning.max_trials=20"]))  # doctest: +SKIP
        >>> search.run(); outputs = search.write_results()  # doctest: +SKIP
    """

    def __init__(self, config, *, verbose=0, stage_one=None):
        check_tuner(config.tuning.tuner)
        self.config = config
        self.directory = search_directory(config)
        self.project = project_name(config)
        self.project_dir = os.path.join(self.directory, self.project)
        self.hparams_dir = os.path.join(self.directory, "logs", self.project)
        self.stage_one = stage_one or StageOneCache(config, self.directory, verbose=verbose)
        self.hypermodel = StageTwoHyperModel(config, self.stage_one, epochs=config.tuning.epochs)

    @property
    def is_worker(self):
        """True for a distributed worker (``KERASTUNER_ORACLE_IP`` set, not the chief)."""
        return dist_utils.has_chief_oracle() and not dist_utils.is_chief_oracle()

    @property
    def is_chief(self):
        return dist_utils.is_chief_oracle()

    def margins(self):
        """The ArcFace margins the trials need a stage one for."""
        return searched_values(self.config).get("arc_margin", [self.config.stage_one.arc_margin])

    def prepare_stage_one(self):
        """Train (or load) the stage one of every searched margin and its embeddings."""
        for margin in self.margins():
            self.stage_one.features(margin)

    def run(self, *, progress=None):
        """Run the trials, resuming the project if it exists.

        The chief only serves the oracle (it blocks until the workers are done); a worker or a
        single process first prepares the stage one(s), then runs trials.

        Args:
            progress: optional ``callback(done, total)`` after each trial.
        """
        if not self.is_worker:
            write_experiment(self.hparams_dir, searched_values(self.config))
        if not self.is_chief:
            self.prepare_stage_one()
        tuning = self.config.tuning
        tuner = make_tuner(
            tuning.tuner, self.hypermodel, directory=self.directory, project_name=self.project,
            max_trials=tuning.max_trials, max_epochs=tuning.epochs, seed=tuning.seed,
            hparams_dir=self.hparams_dir,
        )
        if progress is not None:
            tuner.progress = lambda: progress(self.finished_count(), tuning.max_trials)
        tuner.search(verbose=0)

    def finished_count(self):
        """Trials of the project that ended (completed or failed)."""
        return sum(row["status"] != "RUNNING" for row in collect_trials(self.project_dir))

    def write_results(self, *, evaluate=True):
        """Write the results table, the best config, the plot and (optionally) the report.

        Args:
            evaluate: train the chosen configuration and the config's own with
                ``stage_two.epochs`` and score both on the evaluation identities.

        Returns:
            dict name -> path of what was written, and ``best`` (the chosen row).
        """
        rows = collect_trials(self.project_dir)
        out = {name: os.path.join(self.directory, f"{self.project}_{name}")
               for name in ("results.csv", "results.md", "best_config.yaml", "pareto.png")}
        write_tables(rows, out["results.csv"], out["results.md"])
        best = best_row(rows)
        write_best_config(self.config, best, out["best_config.yaml"])
        pareto_plot(rows, out["pareto.png"])
        if evaluate:
            epochs = self.config.stage_two.epochs
            default = evaluate_choice(self.hypermodel, {}, epochs)
            chosen = evaluate_choice(
                self.hypermodel, {k: best[k] for k in SEARCHED if k in best}, epochs)
            out["evaluation.json"] = os.path.join(self.directory,
                                                  f"{self.project}_evaluation.json")
            out["evaluation.md"] = os.path.join(self.directory, f"{self.project}_evaluation.md")
            write_json(out["evaluation.json"], {"config": default, "chosen": chosen})
            write_text(out["evaluation.md"], comparison_table(default, chosen))
        out["best"] = best
        return out
