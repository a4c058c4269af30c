"""``lateral prepare``: extract the skin ROIs of a dataset into a cache, with a quality report."""

import sys

import yaml

from lateral_keras.cli.progress import ProgressBar
from lateral_keras.data.layout import LAYOUTS
from lateral_keras.data.sides import FLANK_MODES
from lateral_keras.preprocessing.cache import ROI_MODES


def add_arguments(parser):
    """Add the ``prepare`` arguments to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser`` (or sub-parser).

    Returns:
        The same parser.

    Example:
        >>> import argparse
        >>> parser = add_arguments(argparse.ArgumentParser())
        >>> args = parser.parse_args(["--data", "data/fish", "--cache", "cache/fish"])
        >>> args.roi, args.workers, args.settings, args.flank
        ('extract', None, None, 'declared')
    """
    parser.add_argument("--config", nargs="+", default=None, metavar="FILE",
                        help="take the dataset, cache and settings from a lateral config")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config setting (with --config)")
    parser.add_argument("--data", help="dataset folder (without --config)")
    parser.add_argument("--cache", help="ROI cache folder, created (without --config)")
    parser.add_argument("--manual", default=None, help="CSV of manual landmark/ROI overrides")
    parser.add_argument(
        "--roi",
        choices=ROI_MODES,
        default="extract",
        help="extract: find the ROI in each photo; none: the files already are ROI strips",
    )
    parser.add_argument(
        "--flank",
        choices=FLANK_MODES,
        default="declared",
        help="flank the extractor is told a photo shows: declared (default: the manifest's or "
        "names' side, where stated), left / right (that side where none is stated), detect "
        "(none: the extractor decides)",
    )
    parser.add_argument(
        "--mirror-side",
        choices=("none", "left", "right"),
        default="none",
        help="flank whose ROIs count as the other flank (symmetric species)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="processes (default: all cores)"
    )
    parser.add_argument(
        "--settings",
        default=None,
        help="YAML or JSON file of ExtractorSettings fields (e.g. roi_size, top_fraction)",
    )
    parser.add_argument(
        "--layout", choices=LAYOUTS, default="auto", help="dataset folder layout (default: auto)"
    )
    parser.add_argument(
        "--session-order",
        default=None,
        help="comma-separated session names, earliest first (default: natural sort)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def load_settings(value):
    """Extractor settings from ``--settings``: None, a dict, or a YAML/JSON file of one.

    Args:
        value: None (defaults), a dict of ``ExtractorSettings`` fields (what the ``lateral``
            config maps its ``preprocessing`` section to), or the path of a YAML/JSON file.

    Returns:
        A dict (empty for the defaults).

    Raises:
        ValueError: the file does not hold a mapping, or is no valid YAML.
        OSError: the file cannot be read.
    """
    if value is None:
        return {}
    if isinstance(value, dict):
        return dict(value)
    with open(value, encoding="utf-8") as stream:
        try:
            loaded = yaml.safe_load(stream)
        except yaml.YAMLError as error:
            raise ValueError(f"{value}: not valid YAML or JSON: {error}") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise ValueError(
            f"{value}: expected a mapping of ExtractorSettings fields. "
            f"Received: {type(loaded).__name__}"
        )
    return loaded


def from_config(args):
    """Fill ``args`` (data, cache, settings, manual, roi, flank, mirror side, workers) from the
    lateral config named by ``args.config``, exactly as the training recipe prepares it."""
    from lateral_keras.config import load_config
    from lateral_keras.training import data_setup

    config = load_config(args.config, args.set)
    root = data_setup.dataset_root(config)
    args.data = data_setup.scan(config, root)
    args.cache = data_setup.cache_dir(config, root or config.data.manifest)
    args.settings = data_setup.extractor_settings(config)
    args.manual = config.preprocessing.manual_csv
    options = data_setup.prepare_options(config)
    args.roi, args.flank = options["roi_mode"], options["flank"]
    args.mirror_side, args.workers = options["mirror_side"], config.preprocessing.workers


def run(args):
    """Prepare ``args.data`` into ``args.cache`` and print the summary.

    Args:
        args: the ``argparse.Namespace`` from a parser set up by ``add_arguments``;
            ``args.settings`` may also be a dict set by the caller.

    Returns:
        0 when the run finished (even if some images failed: see the report), 1 when it could
        not run (bad folder, settings or manual CSV; the error goes to stderr).
    """
    from lateral_keras.preprocessing.prepare import prepare_dataset

    if args.config:
        try:
            from_config(args)
        except (OSError, ValueError) as error:
            print(f"lateral prepare: {error}", file=sys.stderr)
            return 1
    elif not (args.data and args.cache):
        print("lateral prepare: give --config FILE, or both --data and --cache", file=sys.stderr)
        return 1
    order = None
    if args.session_order:
        order = [name.strip() for name in args.session_order.split(",") if name.strip()]
    try:
        summary = prepare_dataset(
            args.data,
            args.cache,
            load_settings(args.settings),
            manual_csv=args.manual,
            roi_mode=args.roi,
            workers=args.workers,
            progress=None if args.quiet else ProgressBar("prepare"),
            layout=args.layout,
            session_order=order,
            mirror_side=args.mirror_side,
            flank=args.flank,
        )
    except (OSError, ValueError, TypeError) as error:
        print(f"lateral prepare: {error}", file=sys.stderr)
        return 1
    print(summary.describe())
    warning = summary.warning()
    if warning:
        print(f"warning: {warning}")
    return 0
