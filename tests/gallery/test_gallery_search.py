"""CodeGallery / EmbeddingGallery search against brute-force oracles; NumPy vs FAISS."""

import numpy as np
import pytest

from lateral_keras.evaluation import similarity_matrix
from lateral_keras.gallery import (
    CodeGallery,
    EmbeddingGallery,
    GalleryError,
    GallerySettings,
    pack_onehot,
)
from lateral_keras.gallery.numpy_index import NumpyBinaryIndex

SETTINGS = GallerySettings("codes", model_hash="model-a", m=64, q=8)


def random_gallery(backend, n=600, n_fish=150, seed=0, settings=SETTINGS):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, settings.q, size=(n, settings.m))
    gallery = CodeGallery(settings, backend=backend)
    gallery.enrol(codes, [f"fish{i % n_fish}" for i in range(n)])
    return gallery, codes


def test_popcount_hamming_is_twice_the_disagreements_loop_oracle():
    rng = np.random.default_rng(1)
    m, q = 13, 5  # 65 bits: padding to whole 64-bit words must not count
    a, b = rng.integers(0, q, (7, m)), rng.integers(0, q, (9, m))
    hamming = NumpyBinaryIndex(pack_onehot(b, q)).distances(pack_onehot(a, q))
    for i in range(7):
        for j in range(9):
            collisions = sum(int(a[i, p] == b[j, p]) for p in range(m))
            assert hamming[i, j] == 2 * (m - collisions)


def test_numpy_and_faiss_exact_searches_agree_and_match_the_protocol_scores():
    numpy_gallery, codes = random_gallery("numpy")
    faiss_gallery, _ = random_gallery("faiss")
    probes = np.random.default_rng(2).integers(0, 8, size=(40, 64))
    probes[:5] = codes[:5]  # exact copies score 1
    k = 10
    ours = numpy_gallery.search(probes, k, settings=SETTINGS)
    theirs = faiss_gallery.search(probes, k, settings=SETTINGS)
    np.testing.assert_array_equal(ours.scores, theirs.scores)
    oracle = similarity_matrix(probes, codes)
    for i in range(len(probes)):
        expected = np.sort(oracle[i])[::-1][:k]
        np.testing.assert_array_equal(ours.scores[i], expected)
        np.testing.assert_array_equal(oracle[i, ours.indices[i]], ours.scores[i])
        # Ids agree except among scores tied with the k-th one.
        kth = ours.scores[i, -1]
        above = ours.scores[i] > kth
        assert set(ours.indices[i][above]) == set(theirs.indices[i][above])
        assert set(ours.indices[i][above]) == set(np.flatnonzero(oracle[i] > kth))
    assert np.all(ours.scores[:5, 0] == 1.0)


def test_hnsw_is_a_close_approximation():
    gallery, codes = random_gallery("faiss-hnsw")
    probes = codes[:50].copy()
    probes[:, :8] = 0  # near-duplicates of enrolled codes
    found = gallery.search(probes, 1, settings=SETTINGS)
    assert np.mean(found.indices[:, 0] == np.arange(50)) >= 0.9


def test_search_identities_gives_each_fish_its_best_template():
    gallery, codes = random_gallery("numpy", n=90, n_fish=30)
    probes = np.random.default_rng(3).integers(0, 8, size=(6, 64))
    matches = gallery.search_identities(probes, 5, settings=SETTINGS)
    oracle = similarity_matrix(probes, codes)
    for i, found in enumerate(matches):
        per_fish = {f"fish{f}": oracle[i, f::30].max() for f in range(30)}
        best = sorted(per_fish.values(), reverse=True)[:5]
        assert [m.score for m in found] == best
        assert len({m.identity for m in found}) == 5
        for match in found:
            assert per_fish[match.identity] == match.score


def test_same_side_by_default_and_cross_side_on_request():
    gallery = CodeGallery(SETTINGS)
    codes = np.zeros((3, 64), int)
    gallery.enrol(codes, ["a", "b", "c"], sides=["left", "right", "unknown"])
    left = gallery.search(codes[:1], 3, settings=SETTINGS, sides=["left"])
    assert set(left.identities[0]) == {"a", "c", ""}
    assert set(gallery.search(codes[:1], 3, settings=SETTINGS).identities[0]) == {"a", "b", "c"}
    both = gallery.search(codes[:1], 3, settings=SETTINGS, sides=["left"], same_side=False)
    assert set(both.identities[0]) == {"a", "b", "c"}
    assert left.scores[0, -1] == -np.inf and left.indices[0, -1] == -1


def test_enrol_replaces_an_image_id_and_remove_drops_templates():
    gallery = CodeGallery(SETTINGS)
    gallery.enrol(np.zeros((2, 64), int), ["a", "b"], image_ids=["x", "y"])
    gallery.enrol(np.ones((1, 64), int), ["c"], image_ids=["x"])
    assert sorted(gallery.image_ids) == ["x", "y"] and len(gallery) == 2
    assert gallery.identities[gallery.image_ids == "x"][0] == "c"
    assert gallery.remove(identities=["b"]) == 1
    assert gallery.remove(image_ids=["x"]) == 1 and len(gallery) == 0
    with pytest.raises(GalleryError, match="empty"):
        gallery.search(np.zeros((1, 64), int), 1, settings=SETTINGS)


@pytest.mark.parametrize("change, field", [
    ({"model_hash": "model-b"}, "model_hash"),
    ({"key_id": "0123456789abcdef"}, "key_id"),
    ({"q": 16}, "q"),
])
def test_probes_of_another_model_key_or_setting_are_refused(change, field):
    gallery, codes = random_gallery("numpy", n=10)
    other = GallerySettings(**{**SETTINGS.to_dict(), **change})
    with pytest.raises(GalleryError, match=field):
        gallery.search(codes[:1], 1, settings=other)


def test_bad_codes_are_refused_with_the_expected_shape():
    gallery = CodeGallery(SETTINGS)
    with pytest.raises(GalleryError, match=r"\(n, 64\)"):
        gallery.enrol(np.zeros((2, 32), int), ["a", "b"])
    with pytest.raises(GalleryError, match=r"\[0, 7\]"):
        gallery.enrol(np.full((1, 64), 8), ["a"])


@pytest.mark.parametrize("backend", ["numpy", "faiss"])
def test_embedding_gallery_scores_are_the_protocol_cosines(backend):
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(200, 16)).astype("float32")
    settings = GallerySettings("embeddings", model_hash="model-a", embedding_dim=16)
    gallery = EmbeddingGallery(settings, backend=backend)
    gallery.enrol(vectors, [f"fish{i}" for i in range(200)])
    probes = rng.normal(size=(12, 16)).astype("float32")
    found = gallery.search(probes, 5, settings=settings)
    oracle = similarity_matrix(probes, vectors)
    np.testing.assert_allclose(found.scores, np.sort(oracle, axis=1)[:, ::-1][:, :5], atol=1e-5)
    np.testing.assert_allclose(np.take_along_axis(oracle, found.indices, 1), found.scores,
                               atol=1e-5)


def test_an_embedding_gallery_cannot_be_keyed():
    with pytest.raises(GalleryError, match="never stored in a protected"):
        GallerySettings("embeddings", model_hash="a", embedding_dim=4, key_id="k")
