"""The callbacks every stage uses: validation protocol, best model, resume, logs."""

import keras

from lateral_keras.training.atomic_checkpoint import AtomicModelCheckpoint
from lateral_keras.training.history import best_so_far


def stage_callbacks(run, stage, protocol_callback, *, save_steps=None):
    """Callbacks for one stage's ``fit``, in the order they must run.

    1. ``protocol_callback`` writes ``val_eer`` (and AUC, rank-1) into the logs;
    2. ``AtomicModelCheckpoint`` keeps the weights with the lowest ``val_eer`` (the best value
       of an interrupted earlier attempt is read back from the CSV log, so a resume never
       replaces a better checkpoint), renamed into place once written;
    3. ``BackupAndRestore`` saves the training state every epoch (or every ``save_steps``
       batches) and resumes from it when the run is started again; it keeps the previous
       state too (``double_checkpoint``), which it restores when a kill left the latest one
       half written;
    4. ``CSVLogger`` and ``TensorBoard`` record every loss term and metric.

    Args:
        run: the ``RunFolder``.
        stage: ``"stage_one"`` or ``"stage_two"``.
        protocol_callback: a ``ProtocolCallback`` on the validation identities.
        save_steps: checkpoint every N batches instead of every epoch.

    Returns:
        ``(callbacks, best_weights_path)``.
    """
    history_path = run.file(f"{stage}_history.csv")
    best_path = run.file("checkpoints", f"{stage}_best.weights.h5")
    callbacks = [
        protocol_callback,
        AtomicModelCheckpoint(
            best_path, monitor="val_eer", mode="min", save_best_only=True,
            save_weights_only=True, initial_value_threshold=best_so_far(history_path),
        ),
        keras.callbacks.BackupAndRestore(
            run.folder("checkpoints", f"{stage}_backup"),
            save_freq=save_steps or "epoch", double_checkpoint=True, delete_checkpoint=False,
        ),
        keras.callbacks.CSVLogger(history_path, append=True),
        keras.callbacks.TensorBoard(run.folder("logs", stage)),
    ]
    return callbacks, best_path
