"""Plot of validation EER against code size, one curve per q, with the Pareto front."""

import math

from lateral_keras.plots.line_plot import line_plot
from lateral_keras.tuning.hypermodel import OBJECTIVE
from lateral_keras.tuning.results import finished, pareto_front


def pareto_plot(rows, path):
    """Draw the finished trials' validation EER against log2 of their code size in bits.

    One curve per q joins its m values (the best trial of each (q, m) when other
    hyperparameters were searched too); the Pareto front is drawn on top.

    Args:
        rows: ``results.collect_trials`` rows.
        path: the PNG file (atomic write).

    Returns:
        ``path``.
    """
    series = {}
    for q in sorted({r["q"] for r in finished(rows)}):
        best = {}
        for r in finished(rows):
            if r["q"] == q and (r["m"] not in best or r[OBJECTIVE] < best[r["m"]][OBJECTIVE]):
                best[r["m"]] = r
        points = sorted(best.values(), key=lambda r: r["code_bits"])
        series[f"q={q}"] = ([math.log2(r["code_bits"]) for r in points],
                            [100 * r[OBJECTIVE] for r in points])
    front = pareto_front(rows)
    series["Pareto front"] = ([math.log2(r["code_bits"]) for r in front],
                              [100 * r[OBJECTIVE] for r in front])
    eers = [100 * r[OBJECTIVE] for r in finished(rows)]
    pad = max(0.5, 0.1 * (max(eers) - min(eers)))
    return line_plot(series, path, title="Validation EER of the codes against code size",
                     xlabel="log2(code size in bits), bits = m x log2(q)",
                     ylabel="validation EER (%)", y_range=(max(0.0, min(eers) - pad),
                                                           max(eers) + pad),
                     size=(1000, 560))
