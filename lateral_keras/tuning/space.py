"""The searched hyperparameters: their names, value lists and defaults, and trial configs."""

import copy
import math

# name -> (config section, config key, tuning list); searched when the list is non-empty.
SEARCHED = {
    "q": ("stage_two", "q", "q_values"),
    "m": ("stage_two", "m", "m_values"),
    "T": ("stage_two", "T", "t_values"),
    "loss_fun": ("stage_two", "loss_fun", "loss_values"),
    "base_lr": ("stage_two", "base_lr", "lr_values"),
    "arc_margin": ("stage_one", "arc_margin", "margin_values"),
}


def searched_values(config):
    """The value list of every searched hyperparameter, in ``SEARCHED`` order.

    Args:
        config: a ``Config``; ``tuning.<name>_values`` lists (``arc_margin`` only with
            ``tuning.search_margin``).

    Returns:
        dict name -> list of values (hyperparameters with an empty list are left out; whole
        numbers for ``q`` and ``m`` are checked when the config is loaded).

    Example:
        >>> from lateral_keras.config import load_config
        >>> searched_values(load_config(overrides=["tuning.q_values=[4, 8]"]))["q"]
        [4, 8]
    """
    tuning = config.tuning
    out = {}
    for name, (_, _, attribute) in SEARCHED.items():
        values = list(getattr(tuning, attribute))
        if name == "arc_margin" and not tuning.search_margin:
            continue
        if values:
            out[name] = values
    return out


def declare(hp, config):
    """Declare every searched hyperparameter on ``hp`` as a ``Choice`` and return its values.

    The default of each is the config's own value when it is in the list, else the first one.

    Args:
        hp: a ``keras_tuner.HyperParameters``.
        config: the search's ``Config``.

    Returns:
        dict name -> the value ``hp`` holds now.
    """
    values = {}
    for name, choices in searched_values(config).items():
        section, key, _ = SEARCHED[name]
        current = getattr(getattr(config, section), key)
        default = current if current in choices else choices[0]
        values[name] = hp.Choice(name, choices, default=default)
    return values


def trial_config(config, values):
    """A copy of ``config`` with the hyperparameter ``values`` written into their sections.

    Args:
        config: a ``Config``.
        values: dict name -> value (names of ``SEARCHED``; others are ignored, such as
            Hyperband's ``tuner/epochs``).

    Returns:
        A new ``Config``.
    """
    out = copy.deepcopy(config)
    for name, value in values.items():
        if name in SEARCHED:
            section, key, _ = SEARCHED[name]
            setattr(getattr(out, section), key, value)
    return out


def code_bits(m, q):
    """Bits of an IoM code: ``m x log2(q)``.

    Example:
        >>> code_bits(256, 8)
        768.0
    """
    return m * math.log2(q)
