"""Exact search in NumPy: Hamming popcount over packed codes, cosine over embeddings."""

import numpy as np

from lateral_keras.gallery.topk import smallest_k

# Probe rows and gallery columns per block: the XOR scratch (64 x 4096 words = 2 MiB) stays in
# cache, the per-block distance matrix is probe_rows x gallery size.
_PROBE_ROWS = 64
_GALLERY_COLUMNS = 4096


class NumpyBinaryIndex:
    """Exact Hamming search over one-hot packed codes with XOR + popcount (`np.bitwise_count`).

    Args:
        packed: `uint8 (N, B)` rows from `pack_onehot`, `B` a multiple of 8.

    Example:
        >>> index = NumpyBinaryIndex(pack_onehot(gallery_codes, q=8))  # doctest: +SKIP
        >>> hamming, ids = index.search(pack_onehot(probe_codes, q=8), k=5)  # doctest: +SKIP
    """

    def __init__(self, packed):
        words = np.ascontiguousarray(packed).view(np.uint64)
        self._columns = np.ascontiguousarray(words.T)  # (W, N): one word of every code per row
        self.ntotal = words.shape[0]

    def distances(self, packed):
        """All Hamming distances, int32 `(n, N)`."""
        queries = np.ascontiguousarray(packed).view(np.uint64)
        n, width = queries.shape
        out = np.zeros((n, self.ntotal), np.int32)
        scratch = np.empty((min(n, _PROBE_ROWS), _GALLERY_COLUMNS), np.uint64)
        counts = np.empty(scratch.shape, np.uint8)
        for row in range(0, n, _PROBE_ROWS):
            query = queries[row : row + _PROBE_ROWS]
            rows = len(query)
            for col in range(0, self.ntotal, _GALLERY_COLUMNS):
                cols = min(_GALLERY_COLUMNS, self.ntotal - col)
                xor, bits = scratch[:rows, :cols], counts[:rows, :cols]
                block = out[row : row + rows, col : col + cols]
                for word in range(width):
                    np.bitwise_xor(query[:, word : word + 1], self._columns[word, col : col + cols],
                                   out=xor)
                    np.bitwise_count(xor, out=bits)
                    block += bits
        return out

    def search(self, packed, k):
        """The `k` nearest codes of each query: `(hamming int32 (n, k), ids int64 (n, k))`."""
        hammings, ids = [], []
        for row in range(0, len(packed), _PROBE_ROWS):
            distance, index = smallest_k(self.distances(packed[row : row + _PROBE_ROWS]), k)
            hammings.append(distance)
            ids.append(index)
        if not hammings:
            return np.zeros((0, k), np.int32), np.zeros((0, k), np.int64)
        return np.concatenate(hammings), np.concatenate(ids)


def unit_rows(vectors, epsilon=1e-12):
    """float32 rows divided by their norm, each squared norm floored at `epsilon` (as
    `lateral_keras.distances.pairwise_cosine_similarity`: a zero row stays 0)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.sqrt(np.maximum(np.sum(np.square(vectors), axis=1, keepdims=True), epsilon))
    return np.ascontiguousarray(vectors / norms)


class NumpyCosineIndex:
    """Exact cosine search over float embeddings (unit rows, one matrix product per block).

    Args:
        vectors: float array `(N, d)`.
    """

    def __init__(self, vectors):
        self._unit = unit_rows(vectors)
        self.ntotal = len(self._unit)

    def search(self, vectors, k):
        """The `k` most similar rows: `(cosine float32 (n, k), ids int64 (n, k))`."""
        queries = unit_rows(vectors)
        sims, ids = [], []
        for row in range(0, len(queries), _PROBE_ROWS * 16):
            block = queries[row : row + _PROBE_ROWS * 16] @ self._unit.T
            negative, index = smallest_k(-block, k)
            sims.append(-negative)
            ids.append(index)
        if not sims:
            return np.zeros((0, k), np.float32), np.zeros((0, k), np.int64)
        return np.concatenate(sims), np.concatenate(ids)
