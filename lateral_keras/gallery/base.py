"""`Gallery`: enrolled templates with their fish, session, side and image id; exact or FAISS
search, same-side by default. `CodeGallery` and `EmbeddingGallery` fill in the templates."""

import numpy as np

from lateral_keras.data.records import SIDES
from lateral_keras.gallery.errors import GalleryError
from lateral_keras.gallery.result import Match, SearchResult

BACKENDS = ("numpy", "faiss", "faiss-hnsw")
"""`numpy`: exact; `faiss`: exact FAISS flat index; `faiss-hnsw`: approximate FAISS HNSW."""

UNKNOWN_SIDE = "unknown"
_META = ("identities", "sessions", "sides", "image_ids")


def _strings(values, n, name, default):
    if values is None:
        return np.array([default] * n, dtype=str)
    values = np.asarray(values, dtype=str)
    if values.shape != (n,):
        raise GalleryError(f"`{name}` must have one entry per template ({n}). "
                           f"Received: shape={values.shape}")
    return values


class Gallery:
    """Templates of known fish, searchable by similarity (base class).

    Subclasses set `kind` and implement `_width`, `_check_features`, `_new_index` and
    `_to_scores` (and `_queries` when the index takes another form of the probes).

    Args:
        settings: the `GallerySettings` the templates are made with.
        backend: one of `BACKENDS`.
        path: the file the gallery was read from (used in messages).
    """

    kind = None

    def __init__(self, settings, backend="numpy", path=None):
        if settings.kind != self.kind:
            raise GalleryError(f"{type(self).__name__} holds {self.kind}. "
                               f"Received: settings.kind={settings.kind!r}")
        if backend not in BACKENDS:
            raise GalleryError(f"`backend` must be one of {BACKENDS}. Received: {backend!r}")
        self.settings = settings
        self.backend = backend
        self.path = path
        self.features = self._check_features(np.zeros((0, self._width())))
        for name in _META:
            setattr(self, name, np.zeros(0, dtype=str))
        self._indexes = {}

    @property
    def name(self):
        """The gallery's file name, or `<in-memory gallery>`."""
        return self.path or "<in-memory gallery>"

    def __len__(self):
        return len(self.features)

    def enrol(self, features, identities, sessions=None, sides=None, image_ids=None):
        """Add templates; a template whose image id is already enrolled replaces it.

        Args:
            features: templates `(n, width)` (see the subclass).
            identities: fish names `(n,)`.
            sessions: session names `(n,)` (default "").
            sides: `left` / `right` / `unknown` per template (default `unknown`).
            image_ids: unique image ids `(n,)` (default: the row numbers).

        Returns:
            The number of templates now in the gallery.

        Raises:
            GalleryError: wrong shapes, sides, or repeated image ids in the input.
        """
        features = self._check_features(features)
        n = len(features)
        meta = {
            "identities": _strings(identities, n, "identities", ""),
            "sessions": _strings(sessions, n, "sessions", ""),
            "sides": _strings(sides, n, "sides", UNKNOWN_SIDE),
            "image_ids": _strings(image_ids, n, "image_ids", ""),
        }
        if image_ids is None:
            meta["image_ids"] = np.array([str(len(self) + i) for i in range(n)])
        bad = sorted(set(meta["sides"]) - set(SIDES))
        if bad:
            raise GalleryError(f"{self.name}: sides must be among {SIDES}. Received: {bad}")
        if np.any(meta["identities"] == ""):
            raise GalleryError(f"{self.name}: every template needs a fish identity.")
        if len(set(meta["image_ids"])) != n:
            raise GalleryError(f"{self.name}: image ids repeat within one enrolment.")
        keep = ~np.isin(self.image_ids, meta["image_ids"])
        self.features = np.concatenate([self.features[keep], features])
        for name in _META:
            setattr(self, name, np.concatenate([getattr(self, name)[keep], meta[name]]))
        self._indexes = {}
        return len(self)

    def remove(self, *, identities=(), image_ids=()):
        """Remove every template of `identities` and the templates of `image_ids`.

        Returns:
            The number of templates removed.
        """
        drop = np.isin(self.identities, list(identities)) | np.isin(self.image_ids,
                                                                     list(image_ids))
        self.features = self.features[~drop]
        for name in _META:
            setattr(self, name, getattr(self, name)[~drop])
        self._indexes = {}
        return int(drop.sum())

    def save(self, path):
        """Write the gallery to `path` atomically (see `lateral_keras.gallery.storage`)."""
        from lateral_keras.gallery.storage import save_gallery

        return save_gallery(self, path)

    def check_probe_settings(self, settings):
        """Raise `GalleryError` unless probes made with `settings` may search this gallery."""
        differences = self.settings.differences(settings)
        if differences:
            raise GalleryError(
                f"{self.name}: the probes were not made like this gallery's templates ("
                + "; ".join(differences)
                + "). Search it with the run (and key) that enrolled it, or enrol the fish "
                "again with this run and key."
            )

    def _index_for(self, probe_side, same_side):
        """The search index over the gallery rows a probe of `probe_side` may match, and them."""
        key = probe_side if same_side and probe_side != UNKNOWN_SIDE else UNKNOWN_SIDE
        if key not in self._indexes:
            if key == UNKNOWN_SIDE:
                rows = np.arange(len(self))
            else:
                rows = np.flatnonzero((self.sides == key) | (self.sides == UNKNOWN_SIDE))
            index = self._new_index(self.features[rows]) if len(rows) else None
            self._indexes[key] = (index, rows)
        return self._indexes[key]

    def search(self, features, k=5, *, settings, sides=None, same_side=True):
        """The `k` most similar gallery templates of each probe.

        Args:
            features: probe templates `(n, width)`, made with `settings`.
            k: int >= 1.
            settings: `GallerySettings` of the probes; must match the gallery's.
            sides: probe sides `(n,)` (default `unknown`: compared with every template).
            same_side: a `left` (`right`) probe is compared only with `left` (`right`) and
                `unknown` templates; False compares every side.

        Returns:
            `SearchResult`.

        Raises:
            GalleryError: another model, code settings or key; an empty gallery; bad input.
        """
        self.check_probe_settings(settings)
        if not len(self):
            raise GalleryError(f"{self.name}: the gallery is empty; enrol fish first.")
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise GalleryError(f"`k` must be a positive int. Received: k={k!r}")
        features = self._check_features(features)
        n = len(features)
        sides = _strings(sides, n, "sides", UNKNOWN_SIDE)
        scores = np.full((n, k), -np.inf)
        indices = np.full((n, k), -1, dtype=np.int64)
        for side in np.unique(sides):
            index, rows = self._index_for(side, same_side)
            if index is None:
                continue
            probes = np.flatnonzero(sides == side)
            width = min(k, len(rows))
            raw, found = index.search(self._queries(features[probes]), width)
            valid = found >= 0
            scores[probes[:, None], np.arange(width)] = np.where(valid, self._to_scores(raw),
                                                                 -np.inf)
            indices[probes[:, None], np.arange(width)] = np.where(valid, rows[found], -1)
        return SearchResult(scores, indices, self._lookup(self.identities, indices),
                            self._lookup(self.image_ids, indices))

    def search_identities(self, features, k=5, *, settings, sides=None, same_side=True):
        """The `k` best fish of each probe: a fish scores its best template (as the protocol).

        Searching `k` times the most templates any fish has guarantees `k` distinct fish
        whenever the gallery holds that many.

        Returns:
            One list of `Match` per probe, best first (shorter when fewer fish are comparable).
        """
        per_fish = int(np.unique(self.identities, return_counts=True)[1].max()) if len(self) else 1
        found = self.search(features, min(len(self), k * per_fish), settings=settings,
                            sides=sides, same_side=same_side)
        matches = []
        for scores, rows in zip(found.scores, found.indices):
            best = {}
            for score, row in zip(scores, rows):
                if row >= 0 and self.identities[row] not in best:
                    best[self.identities[row]] = Match(str(self.identities[row]), float(score),
                                                       str(self.image_ids[row]),
                                                       str(self.sessions[row]),
                                                       str(self.sides[row]))
            matches.append(list(best.values())[:k])
        return matches

    @staticmethod
    def _lookup(values, indices):
        out = np.where(indices >= 0, values[np.maximum(indices, 0)] if len(values) else "", "")
        return out.astype(str)

    def _width(self):
        raise NotImplementedError

    def _check_features(self, features):
        raise NotImplementedError

    def _new_index(self, features):
        raise NotImplementedError

    def _queries(self, features):
        """Probe templates as the search index takes them."""
        return features

    def _to_scores(self, raw):
        raise NotImplementedError
