"""TFRecord shards of a ROI cache: one file set that many training workers stream from.

A prepared ROI cache (`prepare_dataset`) is many small PNG files; shared storage serves a few
large sequential files far better. `write_tfrecord_shards` packs the cached ROIs into
`num_shards` TFRecord files, and `tfrecord_image_dataset` reads them back as the same stream of
augmented `(images, labels)` batches that `roi_tf_dataset` makes from the cache (the config key
`data.tfrecords` selects this source for stage one's training images). Layout::

    <out>/rois-00000-of-00008.tfrecord   one tf.train.Example per ROI (see FEATURES)
    <out>/shards.json                    shard files, their counts, the source cache(s)

Each example holds the cached PNG's bytes unchanged (`roi`) and its `path`, `identity`,
`session`, `side` and cache `key`. ROI `i` of the cache index goes to shard `i % num_shards`, so
every shard holds a similar mix of identities. Writing is atomic per shard and resumable: a
rerun keeps the shards already written for the same records.
"""

import json
import os

from lateral_keras.utils.atomic import atomic_path, write_json

FEATURES = ("roi", "path", "identity", "session", "side", "key")
"""The bytes features of every example."""

SHARD_PATTERN = "rois-{index:05d}-of-{count:05d}.tfrecord"
MANIFEST = "shards.json"
VERSION = 1


def _records(source):
    from lateral_keras.preprocessing import load_roi_cache

    if isinstance(source, (str, os.PathLike)):
        return load_roi_cache(source)
    return list(source)


def _example(record):
    import tensorflow as tf

    with open(record.roi_path, "rb") as stream:
        roi = stream.read()
    key = os.path.splitext(os.path.basename(record.roi_path))[0]
    values = {
        "roi": roi, "path": record.path, "identity": record.identity,
        "session": record.session, "side": record.side, "key": key,
    }
    feature = {
        name: tf.train.Feature(bytes_list=tf.train.BytesList(
            value=[value if isinstance(value, bytes) else str(value).encode("utf-8")]
        ))
        for name, value in values.items()
    }
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def _fingerprint(records):
    import hashlib

    digest = hashlib.sha1()
    for record in records:
        fields = (os.path.basename(record.roi_path), record.path, record.identity,
                  record.session, record.side)
        digest.update("\0".join(fields).encode("utf-8") + b"\n")
    return digest.hexdigest()


def write_tfrecord_shards(source, out_dir, num_shards=8, *, progress=None):
    """Write the ROIs of a prepared cache into TFRecord shards (atomic, resumable).

    Args:
        source: a ROI cache folder (`prepare_dataset` output) or a list of `CachedRoi`.
        out_dir: folder of the shards (created).
        num_shards: number of shard files, at least the number of training workers for
            file-level sharding (`int >= 1`).
        progress: optional `callback(done, total)` called after each shard.

    Returns:
        The manifest dict written to `<out_dir>/shards.json` (`shards`, `counts`, `total`,
        `fingerprint` of the records, `complete`).

    Raises:
        ValueError: `num_shards` < 1, or the source holds no ROI.
        FileNotFoundError: no cache index at `source` (see `load_roi_cache`).

    Example:
        >>> write_tfrecord_shards("cache/fish", "shards/fish", num_shards=16)  # doctest: +SKIP
    """
    if not isinstance(num_shards, int) or num_shards < 1:
        raise ValueError(f"`num_shards` must be an int >= 1. Received: num_shards={num_shards!r}")
    records = _records(source)
    if not records:
        raise ValueError(f"No cached ROI to write from {source!r}: prepare the dataset first.")
    import tensorflow as tf

    os.makedirs(out_dir, exist_ok=True)
    fingerprint = _fingerprint(records)
    previous = _read_manifest(out_dir, required=False)
    names = [SHARD_PATTERN.format(index=i, count=num_shards) for i in range(num_shards)]
    manifest = {
        "version": VERSION, "shards": names, "total": len(records), "fingerprint": fingerprint,
        "counts": [len(records[i::num_shards]) for i in range(num_shards)], "complete": False,
    }
    reuse = previous is not None and all(
        previous.get(k) == manifest[k] for k in ("version", "shards", "fingerprint")
    )
    if not reuse:
        write_json(os.path.join(out_dir, MANIFEST), manifest)
    for index, name in enumerate(names):
        path = os.path.join(out_dir, name)
        if not (reuse and os.path.isfile(path)):
            with atomic_path(path) as tmp, tf.io.TFRecordWriter(tmp) as writer:
                for record in records[index::num_shards]:
                    writer.write(_example(record))
        if progress is not None:
            progress(index + 1, num_shards)
    manifest["complete"] = True
    write_json(os.path.join(out_dir, MANIFEST), manifest)
    return manifest


def _read_manifest(folder, *, required=True):
    path = os.path.join(folder, MANIFEST)
    if not os.path.isfile(path):
        if not required:
            return None
        raise FileNotFoundError(
            f"{path}: no TFRecord shard manifest; write the shards with "
            "lateral_keras.data.tfrecords.write_tfrecord_shards first (config key data.tfrecords)."
        )
    with open(path, encoding="utf-8") as stream:
        manifest = json.load(stream)
    if required and not manifest.get("complete"):
        raise ValueError(
            f"{path}: the shards were not completely written; rerun write_tfrecord_shards."
        )
    if required and manifest.get("version") != VERSION:
        raise ValueError(
            f"{path}: shard format version {manifest.get('version')!r}, expected {VERSION}; "
            "write the shards again."
        )
    missing = [n for n in manifest["shards"] if not os.path.isfile(os.path.join(folder, n))]
    if required and missing:
        raise FileNotFoundError(f"{path}: shard files missing: {', '.join(missing)}")
    return manifest


def shard_files(folder):
    """The shard files listed by `<folder>/shards.json`, in shard order.

    Raises:
        FileNotFoundError: no manifest, or a listed shard is missing.
        ValueError: the shards were written by another format version.
    """
    manifest = _read_manifest(folder)
    return [os.path.join(folder, name) for name in manifest["shards"]]


def read_tfrecord_examples(folder, *, shard=(0, 1)):
    """The examples of a shard folder as a `tf.data.Dataset` of dicts of scalar strings.

    Args:
        folder: a folder written by `write_tfrecord_shards`.
        shard: `(index, count)`: read only this worker's part. With at least `count` shard
            files each worker reads whole files (`files[index::count]`); with fewer, every
            worker reads all files and keeps every `count`-th example.

    Returns:
        `tf.data.Dataset` of `{name: tf.string scalar}` for each name in `FEATURES`.

    Example:
        >>> first = next(iter(read_tfrecord_examples("shards/fish")))  # doctest: +SKIP
        >>> first["identity"].numpy()  # doctest: +SKIP
        b'fish_001'
    """
    import tensorflow as tf

    index, count = shard
    files = shard_files(folder)
    by_file = len(files) >= count
    dataset = tf.data.TFRecordDataset(files[index::count] if by_file else files)
    if not by_file:
        dataset = dataset.shard(count, index)
    spec = {name: tf.io.FixedLenFeature([], tf.string) for name in FEATURES}
    return dataset.map(lambda raw: tf.io.parse_single_example(raw, spec),
                       num_parallel_calls=tf.data.AUTOTUNE)


def tfrecord_image_dataset(folder, label_map, augmentation, *, training, batch_size, seed,
                           shard=(0, 1), shuffle_buffer=1024):
    """Augmented `(images, labels)` batches of the identities in `label_map`, from shards.

    Each ROI is decoded and resized to `resize_hw` as `load_roi_images` does, and each batch goes
    through `batch_augmenter(augmentation, training)`, the stack the cache pipeline
    (`roi_tf_dataset`) applies, so both sources give the same inputs (up to the order).
    Examples of identities not in `label_map` (other split parts) are skipped.

    Args:
        folder: a folder written by `write_tfrecord_shards`.
        label_map: `{identity: int label}` of the wanted split part.
        augmentation: `AugmentSettings` or dict of its fields (`input_size`, `seed`, ...).
        training: random augmentation and shuffling (True) or the evaluation stack (False).
        batch_size: images per batch (the last batch may be smaller).
        seed: shuffle seed.
        shard: `(index, count)` of this worker (`read_tfrecord_examples`).
        shuffle_buffer: examples held for shuffling when `training`.

    Returns:
        A prefetched `tf.data.Dataset` of float32 images `(batch, h, w, 3)` in [0, 255] and
        int32 labels `(batch,)`.

    Raises:
        ValueError: `label_map` is empty.
    """
    import tensorflow as tf

    from lateral_keras.preprocessing.augment import as_augment_settings
    from lateral_keras.preprocessing.augment_pipeline import batch_augmenter, decode_roi_png

    if not label_map:
        raise ValueError("`label_map` must name at least one identity. Received: {}")
    size = as_augment_settings(augmentation).resize_hw
    names = sorted(label_map)
    table = tf.lookup.StaticHashTable(
        tf.lookup.KeyValueTensorInitializer(
            tf.constant(names), tf.constant([label_map[n] for n in names], tf.int32)
        ),
        default_value=-1,
    )
    augment = batch_augmenter(augmentation, training)

    def decode(example):
        return decode_roi_png(example["roi"], size), table.lookup(example["identity"])

    dataset = read_tfrecord_examples(folder, shard=shard).filter(
        lambda example: table.lookup(example["identity"]) >= 0
    )
    if training:
        dataset = dataset.shuffle(shuffle_buffer, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE).batch(batch_size)
    dataset = dataset.map(lambda images, labels: (augment(images), labels))
    return dataset.prefetch(tf.data.AUTOTUNE)
