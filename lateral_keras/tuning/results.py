"""The results of a search read back from KerasTuner's trial files: table, best trial, Pareto
front of validation EER against code size."""

import csv
import glob
import io
import math
import os

from keras_tuner.src.engine.trial import Trial

from lateral_keras.tuning.hypermodel import OBJECTIVE
from lateral_keras.tuning.space import SEARCHED, code_bits
from lateral_keras.utils.atomic import write_text

FIGURES = ("val_eer", "val_rank1", "val_auc", "best_epoch")


def collect_trials(project_dir):
    """One row per trial of a search, in trial-id order.

    Args:
        project_dir: ``<directory>/<project_name>`` of the search.

    Returns:
        list of dicts: ``trial_id``, ``status``, the hyperparameter values, ``code_bits`` and
        the figures of ``FIGURES`` (NaN when the trial did not report them).
    """
    rows = []
    for path in sorted(glob.glob(os.path.join(project_dir, "trial_*", "trial.json"))):
        trial = Trial.load(path)
        values = trial.hyperparameters.values
        row = {"trial_id": trial.trial_id, "status": trial.status}
        row.update({name: values[name] for name in SEARCHED if name in values})
        row["code_bits"] = code_bits(values["m"], values["q"])
        for name in FIGURES:
            exists = trial.metrics.exists(name)
            row[name] = trial.metrics.get_last_value(name) if exists else math.nan
        rows.append(row)
    return rows


def finished(rows):
    """The completed rows with a finite objective."""
    return [r for r in rows if r["status"] == "COMPLETED" and math.isfinite(r[OBJECTIVE])]


def best_row(rows):
    """The finished row with the lowest validation EER (ties: the smaller code, then trial id).

    Raises:
        ValueError: no trial has finished.
    """
    done = finished(rows)
    if not done:
        raise ValueError("No trial of the search has finished: nothing to choose from.")
    return min(done, key=lambda r: (r[OBJECTIVE], r["code_bits"], r["trial_id"]))


def pareto_front(rows):
    """The finished rows no other row beats in both validation EER and code size.

    Returns:
        The front, by increasing code size (and so decreasing EER).

    Example:
        >>> rows = [{"status": "COMPLETED", "val_eer": e, "code_bits": b, "trial_id": str(i)}
        ...         for i, (e, b) in enumerate([(0.2, 64), (0.1, 512), (0.15, 1024)])]
        >>> [r["trial_id"] for r in pareto_front(rows)]
        ['0', '1']
    """
    front = []
    for row in sorted(finished(rows), key=lambda r: (r["code_bits"], r[OBJECTIVE])):
        if not front or row[OBJECTIVE] < front[-1][OBJECTIVE]:
            front.append(row)
    return front


def _columns(rows):
    names = ["trial_id", "status", *[n for n in SEARCHED if any(n in r for r in rows)]]
    return names + ["code_bits", *FIGURES, "pareto"]


def _cell(value):
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return str(value)


def write_tables(rows, csv_path, markdown_path):
    """Write the results table as CSV and Markdown (atomic writes), rows by validation EER.

    The ``pareto`` column marks the rows on the Pareto front.

    Args:
        rows: ``collect_trials`` rows.
        csv_path: the CSV file.
        markdown_path: the Markdown file.
    """
    on_front = {r["trial_id"] for r in pareto_front(rows)}
    ordered = sorted(rows, key=lambda r: (not math.isfinite(r[OBJECTIVE]), r[OBJECTIVE],
                                          r["trial_id"]))
    columns = _columns(rows)
    table = [[_cell(r.get(c, "")) if c != "pareto" else ("yes" if r["trial_id"] in on_front
                                                         else "") for c in columns]
             for r in ordered]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(table)
    write_text(csv_path, buffer.getvalue())
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    lines += ["| " + " | ".join(row) + " |" for row in table]
    write_text(markdown_path, "\n".join(lines) + "\n")
