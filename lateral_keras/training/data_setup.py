"""From a config to labelled ROI records per split part: dataset, scan, split, ROI cache."""

import dataclasses
import hashlib
import logging
import os

import numpy as np

from lateral_keras.config import ConfigError, reconcile_with_data, require_path
from lateral_keras.data import load_or_create_split, read_manifest, scan_dataset
from lateral_keras.data.image_io import IMAGE_EXTENSIONS
from lateral_keras.data.sides import sides_from_names

logger = logging.getLogger(__name__)

PARTS = ("train", "val", "eval")


@dataclasses.dataclass
class PartData:
    """The cached ROIs of one split part, with their labels.

    Attributes:
        records: ``CachedRoi`` list (``roi_path``, ``identity``, ``session``, ``side``).
        labels: int label per record, from the part's sorted identity names.
    """

    records: list
    labels: np.ndarray

    @property
    def identities(self):
        return np.array([r.identity for r in self.records])

    @property
    def sessions(self):
        return np.array([r.session for r in self.records])

    @property
    def sides(self):
        return np.array([r.side for r in self.records])

    def first_fish(self, count):
        """The part's photos of its first ``count`` fish (by label), labels kept."""
        keep = self.labels < count
        return PartData([r for r, k in zip(self.records, keep) if k], self.labels[keep])


@dataclasses.dataclass
class PreparedData:
    """Everything the stages need about the data.

    Attributes:
        split: the ``Split`` (saved in the run folder or ``data.split_file``).
        session_order: session names in time order.
        parts: ``{"train" | "val" | "eval": PartData}``.
    """

    split: object
    session_order: tuple
    parts: dict


def dataset_root(config, progress=None):
    """Return the dataset folder: ``data.root``, or the built-in synthetic fish (generated once).

    Args:
        config: the run's ``Config``.
        progress: optional ``callback(done, total)`` for generation.

    Returns:
        The dataset root path, or None when the data comes from a manifest.
    """
    if config.data.manifest:
        require_path(config, "data.manifest", kind="file")
        return None
    if config.data.root:
        return require_path(config, "data.root")
    from lateral_keras.data.synthetic import generate_dataset

    synth = config.data.synthetic
    return generate_dataset(
        synth.out, n_fish=synth.n_fish, n_sessions=synth.n_sessions,
        images_per_session=synth.images_per_session, image_size=tuple(synth.image_size),
        difficulty=synth.difficulty, both_flanks=synth.both_flanks, seed=synth.seed,
        progress=progress,
    )


def scan(config, root):
    """Index the dataset (layout scan or manifest), restricted to ``data.img_ext`` if set.

    Sides a manifest leaves unknown are read from ``_L`` / ``_R`` style names
    (``lateral_keras.data.sides.sides_from_names``).
    """
    order = config.data.session_order
    if config.data.manifest:
        return sides_from_names(read_manifest(config.data.manifest, session_order=order))
    extensions = IMAGE_EXTENSIONS
    if config.data.img_ext:
        extensions = ("." + config.data.img_ext.lstrip(".").lower(),)
    layout = "auto" if config.data.layout == "manifest" else config.data.layout
    return sides_from_names(
        scan_dataset(root, layout=layout, session_order=order, extensions=extensions)
    )


def extractor_settings(config):
    """The ROI-extractor settings of ``config.preprocessing`` (ROIs cached with crop room)."""
    pre = config.preprocessing
    margin = 1.0 + pre.augment.crop_margin
    height, width = pre.input_size
    return {
        "top_fraction": pre.top_fraction,
        "bottom_fraction": pre.bottom_fraction,
        "roi_size": (int(round(height * margin)), int(round(width * margin))),
    }


def prepare_options(config):
    """The ``prepare_dataset`` keywords of ``config.preprocessing`` that shape a ROI besides
    the extractor settings, so that training and the gallery commands cut ROIs alike.

    Args:
        config: the run's ``Config``.

    Returns:
        A dict: ``roi_mode``, ``mirror_side`` and ``flank``.
    """
    pre = config.preprocessing
    return {"roi_mode": pre.roi, "mirror_side": pre.mirror_side, "flank": pre.flank}


def deployment_preprocessing(config):
    """How the run turns a photo into its networks' input, for whoever deploys its models.

    The extractor's own defaults cut the SPEC's ROI (to half the body depth); a run cuts the
    ROI its config says (the recipe's default reaches 3/4), so a deployment must cut alike.

    Args:
        config: the run's ``Config``.

    Returns:
        A JSON-ready dict: ``extractor_settings`` (``ExtractorSettings`` fields: the ROI's
        fractions and the cached ROI's size, crop room included), ``roi_mode``,
        ``mirror_side``, ``flank``, then ``input_size``, ``crop_margin`` and ``center_crop``
        (the evaluation path resizes a cached ROI and centre-crops it to ``input_size``).

    Example:
        >>> record = deployment_preprocessing(load_config())  # doctest: +SKIP
        >>> ExtractorSettings(**record["extractor_settings"]).bottom_fraction
        0.75
    """
    pre = config.preprocessing
    return {
        "extractor_settings": extractor_settings(config),
        **prepare_options(config),
        "input_size": list(pre.input_size),
        "crop_margin": pre.augment.crop_margin,
        "center_crop": pre.center_crop,
    }


def cache_dir(config, source):
    """The ROI cache folder of one dataset (shared by runs: keyed by content and settings).

    Args:
        config: the run's ``Config``.
        source: the dataset's root folder or manifest file.

    Returns:
        ``<preprocessing.cache_dir or <runs_dir>/.roi_cache>/<name>-<hash of the path>``.
    """
    base = config.preprocessing.cache_dir or os.path.join(config.runs_dir, ".roi_cache")
    source = os.path.abspath(source)
    digest = hashlib.sha1(source.encode("utf-8")).hexdigest()[:8]
    return os.path.join(base, f"{os.path.basename(source.rstrip(os.sep))}-{digest}")


def prepare_data(config, run, *, progress=None):
    """Scan, split, check the config against the data, and extract (or reuse) every ROI.

    Args:
        config: the run's ``Config`` (``data.num_classes`` is filled in).
        run: the ``RunFolder`` (the split is saved there unless ``data.split_file`` is set).
        progress: optional ``callback(stage_name, done, total)``.

    Returns:
        ``PreparedData``.

    Raises:
        ConfigError: a contradiction between the config and the data, or a split part left
            with no usable image.
    """
    from lateral_keras.preprocessing import load_roi_cache, prepare_dataset

    def stage(name):
        return None if progress is None else (lambda done, total: progress(name, done, total))

    root = dataset_root(config, stage("synthesise"))
    index = scan(config, root)
    indexes = [index]
    test_identities = None
    if config.data.test_root:
        require_path(config, "data.test_root")
        test_index = sides_from_names(
            scan_dataset(config.data.test_root, session_order=config.data.session_order)
        )
        test_identities = test_index.identities()
        indexes.append(test_index)
    split_path = config.data.split_file or run.file("split.json")
    split = load_or_create_split(
        split_path, index.identities(), fractions=tuple(config.data.split_fractions),
        max_val=config.data.max_val_identities, max_eval=config.data.max_eval_identities,
        seed=config.data.split_seed, test_identities=test_identities,
    )
    reconcile_with_data(config, n_train_identities=len(split.train))
    records, warnings = [], []
    sources = [root or config.data.manifest, config.data.test_root]
    for part_index, source in zip(indexes, sources):
        folder = cache_dir(config, source)
        summary = prepare_dataset(
            part_index, folder, extractor_settings(config),
            manual_csv=config.preprocessing.manual_csv, workers=config.preprocessing.workers,
            progress=stage("prepare"), **prepare_options(config),
        )
        logger.info("ROIs of %s: %s", source, summary.describe())
        warning = summary.warning()
        if warning:
            warnings.append(warning)
            logger.warning("%s", warning)
        records += load_roi_cache(folder)
    session_order = tuple(dict.fromkeys(s for ix in indexes for s in ix.sessions))
    parts = {}
    for name in PARTS:
        label_map = split.label_map(name)
        chosen = [r for r in records if r.identity in label_map]
        if not chosen:
            raise ConfigError(
                f"The {name} part of the split ({split_path}) has no usable image: check the "
                "quality report of the ROI cache, or the split fractions."
                + "".join(f" {text}" for text in warnings)
            )
        labels = np.array([label_map[r.identity] for r in chosen], dtype=np.int32)
        parts[name] = PartData(chosen, labels)
    return PreparedData(split, session_order, parts)
