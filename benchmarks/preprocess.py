"""Benchmark the ROI extractor: decode + extraction against decode alone, in one process.

Renders N synthetic 1280x960 fish photos (``lateral_keras.data.synthetic``), stores them
as JPEG bytes, then times, over the same bytes and in the same run:

- decode alone: ``cv2.imdecode`` straight to RGB (``IMREAD_COLOR_RGB``);
- decode + extraction: the same decode, then ``extract_roi``.

Target (the team's): decode + extraction takes at most 2x the time of decode alone. The two
timings alternate pass by pass, so their ratio holds up on a busy machine better than either
time; the load average is printed with them. OpenCV keeps its default thread count.

Usage:
    python benchmarks/preprocess.py --images 60 --repeats 7
"""

import argparse
import os
import time

import cv2
import numpy as np

from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.settings import ExtractorSettings


def make_jpegs(count, size, seed):
    """Render ``count`` photos of many fish and rotations, both flanks, as JPEG bytes."""
    jpegs = []
    for index in range(count):
        photo, truth = render_image(
            index % 50, (index // 50) % 4, index % 7, seed=seed, image_size=size,
            both_flanks=True,
        )
        bgr = cv2.cvtColor(photo, cv2.COLOR_RGB2BGR)
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(truth["jpeg_quality"])])
        if not ok:
            raise RuntimeError(f"could not encode image {index} as JPEG")
        jpegs.append(data)
    return jpegs


def time_decode(jpegs):
    """Seconds to decode every JPEG."""
    start = time.perf_counter()
    for data in jpegs:
        cv2.imdecode(data, cv2.IMREAD_COLOR_RGB)
    return time.perf_counter() - start


def time_decode_extract(jpegs, settings):
    """Seconds to decode every JPEG and extract its ROI, and the number of failures."""
    start = time.perf_counter()
    failures = 0
    for data in jpegs:
        failures += not extract_roi(cv2.imdecode(data, cv2.IMREAD_COLOR_RGB), settings).ok
    return time.perf_counter() - start, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=60, help="number of JPEGs")
    parser.add_argument("--repeats", type=int, default=7, help="timed passes (best is kept)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=960)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    jpegs = make_jpegs(args.images, (args.width, args.height), args.seed)
    settings = ExtractorSettings()
    time_decode_extract(jpegs[:3], settings)  # warm-up
    decode, both, failures = [], [], 0
    for _ in range(args.repeats):
        decode.append(time_decode(jpegs))
        elapsed, failures = time_decode_extract(jpegs, settings)
        both.append(elapsed)
    n = len(jpegs)
    best_decode, best_both = min(decode), min(both)
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"{n} JPEGs {args.width}x{args.height}, best of {args.repeats} passes, 1 process, "
          f"{cv2.getNumThreads()} OpenCV threads (default), load average {load}")
    print(f"decode alone:        {n / best_decode:7.1f} images/s  ({1e3 * best_decode / n:.2f} ms)")
    print(f"decode + extraction: {n / best_both:7.1f} images/s  ({1e3 * best_both / n:.2f} ms)")
    print(f"ratio (decode+extraction / decode): {best_both / best_decode:.2f}  (target <= 2.0)")
    print(f"extraction failures: {failures} of {n}")
    print(f"median pass ratio: {np.median(np.array(both) / np.array(decode)):.2f}")


if __name__ == "__main__":
    main()
