"""`EmbeddingGallery`: float stage-one embeddings searched by cosine similarity."""

import numpy as np

from lateral_keras.gallery.base import Gallery
from lateral_keras.gallery.errors import GalleryError


class EmbeddingGallery(Gallery):
    """A gallery of raw float embeddings; scores are cosine similarities.

    Backends: `numpy` (exact, unit rows and a matrix product), `faiss` (`IndexFlatIP` on unit
    rows, exact) and `faiss-hnsw` (`IndexHNSWFlat`, approximate). Raw embeddings are not
    protected: an embedding gallery cannot carry a key (`GallerySettings` refuses it); use a
    keyed `CodeGallery` for template protection.

    Args:
        settings: `GallerySettings` with `kind="embeddings"` and `embedding_dim`.
        backend: `numpy`, `faiss` or `faiss-hnsw`.
        path: the file the gallery was read from (used in messages).

    Example:
        >>> settings = GallerySettings("embeddings", model_hash="ab12", embedding_dim=2)
        >>> gallery = EmbeddingGallery(settings)
        >>> gallery.enrol(np.array([[1.0, 0.0], [0.0, 1.0]]), ["fish_a", "fish_b"])
        2
        >>> gallery.search(np.array([[2.0, 0.0]]), k=1, settings=settings).identities
        array([['fish_a']], dtype='<U6')
    """

    kind = "embeddings"

    def _width(self):
        return self.settings.embedding_dim

    def _check_features(self, features):
        vectors = np.asarray(features)
        dim = self.settings.embedding_dim
        if vectors.ndim != 2 or vectors.shape[1] != dim or not (
            vectors.size == 0 or np.issubdtype(vectors.dtype, np.floating)
        ):
            raise GalleryError(
                f"{self.name}: embeddings must be floats of shape (n, {dim}). "
                f"Received: shape={vectors.shape}, dtype={vectors.dtype}"
            )
        if not np.all(np.isfinite(vectors)):
            raise GalleryError(f"{self.name}: embeddings must be finite.")
        return vectors.astype(np.float32)

    def _new_index(self, features):
        if self.backend == "numpy":
            from lateral_keras.gallery.numpy_index import NumpyCosineIndex

            return NumpyCosineIndex(features)
        from lateral_keras.gallery.faiss_index import FaissInnerProductIndex

        return FaissInnerProductIndex(features, approximate=self.backend == "faiss-hnsw")

    def _to_scores(self, raw):
        return np.asarray(raw, dtype=np.float64)
