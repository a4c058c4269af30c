"""A run folder ``<runs_dir>/<sub_name>/``: resolved config, stage markers, resume rules."""

import json
import os
import shutil

import yaml

from lateral_keras.config import Config, ConfigError, dump_config
from lateral_keras.utils.atomic import write_json, write_text

# Sections whose change alters trained weights: a finished or half-done run refuses them.
TRAINING_SECTIONS = ("seed", "data", "preprocessing", "stage_one", "stage_two")


def _differences(old, new, prefix=""):
    keys = sorted(set(old) | set(new))
    for key in keys:
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            yield from _differences(a, b, f"{prefix}{key}.")
        elif a != b:
            yield f"{prefix}{key}: {a!r} -> {b!r}"


BEFORE_THEY_EXISTED = {"stage_one": {"whitening_session_weight": 1.0}}
"""Settings added with a default other than what runs saved before them did: the value that
reproduces those runs (plain within-class whitening)."""


def _with_defaults(saved, defaults):
    """``saved`` settings, with the defaults of settings added to the package after it was saved."""
    merged = dict(defaults)
    for key, value in saved.items():
        if isinstance(value, dict) and isinstance(defaults.get(key), dict):
            merged[key] = _with_defaults(value, defaults[key])
        else:
            merged[key] = value
    return merged


def setting_differences(old, new, sections):
    """Lines ``key: old -> new`` for every setting of ``sections`` that differs.

    Args:
        old, new: config dicts (``Config.to_dict()`` or ``saved_settings``).
        sections: top-level keys to compare.

    Returns:
        List of str, empty when the sections agree.

    Example:
        >>> setting_differences({"seed": 0}, {"seed": 1}, ["seed"])
        ['seed: 0 -> 1']
    """
    return [line for section in sections
            for line in _differences({section: old.get(section)}, {section: new.get(section)})]


def saved_settings(config_path):
    """The settings of a saved ``config.yaml``, with the defaults of settings added since
    (``BEFORE_THEY_EXISTED`` where their default is not what the run did).

    Args:
        config_path: a run folder's ``config.yaml``.

    Returns:
        Nested dict like ``Config.to_dict()``.
    """
    with open(config_path, encoding="utf-8") as f:
        saved = yaml.safe_load(f) or {}
    return _with_defaults(saved, _with_defaults(BEFORE_THEY_EXISTED, Config().to_dict()))


class RunFolder:
    """The outputs of one run, and the rules that make re-running it safe.

    Re-running the same command resumes (finished stages are skipped); re-running with a
    changed training setting under the same ``sub_name`` stops with a message, unless
    ``restart=True`` (``--restart``), which clears the folder first.

    Args:
        config: the resolved ``Config``.
        restart: start over, deleting the folder's previous contents.

    Example:
        >>> run = RunFolder(config)  # doctest: +SKIP
        >>> run.open()  # doctest: +SKIP
        >>> run.is_done("stage_one")  # doctest: +SKIP
        False
    """

    def __init__(self, config, *, restart=False):
        self.config = config
        self.restart = restart
        self.path = os.path.join(config.runs_dir, config.sub_name)

    def file(self, *parts):
        """Return a path inside the run folder (parent folders created)."""
        path = os.path.join(self.path, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def folder(self, *parts):
        """Return a folder inside the run folder (created)."""
        path = os.path.join(self.path, *parts)
        os.makedirs(path, exist_ok=True)
        return path

    def open(self):
        """Create or reopen the folder; write the resolved config.

        Raises:
            ConfigError: the folder holds a run made with different training settings.
        """
        config_path = os.path.join(self.path, "config.yaml")
        if self.restart and os.path.isdir(self.path):
            shutil.rmtree(self.path)
        if os.path.exists(config_path):
            changed = setting_differences(saved_settings(config_path), self.config.to_dict(),
                                          TRAINING_SECTIONS)
            if changed:
                raise ConfigError(
                    f"Run folder {self.path} was made with other settings:\n  "
                    + "\n  ".join(changed)
                    + "\nUse another sub_name, or --restart to start this run over."
                )
        os.makedirs(self.path, exist_ok=True)
        write_text(config_path, dump_config(self.config))
        return self

    def is_done(self, stage):
        """True when ``stage`` finished in an earlier invocation."""
        return os.path.exists(os.path.join(self.path, f"{stage}.done.json"))

    def mark_done(self, stage, info=None):
        """Record that ``stage`` finished, with optional figures (atomic write)."""
        write_json(os.path.join(self.path, f"{stage}.done.json"), info or {})

    def done_info(self, stage):
        """Return what ``mark_done`` recorded for ``stage``."""
        with open(os.path.join(self.path, f"{stage}.done.json"), encoding="utf-8") as f:
            return json.load(f)
