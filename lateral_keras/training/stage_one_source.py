"""Reuse the finished stage one of another run folder (``stage_one.sub_name``).

The original trained its two stages from two files, the stage-two file naming the stage-one
run it builds on. Here ``stage_one.sub_name`` (set by the two-file style, or with ``--set``)
names that run: when ``<runs_dir>/<stage_one.sub_name>/`` holds a finished stage one, its
embedder, training history and precomputed training embeddings are copied into this run
instead of training stage one again, so several stage-two settings can share one stage one.
Without a finished stage one there, this run trains its own.

Example:

```bash
python recipes/two_stage.py --set sub_name=base
python recipes/two_stage.py --set sub_name=margin_1 --set stage_one.sub_name=base \\
    --set stage_two.triplet_margin=1.0
```
"""

import copy
import json
import logging
import os
import shutil

from lateral_keras.config import ConfigError
from lateral_keras.training.run_folder import saved_settings, setting_differences
from lateral_keras.utils.atomic import atomic_path

logger = logging.getLogger(__name__)

SOURCE_SECTIONS = ("seed", "data", "preprocessing", "stage_one")
"""Settings a reused stage one must have been trained with: they decide its weights and split."""

_MODEL = ("models", "embedder.keras")
_OPTIONAL = (("stage_one_history.csv",), ("embeddings", "train.npz"))


def stage_one_source(config):
    """The run folder whose finished stage one this run reuses, or None.

    Args:
        config: the run's ``Config``.

    Returns:
        The folder's path when ``stage_one.sub_name`` names another run with a finished stage
        one (``stage_one.done.json``), else None.
    """
    name = config.stage_one.sub_name
    if not name or name == config.sub_name:
        return None
    path = os.path.join(config.runs_dir, name)
    return path if os.path.exists(os.path.join(path, "stage_one.done.json")) else None


def _stage_one_settings(settings):
    """The settings to compare, less the source's name and the class count (filled in from
    the data during preparation; the split comparison covers it)."""
    settings = copy.deepcopy(settings)
    settings.get("stage_one", {}).pop("sub_name", None)
    settings.get("data", {}).pop("num_classes", None)
    return settings


def check_stage_one_source(config):
    """Check, before any work, that a stage one to reuse was trained with this run's settings.

    Args:
        config: the run's ``Config``.

    Returns:
        The source folder (see ``stage_one_source``), or None.

    Raises:
        ConfigError: its ``seed``, ``data``, ``preprocessing`` or ``stage_one`` settings differ.
    """
    source = stage_one_source(config)
    if source is None:
        return None
    changed = setting_differences(
        _stage_one_settings(saved_settings(os.path.join(source, "config.yaml"))),
        _stage_one_settings(config.to_dict()), SOURCE_SECTIONS,
    )
    if changed:
        raise ConfigError(
            f"stage_one.sub_name={config.stage_one.sub_name!r}: the stage one in {source} was "
            "trained with other settings (its value -> this run's):\n  " + "\n  ".join(changed)
            + "\nUse the same settings, or another stage_one.sub_name (none: train stage one "
            "in this run)."
        )
    return source


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _copy(source, target):
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)


def reuse_stage_one(config, run, source):
    """Copy the finished stage one of ``source`` into ``run`` and mark it done there.

    The precomputed training embeddings come along; stage two embeds its own views when
    their number is not this run's ``stage_two.views_per_image`` (``training_embeddings``).

    Args:
        config: the run's ``Config``.
        run: this run's ``RunFolder`` (its ``split.json`` written).
        source: the folder returned by ``check_stage_one_source``.

    Raises:
        ConfigError: the two runs' splits differ (the reused stage one may have trained on
            this run's evaluation fish).
    """
    split_path = os.path.join(source, "split.json")
    if not os.path.exists(split_path) or _read_json(split_path) != _read_json(
            run.file("split.json")):
        raise ConfigError(
            f"stage_one.sub_name={config.stage_one.sub_name!r}: {split_path} is missing or "
            f"differs from {run.file('split.json')}; a stage one is reused only with the split "
            "it was trained on."
        )
    _copy(os.path.join(source, *_MODEL), run.file(*_MODEL))
    for parts in _OPTIONAL:
        if os.path.exists(os.path.join(source, *parts)):
            _copy(os.path.join(source, *parts), run.file(*parts))
    info = _read_json(os.path.join(source, "stage_one.done.json"))
    run.mark_done("stage_one", {**info, "reused_from": os.path.abspath(source)})
    logger.info("Stage one reused from %s", source)
