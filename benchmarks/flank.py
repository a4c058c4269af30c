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
import functools
import os
from multiprocessing import Pool

import numpy as np

from lateral_keras.data.synthetic.ground_truth import read_ground_truth, roi_directions
from lateral_keras.preprocessing.extractor import extract_roi_from_file


def check_photo(row, root, flank):
    """``(extracted, wrong side, wrong direction)`` of one ``read_ground_truth`` row;
    ``flank``: give the extractor the row's true flank."""
    given = row["side"] if flank else None
    result = extract_roi_from_file(os.path.join(root, row["path"]), flank=given)
    if not result.ok:
        return False, False, False
    return True, result.side != row["side"], not all(roi_directions(result.corners, row["roi"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", help="generated dataset folder holding ground_truth.csv")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()
    rows = read_ground_truth(args.root)
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
