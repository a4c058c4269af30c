"""Photos -> cached ROIs with the run's extractor settings; a photo that fails gets its reason."""

import csv
import os

from lateral_keras.preprocessing.cache import CachedRoi


def prepare_photos(config, index, cache_dir, *, workers=None, progress=None):
    """Extract (or reuse) the ROI of every photo of `index`, as training prepared its data
    (same extractor settings, ROI mode, mirrored flank and known flank).

    Args:
        config: the run's `Config` (`preprocessing` section).
        index: a `DatasetIndex` of the photos.
        cache_dir: ROI cache folder (content-addressed, shared between calls).
        workers: processes (None: `preprocessing.workers`, all cores by default).
        progress: optional `callback(done, total)`.

    Returns:
        `(records, failures)`: `CachedRoi` of the photos with a ROI, in index order, and
        `(path, reason)` of the others (failed extraction or skipped file).
    """
    from lateral_keras.preprocessing import prepare_dataset
    from lateral_keras.training.data_setup import extractor_settings, prepare_options

    summary = prepare_dataset(
        index, cache_dir, extractor_settings(config),
        workers=config.preprocessing.workers if workers is None else workers, progress=progress,
        **prepare_options(config),
    )
    records, failures = [], []
    with open(summary.files["index_csv"], newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            if row["status"] == "ok":
                records.append(CachedRoi(row["path"], row["identity"], row["session"],
                                         row["side"] or "unknown",
                                         os.path.join(summary.cache_dir, row["roi_file"])))
            else:
                failures.append((row["path"], row["reason"] or row["status"]))
    return records, failures
