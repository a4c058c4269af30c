"""Exact 1:N search of IoM codes: NumPy popcount and FAISS against a naive per-pair loop.

Random codes (m=512, q=8 by default) are enrolled into a `CodeGallery` (100,000 by default)
and 10,000 probes are searched for their top-k, in one run:

- ``numpy``: one-hot packed bits, XOR + popcount (`np.bitwise_count`), exact;
- ``faiss``: the same packed bits in a FAISS ``IndexBinaryFlat``, exact (all threads);
- ``naive``: the per-pair way, one NumPy comparison of two codes per gallery entry in a Python
  loop, then a sort; timed on ``--naive-probes`` probes (100) and scaled to all probes;
- ``faiss-hnsw`` (with ``--hnsw``): approximate ``IndexBinaryHNSW``, with its recall@1 against
  the exact search.

The script checks that NumPy and FAISS return identical distances, and prints the bytes each
code takes in each representation.

Usage::

    python benchmarks/search.py                       # 10,000 probes x 100,000 codes
    python benchmarks/search.py --probes 1000 --gallery 20000   # a quick look
"""

import argparse
import time

from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults

apply_tensorflow_defaults()

import numpy as np  # noqa: E402

from lateral_keras.gallery import CodeGallery, GallerySettings  # noqa: E402
from lateral_keras.gallery.packing import packed_width  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probes", type=int, default=10_000)
    parser.add_argument("--gallery", type=int, default=100_000)
    parser.add_argument("--m", type=int, default=512)
    parser.add_argument("--q", type=int, default=8)
    parser.add_argument("--k", type=int, default=5, help="top-k returned per probe")
    parser.add_argument("--naive-probes", type=int, default=100)
    parser.add_argument("--hnsw", action="store_true", help="also time approximate FAISS HNSW")
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def naive_search(probes, codes, k):
    """Per pair: count equal positions of two codes, then sort the gallery by score."""
    best = []
    for probe in probes:
        scores = np.empty(len(codes))
        for j, code in enumerate(codes):
            scores[j] = np.count_nonzero(probe == code)
        best.append(np.argsort(-scores, kind="stable")[:k])
    return np.array(best)


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def main():
    args = parse_args()
    rng = np.random.default_rng(args.seed)
    codes = rng.integers(0, args.q, size=(args.gallery, args.m), dtype=np.uint8)
    probes = rng.integers(0, args.q, size=(args.probes, args.m), dtype=np.uint8)
    settings = GallerySettings("codes", model_hash="benchmark", m=args.m, q=args.q)
    ids = [f"fish{i}" for i in range(args.gallery)]
    rows, results = [], {}
    backends = ["numpy", "faiss"] + (["faiss-hnsw"] if args.hnsw else [])
    for backend in backends:
        gallery = CodeGallery(settings, backend=backend)
        gallery.enrol(codes, ids, image_ids=ids)
        # The first search packs the gallery and builds the index; later ones reuse it.
        _, build = timed(lambda g=gallery: g.search(probes[:1], args.k, settings=settings))
        found, seconds = timed(lambda g=gallery: g.search(probes, args.k, settings=settings))
        results[backend] = found
        rows.append((backend, args.probes, build, seconds, seconds))
        print(f"{backend}: index {build:.1f} s, search {seconds:.1f} s", flush=True)
    if not np.array_equal(results["numpy"].scores, results["faiss"].scores):
        raise SystemExit("NumPy and FAISS exact searches disagree")
    naive_probes = probes[: args.naive_probes]
    naive, seconds = timed(naive_search, naive_probes, codes, args.k)
    exact_best = results["numpy"].scores[: len(naive_probes), 0]
    naive_best = np.array([np.count_nonzero(p == codes[i]) / args.m
                           for p, i in zip(naive_probes, naive[:, 0])])
    if not np.allclose(naive_best, exact_best):
        raise SystemExit("the naive baseline disagrees with the exact search")
    rows.append(("naive per pair", len(naive_probes), 0.0, seconds,
                 seconds * args.probes / len(naive_probes)))
    packed = packed_width(args.m, args.q)
    size = {"numpy": packed, "faiss": packed, "faiss-hnsw": packed, "naive per pair": args.m}
    naive_total = rows[-1][4]
    print(f"\n{args.probes:,} probes x {args.gallery:,} codes (m={args.m}, q={args.q}), "
          f"top-{args.k}; identical NumPy / FAISS distances: yes\n")
    print("| method | probes timed | index build (s) | search (s) | for all probes (s) | "
          "probes/s | vs naive | bytes per code |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, timed_probes, build, seconds, total in rows:
        print(f"| {name} | {timed_probes:,} | {build:.1f} | {seconds:.1f} | {total:,.1f} | "
              f"{timed_probes / seconds:,.1f} | {naive_total / total:,.0f}x | {size[name]} |")
    if args.hnsw:
        recall = np.mean(results["faiss-hnsw"].indices[:, 0] == results["numpy"].indices[:, 0])
        print(f"\nHNSW recall@1 against the exact search: {recall:.3f} (random codes: the "
              "worst case for a graph index)")
    print(f"\nBytes per code: packed one-hot {packed} (m*q bits), uint8 indices {args.m}, "
          f"float32 embedding of 512 numbers {512 * 4}.")


if __name__ == "__main__":
    main()
