"""Verification on a pairs file, against a brute-force oracle."""

import numpy as np
import pytest

from lateral_keras import metrics
from lateral_keras.evaluation.pairs_file import paired_similarity, read_pairs_file

IDENTITIES = np.array(["f1", "f1", "f2", "f2", "f3", "f3"])
PATHS = [f"/data/S{1 + i % 2}/{fish}/img.jpg" for i, fish in enumerate(IDENTITIES)]


def _write(tmp_path, text):
    path = tmp_path / "pairs.csv"
    path.write_text(text)
    return str(path)


def _brute_force(features, a, b):
    """Cosine or collision share, one pair at a time with Python loops."""
    if np.issubdtype(features.dtype, np.integer):
        m = features.shape[1]
        return sum(int(features[a, i] == features[b, i]) for i in range(m)) / m
    dot = sum(float(x) * float(y) for x, y in zip(features[a], features[b]))
    norm_a = sum(float(x) ** 2 for x in features[a]) ** 0.5
    norm_b = sum(float(y) ** 2 for y in features[b]) ** 0.5
    return dot / (norm_a * norm_b)


def test_rows_resolved_and_bad_rows_skipped_with_reasons(tmp_path):
    path = _write(tmp_path, "\n".join([
        "image_a,image_b,genuine",
        "S1/f1/img.jpg,S2/f1/img.jpg,1",        # genuine, relative names
        "/data/S1/f2/img.jpg,S2/f3/img.jpg,",   # absolute name, flag left empty
        "S1/f2/img.jpg,S1/f2/img.jpg,1",        # self-pair
        "S1/f9/img.jpg,S2/f1/img.jpg,0",        # not an evaluation photo
        "img.jpg,S2/f1/img.jpg,0",              # ambiguous
        "S1/f1/img.jpg,S2/f3/img.jpg,1",        # flag contradicts identities
        "S2/f2/img.jpg,S1/f3/img.jpg,0",
    ]) + "\n")
    pairs = read_pairs_file(path, PATHS, IDENTITIES)
    np.testing.assert_array_equal(pairs.index_a, [0, 2, 3])
    np.testing.assert_array_equal(pairs.index_b, [1, 5, 4])
    np.testing.assert_array_equal(pairs.genuine, [True, False, False])
    reasons = dict(pairs.skipped)
    assert sorted(reasons) == [4, 5, 6, 7]
    assert "same photo" in reasons[4] and "not an evaluation photo" in reasons[5]
    assert "ambiguous" in reasons[6] and "contradicts" in reasons[7]


def test_missing_header_and_empty_list_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="image_a,image_b"):
        read_pairs_file(_write(tmp_path, "a,b\nx,y\n"), PATHS, IDENTITIES)
    with pytest.raises(ValueError, match="no usable pair"):
        read_pairs_file(_write(tmp_path, "image_a,image_b\nS1/f9/img.jpg,x\n"), PATHS,
                        IDENTITIES)


@pytest.mark.parametrize("kind", ["embeddings", "codes"])
def test_scores_and_figures_match_brute_force(tmp_path, kind):
    rng = np.random.default_rng(3)
    n = 40
    identities = np.repeat(np.arange(10), 4).astype(str)
    paths = [f"/d/S{i % 4}/{fish}/{i}.jpg" for i, fish in enumerate(identities)]
    if kind == "codes":
        features = rng.integers(0, 4, size=(n, 16))
    else:
        features = rng.normal(size=(n, 8)).astype(np.float32)
    chosen = rng.choice(n * n, size=60, replace=False)
    rows = [(i // n, i % n) for i in chosen if i // n != i % n]
    text = "image_a,image_b\n" + "".join(
        f"S{a % 4}/{identities[a]}/{a}.jpg,{paths[b]}\n" for a, b in rows)
    pairs = read_pairs_file(_write(tmp_path, text), paths, identities)
    assert len(pairs.index_a) == len(rows) and not pairs.skipped
    scores = paired_similarity(features, pairs.index_a, pairs.index_b)
    oracle = np.array([_brute_force(features, a, b) for a, b in rows])
    oracle_genuine = np.array([identities[a] == identities[b] for a, b in rows])
    np.testing.assert_allclose(scores, oracle, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(pairs.genuine, oracle_genuine)
    if oracle_genuine.any() and not oracle_genuine.all():
        assert metrics.eer(scores, pairs.genuine)[0] == pytest.approx(
            metrics.eer(oracle, oracle_genuine)[0], abs=1e-6)
