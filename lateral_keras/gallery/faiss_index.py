"""FAISS search: `IndexBinaryFlat` (exact) or `IndexBinaryHNSW` (approximate) over packed codes,
`IndexFlatIP` (exact) or `IndexHNSWFlat` (approximate) inner product over unit embeddings."""

import numpy as np

from lateral_keras.gallery.numpy_index import unit_rows

HNSW_NEIGHBOURS = 32
"""`M` of the HNSW graphs: links per node."""

HNSW_EF_SEARCH = 128
"""`efSearch` of the HNSW graphs: candidates kept while searching (higher = more exact)."""


def import_faiss():
    """Import `faiss`, or raise an `ImportError` saying how to get it or what to use instead.

    Returns:
        The `faiss` module.
    """
    try:
        import faiss
    except ImportError as error:
        raise ImportError(
            "The FAISS gallery backends need the `faiss` package, which is not installed. "
            "Install it with `pip install faiss-cpu` (or `pip install 'lateral-keras[faiss]'`), "
            "or use backend='numpy' (exact, slower on large galleries)."
        ) from error
    return faiss


class FaissBinaryIndex:
    """FAISS Hamming search over one-hot packed codes.

    Args:
        packed: `uint8 (N, B)` rows from `pack_onehot`.
        approximate: `IndexBinaryHNSW` (approximate) instead of `IndexBinaryFlat` (exact).
    """

    def __init__(self, packed, approximate=False):
        faiss = import_faiss()
        packed = np.ascontiguousarray(packed, dtype=np.uint8)
        bits = packed.shape[1] * 8
        if approximate:
            self._index = faiss.IndexBinaryHNSW(bits, HNSW_NEIGHBOURS)
            self._index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            self._index = faiss.IndexBinaryFlat(bits)
        self._index.add(packed)
        self.ntotal = self._index.ntotal

    def search(self, packed, k):
        """The `k` nearest codes: `(hamming int32 (n, k), ids int64 (n, k))`, id -1 when none."""
        distances, ids = self._index.search(np.ascontiguousarray(packed, dtype=np.uint8), k)
        return distances.astype(np.int32), ids.astype(np.int64)


class FaissInnerProductIndex:
    """FAISS cosine search: inner product over unit rows.

    Args:
        vectors: float array `(N, d)`.
        approximate: `IndexHNSWFlat` (approximate) instead of `IndexFlatIP` (exact).
    """

    def __init__(self, vectors, approximate=False):
        faiss = import_faiss()
        unit = unit_rows(vectors)
        if approximate:
            self._index = faiss.IndexHNSWFlat(unit.shape[1], HNSW_NEIGHBOURS,
                                              faiss.METRIC_INNER_PRODUCT)
            self._index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            self._index = faiss.IndexFlatIP(unit.shape[1])
        self._index.add(unit)
        self.ntotal = self._index.ntotal

    def search(self, vectors, k):
        """The `k` most similar rows: `(cosine float32 (n, k), ids int64 (n, k))`."""
        sims, ids = self._index.search(unit_rows(vectors), k)
        return sims.astype(np.float32), ids.astype(np.int64)
