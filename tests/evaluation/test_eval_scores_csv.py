"""`write_pair_scores` writes exactly what `csv.writer` would, and reads back losslessly."""

import csv
import gzip
import io

import numpy as np
import pytest

from lateral_keras.evaluation import scores_csv
from lateral_keras.evaluation.scores_csv import (
    PAIR_COLUMNS,
    csv_fields,
    read_pair_scores,
    write_pair_scores,
)

# names a real dataset may hold: a comma, a quote, a line break, non-ASCII
IDENTITIES = np.array(["fish_1", 'tag "7", pond', "fish\nnew", "brochet_é"])
SESSIONS = np.array(["S1", "S2", "S 3", "S,4"])


def _oracle_bytes(pair_sets, kinds):
    """The rows written one by one by `csv.writer` (the previous implementation)."""
    rows = [(*PAIR_COLUMNS, *(f"score_{kind}" for kind in kinds))]
    for name, (a, b, genuine, scores) in pair_sets.items():
        for i in range(len(a)):
            x, y = int(a[i]), int(b[i])
            rows.append((name, x, y, IDENTITIES[x], IDENTITIES[y], SESSIONS[x], SESSIONS[y],
                         int(genuine[i]), *(float(scores[kind][i]) for kind in kinds)))
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


@pytest.fixture
def pair_sets(monkeypatch):
    monkeypatch.setattr(scores_csv, "_CHUNK", 10)
    rng = np.random.default_rng(3)
    sets = {}
    for name, n in (("cross_session", 27), ("same, session", 5)):  # three chunks, then one
        a, b = rng.integers(0, IDENTITIES.size, (2, n))
        sets[name] = (a, b, rng.integers(0, 2, n).astype(bool),
                      {"embeddings": rng.normal(size=n),
                       "codes": rng.random(n).astype(np.float32)})
    return sets


def test_bytes_match_csv_writer(tmp_path, pair_sets):
    path = write_pair_scores(str(tmp_path / "scores.csv.gz"), pair_sets, IDENTITIES, SESSIONS)
    with gzip.open(path, "rb") as stream:
        written = stream.read()
    assert written == _oracle_bytes(pair_sets, ["codes", "embeddings"])


def test_reads_back_every_column(tmp_path, pair_sets):
    path = write_pair_scores(str(tmp_path / "scores.csv.gz"), pair_sets, IDENTITIES, SESSIONS)
    columns = read_pair_scores(path)
    a = np.concatenate([s[0] for s in pair_sets.values()])
    np.testing.assert_array_equal(columns["index_a"], a)
    np.testing.assert_array_equal(columns["identity_a"], IDENTITIES[a])
    np.testing.assert_array_equal(
        columns["score_codes"],
        np.concatenate([s[3]["codes"].astype(np.float64) for s in pair_sets.values()]))


def test_csv_fields_quote_like_csv_writer():
    assert csv_fields(["plain", 'a "b", c', "x\ny", ""]) == [
        "plain", '"a ""b"", c"', '"x\ny"', ""]
