"""``lateral identify``: find the enrolled fish that match photos: top-k fish with scores and a
known/unknown decision per photo, as a table, CSV/JSON and an optional match sheet."""

import csv
import io
import os
import sys

from lateral_keras.cli.progress import ProgressBar
from lateral_keras.data.records import SIDES
from lateral_keras.utils.atomic import write_json, write_text

CSV_FIELDS = ("photo", "side", "status", "reason", "decision", "threshold", "rank", "identity",
              "score", "gallery_image", "gallery_session", "gallery_side")


def add_arguments(parser):
    """Add the ``identify`` arguments to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser`` (or sub-parser).

    Returns:
        The same parser.

    Example:
        >>> import argparse
        >>> parser = add_arguments(argparse.ArgumentParser())
        >>> args = parser.parse_args(["--gallery", "g.npz", "a.jpg", "b.jpg", "--top-k", "3"])
        >>> args.photos, args.top_k, args.same_side
        (['a.jpg', 'b.jpg'], 3, True)
    """
    parser.add_argument("photos", nargs="+", metavar="PHOTO",
                        help="photos to identify (a folder: its image files)")
    parser.add_argument("--gallery", required=True, help="gallery file made by `lateral enroll`")
    parser.add_argument("--key", default=None, metavar="KEYFILE",
                        help="key file of a protected gallery")
    parser.add_argument("--run", dest="run_dir", default=None, metavar="DIR",
                        help="run folder (default: the one recorded in the gallery)")
    parser.add_argument("--top-k", type=int, default=5, help="fish listed per photo")
    parser.add_argument("--threshold", type=float, default=None,
                        help="decision threshold (default: the run's validation threshold, "
                             "else the gallery rule; see lateral_keras.gallery.threshold)")
    parser.add_argument("--side", choices=SIDES, default="unknown",
                        help="the flank the photos show (default unknown: matches every side)")
    parser.add_argument("--cross-side", dest="same_side", action="store_false",
                        help="compare every side (default: same side only)")
    parser.add_argument("--backend", choices=("numpy", "faiss", "faiss-hnsw"), default="numpy")
    parser.add_argument("--csv", default=None, metavar="OUT", help="write the results as CSV")
    parser.add_argument("--json", default=None, metavar="OUT", help="write the results as JSON")
    parser.add_argument("--sheet", default=None, metavar="PNG",
                        help="write a sheet: each photo's ROI beside its top-k gallery ROIs")
    parser.add_argument("--workers", type=int, default=1, help="ROI extraction processes")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _photo_index(photos, side):
    """A `DatasetIndex` of the photos (folders expanded to their image files)."""
    from lateral_keras.data import DatasetIndex, ImageRecord
    from lateral_keras.data.image_io import has_image_extension

    paths = []
    for photo in photos:
        if os.path.isdir(photo):
            paths += sorted(os.path.join(photo, name) for name in os.listdir(photo)
                            if has_image_extension(name))
        else:
            paths.append(photo)
    records = [ImageRecord(os.path.abspath(p), "probe", "probe", side) for p in paths]
    return DatasetIndex(records, ["probe"]), [os.path.abspath(p) for p in paths]


def identify(gallery, models, key, index, args):
    """Results per photo, in the order given: dicts with `photo`, `status`, `reason`,
    `decision`, `side`, `matches` (`identity`, `score`, `gallery_image`, `gallery_session`,
    `gallery_side`: the flank that matched), `roi`."""
    from lateral_keras.gallery.photos import prepare_photos
    from lateral_keras.protection import key_id
    from lateral_keras.training.data_setup import cache_dir

    settings = models.settings(gallery.kind, None if key is None else key_id(key),
                               gallery.settings.permute_positions)
    gallery.check_probe_settings(settings)
    records, failures = prepare_photos(
        models.config, index,
        cache_dir(models.config, os.path.join(models.run_dir, "identify")),
        workers=args.workers, progress=None if args.quiet else ProgressBar("ROIs"),
    )
    results = {path: {"photo": path, "side": "", "status": "failed", "reason": reason,
                      "matches": []}
               for path, reason in failures}
    if records:
        templates = models.templates(records, gallery.kind, key,
                                     gallery.settings.permute_positions)
        found = gallery.search_identities(templates, args.top_k, settings=settings,
                                          sides=[r.side for r in records],
                                          same_side=args.same_side)
        for record, matches in zip(records, found):
            results[record.path] = {
                "photo": record.path, "side": record.side, "status": "ok", "reason": "",
                "roi": record.roi_path,
                "matches": [{"identity": m.identity, "score": m.score,
                             "gallery_image": m.image_id, "gallery_session": m.session,
                             "gallery_side": m.side}
                            for m in matches],
            }
    return results


def _decide(results, threshold):
    for result in results:
        if result["status"] != "ok":
            result["decision"] = ""
        elif result["matches"] and result["matches"][0]["score"] >= threshold:
            result["decision"] = "known"
        else:
            result["decision"] = "unknown"


def _short(path):
    """`path` relative to the working folder when it lies below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _table(results, k):
    width = max(12, *(len(_short(r["photo"])) for r in results))
    lines = [f"{'photo':<{width}}  {'side':<7}  {'decision':<8}  top {k} (score, side)"]
    for result in results:
        name = _short(result["photo"])
        if result["status"] != "ok":
            lines.append(f"{name:<{width}}  {'-':<7}  {'-':<8}  no ROI: {result['reason']}")
            continue
        top = ", ".join(f"{m['identity']} ({m['score']:.3f}, {m['gallery_side']})"
                        for m in result["matches"])
        lines.append(f"{name:<{width}}  {result['side']:<7}  {result['decision']:<8}  {top}")
    return "\n".join(lines)


def _csv_text(results, threshold):
    stream = io.StringIO()
    writer = csv.DictWriter(stream, CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        base = {"photo": result["photo"], "side": result["side"], "status": result["status"],
                "reason": result["reason"], "decision": result["decision"],
                "threshold": threshold}
        if not result["matches"]:
            writer.writerow(base)
        for rank, match in enumerate(result["matches"], start=1):
            writer.writerow({**base, "rank": rank, **match})
    return stream.getvalue()


def _sheet(path, results, gallery_path, k, threshold):
    import cv2

    from lateral_keras.gallery.sheet import write_match_sheet
    from lateral_keras.gallery.thumbnails import ThumbnailStore, thumbnail_path

    store = ThumbnailStore(thumbnail_path(gallery_path))
    rows = []
    for result in results:
        roi = None
        if result["status"] == "ok":
            roi = cv2.cvtColor(cv2.imread(result["roi"]), cv2.COLOR_BGR2RGB)
        lines = [_short(result["photo"])[-32:],
                 result["decision"] or result["reason"][:30]]
        matches = [(store.get(m["gallery_image"]), [m["identity"][:30], f"{m['score']:.3f}"])
                   for m in result["matches"]]
        rows.append((roi, lines, matches))
    write_match_sheet(path, rows, k, f"probe | top {k} enrolled fish (threshold {threshold:.3f})")


def run(args):
    """Identify ``args.photos`` against ``args.gallery`` and report.

    Returns:
        0 when every photo was handled (photos without a ROI are reported with their reason),
        1 when the gallery, key, run or arguments are unusable (the error goes to stderr).
    """
    from lateral_keras.gallery import GalleryError, load_gallery
    from lateral_keras.gallery.run_models import load_run
    from lateral_keras.gallery.threshold import decision_threshold
    from lateral_keras.protection import KeyFileError, read_key_file

    if args.top_k < 1:
        print("lateral identify: --top-k must be at least 1", file=sys.stderr)
        return 1
    try:
        gallery = load_gallery(args.gallery, backend=args.backend)
        if gallery.settings.key_id is not None and args.key is None:
            raise GalleryError(f"{args.gallery}: a protected gallery (key id "
                               f"{gallery.settings.key_id}); give its key file with --key")
        key = None if args.key is None else read_key_file(args.key)
        run_dir = args.run_dir or gallery.settings.run
        models = load_run(run_dir)
        index, order = _photo_index(args.photos, args.side)
        by_photo = identify(gallery, models, key, index, args)
        if args.threshold is None:
            far = models.config.evaluation.threshold_far
            choice = decision_threshold(run_dir, gallery, far)
        else:
            choice = {"threshold": args.threshold, "far": None, "source": "--threshold"}
    except (OSError, ValueError, GalleryError, KeyFileError) as error:
        print(f"lateral identify: {error}", file=sys.stderr)
        return 1
    results = [by_photo[path] for path in dict.fromkeys(order)]
    threshold = choice["threshold"]
    _decide(results, threshold)
    far = f", FAR {choice['far']:g}" if choice.get("far") else ""
    print(f"decision threshold {threshold:.4f} ({choice['source']} rule{far}); "
          f"{len(gallery)} {gallery.kind} of {len(set(gallery.identities))} fish in "
          f"{args.gallery}")
    print(_table(results, args.top_k))
    if args.csv:
        write_text(args.csv, _csv_text(results, threshold))
    if args.json:
        public = [{k: v for k, v in r.items() if k != "roi"} for r in results]
        write_json(args.json, {"gallery": os.path.abspath(args.gallery), "threshold": choice,
                               "top_k": args.top_k, "results": public})
    if args.sheet:
        _sheet(args.sheet, results, args.gallery, args.top_k, threshold)
    return 0
