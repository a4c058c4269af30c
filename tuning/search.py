"""Search stage two's q, m (and optionally T, the metric loss, the learning rate, the ArcFace
margin) with KerasTuner, on the cached stage one of the config's data.

    python tuning/search.py                                   # built-in synthetic fish
    python tuning/search.py --config my_fish.yaml --tuner bayesian --max-trials 30
    python tuning/search.py --search-margin                   # one stage one per margin

Rerunning the same command resumes: finished trials are kept, a trial that was running when
the job died runs again. The objective is the EER of the argmax codes on the validation
identities; the evaluation identities only score the chosen configuration at the end.
Outputs (in --directory, default runs/<sub_name>/tuning): <project>_results.csv / .md,
<project>_best_config.yaml (for recipes/two_stage.py --config), <project>_pareto.png,
<project>_evaluation.md / .json, and TensorBoard HParams logs in logs/<project>/.

Distributed (KerasTuner chief/worker): run the same command on every machine with
KERASTUNER_TUNER_ID (chief, tuner0, tuner1, ...), KERASTUNER_ORACLE_IP and
KERASTUNER_ORACLE_PORT set (the chief's address); see the README.
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
    add_config_arguments(parser, "tuning.epochs=10")
    parser.add_argument("--tuner", choices=("hyperband", "bayesian", "random"),
                        help="search algorithm (default: tuning.tuner)")
    parser.add_argument("--max-trials", type=int, metavar="N",
                        help="number of trials (default: tuning.max_trials)")
    parser.add_argument("--directory", metavar="DIR",
                        help="tuning folder (default: runs/<sub_name>/tuning)")
    parser.add_argument("--search-margin", action="store_true",
                        help="also search the ArcFace margin (one stage one per value)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="train (or check) the cached stage one(s), then stop")
    parser.add_argument("--no-evaluate", action="store_true",
                        help="skip training and scoring the chosen configuration at the end")
    parser.add_argument("--quiet", action="store_true", help="no progress output")
    return parser.parse_args(argv)


def overrides(args):
    """The ``--set`` list with the dedicated options appended (they win)."""
    out = list(args.set)
    if args.tuner:
        out.append(f"tuning.tuner={args.tuner}")
    if args.max_trials is not None:
        out.append(f"tuning.max_trials={args.max_trials}")
    if args.directory:
        out.append(f"tuning.directory={args.directory}")
    if args.search_margin:
        out.append("tuning.search_margin=true")
    return out


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(message)s")
    log = logging.getLogger("search")

    from lateral_keras.config import ConfigError, load_config

    try:
        config = load_config(args.config, overrides(args))
        from lateral_keras.tuning import Search, searched_values

        searched = searched_values(config)
    except ConfigError as err:
        log.error("%s", err)
        return 2
    for notice in config.notices:
        log.warning("%s", notice)

    from lateral_keras.cli.progress import ProgressBar

    try:
        search = Search(config, verbose=0 if args.quiet else 2)
    except ConfigError as err:
        log.error("%s", err)
        return 2
    log.info("Tuning folder %s, project %s; searching %s", search.directory, search.project,
             ", ".join(f"{k} in {v}" for k, v in searched.items()))
    start = time.time()
    try:
        if args.prepare_only:
            search.prepare_stage_one()
            log.info("Stage one ready in %s (%.0f s)", search.directory, time.time() - start)
            return 0
        search.run(progress=None if args.quiet else ProgressBar("trials"))
    except (ConfigError, ValueError, OSError) as err:
        log.error("%s", err)
        return 2
    elapsed = time.time() - start
    if search.is_worker:
        log.info("Worker done after %.0f s; the chief writes the results.", elapsed)
        return 0
    outputs = search.write_results(evaluate=not args.no_evaluate)
    best = outputs["best"]
    with open(outputs["results.md"], encoding="utf-8") as f:
        print(f"\nTrials ({elapsed:.0f} s):\n\n{f.read()}")
    print(f"Chosen: trial {best['trial_id']}, "
          + ", ".join(f"{k}={best[k]}" for k in searched)
          + f", validation EER {best['val_eer']:.4f}")
    if "evaluation.md" in outputs:
        with open(outputs["evaluation.md"], encoding="utf-8") as f:
            print(f"\nEvaluation identities:\n\n{f.read()}")
    for name, path in outputs.items():
        if name != "best":
            print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
