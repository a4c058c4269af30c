"""The result of scanning a dataset: image records, ordered sessions, skipped files."""

import collections

from lateral_keras.data.records import ImageRecord, SkippedFile

_LISTED_PER_REASON = 20


class DatasetIndex:
    """Images of identities over ordered sessions, plus the files that were left out.

    Records are kept sorted by (session order, identity, file name, path), so nothing
    depends on the order in which folders were listed.

    Args:
        records: iterable of ``ImageRecord``.
        sessions: the session names, earliest first; every record's session must be here.
        skipped: iterable of ``SkippedFile`` (or ``(path, reason)`` pairs).
        source: optional folder or file the index was built from, shown in summaries.

    Example:
        >>> index = DatasetIndex([ImageRecord("/d/S1/f1/a.png", "f1", "S1")], ["S1"])
        >>> index.identities(), len(index)
        (('f1',), 1)
    """

    def __init__(self, records, sessions, skipped=(), source=None):
        sessions = tuple(sessions)
        if len(set(sessions)) != len(sessions):
            raise ValueError(f"DatasetIndex `sessions` has duplicates. Received: {sessions}")
        rank = {name: i for i, name in enumerate(sessions)}
        records = tuple(records)
        for record in records:
            if not isinstance(record, ImageRecord):
                raise TypeError(f"DatasetIndex records must be ImageRecord. Received: {record!r}")
            if record.session not in rank:
                raise ValueError(
                    f"Record {record.path} has session {record.session!r}, "
                    f"which is not in `sessions` {list(sessions)}"
                )
        self.records = tuple(
            sorted(records, key=lambda r: (rank[r.session], r.identity, r.filename, r.path))
        )
        self.sessions = sessions
        self.skipped = tuple(SkippedFile(*item) for item in skipped)
        self.source = source

    def __len__(self):
        return len(self.records)

    def __repr__(self):
        return (
            f"DatasetIndex(source={self.source!r}, sessions={len(self.sessions)}, "
            f"identities={len(self.identities())}, images={len(self)}, "
            f"skipped={len(self.skipped)})"
        )

    def identities(self):
        """Return the identity names, sorted (plain string order), as a tuple."""
        return tuple(sorted({record.identity for record in self.records}))

    def counts(self):
        """Count images per session and identity.

        Returns:
            ``{session: {identity: n_images}}``, sessions in order, identities sorted;
            a session lists only the identities that have images in it.
        """
        counter = collections.Counter((r.session, r.identity) for r in self.records)
        return {
            session: {
                identity: counter[(session, identity)]
                for identity in sorted(i for s, i in counter if s == session)
            }
            for session in self.sessions
        }

    def subset(self, identities):
        """Keep only the records of ``identities``.

        Sessions left without records are dropped (the order of the rest is kept);
        the skipped files are kept as they are.

        Args:
            identities: iterable of identity names, all present in this index.

        Returns:
            A new ``DatasetIndex``.

        Raises:
            ValueError: an identity is not in this index.
        """
        wanted = set(identities)
        unknown = sorted(wanted - set(self.identities()))
        if unknown:
            raise ValueError(
                f"subset(): {len(unknown)} identities are not in the index of {self.source}: "
                f"{unknown[:5]}"
            )
        records = [r for r in self.records if r.identity in wanted]
        present = {r.session for r in records}
        sessions = [s for s in self.sessions if s in present]
        return DatasetIndex(records, sessions, self.skipped, self.source)

    def summary_text(self):
        """Return a human-readable report: counts per session, identities, images, skips.

        Returns:
            A multi-line string ending with a newline.
        """
        counts = self.counts()
        lines = [
            f"Dataset: {self.source}",
            f"{len(self.sessions)} sessions, {len(self.identities())} identities, "
            f"{len(self)} images, {len(self.skipped)} skipped files",
            "",
            f"{'session':<20} {'identities':>10} {'images':>8} {'per identity (min-max)':>24}",
        ]
        for session, per_identity in counts.items():
            values = list(per_identity.values()) or [0]
            spread = f"{min(values)}-{max(values)}"
            lines.append(f"{session:<20} {len(per_identity):>10} {sum(values):>8} {spread:>24}")
        everywhere = set.intersection(*(set(c) for c in counts.values())) if counts else set()
        lines.append("")
        lines.append(f"Identities in every session: {len(everywhere)} of {len(self.identities())}")
        if self.skipped:
            lines.append("")
            lines.append(f"Skipped files ({len(self.skipped)}):")
            by_reason = collections.defaultdict(list)
            for path, reason in self.skipped:
                by_reason[reason].append(path)
            for reason in sorted(by_reason):
                paths = sorted(by_reason[reason])
                lines.append(f"  {reason}: {len(paths)}")
                lines.extend(f"    {path}" for path in paths[:_LISTED_PER_REASON])
                if len(paths) > _LISTED_PER_REASON:
                    lines.append(f"    ... and {len(paths) - _LISTED_PER_REASON} more")
        return "\n".join(lines) + "\n"
