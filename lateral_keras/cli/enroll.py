"""``lateral enroll``: enrol photos of known fish into a gallery (codes, keyed codes or
embeddings), with the run's preprocessing and models; rerunning adds or replaces photos."""

import argparse
import os
import sys

from lateral_keras.cli.progress import ProgressBar
from lateral_keras.data.layout import LAYOUTS


def add_arguments(parser):
    """Add the ``enroll`` arguments to an ``argparse`` parser.

    Args:
        parser: an ``argparse.ArgumentParser`` (or sub-parser).

    Returns:
        The same parser.

    Example:
        >>> import argparse
        >>> parser = add_arguments(argparse.ArgumentParser())
        >>> args = parser.parse_args(["--run", "r", "--images", "f", "--gallery", "g.npz"])
        >>> args.kind, args.key, args.thumbnails
        ('codes', None, None)
    """
    parser.add_argument("--run", dest="run_dir", required=True, metavar="DIR",
                        help="trained run folder (runs/<sub_name>)")
    parser.add_argument("--images", required=True,
                        help="photos: a dataset folder (<session>/<fish>/<photo> or "
                             "<fish>/<photo>) or a CSV manifest (path, identity, session[, side])")
    parser.add_argument("--gallery", required=True, help="gallery file (.npz), created or extended")
    parser.add_argument("--key", default=None, metavar="KEYFILE",
                        help="protect the codes with this key file (created, mode 600, if "
                             "missing); keep it apart from the gallery")
    parser.add_argument("--kind", choices=("codes", "embeddings"), default="codes",
                        help="templates: IoM codes (default) or raw embeddings (never with --key)")
    parser.add_argument("--layout", choices=LAYOUTS, default="auto", help="folder layout")
    parser.add_argument("--backend", choices=("numpy", "faiss", "faiss-hnsw"), default="numpy",
                        help="search backend used to check the gallery after writing it")
    parser.add_argument("--thumbnails", action=argparse.BooleanOptionalAction, default=None,
                        help="keep small ROI thumbnails next to the gallery for match sheets "
                             "(default: yes, but no for a protected gallery: they are photos)")
    parser.add_argument("--workers", type=int, default=None, help="ROI extraction processes")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _index(images, layout):
    """The photos' `DatasetIndex`, sides read from names as training reads them, and their root."""
    from lateral_keras.data import read_manifest, scan_dataset
    from lateral_keras.data.sides import sides_from_names

    if os.path.isfile(images):
        return sides_from_names(read_manifest(images)), os.path.dirname(os.path.abspath(images))
    if not os.path.isdir(images):
        raise ValueError(f"{images}: no such folder or manifest file")
    return sides_from_names(scan_dataset(images, layout=layout)), os.path.abspath(images)


def _key(args, gallery_path):
    """The key of ``--key`` (created when the file does not exist) and a line to print."""
    from lateral_keras.protection import read_key_file, write_key_file

    if args.key is None:
        return None, None
    if args.kind == "embeddings":
        raise ValueError("--key protects codes; raw embeddings are never stored in a protected "
                         "gallery (use --kind codes)")
    note = None
    if os.path.exists(args.key):
        key = read_key_file(args.key)
    else:
        key = write_key_file(args.key)
        note = f"new key file {args.key} (mode 600): keep it safe, apart from the gallery"
    same_folder = os.path.dirname(os.path.abspath(args.key)) == os.path.dirname(
        os.path.abspath(gallery_path))
    if same_folder:
        note = (note + "; " if note else "") + (
            f"warning: {args.key} lies in the gallery's folder; store keys elsewhere")
    return key, note


def run(args):
    """Enrol ``args.images`` into ``args.gallery`` and print a summary.

    Returns:
        0 when the gallery was written (photos without a ROI are listed), 1 when nothing could
        be enrolled or an input is wrong (the error goes to stderr).
    """
    from lateral_keras.gallery import CodeGallery, EmbeddingGallery, GalleryError, load_gallery
    from lateral_keras.gallery.photos import prepare_photos
    from lateral_keras.gallery.run_models import load_run
    from lateral_keras.gallery.thumbnails import ThumbnailStore, thumbnail_path
    from lateral_keras.protection import KeyFileError, key_id
    from lateral_keras.training.data_setup import cache_dir

    try:
        key, key_note = _key(args, args.gallery)
        models = load_run(args.run_dir)
        settings = models.settings(args.kind, None if key is None else key_id(key))
        if os.path.exists(args.gallery):
            gallery = load_gallery(args.gallery, backend=args.backend)
            gallery.check_probe_settings(settings)
        else:
            gallery_class = CodeGallery if args.kind == "codes" else EmbeddingGallery
            gallery = gallery_class(settings, backend=args.backend, path=args.gallery)
        index, root = _index(args.images, args.layout)
        records, failures = prepare_photos(
            models.config, index, cache_dir(models.config, args.images), workers=args.workers,
            progress=None if args.quiet else ProgressBar("ROIs"),
        )
    except (OSError, ValueError, GalleryError, KeyFileError) as error:
        print(f"lateral enroll: {error}", file=sys.stderr)
        return 1
    if key_note:
        print(key_note)
    for path, reason in failures:
        print(f"  not enrolled: {path}: {reason}")
    if not records:
        print(f"lateral enroll: no photo of {args.images} gave a ROI; nothing enrolled",
              file=sys.stderr)
        return 1
    templates = models.templates(records, args.kind, key)
    image_ids = [os.path.relpath(record.path, root) for record in records]
    gallery.enrol(templates, [r.identity for r in records], [r.session for r in records],
                  [r.side for r in records], image_ids)
    gallery.save(args.gallery)
    keep_thumbnails = key is None if args.thumbnails is None else args.thumbnails
    if keep_thumbnails:
        import cv2

        store = ThumbnailStore(thumbnail_path(args.gallery))
        for record, image_id in zip(records, image_ids):
            store.add(image_id, cv2.cvtColor(cv2.imread(record.roi_path), cv2.COLOR_BGR2RGB))
        store.keep_only(gallery.image_ids)
        store.save()
    fish = len(set(gallery.identities))
    protected = f", keyed (key id {settings.key_id})" if key is not None else ""
    print(f"{len(records)} photos enrolled, {len(failures)} without ROI; {args.gallery}: "
          f"{len(gallery)} {args.kind} of {fish} fish{protected}")
    return 0
