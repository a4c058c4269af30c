"""Typed configuration: ``load_config`` reads our sectioned YAML or the original's flat keys.

Example:
    >>> from lateral_keras.config import load_config
    >>> config = load_config(overrides=["stage_two.m=128"])
    >>> config.stage_two.m
    128
"""

from lateral_keras.config.data_checks import reconcile_with_data, require_path
from lateral_keras.config.errors import ConfigError
from lateral_keras.config.loader import dump_config, load_config, parse_override, save_config
from lateral_keras.config.schema import Config, iter_settings

__all__ = [
    "Config",
    "ConfigError",
    "dump_config",
    "iter_settings",
    "load_config",
    "parse_override",
    "reconcile_with_data",
    "require_path",
    "save_config",
]
