"""The start every training stage shares: strategy, this worker's run folder, a finished stage."""

import logging

from lateral_keras.saving import load_model
from lateral_keras.training import distributed

logger = logging.getLogger(__name__)


def start_stage(config, run, stage, model_name):
    """Pick the strategy and run folder of this process, and load the stage's model if finished.

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder``.
        stage: ``"stage_one"`` or ``"stage_two"`` (its ``<stage>.done.json`` marker).
        model_name: the stage's model file in ``<run>/models/``.

    Returns:
        ``(strategy, run, model_path, finished)``: the strategy (None on one process), the run
        folder this process writes, the model's path, and the saved model when the stage
        finished in an earlier invocation (else None).

    Example:
        >>> strategy, run, path, finished = start_stage(config, run, "stage_one",
        ...                                             "embedder.keras")  # doctest: +SKIP
    """
    strategy = distributed.training_strategy(config)
    run = distributed.worker_run(run, strategy)
    model_path = run.file("models", model_name)
    if not run.is_done(stage):
        return strategy, run, model_path, None
    logger.info("%s already finished: loading %s", stage.replace("_", " ").capitalize(),
                model_path)
    return strategy, run, model_path, load_model(model_path)
