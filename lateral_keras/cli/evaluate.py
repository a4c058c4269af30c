"""``lateral evaluate --run DIR``: recompute a trained run's evaluation and rewrite its report.

It reads the run's resolved ``config.yaml``, its split and its saved models, extracts (or
reuses) the ROIs exactly as training did, and calls the same ``evaluate_and_report`` as the
recipe: ``report.json``, ``report.md``, ``metrics.json``, ``thresholds.json``, per-pair scores
and plots in the run folder. Only ``evaluation.*`` settings may be overridden (``--set``): the
rest describes how the models were trained.
"""

import json
import os
import sys

from lateral_keras.cli.progress import StageProgress

MODELS = ("embedder.keras", "iom_codes.keras")


def add_arguments(parser):
    """Add the ``evaluate`` arguments to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser`` (or sub-parser).

    Returns:
        The same parser.

    Example:
        >>> import argparse
        >>> args = add_arguments(argparse.ArgumentParser()).parse_args(["--run", "runs/x"])
        >>> args.run_dir, args.set
        ('runs/x', [])
    """
    parser.add_argument("--run", dest="run_dir", required=True, metavar="DIR",
                        help="run folder (config.yaml, split.json, models/)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override an evaluation setting, e.g. "
                             "evaluation.threshold_far=0.001 (repeatable)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _previous_timings(run_path):
    """Training timings recorded by the recipe's report, so a re-evaluation keeps them."""
    try:
        with open(os.path.join(run_path, "report.json"), encoding="utf-8") as stream:
            timings = json.load(stream).get("timings", {})
    except (OSError, ValueError):
        return {}
    return {name: value for name, value in timings.items() if name != "evaluation"}


def load_run(run_path, overrides=()):
    """The config, run folder and models of a finished run.

    Args:
        run_path: the run folder.
        overrides: ``evaluation.*`` ``key=value`` strings.

    Returns:
        ``(config, run, embedder, code_model)``.

    Raises:
        ConfigError: bad config or override; ValueError: a model file is missing.
    """
    from lateral_keras.config import ConfigError, load_config
    from lateral_keras.saving import load_model
    from lateral_keras.training.run_folder import RunFolder

    outside = [item for item in overrides if not item.startswith("evaluation.")]
    if outside:
        raise ConfigError(
            f"Only evaluation.* settings can be overridden when evaluating a trained run. "
            f"Received: {outside}"
        )
    config_path = os.path.join(run_path, "config.yaml")
    if not os.path.isfile(config_path):
        raise ConfigError(f"{run_path}: not a run folder (no config.yaml)")
    config = load_config(config_path, overrides)
    missing = [name for name in MODELS
               if not os.path.isfile(os.path.join(run_path, "models", name))]
    if missing:
        raise ValueError(f"{run_path}: the run is not trained to the end (missing models/"
                         f"{', models/'.join(missing)}); run the recipe first")
    # The run folder may have moved since training: its parent is the runs folder (and the
    # home of the default ROI cache).
    config.runs_dir = os.path.dirname(os.path.abspath(run_path))
    config.sub_name = os.path.basename(os.path.abspath(run_path))
    run = RunFolder(config)
    models = [load_model(os.path.join(run_path, "models", name)) for name in MODELS]
    return config, run, *models


def run(args):
    """Evaluate the run and print its headline figures.

    Args:
        args: the ``argparse.Namespace`` of ``add_arguments``.

    Returns:
        0 on success, 1 when the run cannot be evaluated (the reason goes to stderr).
    """
    from lateral_keras.config import ConfigError
    from lateral_keras.evaluation.run_evaluation import evaluate_and_report, headline_table
    from lateral_keras.training.data_setup import prepare_data

    progress = None if args.quiet else StageProgress()
    try:
        config, run_folder, embedder, code_model = load_run(args.run_dir, args.set)
        data = prepare_data(config, run_folder, progress=progress)
        report = evaluate_and_report(config, run_folder, data, embedder, code_model,
                                     timings=_previous_timings(args.run_dir), progress=progress)
    except (ConfigError, OSError, ValueError) as error:
        print(f"lateral evaluate: {error}", file=sys.stderr)
        return 1
    print(f"Cross-session results on {report['counts']['identities']} evaluation fish:\n")
    print(headline_table(report))
    print(f"\nReport: {os.path.join(args.run_dir, 'report.md')}")
    return 0
