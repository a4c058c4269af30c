"""What a gallery's templates were made with; a search must bring templates made the same way."""

import dataclasses

from lateral_keras.config.schema import CENTRE_CROP, CROP_POSITIONS
from lateral_keras.gallery.errors import GalleryError

KINDS = ("codes", "embeddings")

# Compared between a gallery and its probes; `run` is where the models were found, for people.
_COMPARED = ("kind", "model_hash", "m", "q", "lut", "embedding_dim", "key_id",
             "permute_positions", "crops")


@dataclasses.dataclass(frozen=True)
class GallerySettings:
    """The provenance of templates: the model, the code settings and the key's id.

    Args:
        kind: `"codes"` (IoM argmax codes) or `"embeddings"` (float stage-one embeddings).
        model_hash: hash of the model files that made the templates (`model_hash`).
        m: code length (codes).
        q: index values per position (codes).
        lut: the run's LUT setting (`stage_two.bin_lut_loss`), recorded with the codes.
        embedding_dim: embedding size (embeddings).
        key_id: id of the key applied to the codes (`protection.key_id`), never the key; None
            for unkeyed codes.
        permute_positions: the key also permutes the code positions.
        crops: the ROI crops each template's embedding averages (the run's
            `evaluation.test_time_crops`); files written before it was recorded used the centre.
        run: the run folder the models came from (informative; not compared).

    Example:
        >>> GallerySettings("codes", "ab12", m=256, q=8).differences(
        ...     GallerySettings("codes", "ab12", m=256, q=8, key_id="k1"))
        ['key_id: None -> k1']
    """

    kind: str
    model_hash: str
    m: int | None = None
    q: int | None = None
    lut: str | None = None
    embedding_dim: int | None = None
    key_id: str | None = None
    permute_positions: bool = False
    crops: tuple = CENTRE_CROP
    run: str | None = None

    def __post_init__(self):
        if isinstance(self.crops, str) or not self.crops or any(
                crop not in CROP_POSITIONS for crop in self.crops):
            raise GalleryError(
                f"Gallery `crops` must be a non-empty sequence of {CROP_POSITIONS}. "
                f"Received: crops={self.crops!r}"
            )
        object.__setattr__(self, "crops", tuple(self.crops))  # a list once read from a file
        if self.kind not in KINDS:
            raise GalleryError(f"Gallery `kind` must be one of {KINDS}. Received: {self.kind!r}")
        if self.kind == "codes" and not (isinstance(self.m, int) and isinstance(self.q, int)
                                         and self.m >= 1 and 2 <= self.q <= 65536):
            raise GalleryError(
                f"A code gallery needs int m >= 1 and 2 <= q <= 65536. Received: m={self.m!r}, "
                f"q={self.q!r}"
            )
        if self.kind == "embeddings" and self.key_id is not None:
            raise GalleryError(
                "Raw embeddings are never stored in a protected (keyed) gallery: use a code "
                f"gallery with the key. Received: kind='embeddings', key_id={self.key_id!r}"
            )

    def differences(self, other):
        """Lines `field: ours -> theirs` for every compared field that differs."""
        return [
            f"{name}: {getattr(self, name)} -> {getattr(other, name)}"
            for name in _COMPARED
            if getattr(self, name) != getattr(other, name)
        ]

    def to_dict(self):
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values):
        known = {field.name for field in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in values.items() if name in known})
