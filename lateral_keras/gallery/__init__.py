"""Galleries of enrolled fish: IoM codes or embeddings, exact (NumPy, FAISS) or approximate
(FAISS HNSW) 1:N search, and the files they are kept in.

Example:

```python
from lateral_keras.gallery import CodeGallery, GallerySettings, load_gallery

settings = GallerySettings("codes", model_hash="3f2a9c0d51e7b4a8", m=256, q=8)
gallery = CodeGallery(settings, backend="faiss")
gallery.enrol(codes, identities, sessions, sides, image_ids)
gallery.save("fish_gallery.npz")
matches = load_gallery("fish_gallery.npz").search_identities(probe_codes, k=5,
                                                             settings=settings)
```
"""

from lateral_keras.gallery.base import BACKENDS, Gallery
from lateral_keras.gallery.code_gallery import CodeGallery
from lateral_keras.gallery.embedding_gallery import EmbeddingGallery
from lateral_keras.gallery.errors import GalleryError
from lateral_keras.gallery.fingerprint import model_hash
from lateral_keras.gallery.packing import pack_onehot, similarity_from_hamming
from lateral_keras.gallery.result import Match, SearchResult
from lateral_keras.gallery.settings import GallerySettings
from lateral_keras.gallery.storage import FORMAT_VERSION, load_gallery, save_gallery

__all__ = [
    "BACKENDS",
    "FORMAT_VERSION",
    "CodeGallery",
    "EmbeddingGallery",
    "Gallery",
    "GalleryError",
    "GallerySettings",
    "Match",
    "SearchResult",
    "load_gallery",
    "model_hash",
    "pack_onehot",
    "save_gallery",
    "similarity_from_hamming",
]
