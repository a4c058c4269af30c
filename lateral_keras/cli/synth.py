"""``lateral synth``: render the synthetic fish dataset (and optionally a contact sheet)."""

import argparse
import sys
import time

from lateral_keras.cli.progress import ProgressBar
from lateral_keras.config.schema import SyntheticConfig
from lateral_keras.data.synthetic import generate_dataset, make_contact_sheet


def _size(text):
    try:
        width, height = (int(t) for t in text.lower().split("x"))
    except ValueError as err:
        message = f"--size must look like 800x600. Received: {text!r}"
        raise argparse.ArgumentTypeError(message) from err
    return width, height


def _difficulty(text):
    try:
        return float(text)
    except ValueError:
        return text


def add_arguments(parser):
    """Add the ``synth`` options to an ``argparse.ArgumentParser``.

    Args:
        parser: the parser (or sub-parser) to extend.

    Returns:
        The same parser.

    Example:
        >>> p = add_arguments(argparse.ArgumentParser())
        >>> p.parse_args(["--out", "d", "--size", "400x300"]).size
        (400, 300)
    """
    parser.add_argument("--out", required=True, metavar="DIR", help="dataset root folder")
    n_fish = SyntheticConfig().n_fish  # the recipe's default dataset
    parser.add_argument("--n-fish", type=int, default=n_fish,
                        help=f"number of fish (default {n_fish})")
    parser.add_argument("--sessions", type=int, default=4, help="number of sessions (default 4)")
    parser.add_argument("--images-per-session", type=int, default=5,
                        help="photos per fish and session (default 5)")
    parser.add_argument("--size", type=_size, default=(800, 600), metavar="WxH",
                        help="photo size (default 800x600)")
    parser.add_argument("--difficulty", type=_difficulty, default="default",
                        help="easy, default, hard or a number in [0, 3]")
    parser.add_argument("--both-flanks", action="store_true",
                        help="photograph both flanks (odd images show the right flank)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--workers", type=int, default=None,
                        help="processes (default: all CPU cores)")
    parser.add_argument("--contact-sheet", metavar="PNG", default=None,
                        help="also save a grid of photos with the ground truth drawn")
    return parser


def run(args):
    """Generate the dataset described by parsed ``args``; progress on stderr, summary on stdout.

    Args:
        args: ``argparse.Namespace`` from a parser extended by ``add_arguments``.

    Returns:
        Exit status (0 on success, 2 on invalid settings).
    """
    start = time.monotonic()
    try:
        root = generate_dataset(
            args.out, n_fish=args.n_fish, n_sessions=args.sessions,
            images_per_session=args.images_per_session, image_size=args.size,
            difficulty=args.difficulty, both_flanks=args.both_flanks, seed=args.seed,
            workers=args.workers, progress=ProgressBar("synth"),
        )
        if args.contact_sheet:
            make_contact_sheet(root, args.contact_sheet)
    except ValueError as err:
        print(f"lateral synth: error: {err}", file=sys.stderr)
        return 2
    n_images = args.n_fish * args.sessions * args.images_per_session
    print(f"synthetic dataset: {root}")
    print(f"  {args.n_fish} fish x {args.sessions} sessions x {args.images_per_session} images "
          f"= {n_images} photos, {args.size[0]}x{args.size[1]}, difficulty={args.difficulty}, "
          f"both_flanks={args.both_flanks}, seed={args.seed}")
    print(f"  ground truth: {root}/ground_truth.csv; settings: {root}/synth_config.json")
    if args.contact_sheet:
        print(f"  contact sheet: {args.contact_sheet}")
    print(f"  time: {time.monotonic() - start:.1f} s")
    return 0
