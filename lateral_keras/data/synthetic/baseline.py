"""Raw-pixel baseline: cosine nearest neighbour on standardised grey crops of the TRUE ROI.

A sanity bound for the generator: identity must be in the pixels (a trained CNN reaches >= 95 %
rank-1), but not so plainly that raw pixels already match across sessions (target 20-50 %).
"""

import os
import re

import cv2
import numpy as np

from lateral_keras.data.synthetic import ground_truth


def roi_crop(image, corners, size=(32, 128)):
    """Warp the ROI quadrilateral to an upright grey crop.

    Args:
        image: uint8 (H, W, 3) BGR (as ``cv2.imread`` gives) or (H, W) grey image.
        corners: array (4, 2): top-left, top-right, bottom-right, bottom-left (normalised frame).
        size: ``(height, width)`` of the crop.

    Returns:
        float32 array ``size``: grey levels in 0..255.

    Example:
        >>> img = np.zeros((60, 80, 3), np.uint8)
        >>> roi_crop(img, [[10, 10], [50, 10], [50, 20], [10, 20]]).shape
        (32, 128)
    """
    if len(size) != 2 or min(size) < 1:
        raise ValueError(f"`size` must be (height, width) >= 1. Received: size={size!r}")
    src = np.asarray(corners, dtype=np.float32)
    if src.shape != (4, 2):
        raise ValueError(f"`corners` must have shape (4, 2). Received: shape={src.shape}")
    height, width = size
    dst = np.float32([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]])
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return cv2.warpPerspective(grey.astype(np.float32), matrix, (width, height),
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def standardise(crops):
    """Zero mean, unit standard deviation per crop; flattened to (N, D) float32."""
    flat = np.asarray(crops, dtype=np.float32).reshape(len(crops), -1)
    flat = flat - flat.mean(1, keepdims=True)
    return flat / np.maximum(flat.std(1, keepdims=True), 1e-6)


def nearest_neighbour_rank1(gallery, gallery_ids, probes, probe_ids):
    """Share of probes whose cosine-nearest gallery vector has the same identity.

    Args:
        gallery: array (G, D).
        gallery_ids: G identity labels.
        probes: array (P, D).
        probe_ids: P identity labels.

    Returns:
        ``(rank1, nearest)``: float in [0, 1] and int array (P,) of gallery indices (first
        maximum on ties).

    Example:
        >>> g = np.eye(2)
        >>> nearest_neighbour_rank1(g, ["a", "b"], g[::-1], ["b", "a"])[0]
        1.0
    """
    gallery = np.asarray(gallery, dtype=np.float64)
    probes = np.asarray(probes, dtype=np.float64)
    if len(gallery) == 0 or len(probes) == 0:
        raise ValueError(f"Need gallery and probes. Received: {len(gallery)} gallery, "
                         f"{len(probes)} probes")
    g = gallery / np.maximum(np.linalg.norm(gallery, axis=1, keepdims=True), 1e-12)
    p = probes / np.maximum(np.linalg.norm(probes, axis=1, keepdims=True), 1e-12)
    nearest = np.argmax(p @ g.T, axis=1)
    hits = np.asarray(gallery_ids, dtype=object)[nearest] == np.asarray(probe_ids, dtype=object)
    return float(np.mean(hits)), nearest


def _session_key(name):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def raw_pixel_baseline(root, *, crop_size=(32, 128), gallery_session=None):
    """Cross-session rank-1 of raw pixels of the true ROI (from the ground truth).

    Gallery: every image of the first session; probes: every image of later sessions. Each crop
    is the ROI warped to ``crop_size`` grey, standardised; nearest neighbour by cosine.

    Args:
        root: dataset root holding ``ground_truth.csv``.
        crop_size: ``(height, width)`` of the crops.
        gallery_session: session name for the gallery; None = the first in natural order.

    Returns:
        Dict: ``'rank1'`` (float), ``'per_session'`` (session -> rank-1), ``'n_gallery'``,
        ``'n_probes'``, ``'n_identities'``, ``'gallery_session'``.

    Example:
        >>> raw_pixel_baseline("/tmp/fish")["rank1"]  # doctest: +SKIP
        0.35
    """
    rows = ground_truth.read_ground_truth(root)
    sessions = sorted({r["session"] for r in rows}, key=_session_key)
    first = sessions[0] if gallery_session is None else gallery_session
    if first not in sessions or len(sessions) < 2:
        raise ValueError(
            f"`gallery_session` must be one of {sessions} and the data need a later session. "
            f"Received: gallery_session={gallery_session!r}"
        )
    crops = []
    for row in rows:
        image = cv2.imread(os.path.join(os.fspath(root), row["path"]), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise ValueError(f"Cannot read {row['path']} under root={root!r}")
        crops.append(roi_crop(image, row["roi"], crop_size))
    feats = standardise(crops)
    ids = np.array([r["identity"] for r in rows], dtype=object)
    sess = np.array([r["session"] for r in rows], dtype=object)
    is_gallery = sess == first
    rank1, nearest = nearest_neighbour_rank1(feats[is_gallery], ids[is_gallery],
                                             feats[~is_gallery], ids[~is_gallery])
    hits = ids[is_gallery][nearest] == ids[~is_gallery]
    per_session = {s: float(np.mean(hits[sess[~is_gallery] == s])) for s in sessions if s != first}
    return {
        "rank1": rank1,
        "per_session": per_session,
        "n_gallery": int(is_gallery.sum()),
        "n_probes": int((~is_gallery).sum()),
        "n_identities": int(len(set(ids))),
        "gallery_session": first,
    }
