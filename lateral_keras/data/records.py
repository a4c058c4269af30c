"""The rows of a dataset index: one image record, one skipped file."""

import dataclasses
import os
from typing import NamedTuple

SIDES = ("left", "right", "unknown")
"""Which side of the fish a photo shows; ``unknown`` unless a manifest says otherwise."""


@dataclasses.dataclass(frozen=True)
class ImageRecord:
    """One image of one identity in one session.

    Args:
        path: the image file (absolute).
        identity: the fish's name (its folder name, the same in every session).
        session: the session's name.
        side: one of ``SIDES``.
        box: optional bounding box ``(x, y, w, h)`` in pixels, from a manifest.

    Example:
        >>> ImageRecord("/data/S1/fish_01/a.jpg", "fish_01", "S1").side
        'unknown'
    """

    path: str
    identity: str
    session: str
    side: str = "unknown"
    box: tuple | None = None

    def __post_init__(self):
        for name in ("path", "identity", "session"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(
                    f"ImageRecord `{name}` must be a non-empty string. Received: {name}={value!r}"
                )
        if self.side not in SIDES:
            raise ValueError(
                f"ImageRecord `side` must be one of {SIDES}. Received: side={self.side!r}"
            )
        if self.box is not None:
            box = tuple(self.box)
            if len(box) != 4 or any(not isinstance(v, int) for v in box):
                raise ValueError(
                    f"ImageRecord `box` must be 4 integers (x, y, w, h). Received: box={self.box!r}"
                )
            object.__setattr__(self, "box", box)

    @property
    def filename(self):
        """The image's file name without its folder."""
        return os.path.basename(self.path)


class SkippedFile(NamedTuple):
    """A file left out of an index, and why (a reason code, or ``row N: code ...``)."""

    path: str
    reason: str
