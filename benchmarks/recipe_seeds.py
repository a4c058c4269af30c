"""Summarise recipe runs over seeds: the README's mean +- sd table of cross-session figures.

Reads each run folder's ``metrics.json`` (written by ``recipes/two_stage.py`` or
``lateral evaluate``) and prints a Markdown table, embeddings next to IoM codes, with the
sample standard deviation over the runs, then each run's step times from ``report.json``.

Usage:
    for s in 0 1 2; do python recipes/two_stage.py --set seed=$s --set sub_name=seed$s; done
    python benchmarks/recipe_seeds.py runs/seed0 runs/seed1 runs/seed2
"""

import argparse
import json
import os

import numpy as np

ROWS = (
    ("EER", "eer"),
    ("AUC", "auc"),
    ("rank-1", "rank1"),
    ("rank-5", "rank5"),
    ("TAR@FAR=1e-2", "tar@far=0.01"),
    ("same-session EER", "same_session_eer"),
)
KINDS = ("embeddings", "codes")


def load_metrics(run):
    """The ``metrics.json`` of one run folder, with a clear error when it is missing."""
    path = os.path.join(run, "metrics.json")
    if not os.path.isfile(path):
        raise SystemExit(f"{path} not found: expected a finished recipe run folder")
    with open(path) as stream:
        return json.load(stream)


def load_timings(run):
    """Seconds per recipe step of one run (``report.json``), or None when not recorded."""
    path = os.path.join(run, "report.json")
    if not os.path.isfile(path):
        return None
    with open(path) as stream:
        return json.load(stream).get("timings")


def summary_table(metrics):
    """Markdown rows ``| figure | mean +- sd (embeddings) | mean +- sd (codes) |``."""
    lines = ["| figure | embeddings | IoM codes |", "| --- | --- | --- |"]
    for label, key in ROWS:
        cells = []
        for kind in KINDS:
            values = np.array([m[kind][key] for m in metrics], float)
            sd = values.std(ddof=1) if len(values) > 1 else 0.0
            cells.append(f"{values.mean():.4f} +- {sd:.4f}")
        lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="recipe run folders (one per seed)")
    args = parser.parse_args()
    metrics = [load_metrics(run) for run in args.runs]
    print(f"{len(metrics)} runs: {', '.join(args.runs)}")
    print(summary_table(metrics))
    gaps = [m["embeddings"]["eer"] - m["codes"]["eer"] for m in metrics]
    print(f"codes minus embeddings EER: mean {-np.mean(gaps):+.4f}, worst {-min(gaps):+.4f}")
    for run in args.runs:
        timings = load_timings(run)
        if timings:
            steps = ", ".join(f"{step} {seconds:.0f} s" for step, seconds in timings.items())
            print(f"{run}: {steps}")


if __name__ == "__main__":
    main()
