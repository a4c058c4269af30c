"""Verification on a given pair list (LFW style): a CSV naming the image pairs to score.

Format (UTF-8 CSV with a header row)::

    image_a,image_b,genuine
    SESSION1/fish_0003/img_00.jpg,SESSION3/fish_0003/img_02.jpg,1
    SESSION1/fish_0003/img_00.jpg,SESSION2/fish_0042/img_01.jpg,0

`image_a` and `image_b` name photos by their path, absolute or relative to the dataset root
(any trailing part of the path that names one photo: `fish_0003/img_00.jpg` is enough when only
one session holds it). `genuine` (1 same fish, 0 different fish) is optional; the truth always
comes from the photos' identities, and a row whose flag contradicts them is skipped. Rows whose
photos are not evaluation photos (training and validation fish never count), are ambiguous, or
repeat one photo are skipped with their reason.

Example:

```python
pairs = read_pairs_file("pairs.csv", [r.path for r in part.records], part.identities)
scores = paired_similarity(embeddings, pairs.index_a, pairs.index_b)
```
"""

import csv
import dataclasses
import os

import numpy as np

from lateral_keras.evaluation.similarity import is_code

COLUMNS = ("image_a", "image_b")


@dataclasses.dataclass(frozen=True)
class PairList:
    """The usable pairs of a pairs file, and the rows skipped.

    Attributes:
        index_a, index_b: int64 arrays `(p,)`, image indices of each usable pair, file order.
        genuine: bool array `(p,)`, same identity.
        skipped: list of `(line number, reason)` for the rows not used.
    """

    index_a: np.ndarray
    index_b: np.ndarray
    genuine: np.ndarray
    skipped: list


def _suffix_index(paths):
    """Maps every trailing part of each normalised path to the indices of the paths ending so."""
    index = {}
    for i, path in enumerate(paths):
        parts = os.path.normpath(os.path.abspath(path)).split(os.sep)
        for start in range(len(parts)):
            index.setdefault("/".join(parts[start:]), []).append(i)
    return index


def _lookup(suffixes, name):
    key = "/".join(p for p in os.path.normpath(name.strip()).split(os.sep) if p)
    found = suffixes.get(key, [])
    if not found:
        return None, f"not an evaluation photo: {name}"
    if len(found) > 1:
        return None, f"ambiguous name ({len(found)} photos end with it): {name}"
    return found[0], None


def read_pairs_file(path, image_paths, identities):
    """Reads a pairs CSV and resolves it against the evaluation photos.

    Args:
        path: the CSV file (see the module docstring for its format).
        image_paths: sequence of the evaluation photos' paths, shape `(n,)`.
        identities: array-like, shape `(n,)`, the fish of each photo.

    Returns:
        `PairList`.

    Raises:
        ValueError: the file has no `image_a` / `image_b` header, or no usable pair.
        OSError: the file cannot be read.

    Example:

    >>> read_pairs_file("pairs.csv", ["/d/S1/a/0.jpg", "/d/S2/a/1.jpg"], ["a", "a"])
    ... # PairList(index_a=[0], index_b=[1], genuine=[True], skipped=[])
    """
    identities = np.asarray(identities)
    suffixes = _suffix_index(image_paths)
    index_a, index_b, skipped = [], [], []
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        header = [name.strip() for name in reader.fieldnames or []]
        if not set(COLUMNS) <= set(header):
            raise ValueError(
                f"{path}: a pairs file needs the header columns image_a,image_b[,genuine]. "
                f"Received: {header}"
            )
        reader.fieldnames = header
        for line, row in enumerate(reader, start=2):
            a, reason_a = _lookup(suffixes, row["image_a"] or "")
            b, reason_b = _lookup(suffixes, row["image_b"] or "")
            reason = reason_a or reason_b
            if reason is None and a == b:
                reason = "the same photo twice"
            flag = (row.get("genuine") or "").strip()
            if reason is None and flag:
                if flag not in ("0", "1"):
                    reason = f"genuine must be 0 or 1, got {flag!r}"
                elif (flag == "1") != bool(identities[a] == identities[b]):
                    reason = (f"genuine={flag} contradicts the identities "
                              f"{identities[a]}, {identities[b]}")
            if reason is not None:
                skipped.append((line, reason))
                continue
            index_a.append(a)
            index_b.append(b)
    if not index_a:
        raise ValueError(f"{path}: no usable pair. Skipped rows: {skipped[:5]}")
    index_a, index_b = np.array(index_a, np.int64), np.array(index_b, np.int64)
    return PairList(index_a, index_b, identities[index_a] == identities[index_b], skipped)


def paired_similarity(features, index_a, index_b):
    """Similarity of the listed pairs only: cosine for embeddings, `c / m` for codes.

    Args:
        features: float embeddings or integer codes, shape `(n, d)`.
        index_a, index_b: int arrays `(p,)`.

    Returns:
        float64 array `(p,)`, equal to `similarity_matrix(features)[index_a, index_b]`.

    Example:

    >>> paired_similarity(np.array([[0, 1], [0, 2]]), [0], [1])  # [0.5]
    """
    features = np.asarray(features)
    a, b = features[np.asarray(index_a)], features[np.asarray(index_b)]
    if is_code(features):
        return np.mean(a == b, axis=1, dtype=np.float64)
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    norms = np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-12)
    return np.sum(a * b, axis=1) / norms
