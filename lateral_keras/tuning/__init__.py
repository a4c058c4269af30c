"""Hyperparameter search of stage two (q, m, optionally T, the metric loss, the learning rate and
the ArcFace margin) with KerasTuner, on cached stage-one embeddings; resumable and distributed.

Example:
    >>> from lateral_keras.config import load_config
    >>> from lateral_keras.tuning import Search
    >>> search = Search(load_config(overrides=["tuning.max_trials=4"]))  # doctest: +SKIP
    >>> search.run(); search.write_results()["best"]  # doctest: +SKIP
"""

from lateral_keras.tuning.hypermodel import OBJECTIVE, StageTwoHyperModel
from lateral_keras.tuning.job import Search, project_name, search_directory
from lateral_keras.tuning.results import best_row, collect_trials, pareto_front, write_tables
from lateral_keras.tuning.space import SEARCHED, code_bits, declare, searched_values
from lateral_keras.tuning.stage_one_cache import StageOneCache
from lateral_keras.tuning.tuner import make_tuner

__all__ = [
    "OBJECTIVE",
    "SEARCHED",
    "Search",
    "StageOneCache",
    "StageTwoHyperModel",
    "best_row",
    "code_bits",
    "collect_trials",
    "declare",
    "make_tuner",
    "pareto_front",
    "project_name",
    "search_directory",
    "searched_values",
    "write_tables",
]
