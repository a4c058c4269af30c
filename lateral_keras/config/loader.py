"""Load, validate and override configurations (ours, and the original's flat YAML files)."""

import dataclasses
import difflib
import os

import yaml

from lateral_keras.config import legacy
from lateral_keras.config.errors import ConfigError
from lateral_keras.config.schema import Config, is_section, iter_settings
from lateral_keras.config.validate import check_value
from lateral_keras.utils.atomic import write_text

FIELDS = dict(iter_settings())
SECTIONS = {f.name for f in dataclasses.fields(Config) if is_section(f)}


def _read_yaml(path):
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            raw = yaml.safe_load(f)
    except FileNotFoundError:
        raise ConfigError(f"Config file not found: {path}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{path}: a config file must be a mapping of keys to values. "
            f"Received: {type(raw).__name__}"
        )
    return raw


def _unknown(key, where):
    candidates = list(FIELDS) + sorted(legacy.LEGACY_KEYS) + sorted(SECTIONS)
    leaf = key.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
    if not close:
        close = [c for c in FIELDS if c.rsplit(".", 1)[-1] == leaf]
    if not close:
        close = difflib.get_close_matches(
            leaf, [c.rsplit(".", 1)[-1] for c in candidates], n=1, cutoff=0.6
        )
        close = [c for c in candidates if c.rsplit(".", 1)[-1] in close][:1]
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return ConfigError(f"{where}: unknown key '{key}'.{hint}")


def _flatten(raw, where, prefix=""):
    """Yield ``(dotted_key, value)`` for our nested style; legacy keys only at the top."""
    for key, value in raw.items():
        key = str(key)
        dotted = prefix + key
        if dotted in FIELDS:
            yield dotted, value
        elif isinstance(value, dict) and any(k.startswith(dotted + ".") for k in FIELDS):
            yield from _flatten(value, where, dotted + ".")
        else:
            raise _unknown(dotted, where)


class _Builder:
    """Collects validated values from files and overrides, then builds a ``Config``."""

    def __init__(self):
        self.values = {}
        self.notices = []

    def set(self, key, value, where):
        if isinstance(value, (str, type(None))):
            value = legacy.VALUE_ALIASES.get((key, value), value)
        self.values[key] = check_value(key, value, FIELDS[key], where)

    def add_file(self, raw, where, stage_two_file=None):
        stage_two = legacy.is_stage_two(raw)
        for key, value in raw.items():
            key = str(key)
            if key in legacy.IGNORED:
                self.notices.append(f"{where}: '{key}' is ignored: {legacy.IGNORED[key]}.")
            elif key == "head_type" and value == legacy.STAGE_TWO_HEAD:
                continue
            elif key == "sub_name" and stage_two_file is not None and not stage_two:
                self.set("stage_one.sub_name", value, where)
            elif key in legacy.LEGACY_KEYS and key not in FIELDS:
                self.set(legacy.target_of(key, stage_two), value, where)
            elif key in FIELDS:
                self.set(key, value, where)
            elif key in SECTIONS and isinstance(value, dict):
                for dotted, item in _flatten(value, where, key + "."):
                    self.set(dotted, item, where)
            else:
                raise _unknown(key, where)

    def build(self):
        nested = {}
        for key, value in self.values.items():
            *parents, leaf = key.split(".")
            node = nested
            for parent in parents:
                node = node.setdefault(parent, {})
            node[leaf] = value
        config = _instantiate(Config, nested)
        config.notices = list(self.notices)
        _check_consistency(config)
        return config


def _instantiate(cls, values):
    kwargs = {}
    for f in dataclasses.fields(cls):
        if f.name in values:
            kwargs[f.name] = (
                _instantiate(f.default_factory, values[f.name]) if is_section(f)
                else values[f.name]
            )
    return cls(**kwargs)


def _check_consistency(config):
    pre, two = config.preprocessing, config.stage_two
    if pre.top_fraction >= pre.bottom_fraction:
        raise ConfigError(
            "preprocessing.top_fraction must be smaller than preprocessing.bottom_fraction. "
            f"Received: top_fraction={pre.top_fraction}, bottom_fraction={pre.bottom_fraction}"
        )
    if config.stage_one.standardize_window == [1, 1]:
        raise ConfigError(
            "stage_one.standardize_window must not be [1, 1]: every pixel would be its own "
            "window and every image flat. Use null for the whole ROI or a larger window. "
            "Received: standardize_window=[1, 1]"
        )
    crops = config.evaluation.test_time_crops
    if not crops or len(set(crops)) != len(crops):
        raise ConfigError(
            "evaluation.test_time_crops must name at least one crop, each once (e.g. [centre]). "
            f"Received: test_time_crops={crops}"
        )
    shares = config.data.split_fractions
    if sum(shares) > 1 + 1e-9:
        raise ConfigError(f"data.split_fractions must sum to at most 1. Received: {shares}")
    pk = two.classes_per_batch * two.samples_per_class
    if two.batch_size is not None and two.batch_size != pk:
        config.notices.append(
            f"stage_two.batch_size={two.batch_size} differs from classes_per_batch x "
            f"samples_per_class = {two.classes_per_batch} x {two.samples_per_class} = {pk}; "
            f"stage two uses {pk}."
        )
    two.batch_size = pk
    _check_stage_one_batches(config)


def _check_stage_one_batches(config):
    """Stage one's P x K batches: at least two fish per batch, the batch size a multiple of
    K (rounded down, with a notice); none from TFRecords (read in file order), whose runs get
    plain batches and no triplet loss, with a notice."""
    one = config.stage_one
    if config.data.tfrecords and (one.samples_per_class or one.triplet_weight):
        config.notices.append(
            "data.tfrecords streams photos in file order, so stage one draws plain batches: "
            "stage_one.samples_per_class is set to null and stage_one.triplet_weight to 0."
        )
        one.samples_per_class, one.triplet_weight = None, 0.0
    k = one.samples_per_class
    if k is not None and one.batch_size // k < 2:
        raise ConfigError(
            "stage_one.batch_size must hold at least two fish of stage_one.samples_per_class "
            "photos each: raise batch_size to 2 x samples_per_class or more, or set "
            f"samples_per_class: null. Received: batch_size={one.batch_size}, "
            f"samples_per_class={k}"
        )
    if k is not None and one.batch_size % k:
        pk = one.batch_size // k * k
        config.notices.append(
            f"stage_one.batch_size={one.batch_size} is not a multiple of "
            f"stage_one.samples_per_class={k}; stage one uses batches of {pk} "
            f"({one.batch_size // k} fish x {k} photos)."
        )
        one.batch_size = pk
    if one.triplet_weight and k is None:
        raise ConfigError(
            "stage_one.triplet_weight needs P x K batches, where every photo has another of "
            "its fish: set stage_one.samples_per_class (e.g. 4) or stage_one.triplet_weight: "
            f"0. Received: triplet_weight={one.triplet_weight}, samples_per_class=None"
        )


def parse_override(text):
    """Split a ``--set`` argument ``key=value`` into the key and its YAML-parsed value.

    Example:
        >>> parse_override("stage_two.q=16")
        ('stage_two.q', 16)
    """
    if "=" not in text:
        raise ConfigError(f"--set expects key=value. Received: {text!r}")
    key, value = text.split("=", 1)
    try:
        return key.strip(), yaml.safe_load(value)
    except yaml.YAMLError as err:
        raise ConfigError(f"--set {key}: value is not valid YAML: {err}") from None


def load_config(paths=(), overrides=()):
    """Load and validate a configuration, before any work starts.

    Args:
        paths: ``None``, one YAML file, or a list of files. Two files in the original's style (a
            stage-one file and a stage-two file with ``head_type: IoMHead``) are merged: the
            stage-one file's ``sub_name`` names the stage one the run reuses.
        overrides: ``key=value`` strings (dotted keys of ours or the original's flat keys);
            they win over the files.

    Returns:
        A validated ``Config``; ``config.notices`` lists one line per ignored key or adjusted
        value.

    Raises:
        ConfigError: unknown key (with the closest valid key), wrong type or range, bad file.

    Example:
        >>> load_config(overrides=["q=16"]).stage_two.q
        16
    """
    if paths is None:
        paths = []
    elif isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    raws = [(os.fspath(p), _read_yaml(p)) for p in paths]
    if len(raws) > 2:
        raise ConfigError(f"At most two config files (stage one, stage two). Received: {paths}")
    stage_two_files = [where for where, raw in raws if legacy.is_stage_two(raw)]
    if len(raws) == 2 and len(stage_two_files) != 1:
        raise ConfigError(
            "With two config files, exactly one must be the stage-two file (head_type: IoMHead). "
            f"Received: {[where for where, _ in raws]}"
        )
    builder = _Builder()
    stage_two_file = stage_two_files[0] if len(raws) == 2 else None
    # The stage-two file goes last, so its shared keys (e.g. sub_name) win.
    for where, raw in sorted(raws, key=lambda item: item[0] == stage_two_file):
        builder.add_file(raw, where, stage_two_file)
    for text in overrides:
        key, value = parse_override(text)
        if key in FIELDS:
            builder.set(key, value, "--set")
        else:
            builder.add_file({key: value}, "--set")
    return builder.build()


def dump_config(config):
    """Return the resolved configuration as YAML text (loadable by ``load_config``)."""
    return yaml.safe_dump(config.to_dict(), sort_keys=False)


def save_config(config, path):
    """Write the resolved configuration beside a run's outputs (atomic write)."""
    write_text(path, dump_config(config))
