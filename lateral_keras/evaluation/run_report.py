"""The short Markdown report of a run: headline table, counts, timings, training curves."""

import os

from lateral_keras.evaluation.run_evaluation import headline_table
from lateral_keras.plots import line_plot
from lateral_keras.training.history import read_history
from lateral_keras.utils.atomic import write_text

CURVES = {
    "stage_one": ("loss", "accuracy", "val_eer", "val_rank1"),
    "stage_two": ("loss", "metric_loss", "quantization_loss", "balance_loss", "lut_loss",
                  "regularization_loss", "val_eer", "val_rank1"),
}


def training_curves(run):
    """Draw each stage's training curves from its CSV log; return the PNG paths written."""
    written = []
    for stage, columns in CURVES.items():
        history = read_history(run.file(f"{stage}_history.csv"))
        if not history:
            continue
        epochs = [e + 1 for e in history["epoch"]]
        losses = {c: (epochs, history[c]) for c in columns if c in history and "val" not in c}
        scores = {c: (epochs, history[c]) for c in columns if c in history and "val" in c}
        for kind, series in (("losses", losses), ("validation", scores)):
            if series:
                path = run.file("plots", f"{stage}_{kind}.png")
                line_plot(series, path, title=f"{stage.replace('_', ' ')}: {kind}",
                          xlabel="epoch", ylabel="value",
                          y_range=(0, 1) if kind == "validation" else None,
                          legend="upper right" if kind == "losses" else "lower right")
                written.append(path)
    return written


def write_report(config, run, results, timings):
    """Write ``report.md`` in the run folder.

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder``.
        results: ``evaluate_run``'s output.
        timings: ``{step name: seconds}`` of this invocation.

    Returns:
        The report's path.
    """
    counts = results["counts"]
    two = config.stage_two
    lines = [
        f"# Run `{config.sub_name}`",
        "",
        f"Backbone {config.stage_one.backbone_type} + {config.stage_one.head_type}, embedding "
        f"{config.stage_one.embd_shape}; IoM m={two.m}, q={two.q}, loss {two.loss_fun}.",
        "",
        f"Evaluation identities: {counts['identities']} fish, {counts['images']} images, "
        f"sessions {', '.join(counts['sessions'])}; gallery = first session, probes = later "
        "sessions (cross-session).",
        "",
        headline_table(results),
        "",
        "## Time",
        "",
        "| step | seconds |",
        "| --- | --- |",
        *[f"| {name} | {seconds:.0f} |" for name, seconds in timings.items()],
        "",
        "## Training curves",
        "",
    ]
    for path in training_curves(run):
        lines.append(f"![{os.path.basename(path)}](plots/{os.path.basename(path)})")
    path = run.file("report.md")
    write_text(path, "\n".join(lines) + "\n")
    return path
