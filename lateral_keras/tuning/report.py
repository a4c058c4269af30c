"""Evaluation of the chosen configuration (and the config's own) on the evaluation identities."""

import keras
import keras_tuner

from lateral_keras.evaluation.run_evaluation import HEADLINE, evaluate_features
from lateral_keras.training.stage_two_run import code_model
from lateral_keras.tuning.space import SEARCHED, declare


def evaluate_choice(hypermodel, values, epochs):
    """Train stage two with hyperparameter ``values`` and score the evaluation identities.

    The evaluation identities are used here only, never by the trials.

    Args:
        hypermodel: the search's ``StageTwoHyperModel``.
        values: dict hyperparameter name -> value (missing names keep their defaults).
        epochs: stage-two epochs.

    Returns:
        ``{"values", "validation", "embeddings", "codes"}``: the values used, the best epoch's
        validation figures, and the protocol summaries of the stage-one embeddings and of the
        codes on the evaluation identities.
    """
    hp = keras_tuner.HyperParameters()
    declare(hp, hypermodel.config)
    hp.values.update({k: v for k, v in values.items() if k in SEARCHED})
    keras.backend.clear_session()
    model = hypermodel.build(hp)
    validation = hypermodel.fit(hp, model, epochs=epochs)
    config = hypermodel.trial_config(hp)
    stage_one = hypermodel.stage_one
    data = stage_one.data()
    embeddings = stage_one.eval_embeddings(config.stage_one.arc_margin)
    codes = code_model(model.projection, embeddings.shape[1]).predict(embeddings, verbose=0)
    part = data.parts["eval"]
    return {
        "values": dict(hp.values),
        "validation": validation,
        "embeddings": evaluate_features(embeddings, part, data.session_order, config).summary(),
        "codes": evaluate_features(codes, part, data.session_order, config).summary(),
    }


def comparison_table(default, chosen):
    """Markdown table: the config's own setting and the chosen one, embeddings and codes.

    Args:
        default: ``evaluate_choice`` result of the config's own hyperparameters.
        chosen: ``evaluate_choice`` result of the chosen trial.

    Returns:
        Markdown text.
    """
    def label(result):
        return ", ".join(f"{k}={v}" for k, v in result["values"].items())

    rows = [f"config: {label(default)}; chosen: {label(chosen)}", "",
            "| figure | embeddings, config | codes, config | embeddings, chosen | codes, chosen |",
            "| --- | --- | --- | --- | --- |",
            f"| validation EER (codes) | | {default['validation']['val_eer']:.4f} | | "
            f"{chosen['validation']['val_eer']:.4f} |"]
    for key, name in HEADLINE:
        cells = [f"{r[kind][key]:.4f}" for r in (default, chosen)
                 for kind in ("embeddings", "codes")]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(rows) + "\n"
