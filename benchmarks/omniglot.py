"""Omniglot benchmark: the two-stage recipe on handwritten characters, against pixel and HOG.

Usage: ``python benchmarks/omniglot.py [--data DIR] [--out DIR] [--seed N] [--restart]``.

The zips in ``--data`` (default ``../shared/datasets/omniglot_small`` beside the repository) are
read in place and de-duplicated (``lateral_keras.data.omniglot``). Each character is an
identity, each drawer a capture. The alphabets are split, seeded, into training, one validation
and two evaluation alphabets (``<out>/split.json``). Stage one (``train_stage_one``) and stage
two (``train_stage_two``) train on the training alphabets through ``roi: none`` records (the
drawings are decoded into a temporary folder, then resized into ``<out>/roi_cache``); every
choice (the baselines' sizes, the recipe's settings below) was made on the validation alphabet.

Reported on the evaluation alphabets, for the embeddings, the IoM codes and the raw-pixel and
HOG nearest-neighbour baselines: EER and AUC over all pairs of drawings by different drawers,
rank-1 with gallery = drawers 1-5 and probes = drawers 6-20, and n-way one-shot accuracy
(``lateral_keras.evaluation.one_shot``; 5-way and 20-way, drawn within an alphabet). The
results table (Markdown) is printed and written to ``<out>/results.md`` and ``results.json``.
A rerun reuses the trained stages (``--restart`` trains again), so ``--set
"evaluation.test_time_crops=[centre, top_left, bottom_right]"`` compares test-time crops on the
same embedder in seconds.
"""

import argparse
import json
import logging
import os
import sys
import tempfile
import time

from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults

apply_tensorflow_defaults()

import numpy as np  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(os.path.dirname(REPO), "shared", "datasets", "omniglot_small")

RECIPE = {
    "preprocessing.roi": "none",
    "preprocessing.input_size": [48, 48],
    "preprocessing.augment.crop_margin": 0.15,
    "preprocessing.augment.saturation": [1.0, 1.0],
    "preprocessing.augment.brightness": 0.0,
    "stage_one.backbone_type": "SmallCNN",
    "stage_one.embd_shape": 128,
    "stage_one.batch_size": 64,
    "stage_one.epochs": 60,
    "stage_one.mirror_classes": "both",
    "stage_one.base_lr": 0.002,
    "stage_one.arc_scale": 32,
    "stage_one.arc_margin": 0.3,
    "stage_one.dropout": 0.2,
    "stage_one.whitening_views": 2,
    "stage_one.whitening_session_weight": 1.0,
    "stage_two.m": 1024,
    "stage_two.q": 8,
    "stage_two.epochs": 30,
    "stage_two.views_per_image": 4,
    "evaluation.eval_batch_size": 256,
}
"""The recipe's settings for Omniglot, chosen on the validation alphabet (20-way one-shot
accuracy): 48 x 48 input, SmallCNN, ArcFace s = 32, m = 0.3 (80.2 % after 40 epochs); the
code length m = 1024 (codes 1.1 points from the embeddings there, m = 512: 1.7); mirrored
drawings as extra classes and 60 epochs (86.2 %); the whitening as it was measured (the
centre crop and 2 augmented views, plain within-class scatter)."""


BASELINE_SIZES = {"raw": (7, 10, 14, 20, 28, 40), "hog": (4, 6, 8, 10, 12, 14)}
"""Candidates, chosen on the validation alphabet: raw-pixel image side; HOG cell side (px of a
56 x 56 drawing)."""

N_WAYS = (5, 20)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA, help="folder of the Omniglot zips")
    parser.add_argument("--out", default=os.path.join(REPO, "runs", "omniglot"),
                        help="output folder (split, ROI cache, run folder, results)")
    parser.add_argument("--seed", type=int, default=0, help="split, training and trial seed")
    parser.add_argument("--trials", type=int, default=2000, help="one-shot trials per n")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a recipe setting (repeatable)")
    parser.add_argument("--restart", action="store_true", help="train the stages again")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser.parse_args(argv)


def build_config(args):
    """The recipe's config for this benchmark (``RECIPE`` plus ``--set``)."""
    from lateral_keras.config import load_config

    overrides = [f"{key}={json.dumps(value)}" for key, value in RECIPE.items()]
    overrides += [f"sub_name=omniglot_seed{args.seed}", f"runs_dir={args.out}",
                  f"seed={args.seed}", f"data.split_seed={args.seed}", *args.set]
    return load_config(overrides=overrides)


def prepared_data(config, entries, split, cache_dir, progress):
    """Decodes the drawings into a temporary folder, caches them as ``roi: none`` ROIs, and
    returns the ``PreparedData`` of the alphabet split."""
    import zipfile

    from lateral_keras.data import DatasetIndex, ImageRecord, Split
    from lateral_keras.preprocessing import load_roi_cache, prepare_dataset
    from lateral_keras.training.data_setup import PARTS, PartData, PreparedData, extractor_settings

    sessions = sorted({entry.session for entry in entries})
    with tempfile.TemporaryDirectory(prefix="omniglot_") as tmp:
        records, archives = [], {}
        for entry in entries:
            if entry.zip_path not in archives:
                archives[entry.zip_path] = zipfile.ZipFile(entry.zip_path)
            path = os.path.join(tmp, entry.alphabet, entry.character, entry.filename)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as stream:
                stream.write(archives[entry.zip_path].read(entry.member))
            records.append(ImageRecord(path, entry.identity, entry.session))
        for archive in archives.values():
            archive.close()
        index = DatasetIndex(records, sessions, source=tmp)
        prepare_dataset(index, cache_dir, extractor_settings(config), roi_mode="none",
                        workers=config.preprocessing.workers, progress=progress)
    rois = load_roi_cache(cache_dir)
    alphabet_of = {entry.identity: entry.alphabet for entry in entries}
    names = {part: sorted(i for i in alphabet_of if alphabet_of[i] in split[part])
             for part in PARTS}
    identity_split = Split(names["train"], names["val"], names["eval"], seed=config.seed)
    parts = {}
    for part in PARTS:
        label_map = identity_split.label_map(part)
        chosen = [r for r in rois if r.identity in label_map]
        parts[part] = PartData(chosen, np.array([label_map[r.identity] for r in chosen],
                                                np.int32))
    return PreparedData(identity_split, tuple(sessions), parts)


def baseline_features(images, kind, size):
    """Raw pixels (side ``size``, standardised) or HOG (cell side ``size`` on 56 x 56)."""
    import cv2
    from skimage.feature import hog

    if kind == "raw":
        small = np.stack([cv2.resize(im, (size, size), interpolation=cv2.INTER_AREA)
                          for im in images]).reshape(len(images), -1).astype(np.float64)
        small -= small.mean(axis=1, keepdims=True)
        return small / np.maximum(small.std(axis=1, keepdims=True), 1e-9)
    return np.stack([
        hog(cv2.resize(255 - im, (56, 56), interpolation=cv2.INTER_AREA), orientations=9,
            pixels_per_cell=(size, size), cells_per_block=(2, 2), feature_vector=True)
        for im in images
    ])


def figures(features, identities, drawers, alphabets, seed, trials):
    """EER, AUC, rank-1 (gallery = drawers 1-5) and n-way one-shot accuracy of ``features``."""
    from lateral_keras.evaluation import evaluate_protocol, similarity_matrix
    from lateral_keras.evaluation.one_shot import one_shot_accuracy, one_shot_trials

    pairs = evaluate_protocol(features, identities, drawers, seed=seed)
    gallery_first = np.where(drawers <= 5, 0, drawers)
    ranked = evaluate_protocol(features, identities, gallery_first, seed=seed)
    result = {"eer": pairs.eer, "auc": pairs.auc, "rank1": ranked.rank1}
    similarity = similarity_matrix(features)
    for n_way in N_WAYS:
        drawn = one_shot_trials(identities, drawers, alphabets, n_way=n_way, trials=trials,
                                seed=seed)
        result[f"{n_way}-way"] = one_shot_accuracy(similarity, drawn)
    return {key: float(value) for key, value in result.items()}


def choose_baseline(kind, images, identities, drawers, alphabets, seed, trials):
    """The candidate size of ``kind`` with the best 20-way accuracy on the validation part."""
    scores = {size: figures(baseline_features(images, kind, size), identities, drawers,
                            alphabets, seed, trials)["20-way"]
              for size in BASELINE_SIZES[kind]}
    return max(scores, key=scores.get), scores


def table(results):
    """The results as a Markdown table."""
    lines = ["| method | EER | AUC | rank-1 (gallery drawers 1-5) | 5-way | 20-way |",
             "| --- | --- | --- | --- | --- | --- |"]
    for name, r in results.items():
        lines.append(f"| {name} | {r['eer']:.4f} | {r['auc']:.4f} | {100 * r['rank1']:.1f} % | "
                     f"{100 * r['5-way']:.1f} % | {100 * r['20-way']:.1f} % |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    start = time.time()
    load_before = os.getloadavg()

    import keras
    import tensorflow as tf

    from lateral_keras.cli.progress import ProgressBar
    from lateral_keras.config import reconcile_with_data
    from lateral_keras.data.omniglot import alphabet_split, load_images, read_omniglot
    from lateral_keras.training.both_stages import train_both_stages
    from lateral_keras.training.inputs import embed
    from lateral_keras.training.run_folder import RunFolder
    from lateral_keras.utils.atomic import write_json, write_text

    tf.config.experimental.enable_op_determinism()
    config = build_config(args)
    os.makedirs(args.out, exist_ok=True)
    entries = read_omniglot(args.data)
    split = alphabet_split(entries, n_val=1, n_eval=2, seed=args.seed)
    write_json(os.path.join(args.out, "split.json"), {"seed": args.seed, **split})
    print("alphabets: " + "; ".join(f"{part}: {', '.join(names)}" for part, names in
                                   split.items()))
    progress = None if args.quiet else ProgressBar("prepare")
    data = prepared_data(config, entries, split, os.path.join(args.out, "roi_cache"), progress)
    reconcile_with_data(config, n_train_identities=len(data.split.train))
    timings = {"data": time.time() - start}

    run = RunFolder(config, restart=args.restart).open()
    verbose = 0 if args.quiet else 2
    keras.utils.set_random_seed(args.seed)
    embedder, codes_model = train_both_stages(config, run, data, verbose=verbose, timings=timings)

    mark = time.time()
    by_key = {(entry.identity, entry.session): entry for entry in entries}
    results, chosen = {"val": {}, "eval": {}}, {}
    for part in ("val", "eval"):
        part_entries = [by_key[r.identity, r.session] for r in data.parts[part].records]
        identities = np.array([e.identity for e in part_entries])
        drawers = np.array([e.drawer for e in part_entries])
        alphabets = np.array([e.alphabet for e in part_entries])
        images = load_images(part_entries)
        if part == "val":
            chosen = {kind: choose_baseline(kind, images, identities, drawers, alphabets,
                                            args.seed, args.trials) for kind in BASELINE_SIZES}
        embeddings = embed(embedder, config, data.parts[part],
                           crops=config.evaluation.test_time_crops)
        features = {
            f"raw pixels ({chosen['raw'][0]} px)": baseline_features(images, "raw",
                                                                      chosen["raw"][0]),
            f"HOG ({chosen['hog'][0]} px cells)": baseline_features(images, "hog",
                                                                     chosen["hog"][0]),
            f"embeddings ({embeddings.shape[1]}-d)": embeddings,
            f"IoM codes (m={config.stage_two.m}, q={config.stage_two.q})":
                codes_model.predict(embeddings, verbose=0),
        }
        for name, values in features.items():
            results[part][name] = figures(values, identities, drawers, alphabets, args.seed,
                                          args.trials)
    timings["evaluation"] = time.time() - mark
    timings["total"] = time.time() - start
    counts = {part: (len(data.split.part(part)), len(data.parts[part].records))
              for part in ("train", "val", "eval")}
    text = table(results["eval"])
    note = (f"\n\nSeed {args.seed}; {args.trials} one-shot trials per n; characters / drawings: "
            + ", ".join(f"{p} {c[0]} / {c[1]}" for p, c in counts.items())
            + "; baseline sizes chosen on the validation alphabet: "
            + ", ".join(f"{k} {v[0]} ({', '.join(f'{s}: {100 * a:.1f}' for s, a in v[1].items())}"
                        f" % 20-way)" for k, v in chosen.items())
            + ".\nTime: " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
            + f"; load average before {load_before[0]:.2f}, after {os.getloadavg()[0]:.2f}, "
            f"{os.cpu_count()} CPUs.")
    write_text(os.path.join(args.out, "results.md"), text + note + "\n")
    write_json(os.path.join(args.out, "results.json"),
               {"results": results, "timings": timings, "split": split, "counts": counts,
                "baselines": {k: {"chosen": v[0], "val_20way": v[1]} for k, v in chosen.items()}})
    print("\nValidation alphabet (for choices):\n\n" + table(results["val"]))
    print("\nEvaluation alphabets:\n\n" + text + note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
