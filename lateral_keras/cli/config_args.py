"""The ``--config`` and ``--set`` options shared by the job scripts (recipe, tuning)."""


def add_config_arguments(parser, set_example="stage_two.q=16"):
    """Add ``--config FILE...`` and repeatable ``--set KEY=VALUE`` to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser``.
        set_example: the ``KEY=VALUE`` shown in ``--set``'s help.

    Returns:
        The same parser; ``args.config`` is a tuple of paths, ``args.set`` a list of strings.

    Example:
        >>> import argparse
        >>> add_config_arguments(argparse.ArgumentParser()).parse_args(["--set", "seed=1"]).set
        ['seed=1']
    """
    parser.add_argument("--config", nargs="+", default=(), metavar="FILE",
                        help="config file (or the original's stage-one and stage-two files)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help=f"override a setting, e.g. --set {set_example} (repeatable)")
    return parser
