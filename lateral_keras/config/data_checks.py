"""Checks of a configuration against the data it is run on; derived values filled in."""

import os

from lateral_keras.config.errors import ConfigError


def require_path(config, key, *, kind="folder"):
    """Return the path stored under dotted ``key``, checking that it exists.

    Args:
        config: a ``Config``.
        key: dotted setting name, e.g. ``"data.root"``.
        kind: ``"folder"`` or ``"file"``.

    Returns:
        The path.

    Raises:
        ConfigError: the setting is empty or the path is missing or of the wrong kind.
    """
    node = config
    for part in key.split("."):
        node = getattr(node, part)
    if not node:
        raise ConfigError(f"'{key}' must be set to a {kind} for this command.")
    exists = os.path.isdir(node) if kind == "folder" else os.path.isfile(node)
    if not exists:
        raise ConfigError(f"'{key}': {kind} not found: {node}")
    return node


def reconcile_with_data(config, *, n_train_identities):
    """Fill in values the data supplies and reject values the data contradicts.

    Args:
        config: a ``Config`` (modified in place).
        n_train_identities: number of identities in the training split.

    Raises:
        ConfigError: ``data.num_classes`` differs from the number of training identities, or a
            P x K batch asks for more identities than training has.
    """
    given = config.data.num_classes
    if given is not None and given != n_train_identities:
        raise ConfigError(
            f"data.num_classes (num_classes) is {given} but the training split has "
            f"{n_train_identities} identities: remove the key or set it to {n_train_identities}."
        )
    config.data.num_classes = n_train_identities
    p = config.stage_two.classes_per_batch
    if p > n_train_identities:
        raise ConfigError(
            f"stage_two.classes_per_batch={p} is larger than the {n_train_identities} training "
            f"identities: set it to at most {n_train_identities}."
        )
    one = config.stage_one
    if one.samples_per_class and one.batch_size // one.samples_per_class > n_train_identities:
        raise ConfigError(
            f"stage_one.batch_size / stage_one.samples_per_class = {one.batch_size} / "
            f"{one.samples_per_class} fish per batch is more than the {n_train_identities} "
            "training identities: lower stage_one.batch_size or raise samples_per_class."
        )
