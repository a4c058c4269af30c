"""Batch preparation: a dataset folder -> a resumable ROI cache plus a quality report.

`prepare_dataset` scans the dataset, keys every image by content, settings and manual override
(`cache.entry_key`), runs the extractor on the images whose entry is missing (all cores, a
process pool), then writes `index.csv`, `quality.csv`, `summary.json`, `summary.md`, `rois.png`
and `failures.png` into the cache folder. A second run reuses every finished entry; an interrupted
run resumes; editing one manual override redoes only that image.
"""

import dataclasses
import functools
import logging
import multiprocessing
import os

import cv2

from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.data.image_errors import ImageReadError
from lateral_keras.data.image_io import read_image
from lateral_keras.data.layout import scan_dataset
from lateral_keras.data.sides import known_flank, other_side, resolve_side, sides_from_names
from lateral_keras.preprocessing import cache, contact_sheet, extractor, quality, report
from lateral_keras.preprocessing.box_roi import box_roi_from_file
from lateral_keras.preprocessing.result import RoiResult, failed
from lateral_keras.preprocessing.settings import ExtractorSettings
from lateral_keras.preprocessing.summary import PrepareSummary
from lateral_keras.utils.atomic import write_json

logger = logging.getLogger(__name__)

OUTPUT_FILES = {
    "index_csv": "index.csv",
    "quality_csv": "quality.csv",
    "summary_json": "summary.json",
    "summary_md": "summary.md",
    "rois_png": "rois.png",
    "failures_png": "failures.png",
    "unsure_png": "unsure.png",
}
"""The files every run writes into the cache folder, by name."""

SHEET_ROIS = 96
"""Most ROIs shown on `rois.png` (an even sample over the index)."""

SHEET_FAILURES = 48
"""Most failures shown on `failures.png` (the first ones in index order), and most photos
shown on `unsure.png` (the least sure of their direction first, then those of odd
proportions)."""


def _as_settings(settings):
    if settings is None:
        return ExtractorSettings()
    if isinstance(settings, ExtractorSettings):
        return settings
    if isinstance(settings, dict):
        known = {f.name for f in dataclasses.fields(ExtractorSettings)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ValueError(
                f"Unknown extractor setting(s) {unknown}; expected some of {sorted(known)}."
            )
        return ExtractorSettings(**settings)
    raise TypeError(
        f"`settings` must be None, a dict or an ExtractorSettings. Received: {type(settings)}"
    )


def _strip_roi(path, settings):
    """`roi_mode='none'`: the file already is a ROI strip; read it and resize to `roi_size`."""
    try:
        roi = read_image(path)
    except ImageReadError as error:
        return failed(error.reason, str(error))
    if settings.roi_size is not None:
        height, width = settings.roi_size
        roi = cv2.resize(roi, (width, height), interpolation=cv2.INTER_AREA)
    measures = {"sharpness": quality.sharpness(roi), "exposure": quality.exposure(roi)}
    return RoiResult(ok=True, roi=roi, quality=measures)


def _process(task, *, cache_dir, settings, roi_mode):
    """Extracts one image and writes its cache entry; the result row goes last (= done).

    Args:
        task: `(path, key, manual_entry, box, mirror, flank)`; `mirror` flips the ROI
            horizontally, `flank` (None, `left` or `right`) goes to the extractor.

    Returns:
        `(key, row, status)`; status `error` (nothing cached) when something raised.
    """
    path, key, manual, box, mirror, flank = task
    try:
        if roi_mode == "none":
            result = _strip_roi(path, settings)
        elif roi_mode == "box":
            result = box_roi_from_file(path, box, settings)
        else:
            result = extractor.extract_roi_from_file(path, settings, manual=manual, flank=flank)
        if mirror and result.ok:
            result = dataclasses.replace(result, roi=result.roi[:, ::-1].copy(), mirrored=True)
        if result.ok:
            contact_sheet.write_png(os.path.join(cache_dir, cache.roi_file(key)), result.roi)
        else:
            thumb = contact_sheet.annotate_photo(path, result)
            contact_sheet.write_png(os.path.join(cache_dir, cache.failure_file(key)), thumb)
        row = result.to_row()
        write_json(os.path.join(cache_dir, cache.result_file(key)), row)
        return key, row, "ok" if result.ok else "failed"
    except Exception as error:  # one broken image must not stop the batch
        logger.warning("preparing %s raised %s: %s", path, type(error).__name__, error)
        message = f"{type(error).__name__}: {error}"
        return key, {"ok": False, "reason": "internal_error", "message": message}, "error"


def _is_done(cache_dir, key):
    """An entry is done when its result row exists and, for a success, its ROI file too."""
    row = cache.read_result(cache_dir, key)
    if row is None:
        return False
    return not row["ok"] or os.path.isfile(os.path.join(cache_dir, cache.roi_file(key)))


def _manual_lookup(overrides, index):
    """Returns `record -> ManualEntry or None`; relative override paths are taken from the
    dataset folder (the index's source, or the folder of its manifest file)."""
    root = index.source or ""
    if root and not os.path.isdir(root):
        root = os.path.dirname(root)
    by_path = {os.path.normpath(os.path.join(root, str(p))): e for p, e in overrides.items()}
    unmatched = set(by_path) - {os.path.normpath(record.path) for record in index.records}
    if unmatched:
        logger.warning(
            "%d manual override(s) name no image of the dataset, e.g. %s",
            len(unmatched),
            sorted(unmatched)[0],
        )

    def lookup(record):
        return by_path.get(os.path.normpath(record.path))

    return lookup


def _run(tasks, worker, workers, progress):
    """Runs `worker` over `tasks` (in-process for one worker) and yields its outputs."""
    total = len(tasks)
    if progress is not None:
        progress(0, total)
    if workers <= 1 or total <= 1:
        outputs = map(worker, tasks)
        pool = None
    else:
        pool = multiprocessing.get_context("spawn").Pool(min(workers, total))
        chunk = max(1, min(16, total // (4 * workers)))
        outputs = pool.imap_unordered(worker, tasks, chunksize=chunk)
    try:
        for done, output in enumerate(outputs, start=1):
            if progress is not None:
                progress(done, total)
            yield output
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _sheets(cache_dir, rows, paths):
    """Writes `rois.png` (an even sample of ROIs), `failures.png` (the first failures) and
    `unsure.png` (the photos least sure of their direction, then those of odd proportions,
    ROI and landmarks drawn)."""
    ok_rows = [row for row in rows if row["status"] == "ok"]
    step = max(1, len(ok_rows) / SHEET_ROIS)
    roi_items = []
    for i in range(min(SHEET_ROIS, len(ok_rows))):
        row = ok_rows[int(i * step)]
        roi = cv2.imread(os.path.join(cache_dir, row["roi_file"]))
        roi_items.append((cv2.cvtColor(roi, cv2.COLOR_BGR2RGB), [row["identity"], row["session"]]))
    bad_rows = [row for row in rows if row["status"] != "ok"]
    failure_items = []
    for row in bad_rows[:SHEET_FAILURES]:
        thumb_path = os.path.join(cache_dir, cache.failure_file(row["key"])) if row["key"] else ""
        if os.path.isfile(thumb_path):
            image = cv2.cvtColor(cv2.imread(thumb_path), cv2.COLOR_BGR2RGB)
        else:
            image = contact_sheet.annotate_photo(row["path"], None)
        lines = [row["reason"], os.path.basename(row["path"]), row["identity"]]
        failure_items.append((image, [line[:40] for line in lines]))
    title = f"{len(ok_rows)} ROIs ({len(roi_items)} shown)"
    contact_sheet.write_sheet(paths["rois_png"], roi_items, (64, 256), 6, title)
    title = f"{len(bad_rows)} failed, skipped or erroneous files ({len(failure_items)} shown)"
    contact_sheet.write_sheet(paths["failures_png"], failure_items, (180, 240), 5, title)
    unsure = report.unsure_rows(rows)
    unsure_keys = {row["key"] for row in unsure}
    odd = [row for row in report.odd_proportion_rows(rows) if row["key"] not in unsure_keys]
    listed = [(row, f"margin {float(row['direction_margin']):.3f}, {row.get('side') or '?'}")
              for row in unsure]
    listed += [(row, f"eye_to_fin {float(row['eye_to_fin']):.3f}, z {row['proportion_z']}")
               for row in odd]
    unsure_items = [
        (contact_sheet.annotate_photo(row["path"], _drawn_result(row)),
         [note, os.path.basename(row["path"])[:40], row["identity"][:40]])
        for row, note in listed[:SHEET_FAILURES]
    ]
    title = (f"{len(unsure)} ROIs unsure of their direction (direction_margin below "
             f"{report.UNSURE_DIRECTION}), then {len(odd)} more of odd proportions "
             f"({len(unsure_items)} shown)")
    contact_sheet.write_sheet(paths["unsure_png"], unsure_items, (180, 240), 5, title)


def _drawn_result(row):
    """The ROI corners and landmarks of a `quality.csv` row, as a `RoiResult` to draw."""
    corners = [(float(row[f"roi_x{i}"]), float(row[f"roi_y{i}"])) for i in range(4)]
    landmarks = {name: (float(row[f"{name.lower()}_x"]), float(row[f"{name.lower()}_y"]))
                 for name in ("EP", "UP", "BP") if row.get(f"{name.lower()}_x") not in (None, "")}
    return RoiResult(ok=True, corners=corners, landmarks=landmarks)


def prepare_dataset(
    root_or_index,
    cache_dir,
    settings=None,
    *,
    manual_csv=None,
    roi_mode="extract",
    workers=None,
    progress=None,
    layout="auto",
    session_order=None,
    mirror_side=None,
    flank="declared",
):
    """Extracts the ROI of every image of a dataset into a resumable cache, with a report.

    Args:
        root_or_index: a dataset folder (scanned with `scan_dataset(root, layout=...,
            session_order=...)`, sides read from names by `data.sides.sides_from_names`, as
            training scans it) or a `DatasetIndex`.
        cache_dir: the cache folder (created); see `lateral_keras.preprocessing.cache`.
        settings: `ExtractorSettings`, a dict of its fields, or None for the defaults.
        manual_csv: optional CSV of manual overrides (`load_manual_overrides`); an override
            becomes part of its image's cache key, so editing it redoes only that image.
        roi_mode: `extract` (photos), `none` (files already are ROI strips: they are only
            resized to `settings.roi_size`) or `box` (each record's `box`, else the whole
            photo, letterboxed to `settings.roi_size`; see `box_roi`).
        workers: processes; None = all cores; 1 runs in this process.
        progress: optional `callback(done, total)` over the images to process in this run.
        layout: passed to `scan_dataset` when `root_or_index` is a folder.
        session_order: passed to `scan_dataset` when `root_or_index` is a folder.
        mirror_side: None (or `none`), `left` or `right`: ROIs of this flank are treated as
            the other flank (for species whose two flanks carry mirror-image patterns). With
            `none` and `box` they are flipped horizontally; `extract` already mirrors right
            flanks to put the head on the left, so there only the side changes. The side of
            an image is its record's, else the extractor's (`data.sides.resolve_side`).
        flank: with `roi_mode='extract'`, how the extractor learns each photo's flank
            (`data.sides.known_flank`): `declared` (default: the record's side when stated,
            else the extractor decides), `detect` (it decides every flank), `left` or
            `right` (the stated side, else this one).
            A given flank fixes the mirror, so only the head direction is decided; it
            becomes part of the image's cache key.

    Returns:
        A `PrepareSummary`.

    Raises:
        ValueError: a bad argument; FileNotFoundError: no dataset folder or manual CSV.

    Example:
        >>> summary = prepare_dataset("data/fish", "cache/fish")  # doctest: +SKIP
        >>> summary.ok, summary.failed, summary.reasons  # doctest: +SKIP
        (412, 9, {'fish_cut_by_frame': 6, 'no_fish': 3})
    """
    cache.check_roi_mode(roi_mode)
    if mirror_side not in (None, "none", "left", "right"):
        raise ValueError(
            "`mirror_side` must be None, 'none', 'left' or 'right'. "
            f"Received: mirror_side={mirror_side!r}"
        )
    mirror_side = None if mirror_side == "none" else mirror_side
    known_flank(flank, "unknown")  # checks `flank` before any work
    settings = _as_settings(settings)
    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(
            f"`workers` must be a positive int or None. Received: workers={workers!r}"
        )
    if isinstance(root_or_index, DatasetIndex):
        index = root_or_index
    else:
        index = sides_from_names(
            scan_dataset(root_or_index, layout=layout, session_order=session_order)
        )
    cache_dir = os.path.abspath(cache_dir)
    os.makedirs(cache_dir, exist_ok=True)
    overrides = {}
    if manual_csv is not None:
        from lateral_keras.preprocessing.manual import load_manual_overrides

        overrides = load_manual_overrides(manual_csv)
    manual_for = _manual_lookup(overrides, index)
    settings_hex = cache.settings_digest(settings, roi_mode)
    keys, tasks = {}, {}
    for record in index.records:
        manual = manual_for(record) if roi_mode == "extract" else None
        box = record.box if roi_mode == "box" else None
        mirror = roi_mode != "extract" and mirror_side is not None and record.side == mirror_side
        side = known_flank(flank, record.side) if roi_mode == "extract" and not manual else None
        variant = "".join([f"box={box}" if box else "", "mirrored" if mirror else "",
                           f"flank={side}" if side else ""])
        key = cache.entry_key(cache.file_digest(record.path), settings_hex, manual, variant)
        keys[record.path] = key
        if key not in tasks and not _is_done(cache_dir, key):
            tasks[key] = (record.path, key, manual, box, mirror, side)
    tasks = list(tasks.values())
    logger.info("%d images, %d to process", len(keys), len(tasks))
    worker = functools.partial(_process, cache_dir=cache_dir, settings=settings, roi_mode=roi_mode)
    errors = {}
    for key, row, status in _run(tasks, worker, workers, progress):
        if status == "error":
            errors[key] = row
    rows = []
    for record in index.records:
        key = keys[record.path]
        row = errors.get(key) or cache.read_result(cache_dir, key)
        status = "error" if key in errors else ("ok" if row["ok"] else "failed")
        side = resolve_side(record.side, row.get("side"))
        rows.append(
            {
                **row,
                "path": record.path,
                "identity": record.identity,
                "session": record.session,
                "record_side": side if side != mirror_side else other_side(side),
                "status": status,
                "roi_mode": roi_mode,
                "key": key,
                "roi_file": cache.roi_file(key) if status == "ok" else "",
            }
        )
    for skipped in index.skipped:
        rows.append(
            {
                "path": skipped.path,
                "identity": "",
                "session": "",
                "status": "skipped",
                "reason": skipped.reason,
                "roi_mode": roi_mode,
                "key": "",
                "roi_file": "",
            }
        )
    files = {name: os.path.join(cache_dir, filename) for name, filename in OUTPUT_FILES.items()}
    index_rows = [{**row, "side": row.get("record_side", "")} for row in rows]
    report.write_csv(files["index_csv"], index_rows, cache.INDEX_FIELDS)
    _sheets(cache_dir, rows, files)
    summary = PrepareSummary(
        cache_dir=cache_dir,
        roi_mode=roi_mode,
        processed=len(tasks),
        reused=len(keys) - len(tasks),
        files=files,
        **report.summarise(rows),
    )
    details = {**dataclasses.asdict(summary), "settings": dataclasses.asdict(settings)}
    report.write_report(files, rows, details)
    return summary
