"""The quality report of a prepared dataset: `quality.csv`, `summary.json`, `summary.md`.

`quality.csv` has one row per file of the dataset: the record (`path`, `identity`, `session`,
`record_side`), the cache outcome (`status` = `ok`, `failed`, `skipped` (left out by the
dataset scan) or `error` (an unexpected exception, not cached, retried next run), `roi_mode`,
`key`, `roi_file`) and the extractor's row (`RoiResult.to_row()`: reason, message, landmarks,
corners, rotation, side, quality measures).
"""

import collections
import csv
import io

import numpy as np

from lateral_keras.preprocessing.ranks import MAD_TO_SIGMA
from lateral_keras.preprocessing.result import ROW_FIELDS
from lateral_keras.utils.atomic import write_json, write_text

RECORD_FIELDS = (
    "path",
    "identity",
    "session",
    "record_side",
    "status",
    "roi_mode",
    "key",
    "roi_file",
)
"""The leading columns of `quality.csv`; `RoiResult`'s `ROW_FIELDS` follow."""

QUALITY_FIELDS = RECORD_FIELDS + tuple(f for f in ROW_FIELDS if f not in RECORD_FIELDS)
"""Every column of `quality.csv`, in order."""


def write_csv(path, rows, fields):
    """Writes dict rows with the given columns to `path` atomically (missing values empty)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({field: row.get(field, "") for field in fields})
    write_text(path, buffer.getvalue())


UNSURE_DIRECTION = 0.1
"""ROIs whose ``direction_margin`` is below this are counted as unsure of their direction."""


ODD_PROPORTIONS = 3.5
"""Robust z-score of ``log(eye_to_fin)`` (from the dataset's median and scaled median absolute
deviation) above which a ROI's proportions are odd: on the default synthetic dataset 35 of
7,596 ROIs, 30 of them with the eye or the fin misplaced by over a fifth of the span between
them."""

MIN_PROPORTIONS = 20
"""Fewest ROIs with an ``eye_to_fin`` for the proportion check to run (a median and a spread
need a sample)."""


def odd_proportion_rows(rows):
    """The ROIs whose ``eye_to_fin`` lies far from the dataset's, the oddest first.

    A species keeps the eye-to-dorsal-fin span within a narrow share of its length; a mask that
    lost the fish's back, its tail or its head to the background, or took in a shadow, gives
    another share. Each row gets ``proportion_z`` (its robust z-score), and the rows above
    ``ODD_PROPORTIONS`` are returned; none when fewer than ``MIN_PROPORTIONS`` are measured.

    Args:
        rows: `quality.csv` rows.

    Returns:
        A list of rows (copies with ``proportion_z`` added).

    Example:
        >>> rows = [{"status": "ok", "eye_to_fin": 0.27 + 0.001 * (i % 5)} for i in range(30)]
        >>> rows.append({"status": "ok", "eye_to_fin": 0.09})
        >>> [row["eye_to_fin"] for row in odd_proportion_rows(rows)]
        [0.09]
    """
    measured = [row for row in rows
                if row["status"] == "ok" and row.get("eye_to_fin") not in (None, "")]
    if len(measured) < MIN_PROPORTIONS:
        return []
    logs = np.log(np.maximum([float(row["eye_to_fin"]) for row in measured], 1e-6))
    median = np.median(logs)
    spread = max(MAD_TO_SIGMA * float(np.median(np.abs(logs - median))), 1e-3)
    scores = np.abs(logs - median) / spread
    odd = [{**row, "proportion_z": round(float(z), 1)}
           for row, z in zip(measured, scores) if z > ODD_PROPORTIONS]
    return sorted(odd, key=lambda row: -row["proportion_z"])


def summarise(rows):
    """Counts of a run's rows by status, by failure reason and by session.

    Args:
        rows: `quality.csv` rows (dicts with `status`, `reason`, `session`).

    Returns:
        `{"total", "ok", "failed", "skipped", "error", "reasons": {reason: n},
        "sessions": {session: {"ok": n, "failed": n, ...}}, "direction_measured": n,
        "unsure_direction": n, "odd_proportions": n}`; reasons and sessions sorted;
        `direction_measured` counts the ROIs with a `direction_margin` (not those placed by
        hand, nor those cached before it was measured), `unsure_direction` those whose margin
        is below `UNSURE_DIRECTION`, `odd_proportions` the `odd_proportion_rows`.

    Example:
        >>> summarise([{"status": "ok", "reason": "", "session": "S1"}])["sessions"]
        {'S1': {'ok': 1}}
    """
    statuses = collections.Counter(row["status"] for row in rows)
    reasons = collections.Counter(row["reason"] for row in rows if row["status"] != "ok")
    sessions = collections.defaultdict(collections.Counter)
    for row in rows:
        sessions[row.get("session") or "(none)"][row["status"]] += 1
    return {
        "total": len(rows),
        **{status: statuses.get(status, 0) for status in ("ok", "failed", "skipped", "error")},
        "reasons": dict(sorted(reasons.items())),
        "sessions": {name: dict(sorted(c.items())) for name, c in sorted(sessions.items())},
        "direction_measured": len(_measured(rows)),
        "unsure_direction": len(unsure_rows(rows)),
        "odd_proportions": len(odd_proportion_rows(rows)),
    }


def unsure_rows(rows):
    """The ROIs whose ``direction_margin`` is below ``UNSURE_DIRECTION``, least sure first.

    Args:
        rows: `quality.csv` rows.

    Returns:
        A list of rows.
    """
    unsure = [row for row in _measured(rows) if float(row["direction_margin"]) < UNSURE_DIRECTION]
    return sorted(unsure, key=lambda row: float(row["direction_margin"]))


def _measured(rows):
    """The ROIs with a ``direction_margin`` (CSV text or JSON number; blank when not measured)."""
    return [row for row in rows
            if row["status"] == "ok" and row.get("direction_margin") not in (None, "")]


def summary_markdown(summary):
    """Renders `summary` (as written to `summary.json`) as a short Markdown report."""
    lines = [
        "# ROI preparation summary",
        "",
        f"- cache: `{summary['cache_dir']}`",
        f"- ROI mode: `{summary['roi_mode']}`",
        f"- files: {summary['total']} (ok {summary['ok']}, failed {summary['failed']}, "
        f"skipped {summary['skipped']}, error {summary['error']})",
        f"- this run: {summary['processed']} processed, {summary['reused']} reused from the cache",
    ]
    if summary["roi_mode"] == "extract":
        lines.append(
            f"- unsure of their direction: {summary.get('unsure_direction', 0)} of the "
            f"{summary.get('direction_measured', 0)} ROIs with a `direction_margin` in "
            f"`quality.csv` are below {UNSURE_DIRECTION}, the likeliest to be cut back to front, "
            "upside down or mirrored, drawn on `unsure.png`: check them, or state the flank of "
            "those not told it"
        )
        lines.append(
            f"- odd proportions: {summary.get('odd_proportions', 0)} ROIs whose eye-to-fin "
            "span (`eye_to_fin` in `quality.csv`) is far from the dataset's, most likely cut "
            "from a mask that lost part of the fish or took in a shadow, drawn on `unsure.png` "
            "too: check them, and place their landmarks by hand (`--manual`) where they are "
            "wrong"
        )
    lines += ["", "## Failures by reason", "", "| reason | images |", "|---|---:|"]
    lines += [f"| {reason} | {n} |" for reason, n in summary["reasons"].items()] or ["| none | 0 |"]
    lines += ["", "## By session", "", "| session | ok | failed | skipped | error |"]
    lines.append("|---|---:|---:|---:|---:|")
    for name, counts in summary["sessions"].items():
        cells = " | ".join(str(counts.get(s, 0)) for s in ("ok", "failed", "skipped", "error"))
        lines.append(f"| {name} | {cells} |")
    return "\n".join(lines) + "\n"


def write_report(paths, rows, summary):
    """Writes `quality.csv`, `summary.json` and `summary.md`.

    Args:
        paths: dict with the `quality_csv`, `summary_json` and `summary_md` file paths.
        rows: `quality.csv` rows.
        summary: the dict for `summary.json` (`summarise(rows)` plus run details).
    """
    write_csv(paths["quality_csv"], rows, QUALITY_FIELDS)
    write_json(paths["summary_json"], summary)
    write_text(paths["summary_md"], summary_markdown(summary))
