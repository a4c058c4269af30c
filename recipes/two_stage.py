"""Train and evaluate the two-stage fish identifier: ArcFace embedding, then deep IoM codes.

With no arguments it runs on the built-in synthetic fish (generated on first use):

    python recipes/two_stage.py

On your own photos, with one config file (ours or the original's flat style) or the original's
two-file style (stage-one file + stage-two file with ``head_type: IoMHead``):

    python recipes/two_stage.py --config my_fish.yaml --set stage_two.m=512

Outputs go to ``runs/<sub_name>/``: the resolved config, the split, checkpoints, ``.keras``
models, TensorBoard logs, ``metrics.json``, ``report.json``, ``report.md``, per-pair scores,
plots and ``thresholds.json`` (chosen on the validation fish). Re-running the same command
resumes where it stopped; ``--restart`` starts over.
"""

import argparse
import logging
import sys
import time

from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults

apply_tensorflow_defaults()


def parse_args(argv):
    from lateral_keras.cli.config_args import add_config_arguments

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_config_arguments(parser, "stage_two.q=16")
    parser.add_argument("--restart", action="store_true",
                        help="delete the run folder of this sub_name and start over")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    log = logging.getLogger("two_stage")

    from lateral_keras.cli.progress import StageProgress
    from lateral_keras.config import ConfigError, load_config

    try:
        config = load_config(args.config, args.set)
    except ConfigError as err:
        log.error("%s", err)
        return 2
    for notice in config.notices:
        log.warning("%s", notice)

    from lateral_keras.evaluation.run_evaluation import evaluate_and_report, headline_table
    from lateral_keras.training.both_stages import train_both_stages
    from lateral_keras.training.data_setup import prepare_data
    from lateral_keras.training.run_folder import RunFolder
    from lateral_keras.training.stage_one_source import check_stage_one_source

    verbose = 0 if args.quiet else 2
    timings = {}
    try:
        check_stage_one_source(config)
        run = RunFolder(config, restart=args.restart).open()
        log.info("Run folder: %s", run.path)
        start = time.time()
        data = prepare_data(config, run, progress=None if args.quiet else StageProgress())
        timings["data and ROIs"] = time.time() - start
    except (ConfigError, ValueError, OSError) as err:
        log.error("%s", err)
        return 2
    counts = {name: len(part.records) for name, part in data.parts.items()}
    log.info("Split: %d / %d / %d identities, %s images (train / val / eval)",
             len(data.split.train), len(data.split.val), len(data.split.eval), counts)

    try:
        embedder, codes = train_both_stages(config, run, data, verbose=verbose, timings=timings)
    except ConfigError as err:  # e.g. a reused stage one trained on another split
        log.error("%s", err)
        return 2

    try:
        report = evaluate_and_report(config, run, data, embedder, codes, timings=timings,
                                     progress=None if args.quiet else StageProgress())
    except (ConfigError, ValueError, OSError) as err:
        log.error("%s", err)
        return 2
    print(f"\nCross-session results on {report['counts']['identities']} evaluation fish:\n")
    print(headline_table(report))
    print(f"\nReport: {run.file('report.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
