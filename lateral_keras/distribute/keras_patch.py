"""Workaround for Keras 3 ``fit`` under ``MultiWorkerMirroredStrategy`` (keras-team/keras#20585).

Two defects of Keras's TensorFlow trainer stop ``fit`` as soon as the strategy runs on more
than one worker (checked on the Keras versions in ``CHECKED_KERAS``):

1. ``TensorFlowTrainer._maybe_symbolic_build`` builds the model from the first batch by
   ``strategy.reduce("MEAN", batch)``: an eager cross-worker reduce of per-replica *data*,
   which fails (``Attempt to convert a value (PerReplica...) to a Tensor``) and is not needed,
   since only the batch's shapes are used. The patch takes the first local replica's batch.
2. ``reduce_per_replica(..., reduction="mean")`` reduces every per-step metric with
   ``strategy.reduce("MEAN", v, axis=0)``, which fails on the scalar losses and metrics a
   ``train_step`` returns. The patch reduces scalars with ``axis=None`` (the cross-replica mean)
   and leaves every other case to Keras.

``apply()`` patches only a Keras release listed in ``CHECKED_KERAS`` whose source still holds the
defective lines; on any other release it raises, naming what to check, rather than patch code
it was never tried on. ``tests/distribute/test_keras_patch.py`` fails when Keras changes.
"""

import functools
import inspect
import logging

import keras

logger = logging.getLogger(__name__)

CHECKED_KERAS = ("3.15.",)
"""Keras release prefixes on which the defects were reproduced and the patch was tested."""

DEFECT_MARKERS = {
    "_maybe_symbolic_build": "self.distribute_strategy.reduce(",
    "reduce_per_replica": 'strategy.reduce("MEAN", v, axis=0)',
}
"""A line of each patched function that shows the defect is still there."""

_STATE = {"applied": False}


def _trainer_module():
    from keras.src.backend.tensorflow import trainer

    return trainer


def defects_present():
    """Return ``{function name: bool}``: whether each defective line is still in Keras."""
    trainer = _trainer_module()
    sources = {
        "_maybe_symbolic_build": inspect.getsource(trainer.TensorFlowTrainer._maybe_symbolic_build),
        "reduce_per_replica": inspect.getsource(trainer.reduce_per_replica),
    }
    if _STATE["applied"]:
        sources = {name: inspect.getsource(_STATE[name]) for name in DEFECT_MARKERS}
    return {name: marker in sources[name] for name, marker in DEFECT_MARKERS.items()}


def _first_local_batch(strategy, batch):
    import tensorflow as tf
    from keras.src import tree

    def local(value):
        if isinstance(value, tf.distribute.DistributedValues):
            return strategy.experimental_local_results(value)[0]
        return value

    return tree.map_structure(local, batch)


def _patched_symbolic_build(self, iterator=None, data_batch=None):
    if self._distribute_strategy is None:
        return
    if iterator is not None:
        for _, _, it in iterator:
            data_batch = _first_local_batch(self.distribute_strategy, next(it))
            break
    with self.distribute_strategy.scope():
        self._symbolic_build(data_batch=data_batch)


def _patched_reduce(original):
    import tensorflow as tf

    trainer = _trainer_module()

    @functools.wraps(original)
    def reduce_per_replica(values, strategy, reduction):
        mean = reduction == "mean" or (
            reduction == "auto" and not isinstance(strategy, tf.distribute.TPUStrategy)
        )
        if not (mean and trainer._collective_all_reduce_multi_worker(strategy)):
            return original(values, strategy, reduction)
        from keras.src import tree

        def reduce(value):
            axis = 0 if value.shape.rank else None
            return strategy.reduce("MEAN", value, axis=axis)

        return tree.map_structure(reduce, values)

    return reduce_per_replica


def apply():
    """Patch Keras's TensorFlow trainer for multi-worker ``fit`` (idempotent).

    Raises:
        RuntimeError: the installed Keras is not one ``CHECKED_KERAS`` lists, or its source no
            longer holds the defects (the patch may be obsolete or wrong there).
    """
    if _STATE["applied"]:
        return
    version = keras.__version__
    present = defects_present()
    if not version.startswith(CHECKED_KERAS) or not all(present.values()):
        raise RuntimeError(
            f"lateral_keras.distribute.keras_patch was checked on Keras {CHECKED_KERAS}; "
            f"installed: {version}, defects still present: {present}. Run "
            "tests/distribute (slow) without the patch on this release, then update "
            "CHECKED_KERAS or drop the patch."
        )
    trainer = _trainer_module()
    _STATE["_maybe_symbolic_build"] = trainer.TensorFlowTrainer._maybe_symbolic_build
    _STATE["reduce_per_replica"] = trainer.reduce_per_replica
    trainer.TensorFlowTrainer._maybe_symbolic_build = _patched_symbolic_build
    trainer.reduce_per_replica = _patched_reduce(trainer.reduce_per_replica)
    _STATE["applied"] = True
    logger.info("Patched Keras %s for MultiWorkerMirroredStrategy (keras#20585)", version)
