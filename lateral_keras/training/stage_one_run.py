"""Run stage one inside a run folder: fit, keep the best validation EER, save the embedder."""

import logging
import math

import keras

from lateral_keras.saving import load_model
from lateral_keras.training.callbacks import stage_callbacks
from lateral_keras.training.inputs import embed, image_dataset
from lateral_keras.training.protocol_callback import ProtocolCallback
from lateral_keras.training.sample_images import SampleImages
from lateral_keras.training.stage_one import build_stage_one, compile_stage_one

logger = logging.getLogger(__name__)


def train_stage_one(config, run, data, *, verbose=1):
    """Train (or resume, or reuse) stage one and return the embedder.

    A finished stage (``stage_one.done.json`` in the run folder) is loaded, not retrained. An
    interrupted one resumes from its last backup (``BackupAndRestore``).

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder``.
        data: ``PreparedData``.
        verbose: Keras progress-bar verbosity.

    Returns:
        The embedder model (ROI image in [0, 255] -> embedding), with the best weights.
    """
    model_path = run.file("models", "embedder.keras")
    if run.is_done("stage_one"):
        logger.info("Stage one already finished: loading %s", model_path)
        return load_model(model_path)
    settings = config.stage_one
    keras.utils.set_random_seed(config.seed)
    if settings.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    train, val = data.parts["train"], data.parts["val"]
    steps = math.ceil(len(train.records) / settings.batch_size)
    dataset = image_dataset(config, train, training=True, batch_size=settings.batch_size)
    dataset = dataset.map(lambda images, labels: ((images, labels), labels))
    models = build_stage_one(
        settings, tuple(config.preprocessing.input_size), config.data.num_classes,
        seed=config.seed,
    )
    compile_stage_one(models, settings, steps)
    protocol = ProtocolCallback(
        lambda: embed(models.embedder, config, val), val.identities, val.sessions,
        data.session_order, val.sides, max_impostors=config.evaluation.max_impostors,
    )
    callbacks, best_path = stage_callbacks(run, "stage_one", protocol,
                                           save_steps=settings.save_steps)
    callbacks.append(SampleImages(run.folder("logs", "stage_one"), dataset))
    models.train_model.fit(dataset, epochs=settings.epochs, callbacks=callbacks,
                           verbose=verbose)
    models.train_model.load_weights(best_path)
    models.embedder.save(model_path)
    best = protocol.score().summary()
    run.mark_done("stage_one", {"val_eer": best["eer"], "val_rank1": best["rank1"]})
    keras.mixed_precision.set_global_policy("float32")
    return models.embedder
