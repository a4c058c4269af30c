"""The TensorBoard HParams dashboard: the search space once, then one session per trial."""

import os
import shutil

from lateral_keras.tuning.space import code_bits

METRICS = (("val_eer", "validation EER of the codes (objective)"),
           ("val_rank1", "validation rank-1 of the codes"),
           ("val_auc", "validation AUC of the codes"),
           ("code_bits", "code size in bits (m x log2 q)"))


def write_experiment(logdir, searched):
    """Write the HParams experiment (searched values and reported metrics) into ``logdir``.

    Written once: a folder that already holds an event file is left alone.

    Args:
        logdir: the TensorBoard folder of the search.
        searched: dict name -> list of values (``space.searched_values``).
    """
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp_api

    logdir = os.fspath(logdir)
    os.makedirs(logdir, exist_ok=True)
    if any(name.startswith("events.out.tfevents") for name in os.listdir(logdir)):
        return
    hparams = [hp_api.HParam(name, hp_api.Discrete(values)) for name, values in searched.items()]
    metrics = [hp_api.Metric(tag, display_name=tag, description=text) for tag, text in METRICS]
    writer = tf.summary.create_file_writer(logdir)
    with writer.as_default():
        hp_api.hparams_config(hparams=hparams, metrics=metrics)
    writer.close()


def write_trial(logdir, trial_id, values, results):
    """Write one finished trial as an HParams session ``<logdir>/trial_<id>``.

    A folder left by an interrupted attempt at the same trial is replaced, so every trial
    appears once.

    Args:
        logdir: the TensorBoard folder of the search.
        trial_id: the KerasTuner trial id.
        values: dict hyperparameter name -> value (``q`` and ``m`` required).
        results: dict metric name -> value (``val_eer``, ``val_rank1``, ``val_auc``).
    """
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp_api

    folder = os.path.join(os.fspath(logdir), f"trial_{trial_id}")
    shutil.rmtree(folder, ignore_errors=True)
    metrics = dict(results, code_bits=code_bits(values["m"], values["q"]))
    writer = tf.summary.create_file_writer(folder)
    with writer.as_default():
        hp_api.hparams(values, trial_id=str(trial_id))
        for tag, _ in METRICS:
            if tag in metrics:
                tf.summary.scalar(tag, float(metrics[tag]), step=0)
    writer.close()
