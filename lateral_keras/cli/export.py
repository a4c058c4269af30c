"""``lateral export --run DIR --format keras|savedmodel|tflite``: a run's model for deployment.

The exported model maps ROI images (float32 ``(n, h, w, 3)`` in [0, 255], the evaluation path's
resize and centre crop of a cached ROI) to keyed IoM codes and/or the embedding. The protection
key is not in the file: the codes model takes the key's tables as inputs
(``lateral_keras.export.key_inputs(key, m, q)``). After writing, the export is run on ROIs (the
run's validation ROIs, or ``--rois``) beside the run's Keras models under a fresh random key;
any differing code value fails the command. Beside the model, ``<file>.preprocessing.json``
records how the run cut its ROIs (``data_setup.deployment_preprocessing``): photos must be cut
alike before the model, since the run's ROI (the recipe's default reaches 3/4 of the body
depth) is not the extractor's default one.
"""

import glob
import os
import sys

from lateral_keras.cli.progress import StageProgress


def add_arguments(parser):
    """Add the ``export`` arguments to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser`` (or sub-parser).

    Returns:
        The same parser.

    Example:
        >>> import argparse
        >>> args = add_arguments(argparse.ArgumentParser()).parse_args(
        ...     ["--run", "runs/x", "--format", "tflite"])
        >>> args.format, args.outputs, args.check_rois
        ('tflite', 'codes', 64)
    """
    from lateral_keras.export.formats import FORMATS
    from lateral_keras.export.inference_model import OUTPUTS

    parser.add_argument("--run", dest="run_dir", required=True, metavar="DIR",
                        help="trained run folder (config.yaml, models/)")
    parser.add_argument("--format", required=True, choices=FORMATS, help="export format")
    parser.add_argument("--outputs", choices=OUTPUTS, default="codes",
                        help="what the model returns (default: keyed IoM codes)")
    parser.add_argument("--out", default=None, metavar="PATH",
                        help="output file or folder (default: <run>/export/lateral_<outputs>"
                             "[.keras|.tflite])")
    parser.add_argument("--check-rois", type=int, default=64, metavar="N",
                        help="compare with the Keras models on N ROIs (0: skip the check)")
    parser.add_argument("--rois", default=None, metavar="DIR",
                        help="ROI PNG files for the check (default: the run's validation ROIs)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _png_rois(folder, config, count):
    """The first ``count`` PNGs of ``folder`` through the evaluation path."""
    from lateral_keras.preprocessing import roi_tf_dataset
    from lateral_keras.training.inputs import augment_settings

    paths = sorted(glob.glob(os.path.join(folder, "**", "*.png"), recursive=True))[:count]
    if not paths:
        raise ValueError(f"--rois {folder}: no .png file found")
    dataset = roi_tf_dataset(paths, None, tuple(config.preprocessing.input_size), False,
                             len(paths), config.seed, augmentation=augment_settings(config))
    return next(iter(dataset)).numpy()


def _validation_rois(config, run, count, progress):
    """The first ``count`` validation ROIs of the run, through the evaluation path."""
    import dataclasses

    from lateral_keras.training.data_setup import prepare_data
    from lateral_keras.training.inputs import image_dataset

    val = prepare_data(config, run, progress=progress).parts["val"]
    part = dataclasses.replace(val, records=val.records[:count], labels=val.labels[:count])
    dataset = image_dataset(config, part, training=False, batch_size=count, labels=False)
    return next(iter(dataset)).numpy()


def run(args):
    """Export the run's inference model, then check it against the Keras models.

    Args:
        args: the ``argparse.Namespace`` of ``add_arguments``.

    Returns:
        0 on success; 1 when the run cannot be exported or the check finds a difference.
    """
    from lateral_keras.cli.evaluate import load_run
    from lateral_keras.config import ConfigError
    from lateral_keras.export import build_inference_model, check_export, export_model
    from lateral_keras.export.formats import SUFFIXES, UnsupportedOpsError
    from lateral_keras.training.data_setup import deployment_preprocessing
    from lateral_keras.utils.atomic import write_json

    try:
        config, run_folder, embedder, code_model = load_run(args.run_dir)
        model = build_inference_model(embedder, code_model, args.outputs)
        out = args.out or run_folder.file(
            "export", f"lateral_{args.outputs}{SUFFIXES[args.format]}")
        export_model(model, out, args.format)
        print(f"Exported {args.format} model ({args.outputs}) to {out}")
        record = f"{out}.preprocessing.json"
        write_json(record, deployment_preprocessing(config))
        print(f"How the run cut its ROIs (cut photos alike before the model): {record}")
        if args.check_rois <= 0:
            return 0
        progress = None if args.quiet else StageProgress()
        rois = (_png_rois(args.rois, config, args.check_rois) if args.rois
                else _validation_rois(config, run_folder, args.check_rois, progress))
        result = check_export(out, args.format, embedder,
                              None if args.outputs == "embedding" else code_model, rois)
    except (ConfigError, UnsupportedOpsError, ValueError, OSError) as err:
        print(f"lateral export: {err}", file=sys.stderr)
        return 1
    print(f"Check on {result['rois']} ROIs: codes identical: {result['codes_identical']} "
          f"({result['code_mismatches']} differing values), embedding max |diff|: "
          f"{result['embedding_max_abs_diff']}")
    if not result["ok"]:
        print("lateral export: the exported model does not match the Keras models",
              file=sys.stderr)
        return 1
    return 0
