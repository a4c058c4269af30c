"""The per-pair scores of an evaluation, as CSV: every figure of the report can be redone from it.

`images.csv` lists the evaluation photos (`index, path, identity, session, side`);
`pair_scores.csv.gz` (gzip-compressed CSV, about 40 MB for the 2 million pairs of the default
run) holds one row per scored pair: `set` (`cross_session`, `same_session` or `pairs_file`),
`index_a`, `index_b` (rows of `images.csv`), `identity_a`, `identity_b`, `session_a`,
`session_b`, `genuine` (1 / 0) and one `score_<kind>` column per feature kind (`embeddings`,
`codes`, ...), written with full float precision.

Example:

```python
columns = read_pair_scores("runs/x/pair_scores.csv.gz")
chosen = columns["set"] == "cross_session"
metrics.eer(columns["score_codes"][chosen], columns["genuine"][chosen])
```
"""

import csv
import gzip
import io

import numpy as np

from lateral_keras.utils.atomic import atomic_path

PAIR_COLUMNS = ("set", "index_a", "index_b", "identity_a", "identity_b", "session_a",
                "session_b", "genuine")
_CHUNK = 200_000


def write_images_csv(path, part):
    """Write the evaluation photos, one row per image index, atomically.

    Args:
        path: output CSV path.
        part: the evaluation `PartData`.

    Returns:
        `path`.
    """
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(("index", "path", "identity", "session", "side", "roi_path"))
        for index, record in enumerate(part.records):
            writer.writerow((index, record.path, record.identity, record.session, record.side,
                             record.roi_path))
    return path


def csv_fields(values):
    """Each value as one CSV field, written the way `csv.writer` writes it (quoted when it
    holds a comma, a quote or a line break).

    Args:
        values: iterable of values.

    Returns:
        List of str.

    Example:
        >>> csv_fields(["fish_1", 'a "b", c'])
        ['fish_1', '"a ""b"", c"']
    """
    fields = []
    for value in values:
        out = io.StringIO()
        csv.writer(out).writerow(("", value))  # as a row's second field, default dialect
        fields.append(out.getvalue()[1:-2])
    return fields


def write_pair_scores(path, pair_sets, identities, sessions):
    """Write the scored pairs of every set as gzip-compressed CSV, atomically.

    The bytes are those `csv.writer` would write (`\\r\\n` line ends, scores as `repr`), but
    each photo's identity and session are formatted once and each row by one f-string: 2
    million pairs take about 60 % of the time of `csv.writer.writerows`.

    Args:
        path: output path (`.csv.gz`).
        pair_sets: dict set name -> `(index_a, index_b, genuine, {kind: scores})`; every array
            of one set has one entry per pair.
        identities, sessions: arrays `(n,)` of the evaluation photos.

    Returns:
        `path`.
    """
    identities, sessions = np.asarray(identities), np.asarray(sessions)
    kinds = sorted({kind for *_, scores in pair_sets.values() for kind in scores})
    names, times = csv_fields(identities.tolist()), csv_fields(sessions.tolist())
    with atomic_path(path) as tmp, gzip.open(tmp, "wt", compresslevel=1, newline="",
                                             encoding="utf-8") as stream:
        csv.writer(stream).writerow((*PAIR_COLUMNS, *(f"score_{kind}" for kind in kinds)))
        for name, (a, b, genuine, scores) in pair_sets.items():
            (label,) = csv_fields([name])
            genuine = np.asarray(genuine, dtype=int)
            scores = [np.asarray(scores[kind], dtype=np.float64) for kind in kinds]
            for start in range(0, len(a), _CHUNK):  # bounded memory for millions of pairs
                rows = slice(start, start + _CHUNK)
                score_text = [",".join(row) for row in
                              zip(*(map(repr, score[rows].tolist()) for score in scores))]
                stream.write("".join([
                    f"{label},{x},{y},{names[x]},{names[y]},{times[x]},{times[y]},{g},{text}\r\n"
                    for x, y, g, text in zip(a[rows].tolist(), b[rows].tolist(),
                                             genuine[rows].tolist(), score_text)
                ]))
    return path


def read_pair_scores(path):
    """Read a file written by `write_pair_scores` back into columns.

    Args:
        path: the `.csv.gz` file.

    Returns:
        dict column -> NumPy array: `index_a`, `index_b` int64, `genuine` bool, `score_*`
        float64, the others str.

    Example:

    >>> read_pair_scores("runs/x/pair_scores.csv.gz")["genuine"][:3]  # doctest: +SKIP
    """
    with gzip.open(path, "rt", newline="", encoding="utf-8") as stream:
        text = stream.read()
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = list(reader)
    columns = {name: [row[i] for row in rows] for i, name in enumerate(header)}
    converted = {}
    for name, values in columns.items():
        if name in ("index_a", "index_b"):
            converted[name] = np.array(values, dtype=np.int64)
        elif name == "genuine":
            converted[name] = np.array(values, dtype=np.int64).astype(bool)
        elif name.startswith("score_"):
            converted[name] = np.array(values, dtype=np.float64)
        else:
            converted[name] = np.array(values)
    return converted
