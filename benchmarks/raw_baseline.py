"""Raw-pixel baseline of the synthetic dataset: cross-session rank-1 on true-ROI grey crops.

Usage: ``python benchmarks/raw_baseline.py [--root DIR]``. Without ``--root`` the default dataset's
first 180 fish (4 sessions, 5 images, 800x600, difficulty 'default', seed 0) are generated into
``cache/synthetic_default`` (resumed if already there): rank-1 falls as a gallery grows, and the
README's figures are on 180 fish. Acceptance: rank-1 at most 50 %.
"""

import argparse
import os
import sys
import time

from lateral_keras.data.synthetic import generate_dataset, raw_pixel_baseline

BASELINE_FISH = 180
"""Fish of the baseline's dataset (the README's figures)."""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=None, help="dataset root with ground_truth.csv")
    parser.add_argument("--cache", default=os.path.join("cache", "synthetic_default"),
                        help="where to generate the default dataset when --root is not given")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    root = args.root
    if root is None:
        start = time.monotonic()
        root = generate_dataset(args.cache, n_fish=BASELINE_FISH, workers=args.workers)
        print(f"dataset {root} ready in {time.monotonic() - start:.1f} s")
    start = time.monotonic()
    result = raw_pixel_baseline(root)
    print(f"raw-pixel baseline on {root}: gallery {result['gallery_session']} "
          f"({result['n_gallery']} images, {result['n_identities']} fish), "
          f"{result['n_probes']} probes")
    for session, value in result["per_session"].items():
        print(f"  {session}: rank-1 {100 * value:.1f} %")
    print(f"cross-session rank-1: {100 * result['rank1']:.1f} % "
          f"({time.monotonic() - start:.1f} s)")
    return 0 if result["rank1"] <= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
