"""How often the extractor gets a photo's flank or direction wrong, free and with the flank known.

Reads a generated dataset's ``ground_truth.csv`` (``lateral synth`` or the recipe's default
data) and extracts every photo twice: with ``flank=None`` (the extractor decides the head
direction and the dorsal side apart, so it may mirror a photo wrongly) and with the true flank
given (``flank=`` of ``extract_roi``, the ``preprocessing.flank`` setting: only the head
direction is decided). A photo counts as wrong when its reported side differs from the truth,
or when its ROI runs tail to head or belly to back against the generator's ROI.

Usage:
    python benchmarks/flank.py data/synthetic_fish --workers 2
"""

import argparse
import csv
import functools
import os
from multiprocessing import Pool

import numpy as np

from lateral_keras.preprocessing.extractor import extract_roi_from_file


def check_photo(row, root, flank):
    """``(extracted, wrong side, wrong direction)`` of one ground-truth row; ``flank``: give
    the extractor the row's true flank."""
    given = row["side"] if flank else None
    result = extract_roi_from_file(os.path.join(root, row["path"]), flank=given)
    if not result.ok:
        return False, False, False
    truth = np.array([[float(row[f"roi_x{i}"]), float(row[f"roi_y{i}"])] for i in range(4)])
    found = result.corners
    head = np.dot(found[1] - found[0], truth[1] - truth[0]) > 0
    dorsal = np.dot(found[3] - found[0], truth[3] - truth[0]) > 0
    return True, result.side != row["side"], not (head and dorsal)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="generated dataset folder holding ground_truth.csv")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    with open(os.path.join(args.root, "ground_truth.csv"), newline="") as stream:
        rows = list(csv.DictReader(stream))
    sides = sorted({row["side"] for row in rows})
    print(f"{len(rows)} photos of {args.root} (flanks: {', '.join(sides)})")
    print("| extractor | extracted | wrong flank | wrong head or dorsal side |")
    print("| --- | --- | --- | --- |")
    for label, known in (("decides the flank", False), ("told the flank", True)):
        with Pool(args.workers) as pool:
            check = functools.partial(check_photo, root=args.root, flank=known)
            results = np.array(pool.map(check, rows, chunksize=32))
        ok, side, direction = results.sum(axis=0)
        print(f"| {label} | {ok} | {side} | {direction} |")


if __name__ == "__main__":
    main()
