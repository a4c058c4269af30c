"""Which flank a photo shows: from a manifest, from folder and file names, from the extractor.

Sources, strongest first (`resolve_side`):

1. the manifest's `side` column (`read_manifest`);
2. names (`sides_from_names`): the first of the file name (without extension), the identity
   folder and the session folder, innermost first, that ends in a side suffix: `_L`, `-L`,
   `_left`, `-left` (left) or `_R`, `-R`, `_right`, `-right` (right), case-insensitive, or a
   session folder named exactly `left` or `right`. The suffix is cut from the identity and
   session names (`fish07_L` and `fish07_R` are one fish, `S1_left` and `S1_right` one
   session); a session folder named `left` / `right` becomes the session `all`. Names that
   disagree (`fish07_L/img_R.jpg`) skip the image with the reason `conflicting_side`;
3. the extractor (`RoiResult.side`): a fish seen with the dorsal side up shows its left
   flank when its head points left, its right flank when the head points right (the
   extractor then mirrors the photo to put the head on the left).

A known side can also steer the extractor (`known_flank`, the `preprocessing.flank` setting):
with the flank given, it decides only the head direction, and the mirror follows.

A side stated by a stronger source is never overwritten by a weaker one; names are cut
whatever the side of the record.

Example:
    >>> side_from_name("fish07_L")
    ('left', 'fish07')
    >>> resolve_side("unknown", "right")
    'right'
"""

import dataclasses
import os
import re

from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.data.records import SkippedFile

UNKNOWN = "unknown"
FLANK_MODES = ("detect", "declared", "left", "right")
"""How the extractor learns the flank of a photo (`known_flank`)."""
SIDE_FOLDER_SESSION = "all"
"""The session of images found in a session folder named exactly `left` or `right`."""

_SUFFIX = re.compile(r"^(?P<base>.+?)[_-](?P<side>l|r|left|right)$", re.IGNORECASE)
_SIDE_OF = {"l": "left", "left": "left", "r": "right", "right": "right"}


def other_side(side):
    """`left` <-> `right`; `unknown` stays `unknown`."""
    return {"left": "right", "right": "left"}.get(side, side)


def side_from_name(name):
    """The side a name's suffix states, and the name without it.

    Args:
        name: a file stem or folder name.

    Returns:
        `(side, base)`: `('left' | 'right', name without the suffix)`, or `('unknown', name)`.

    Example:
        >>> side_from_name("IMG_0042-right"), side_from_name("fish_01")
        (('right', 'IMG_0042'), ('unknown', 'fish_01'))
    """
    match = _SUFFIX.match(name)
    if match is None:
        return UNKNOWN, name
    return _SIDE_OF[match.group("side").lower()], match.group("base")


def resolve_side(declared, extracted=None):
    """The side of an image: the declared one (manifest or names), else the extractor's.

    Args:
        declared: `left`, `right` or `unknown`.
        extracted: the extractor's side (`left`, `right`, None or "").

    Returns:
        `left`, `right` or `unknown`.
    """
    if declared != UNKNOWN:
        return declared
    return extracted if extracted in ("left", "right") else UNKNOWN


def known_flank(mode, declared):
    """The flank the extractor is told a photo shows, or None when it decides itself.

    Args:
        mode: one of `FLANK_MODES`: `detect` (the extractor decides every photo's flank),
            `declared` (a side stated by the manifest or the names is given to the
            extractor), `left` or `right` (as `declared`, and every photo without a stated
            side shows this flank).
        declared: the record's side (`left`, `right` or `unknown`).

    Returns:
        `left`, `right` or None.

    Raises:
        ValueError: `mode` is not one of `FLANK_MODES`.

    Example:
        >>> known_flank("left", "unknown"), known_flank("left", "right")
        ('left', 'right')
        >>> known_flank("declared", "unknown") is None
        True
    """
    if mode not in FLANK_MODES:
        raise ValueError(f"`flank` must be one of {FLANK_MODES}. Received: flank={mode!r}")
    if mode == "detect":
        return None
    if declared != UNKNOWN:
        return declared
    return None if mode == "declared" else mode


def sides_from_names(index):
    """Fills in the side of every record whose side is `unknown` from its names (rule 2 above).

    Args:
        index: a `DatasetIndex`.

    Returns:
        A new `DatasetIndex`: sides filled in, side suffixes cut from identity and session names,
        images whose names disagree moved to `skipped` (`conflicting_side ...`).

    Example:
        >>> index = sides_from_names(scan_dataset("photos"))  # doctest: +SKIP
    """
    records, skipped = [], list(index.skipped)
    for record in index.records:
        file_side, _ = side_from_name(os.path.splitext(record.filename)[0])
        identity_side, identity = side_from_name(record.identity)
        session_side, session = _session_side(record.session)
        found = {s for s in (file_side, identity_side, session_side) if s != UNKNOWN}
        if record.side == UNKNOWN and len(found) > 1:
            skipped.append(SkippedFile(
                record.path,
                f"conflicting_side: file {file_side}, identity {identity_side}, "
                f"session {session_side}",
            ))
            continue
        side = record.side if record.side != UNKNOWN or not found else found.pop()
        records.append(dataclasses.replace(record, identity=identity, session=session, side=side))
    order = dict.fromkeys(_session_side(session)[1] for session in index.sessions)
    return DatasetIndex(records, list(order), skipped, source=index.source)


def _session_side(session):
    if session.lower() in ("left", "right"):
        return session.lower(), SIDE_FOLDER_SESSION
    return side_from_name(session)
