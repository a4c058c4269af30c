"""The KerasTuner ``HyperModel`` of stage two, trained on a cached stage one's embeddings."""

import keras
import keras_tuner
import numpy as np

from lateral_keras.training.pk_sampler import pk_dataset
from lateral_keras.training.protocol_callback import ProtocolCallback
from lateral_keras.training.stage_two_run import build_trainer, code_model, codes_in_blocks
from lateral_keras.tuning.space import declare, trial_config

OBJECTIVE = "val_eer"


class BestWeights(keras.callbacks.Callback):
    """Keeps, in memory, the weights of the epoch with the lowest ``val_eer`` and its logs.

    Written after ``ProtocolCallback`` in the callback list; nothing goes to disk, so a trial
    of a large code (m x q columns) costs no checkpoint writes.
    """

    def __init__(self):
        super().__init__()
        self.best_logs = None
        self.best_weights = None
        self.best_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        eer = (logs or {}).get(OBJECTIVE, np.nan)
        if np.isfinite(eer) and (self.best_logs is None or eer < self.best_logs[OBJECTIVE]):
            self.best_logs = {k: float(v) for k, v in logs.items()}
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch + 1


class StageTwoHyperModel(keras_tuner.HyperModel):
    """Stage two (``IoMTrainer``) with the searched hyperparameters of ``space.SEARCHED``.

    ``build`` returns an unbuilt ``IoMTrainer`` (cheap, so KerasTuner may build it to explore
    the space); ``fit`` compiles it (Adam, cosine-decayed ``base_lr``), trains it on the
    embeddings of the stage one for the trial's ArcFace margin and returns the best epoch's
    validation figures: ``val_eer`` (EER of the argmax codes on the validation identities, by
    the evaluation protocol), ``val_auc``, ``val_rank1`` and ``best_epoch``. The best weights
    are restored into the model.

    Args:
        config: the search's ``Config``.
        stage_one: a ``StageOneCache`` (or any object whose ``features(margin)`` returns the
            ``train``, ``train_labels`` and ``val`` embeddings) and whose ``data()`` gives the
            validation identities.
        epochs: stage-two epochs of a trial.

    Example:
        >>> hypermodel = StageTwoHyperModel(config, StageOneCache(config, "tuning"), epochs=20)
        ... # doctest: +SKIP
    """

    def __init__(self, config, stage_one, *, epochs):
        super().__init__(name="stage_two")
        self.config = config
        self.stage_one = stage_one
        self.epochs = epochs

    def trial_config(self, hp):
        """The ``Config`` a trial with hyperparameters ``hp`` trains."""
        return trial_config(self.config, declare(hp, self.config))

    def build(self, hp):
        config = self.trial_config(hp)
        return build_trainer(config.stage_two, config.seed)

    def fit(self, hp, model, *args, callbacks=(), epochs=None, initial_epoch=0, verbose=0,
            **kwargs):
        """Train one trial; ``epochs``/``initial_epoch`` come from Hyperband when it runs."""
        config = self.trial_config(hp)
        settings = config.stage_two
        epochs = epochs or self.epochs
        features = self.stage_one.features(config.stage_one.arc_margin)
        train, labels = features["train"], features["train_labels"]
        keras.utils.set_random_seed(config.seed)
        dataset, steps = pk_dataset(train, labels, settings.classes_per_batch,
                                    settings.samples_per_class, epochs, config.seed)
        if not model.built:
            model(train[:1])
        schedule = keras.optimizers.schedules.CosineDecay(
            settings.base_lr, decay_steps=epochs * steps, alpha=0.01)
        model.compile(optimizer=keras.optimizers.Adam(schedule))
        codes = code_model(model.projection, train.shape[1])
        val = self.stage_one.data().parts["val"]
        protocol = ProtocolCallback(
            lambda: codes_in_blocks(codes, features["val"], config.evaluation.eval_batch_size),
            val.identities, val.sessions,
            self.stage_one.data().session_order, val.sides,
            max_impostors=config.evaluation.max_impostors,
        )
        best = BestWeights()
        model.fit(dataset, epochs=epochs, initial_epoch=initial_epoch, steps_per_epoch=steps,
                  callbacks=[protocol, best, *callbacks], shuffle=False,  # P x K sampler shuffles
                  verbose=verbose)
        if best.best_logs is None:
            return {OBJECTIVE: float("nan")}
        model.set_weights(best.best_weights)
        logs = best.best_logs
        return {OBJECTIVE: logs[OBJECTIVE], "val_auc": logs["val_auc"],
                "val_rank1": logs["val_rank1"], "best_epoch": float(best.best_epoch)}
