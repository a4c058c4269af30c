"""What a batch preparation found, in one line, and a warning when many photos gave no ROI."""

import dataclasses

from lateral_keras.preprocessing.result import ROI_REASONS

REASON_HINTS = {
    "no_background": "the photos show no green background: set `preprocessing.roi: box` (the "
    "manifest's boxes, else whole photos) or `roi: none` (photos already cut to the skin)",
    "grayscale": "the photos carry no colour to find a green background by: set "
    "`preprocessing.roi: box` or `roi: none`",
    "no_fish": "no fish-sized object stands out from the background: check the failure sheet; "
    "photos without a green background need `preprocessing.roi: box` or `none`",
    "multiple_objects": "photos hold more than one fish-sized object: crop them to one fish, or "
    "give a box per photo (`preprocessing.roi: box`)",
    "fish_cut_by_frame": "fish run out of the frame: photograph the whole fish, or use "
    "`preprocessing.roi: box`",
    "landmark_not_found": "the eye, dorsal fin or belly was not found: place the landmarks by "
    "hand for these photos (`preprocessing.manual_csv`)",
    "too_blurred": "ROIs are below `min_sharpness`: retake them or lower the setting",
}
"""What to change when most failures share one reason, by reason code."""


@dataclasses.dataclass(frozen=True)
class PrepareSummary:
    """What `prepare_dataset` did and found (also written as `summary.json`).

    Args:
        cache_dir: absolute cache folder.
        roi_mode: `extract`, `none` or `box`.
        total: files in the report (images indexed plus files the scan skipped).
        ok: images with a cached ROI.
        failed: images whose extraction failed (with a reason).
        skipped: files the dataset scan left out.
        error: images that raised an unexpected exception (not cached, retried next run).
        processed: images processed by this run.
        reused: images whose finished entry this run reused.
        reasons: failures (and skips) by reason code.
        sessions: `{session: {status: count}}`.
        files: `{name: path}` of the files written.
        direction_measured: ROIs with a `direction_margin` (not those placed by hand, nor
            those cached before it was measured).
        unsure_direction: ROIs whose direction decision was nearly a coin toss
            (`direction_margin` below `report.UNSURE_DIRECTION`).
        odd_proportions: ROIs whose eye-to-fin span is far from the dataset's
            (`report.odd_proportion_rows`).

    Example:
        >>> summary = prepare_dataset("data/fish", "cache/fish")  # doctest: +SKIP
        >>> summary.describe()  # doctest: +SKIP
        '421 files: 412 ROIs, 9 failed, 0 skipped, 0 errors (412 processed, 0 reused); ...'
    """

    cache_dir: str
    roi_mode: str
    total: int
    ok: int
    failed: int
    skipped: int
    error: int
    processed: int
    reused: int
    reasons: dict
    sessions: dict
    files: dict
    direction_measured: int = 0
    unsure_direction: int = 0
    odd_proportions: int = 0

    def describe(self):
        """One line: the counts, the failure reasons (commonest first) and the report's path.

        Returns:
            A string.
        """
        line = (
            f"{self.total} files: {self.ok} ROIs, {self.failed} failed, {self.skipped} skipped, "
            f"{self.error} errors ({self.processed} processed, {self.reused} reused)"
        )
        if self.reasons:
            line += "; " + ", ".join(f"{reason} {n}" for reason, n in self._by_count())
        if self.unsure_direction:
            line += f"; {self.unsure_direction} ROIs unsure of their direction"
        if self.odd_proportions:
            line += f"; {self.odd_proportions} ROIs of odd proportions"
        return f"{line}; report: {self.files['summary_md']}"

    def warning(self, max_share=0.1):
        """A warning when more than ``max_share`` of the images gave no ROI, else None.

        It names the share, the commonest reason with what to change (``REASON_HINTS``) and
        the contact sheet of the failures.

        Args:
            max_share: the largest share of images without a ROI that passes silently.

        Returns:
            A string, or None.
        """
        missing = self.failed + self.error
        images = self.ok + missing
        if not images or missing <= max_share * images:
            return None
        known = set(ROI_REASONS) | {"internal_error"}  # not the scan's reasons for skipped files
        ranked = self._by_count()
        reason, count = next(((r, n) for r, n in ranked if r in known), ranked[0])
        hint = REASON_HINTS.get(reason, f"see {self.files['summary_md']}")
        return (
            f"{missing} of {images} photos ({missing / images:.0%}) gave no ROI; the commonest "
            f"reason, {reason} ({count}): {hint}. Failures are drawn on "
            f"{self.files['failures_png']}."
        )

    def _by_count(self):
        return sorted(self.reasons.items(), key=lambda item: (-item[1], item[0]))
