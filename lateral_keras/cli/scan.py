"""``lateral scan``: index a dataset folder and print what it holds and what was skipped."""

import sys

from lateral_keras.data.layout import LAYOUTS, scan_dataset


def add_arguments(parser):
    """Add the ``scan`` arguments to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser`` (or sub-parser).

    Returns:
        The same parser.

    Example:
        >>> import argparse
        >>> args = add_arguments(argparse.ArgumentParser()).parse_args(["data/fish"])
        >>> args.layout, args.check_images
        ('auto', False)
    """
    parser.add_argument("root", help="dataset folder")
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default="auto",
        help="sessions: ROOT/SESSION/IDENTITY/IMAGE; flat: ROOT/IDENTITY/IMAGE (default: auto)",
    )
    parser.add_argument(
        "--session-order",
        default=None,
        help="comma-separated session names, earliest first (default: natural sort)",
    )
    parser.add_argument(
        "--check-images",
        action="store_true",
        help="validate every image's header and completeness, skipping bad files",
    )
    return parser


def run(args):
    """Scan ``args.root`` and print its summary.

    Args:
        args: the ``argparse.Namespace`` from a parser set up by ``add_arguments``.

    Returns:
        0 on success, 1 when the folder cannot be indexed (the error goes to stderr).
    """
    order = None
    if args.session_order:
        order = [name.strip() for name in args.session_order.split(",") if name.strip()]
    try:
        index = scan_dataset(
            args.root, layout=args.layout, session_order=order, check_images=args.check_images
        )
    except (OSError, ValueError) as error:
        print(f"lateral scan: {error}", file=sys.stderr)
        return 1
    print(index.summary_text(), end="")
    return 0
