"""Generate a synthetic dataset on disk: ``<root>/<SESSION>/<identity>/<image>.jpg`` + truth."""

import concurrent.futures
import ctypes
import json
import logging
import multiprocessing
import os
import shutil

import cv2

from lateral_keras.data.synthetic import ground_truth, photometric, render
from lateral_keras.data.synthetic.difficulty import resolve_difficulty
from lateral_keras.utils.atomic import write_bytes, write_json, write_text

logger = logging.getLogger(__name__)

CONFIG_FILENAME = "synth_config.json"
_PARTS = ".synth_parts"
_VERSION = 1
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt options


def _check_count(name, value, minimum=1):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value!r}")


def _config(n_fish, n_sessions, images_per_session, image_size, difficulty, both_flanks, seed):
    level = resolve_difficulty(difficulty).level
    return {
        "generator": "lateral_keras.data.synthetic",
        "version": _VERSION,
        "n_fish": n_fish,
        "n_sessions": n_sessions,
        "images_per_session": images_per_session,
        "image_size": list(image_size),
        "difficulty": difficulty if isinstance(difficulty, str) else level,
        "difficulty_level": level,
        "both_flanks": both_flanks,
        "seed": seed,
        "roi_fractions": [1 / 20, 1 / 2],
    }


def _render_task(root, fish, session, images, config):
    """Render and save the listed images of one fish and session; return their CSV rows."""
    rows = []
    for image in images:
        photo, truth = render.render_image(
            fish, session, image, seed=config["seed"], image_size=tuple(config["image_size"]),
            difficulty=config["difficulty_level"], both_flanks=config["both_flanks"],
        )
        write_bytes(os.path.join(root, truth["path"]),
                    photometric.encode_jpeg(photo, truth["jpeg_quality"]))
        rows.append(ground_truth.truth_to_row(truth))
    return fish, session, rows


def _init_worker():
    """Set up a worker process: one OpenCV thread, and freed memory kept for reuse.

    Each photo allocates and frees megabyte-sized arrays; by default glibc hands such blocks
    back to the system at once, and mapping them again costs about 3,000 page faults per photo
    (roughly a fifth of its time). Workers are ours alone, so they keep up to 64 MiB instead
    (``mallopt``; nothing happens where the C library is not glibc).
    """
    cv2.setNumThreads(1)
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.mallopt(_M_TRIM_THRESHOLD, 64 << 20)
    libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)


def _known_rows(root):
    """Rows already written: the finished table and the parts of an interrupted run."""
    known = {}
    table = os.path.join(root, ground_truth.FILENAME)
    sources = [table] if os.path.isfile(table) else []
    parts = os.path.join(root, _PARTS)
    if os.path.isdir(parts):
        sources += [os.path.join(parts, f) for f in sorted(os.listdir(parts)) if f.endswith(".csv")]
    for source in sources:
        for row in ground_truth.read_rows(source):
            known[row["path"]] = row
    return known


def _write_config(root, config):
    path = os.path.join(root, CONFIG_FILENAME)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
        if old == config:
            return
        # each fish depends only on (seed, fish, ...): more fish extend the dataset as it is
        grown = old == {**config, "n_fish": old.get("n_fish")} and config["n_fish"] > old["n_fish"]
        if not grown:
            raise ValueError(
                f"`out_dir` holds a synthetic dataset made with other settings ({path}); use an "
                f"empty folder. Received: out_dir={root!r}, settings={config}, existing={old}"
            )
    write_json(path, config)


def generate_dataset(out_dir, *, n_fish=380, n_sessions=4, images_per_session=5,
                     image_size=(800, 600), difficulty="default", both_flanks=False, seed=0,
                     workers=None, progress=None):
    """Render a synthetic fish dataset in the original layout, with its ground truth.

    Writes ``<out_dir>/SESSION<k>/fish_<i>/img_<j>.jpg`` (k from 1), ``ground_truth.csv``
    (columns ``ground_truth.COLUMNS``, one row per image, ordered by fish, session, image) and
    ``synth_config.json`` (the settings and seed). Each image depends only on
    (seed, fish, session, image), so the output is byte-identical for any ``workers``. Images
    already present (with their ground-truth row) are skipped, so an interrupted run resumes;
    every file is written atomically. A folder made with fewer fish and otherwise the same
    settings is extended (its fish stay as they are); one made with other settings is refused.

    Args:
        out_dir: dataset root folder (created if needed).
        n_fish: number of fish (identities ``fish_0000`` ...).
        n_sessions: number of sessions (``SESSION1`` ...); later ones drift.
        images_per_session: photos per fish and session.
        image_size: ``(width, height)`` of the photos.
        difficulty: ``'easy'``, ``'default'``, ``'hard'`` or a float in [0, 3].
        both_flanks: photograph both flanks (odd images show the right flank).
        seed: non-negative int.
        workers: processes to use; None = all CPU cores; 1 = this process. Workers are
            spawned (call from a ``__main__`` guard in scripts). Each one runs the calling
            script's top-level imports again, then only NumPy, OpenCV and this package (under a
            second): import TensorFlow inside the guarded code, not at the top of the script,
            or every worker pays for it too. Each task is one fish and session, so the photos
            of a session share their skin texture.
        progress: optional callable ``progress(done, total)`` called as images are finished.

    Returns:
        The absolute path of the dataset root (``str``).

    Example:
        >>> root = generate_dataset("/tmp/fish", n_fish=3, n_sessions=2,
        ...                         image_size=(200, 150))  # doctest: +SKIP
    """
    for name, value in (("n_fish", n_fish), ("n_sessions", n_sessions),
                        ("images_per_session", images_per_session)):
        _check_count(name, value)
    _check_count("seed", seed, 0)
    if workers is not None:
        _check_count("workers", workers)
    if not isinstance(both_flanks, bool):
        raise ValueError(f"`both_flanks` must be a bool. Received: both_flanks={both_flanks!r}")
    if progress is not None and not callable(progress):
        raise ValueError(f"`progress` must be callable or None. Received: progress={progress!r}")
    image_size = render.check_image_size(image_size)
    config = _config(n_fish, n_sessions, images_per_session, image_size, difficulty,
                     both_flanks, seed)
    root = os.path.abspath(os.fspath(out_dir))
    os.makedirs(root, exist_ok=True)
    _write_config(root, config)

    known = _known_rows(root)
    keys = [(f, s, i) for f in range(n_fish) for s in range(n_sessions)
            for i in range(images_per_session)]

    def rel(f, s, i):
        return f"{render.session_name(s)}/{render.fish_name(f)}/{render.image_name(i)}"

    missing = {}
    for f, s, i in keys:
        path = rel(f, s, i)
        if path not in known or not os.path.isfile(os.path.join(root, path)):
            missing.setdefault((f, s), []).append(i)
    total, done = len(keys), len(keys) - sum(len(v) for v in missing.values())
    logger.info("synthetic dataset %s: %d of %d images to render", root, total - done, total)
    if progress is not None:
        progress(done, total)

    def finish(result):
        nonlocal done
        fish, session, rows = result
        for row in rows:
            known[row["path"]] = row
        part = os.path.join(root, _PARTS,
                            f"{render.session_name(session)}__{render.fish_name(fish)}.csv")
        write_text(part, ground_truth.rows_to_csv(rows))
        done += len(rows)
        if progress is not None:
            progress(done, total)

    tasks = [(root, f, s, images, config) for (f, s), images in sorted(missing.items())]
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers == 1 or len(tasks) <= 1:
        for task in tasks:
            finish(_render_task(*task))
    elif tasks:
        # Spawned, never forked: a fork of a process whose TensorFlow threads hold locks
        # (the recipe, a test session) can deadlock in the child.
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)), mp_context=context, initializer=_init_worker
        ) as pool:
            futures = [pool.submit(_render_task, *task) for task in tasks]
            for future in concurrent.futures.as_completed(futures):
                finish(future.result())

    table = ground_truth.rows_to_csv([known[rel(*k)] for k in keys])
    write_text(os.path.join(root, ground_truth.FILENAME), table)
    shutil.rmtree(os.path.join(root, _PARTS), ignore_errors=True)
    return root
