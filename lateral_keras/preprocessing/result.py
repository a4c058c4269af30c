"""The outcome of one ROI extraction, and the one list of its failure reasons."""

import dataclasses

import numpy as np

ROI_REASONS = {
    "missing_file": "the path does not exist (from lateral_keras.data.image_io)",
    "unreadable": "the operating system refused to read the file (from image_io)",
    "empty_file": "the file has zero bytes (from image_io)",
    "not_an_image": "the bytes are no PNG, JPEG, BMP or TIFF image (from image_io)",
    "undecodable": "an image signature, but the pixels do not decode (from image_io)",
    "truncated": "the file ends before its end marker (from image_io)",
    "too_small": "the image is too small to hold a fish (image_io, or under 16 px here)",
    "bad_input": "the array given is not an (H, W, 3) or (H, W, 4) uint8/uint16 image",
    "grayscale": "the image carries no hue (equal channels or saturation about 0)",
    "no_background": "too little green background to separate the fish",
    "no_fish": "no object of plausible fish size on the background",
    "multiple_objects": "a second object of similar size to the largest one",
    "fish_cut_by_frame": "the fish touches the image border substantially",
    "landmark_not_found": "the eye (EP), dorsal fin (UP) or belly point (BP) was not found",
    "roi_too_small": "the ROI is below the minimum side in full-resolution pixels",
    "too_blurred": "the ROI's variance of the Laplacian is below the minimum sharpness",
    "bad_manual_entry": "a manual override whose points give no valid ROI",
}
"""Every ``RoiResult.reason`` code with its meaning; callers branch on the code."""

ROW_FIELDS = (
    "ok",
    "reason",
    "message",
    "source",
    "side",
    "mirrored",
    "rotation_deg",
    "ep_x",
    "ep_y",
    "up_x",
    "up_y",
    "bp_x",
    "bp_y",
    "roi_x0",
    "roi_y0",
    "roi_x1",
    "roi_y1",
    "roi_x2",
    "roi_y2",
    "roi_x3",
    "roi_y3",
    "fish_area_share",
    "touches_frame",
    "direction_margin",
    "eye_to_fin",
    "sharpness",
    "exposure_mean_v",
    "exposure_clipped_share",
)
"""The columns of ``RoiResult.to_row()``, in order (for a CSV header)."""


@dataclasses.dataclass(frozen=True)
class RoiResult:
    """What ``extract_roi`` found in one photo; failures carry a reason instead of a ROI.

    Coordinates are original-image pixels (x right, y down, pixel centres at integers).
    The normalised frame has the head on the left and the dorsal side up.

    Args:
        ok: True when ``roi`` holds the skin ROI.
        reason: None when ok, else a code from ``ROI_REASONS``.
        message: a human-readable explanation ("" when ok).
        roi: the ROI, uint8 RGB ``(height, width, 3)`` in the normalised frame, or None.
        mask: the fish mask (bool) on the downscaled working copy, or None.
        landmarks: ``{"EP": (x, y), "UP": (x, y), "BP": (x, y)}`` in original
            coordinates, or None.
        corners: ``(4, 2)`` float array of the ROI corners in original coordinates, in
            the order top-left, top-right, bottom-right, bottom-left of the normalised frame,
            or None.
        rotation_deg: the direction of the normalised frame's x axis (head to tail) in the
            original image, degrees counter-clockwise as seen on screen (image y down), in
            (-180, 180]; None when unknown.
        mirrored: True when the photo was mirrored to get the head on the left with the
            dorsal side up.
        side: ``'left'`` when no mirror was needed (a left flank, dorsal up, has the head
            pointing left), ``'right'`` when mirrored; None when unknown.
        quality: ``fish_area_share`` (fish pixels / image pixels), ``touches_frame``
            (bool), ``direction_margin`` (how sure the head and dorsal decision was, 0 = a
            coin toss: ``orientation.direction_margin``), ``eye_to_fin`` (the ROI's length,
            eye to dorsal fin, over the fish's length on the mask: a species keeps it within
            a narrow range, so an outlier marks a mask that lost part of the fish; see
            ``report.odd_proportion_rows``), ``sharpness`` (variance of the
            Laplacian of the ROI's gray levels) and
            ``exposure`` (``{"mean_v": ..., "clipped_share": ...}`` on the ROI, 0-1).
        source: ``'auto'`` (found by the extractor) or ``'manual'`` (from an override).

    Example:
        >>> result = RoiResult(ok=False, reason="no_fish", message="nothing on the background")
        >>> result.to_row()["reason"]
        'no_fish'
    """

    ok: bool
    reason: str | None = None
    message: str = ""
    roi: np.ndarray | None = None
    mask: np.ndarray | None = None
    landmarks: dict | None = None
    corners: np.ndarray | None = None
    rotation_deg: float | None = None
    mirrored: bool | None = None
    side: str | None = None
    quality: dict = dataclasses.field(default_factory=dict)
    source: str = "auto"

    def __post_init__(self):
        if self.ok and self.reason is not None:
            raise ValueError(f"A successful result has no reason. Received: reason={self.reason!r}")
        if not self.ok and self.reason not in ROI_REASONS:
            raise ValueError(
                f"`reason` must be one of {sorted(ROI_REASONS)}. Received: reason={self.reason!r}"
            )

    def to_row(self):
        """Flatten the result into one CSV row (keys ``ROW_FIELDS``; missing values ``""``).

        Returns:
            A dict with the keys of ``ROW_FIELDS``; coordinates rounded to 0.01 px.
        """
        row = dict.fromkeys(ROW_FIELDS, "")
        row.update(ok=bool(self.ok), reason=self.reason or "", message=self.message)
        row.update(source=self.source, side=self.side or "")
        if self.mirrored is not None:
            row["mirrored"] = bool(self.mirrored)
        if self.rotation_deg is not None:
            row["rotation_deg"] = round(float(self.rotation_deg), 3)
        for name, point in (self.landmarks or {}).items():
            row[f"{name.lower()}_x"] = round(float(point[0]), 2)
            row[f"{name.lower()}_y"] = round(float(point[1]), 2)
        if self.corners is not None:
            for i, (x, y) in enumerate(np.asarray(self.corners, dtype=float)):
                row[f"roi_x{i}"] = round(float(x), 2)
                row[f"roi_y{i}"] = round(float(y), 2)
        quality = self.quality or {}
        for key in ("fish_area_share", "touches_frame", "direction_margin", "eye_to_fin",
                    "sharpness"):
            if key in quality:
                row[key] = quality[key]
        exposure = quality.get("exposure") or {}
        if "mean_v" in exposure:
            row["exposure_mean_v"] = exposure["mean_v"]
            row["exposure_clipped_share"] = exposure["clipped_share"]
        return row


def failed(reason, message, **fields):
    """Build a failed ``RoiResult``.

    Args:
        reason: a code from ``ROI_REASONS``.
        message: what went wrong, naming the value found and what was expected.
        **fields: any other ``RoiResult`` field known so far (e.g. ``mask``, ``quality``).

    Returns:
        A ``RoiResult`` with ``ok=False``.

    Example:
        >>> failed("no_fish", "largest object covers 0.1 % of the image").ok
        False
    """
    return RoiResult(ok=False, reason=reason, message=message, **fields)


class ExtractionFailure(Exception):
    """Raised inside the extractor's steps; ``extract_roi`` turns it into a failed result.

    Args:
        reason: a code from ``ROI_REASONS``.
        message: what went wrong.

    Example:
        >>> ExtractionFailure("no_fish", "nothing found").reason
        'no_fish'
    """

    def __init__(self, reason, message):
        if reason not in ROI_REASONS:
            raise ValueError(
                f"`reason` must be one of {sorted(ROI_REASONS)}. Received: reason={reason!r}"
            )
        super().__init__(reason, message)
        self.reason = reason
        self.message = message
