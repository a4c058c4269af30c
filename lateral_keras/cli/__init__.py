"""The ``lateral`` command: one sub-command per module of this package, imported on demand.

Each sub-command module provides ``add_arguments(parser)`` and ``run(args) -> int``; its
docstring's first line is its help. Importing a module only when its command runs keeps
``lateral --help`` instant (TensorFlow is not loaded for it).
"""

import argparse
import importlib
import logging
import sys

from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults

COMMANDS = {
    "synth": ("lateral_keras.cli.synth", "generate the built-in synthetic fish dataset"),
    "scan": ("lateral_keras.cli.scan", "list a dataset's sessions, identities and bad files"),
    "prepare": ("lateral_keras.cli.prepare", "extract skin ROIs into a cache, with a report"),
    "evaluate": ("lateral_keras.cli.evaluate", "evaluate a trained run and write its report"),
    "enroll": ("lateral_keras.cli.enroll", "enrol photos of known fish into a gallery"),
    "identify": ("lateral_keras.cli.identify", "find the enrolled fish that match photos"),
    "export": ("lateral_keras.cli.export", "export a run's inference model for deployment"),
}


def build_parser(argv):
    """Return the top-level parser, with the arguments of the requested sub-command only."""
    parser = argparse.ArgumentParser(
        prog="lateral", description="Fish identification from lateral skin photos."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    requested = next((a for a in argv if a in COMMANDS), None)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name == requested:
            module = importlib.import_module(module_name)
            module.add_arguments(command)
            command.set_defaults(command_main=module.run)
    return parser


def main(argv=None):
    """Entry point of the ``lateral`` console script.

    Args:
        argv: arguments without the program name (default: ``sys.argv[1:]``).

    Returns:
        The process exit status.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    apply_tensorflow_defaults()  # before a sub-command's module imports TensorFlow
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    return args.command_main(args)


if __name__ == "__main__":
    sys.exit(main())
