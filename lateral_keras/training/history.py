"""Reading a stage's CSV training log (written by ``keras.callbacks.CSVLogger``)."""

import csv
import math
import os


def read_history(path):
    """Return ``{column: [values by epoch]}`` from a CSV log; the last row of a repeated epoch wins.

    A resumed run may have logged an epoch twice (once before the interruption); the later row
    is the one that counts.

    Args:
        path: the CSV file; a missing file gives an empty dict.

    Returns:
        dict of column name -> list of floats, ordered by epoch.
    """
    if not os.path.exists(path):
        return {}
    by_epoch = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_epoch[int(row["epoch"])] = row
    columns = {}
    for epoch in sorted(by_epoch):
        for key, value in by_epoch[epoch].items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            columns.setdefault(key, []).append(number)
    return columns


def best_so_far(path, monitor="val_eer"):
    """The lowest ``monitor`` value logged so far (None when nothing was logged)."""
    values = [v for v in read_history(path).get(monitor, []) if not math.isnan(v)]
    return min(values) if values else None
