"""The Markdown report of a run (`report.md`): every figure of `report.json`, the plots, the
template-protection section, timings and training curves."""

import os

from lateral_keras.config.schema import CENTRE_CROP
from lateral_keras.evaluation.feature_sets import LABELS
from lateral_keras.plots import line_plot
from lateral_keras.training.history import read_history
from lateral_keras.utils.atomic import write_text

CURVES = {
    "stage_one": ("loss", "accuracy", "logits_loss", "embedding_loss", "logits_accuracy",
                  "val_eer", "val_rank1"),  # logits_* and embedding_*: with the triplet loss
    "stage_two": ("loss", "metric_loss", "quantization_loss", "balance_loss", "lut_loss",
                  "regularization_loss", "val_eer", "val_rank1"),
}
VERIFICATION = (("eer", "EER"), ("eer_threshold", "EER threshold"), ("auc", "AUC"),
                ("accuracy", "best accuracy (10-fold)"), ("same_session_eer", "same-session EER"),
                ("num_genuine", "genuine pairs"), ("num_impostor", "impostor pairs"))
IDENTIFICATION = (("rank1", "rank-1"), ("rank5", "rank-5"),
                  ("mean_average_precision", "mAP"),
                  ("vote_accuracy", "vote accuracy (original's, per fish)"),
                  ("num_gallery_images", "gallery images"), ("num_probes", "probes"))


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


def _number(value):
    if isinstance(value, int):
        return f"{value:,}"
    return "n/a" if value != value else f"{value:.4f}"


def figure_table(columns, rows):
    """A Markdown table: one row per `(key, label)`, one column per `{title: {key: value}}`."""
    lines = ["| figure | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns)]
    for key, label in rows:
        if any(key in values for values in columns.values()):
            cells = [_number(int(values[key]) if key.startswith("num_") else values[key])
                     if key in values else "" for values in columns.values()]
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _far_rows(summary, prefix, label):
    return [(key, f"{label}@FAR={key.split('=')[1]}") for key in summary if key.startswith(prefix)]


def _decision_section(report):
    lines = [f"Threshold chosen on the {report['counts']['validation_identities']} validation "
             "fish at the target FAR, applied to the evaluation fish (accept when score >= "
             "threshold; `thresholds.json`).", "",
             "| kind | threshold | target FAR | validation FAR / TAR | evaluation FAR / TAR "
             "(cross-session) | evaluation FAR / TAR (same session) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for kind, figures in report["kinds"].items():
        chosen, decision = report["thresholds"][kind], figures["decision"]
        cross, same = decision["cross_session"], decision["same_session"]
        lines.append(
            f"| {LABELS[kind]} | {chosen['threshold']:.4f} | {chosen['far']:g} | "
            f"{_number(chosen['far_achieved'])} / {_number(chosen['tar'])} | "
            f"{_number(cross['far'])} / {_number(cross['tar'])} | "
            f"{_number(same['far'])} / {_number(same['tar'])} |")
    return lines


def _gap_section(report):
    lines = ["| kind | gallery -> probe session | genuine / impostor pairs | EER | probes | "
             "rank-1 |", "| --- | --- | --- | --- | --- | --- |"]
    for kind, figures in report["kinds"].items():
        for row in figures["session_gaps"]:
            lines.append(
                f"| {LABELS[kind]} | {row['gallery_session']} -> {row['probe_session']} | "
                f"{row['num_genuine']:,} / {row['num_impostor']:,} | {_number(row['eer'])} | "
                f"{row['num_probes']:,} | {_number(row['rank1'])} |")
    return lines


def _pairs_file_section(config, report):
    if not config.evaluation.pairs_file:
        return ["No pairs file (`evaluation.pairs_file`)."]
    columns = {LABELS[k]: {**f["pairs_file"], **{f"decision_{key}": value for key, value
                                                  in f["pairs_file"]["decision"].items()}}
               for k, f in report["kinds"].items()}
    first = next(iter(columns.values()))
    rows = [("num_genuine", "genuine pairs"), ("num_impostor", "impostor pairs"),
            ("eer", "EER"), ("auc", "AUC"), *_far_rows(first, "tar@far=", "TAR"),
            ("decision_far", "FAR at the threshold"), ("decision_tar", "TAR at the threshold")]
    return [f"Pairs of `{config.evaluation.pairs_file}` "
            f"({report['counts']['pairs_file_skipped']} rows skipped, see the log).", "",
            figure_table(columns, rows)]


def _side_section(kinds, verification, identification):
    """Same-side and cross-side figures apart, when the evaluation photos show both flanks."""
    columns = {f"{LABELS[k]}, {side.replace('_', '-')}": figures
               for k, f in kinds.items() if f.get("by_side")
               for side, figures in f["by_side"].items()}
    if not columns:
        return ["The evaluation photos do not show two known flanks: no cross-side figures."]
    return ["Same-side pairs (the default matching) and cross-side pairs (a left flank against "
            "a right one) apart.", "",
            figure_table(columns, [*verification[:3], *identification[:2]])]


def _crops_line(crops):
    """How each photo was embedded (``evaluation.test_time_crops``)."""
    if tuple(crops) == CENTRE_CROP:
        return "Each photo: its ROI's centre crop."
    return (f"Each photo: the mean embedding of {len(crops)} crops of its ROI "
            f"({', '.join(crops).replace('_', ' ')}).")


def write_report(config, run, report, protection_markdown):
    """Write `report.md` in the run folder.

    Args:
        config: the run's `Config`.
        run: the `RunFolder`.
        report: `evaluate_and_report`'s dict.
        protection_markdown: the template-protection section's Markdown body.

    Returns:
        The report's path.
    """
    counts, kinds, files = report["counts"], report["kinds"], report["files"]
    two = config.stage_two
    protocol = {LABELS[k]: f["protocol"] for k, f in kinds.items()}
    templates = {LABELS[k]: f["templates"] for k, f in kinds.items()}
    first = next(iter(protocol.values()))
    verification = [*VERIFICATION[:4], *_far_rows(first, "tar@far=", "TAR"), *VERIFICATION[4:]]
    identification = [*IDENTIFICATION[:4], *_far_rows(first, "dir@far=", "open-set DIR"),
                      *IDENTIFICATION[4:]]
    lines = [
        f"# Run `{config.sub_name}`", "",
        f"Backbone {config.stage_one.backbone_type} + {config.stage_one.head_type}, embedding "
        f"{config.stage_one.embd_shape}"
        f"{' (within-class whitened)' if config.stage_one.whitening else ''}; IoM m={two.m}, "
        f"q={two.q}, loss {two.loss_fun}. {_crops_line(config.evaluation.test_time_crops)}", "",
        f"Evaluation identities: {counts['identities']} fish, {counts['images']} images, "
        f"sessions {', '.join(counts['sessions'])}; gallery = each fish's first session, probes "
        "= its later sessions (cross-session); "
        f"{config.evaluation.open_set_fraction:.0%} of the fish kept out of the gallery for "
        "open-set DIR. Per-pair scores: `pair_scores.csv.gz` (photos: `images.csv`).", "",
        "## Verification (cross-session pairs)", "", figure_table(protocol, verification), "",
        "## Decisions at the validation threshold", "", *_decision_section(report), "",
        "## Identification (gallery = first session)", "",
        figure_table(protocol, identification), "",
        "## Per session gap", "", *_gap_section(report), "",
        "## Templates (one per fish and session)", "",
        "Embeddings: mean of the L2-normalised embeddings; codes: per-position mode. 1:1 on "
        "cross-session template pairs, 1:N with first-session templates as the gallery.", "",
        figure_table(templates, [("num_templates", "templates"), *verification[:3],
                                 *_far_rows(first, "tar@far=", "TAR"), *identification[:3]]),
        "",
        "## Pairs file", "", *_pairs_file_section(config, report), "",
        "## Flanks", "", *_side_section(kinds, verification, identification), "",
        "## Plots", "",
        *[f"![{name}]({path})" for name, path in files.items()], "",
        *([] if protection_markdown.lstrip().startswith("#") else ["## Template protection", ""]),
        protection_markdown.strip(), "",
        "## Time", "", "| step | seconds |", "| --- | --- |",
        *[f"| {name} | {seconds:.0f} |" for name, seconds in report["timings"].items()], "",
        "## Training curves", "",
    ]
    for path in training_curves(run):
        lines.append(f"![{os.path.basename(path)}](plots/{os.path.basename(path)})")
    path = run.file("report.md")
    write_text(path, "\n".join(lines) + "\n")
    return path
