"""The known/unknown decision threshold for identification, and where it came from.

In order of preference:

1. `validation`: the run's `thresholds.json` (written by `lateral evaluate`), chosen on the
   validation identities at the configured FAR, under `"codes"` or `"embeddings"`, when it was
   chosen on photos embedded over the gallery's crops (`evaluation.test_time_crops`);
2. `gallery`: without that file, the lowest score that at most a share `far` of the pairs of
   two different enrolled fish reach (the gallery's own impostor pairs; a gallery enrolled
   from one session only sees same-session impostors, so the real FAR may differ);
3. `chance`: a gallery of a single fish has no impostor pair: 4 standard deviations above the
   score of unrelated templates (codes: `1/q + 4 sqrt((1/q)(1 - 1/q)/m)`, binomial
   collisions; embeddings: `4 / sqrt(d)`, cosine of random directions).

A best match scoring `>= threshold` is "known".
"""

import json
import math
import os

import numpy as np

from lateral_keras.config.schema import CENTRE_CROP
from lateral_keras.evaluation.similarity import similarity_matrix

THRESHOLDS_FILE = "thresholds.json"
MAX_GALLERY_TEMPLATES = 4000
"""Templates (a seeded sample) used for the gallery rule."""


def validation_threshold(run_dir, kind, crops=CENTRE_CROP):
    """The threshold the run chose on its validation identities, or None.

    Args:
        run_dir: the run folder.
        kind: `"codes"` or `"embeddings"`.
        crops: the test-time crops the scores to decide on were embedded with; a threshold
            chosen over other crops (files without the entry: the centre crop) is not used.

    Returns:
        `{"threshold", "far", "source": "validation"}` or None when the file or entry is
        missing or was chosen over other crops.

    Raises:
        ValueError: the file exists but is not valid JSON of that shape.
    """
    path = os.path.join(run_dir, THRESHOLDS_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as stream:
            entry = json.load(stream).get(kind)
        if entry is None or tuple(entry.get("test_time_crops", CENTRE_CROP)) != tuple(crops):
            return None
        return {"threshold": float(entry["threshold"]), "far": entry.get("far"),
                "source": "validation"}
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"{path}: expected {{'{kind}': {{'threshold': float, 'far': float}}}}"
                         f" ({error})") from None


def impostor_threshold(impostor_scores, far):
    """The lowest score that at most a share `far` of impostor scores reach (`>=`).

    Example:
        >>> impostor_threshold([0.1, 0.2, 0.3, 0.4], 0.25)
        0.4
    """
    values, counts = np.unique(np.asarray(impostor_scores, dtype=np.float64),
                               return_counts=True)
    reached = np.cumsum(counts[::-1])[::-1]  # scores >= values[i]
    allowed = math.floor(far * len(impostor_scores) + 1e-9)
    ok = np.flatnonzero(reached <= allowed)
    return float(values[ok[0]]) if len(ok) else float(np.nextafter(values[-1], np.inf))


def gallery_threshold(gallery, far, seed=0):
    """The `gallery` rule (module docstring); None when the gallery holds fewer than 2 fish."""
    if len(np.unique(gallery.identities)) < 2:
        return None
    rows = np.arange(len(gallery))
    if len(rows) > MAX_GALLERY_TEMPLATES:
        rows = np.sort(np.random.default_rng(seed).choice(rows, MAX_GALLERY_TEMPLATES, False))
    scores = similarity_matrix(gallery.features[rows].astype(
        np.int64 if gallery.kind == "codes" else np.float32))
    ids = gallery.identities[rows]
    impostor = np.triu(ids[:, None] != ids[None, :], k=1)
    return {"threshold": impostor_threshold(scores[impostor], far), "far": far,
            "source": "gallery", "num_pairs": int(impostor.sum())}


def chance_threshold(settings):
    """The `chance` rule (module docstring) for a gallery's `GallerySettings`."""
    if settings.kind == "codes":
        p = 1.0 / settings.q
        value = p + 4.0 * math.sqrt(p * (1.0 - p) / settings.m)
    else:
        value = 4.0 / math.sqrt(settings.embedding_dim)
    return {"threshold": value, "far": None, "source": "chance"}


def decision_threshold(run_dir, gallery, far):
    """The first available of the three rules (module docstring).

    Args:
        run_dir: the run folder that made the gallery (may be None).
        gallery: the `Gallery`.
        far: target FAR of the gallery rule.

    Returns:
        dict with `threshold`, `far` and `source` (`validation`, `gallery` or `chance`).
    """
    found = (validation_threshold(run_dir, gallery.kind, gallery.settings.crops)
             if run_dir else None)
    return found or gallery_threshold(gallery, far) or chance_threshold(gallery.settings)
