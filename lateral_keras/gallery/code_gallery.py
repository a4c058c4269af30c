"""`CodeGallery`: IoM argmax codes searched by one-hot Hamming distance = 2 (m - collisions)."""

import numpy as np

from lateral_keras.gallery.base import Gallery
from lateral_keras.gallery.errors import GalleryError
from lateral_keras.gallery.packing import pack_onehot, similarity_from_hamming


class CodeGallery(Gallery):
    """A gallery of Index-of-Max codes (plain or keyed); scores are collisions / m.

    Codes are packed into one-hot bits (`pack_onehot`), so the Hamming distance between two
    packed codes is `2 (m - c)` and every backend ranks exactly by collisions: `numpy`
    (XOR + popcount), `faiss` (`IndexBinaryFlat`), both exact and returning the same distances,
    and `faiss-hnsw` (`IndexBinaryHNSW`, approximate). Scores equal the protocol's
    (`lateral_keras.evaluation.similarity_matrix`). Only codes are stored: a keyed gallery
    holds no embedding.

    Args:
        settings: `GallerySettings` with `kind="codes"`, `m`, `q` (and `key_id` when keyed).
        backend: `numpy`, `faiss` or `faiss-hnsw`.
        path: the file the gallery was read from (used in messages).

    Example:
        >>> settings = GallerySettings("codes", model_hash="ab12", m=4, q=8)
        >>> gallery = CodeGallery(settings)
        >>> gallery.enrol(np.array([[0, 1, 2, 3], [7, 7, 7, 7]]), ["fish_a", "fish_b"])
        2
        >>> gallery.search(np.array([[0, 1, 2, 0]]), k=1, settings=settings).scores
        array([[0.75]])
    """

    kind = "codes"

    def _width(self):
        return self.settings.m

    def _check_features(self, features):
        codes = np.asarray(features)
        m, q = self.settings.m, self.settings.q
        if codes.ndim != 2 or codes.shape[1] != m or not (
            codes.size == 0 or np.issubdtype(codes.dtype, np.integer)
        ):
            raise GalleryError(
                f"{self.name}: codes must be integers of shape (n, {m}). "
                f"Received: shape={codes.shape}, dtype={codes.dtype}"
            )
        if codes.size and (codes.min() < 0 or codes.max() >= q):
            raise GalleryError(
                f"{self.name}: code values must lie in [0, {q - 1}]. "
                f"Received: min={codes.min()}, max={codes.max()}"
            )
        return codes.astype(np.uint8 if q <= 256 else np.uint16)

    def _new_index(self, features):
        packed = pack_onehot(features, self.settings.q)
        if self.backend == "numpy":
            from lateral_keras.gallery.numpy_index import NumpyBinaryIndex

            return NumpyBinaryIndex(packed)
        from lateral_keras.gallery.faiss_index import FaissBinaryIndex

        return FaissBinaryIndex(packed, approximate=self.backend == "faiss-hnsw")

    def _queries(self, features):
        return pack_onehot(features, self.settings.q)

    def _to_scores(self, raw):
        return similarity_from_hamming(raw, self.settings.m)

