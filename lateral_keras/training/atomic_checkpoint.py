"""A best-weights checkpoint that a kill mid-write cannot corrupt."""

import os

import keras


class AtomicModelCheckpoint(keras.callbacks.ModelCheckpoint):
    """``ModelCheckpoint`` writing each file beside its place, then renaming it onto it.

    Keras writes the weights file in place: a run killed while it writes leaves a file that
    cannot be read, and the stage's final ``load_weights`` of its best epoch would fail on
    resume when no later epoch beats it. Here the previous best stays whole until the new one
    is complete. Takes ``ModelCheckpoint``'s arguments, with a fixed ``filepath`` (no
    ``{epoch}`` fields).

    Example:
        >>> checkpoint = AtomicModelCheckpoint("best.weights.h5", monitor="val_eer",
        ...                                    mode="min", save_best_only=True,
        ...                                    save_weights_only=True)  # doctest: +SKIP
    """

    def _save_model(self, epoch, batch, logs):
        final = self.filepath
        folder, name = os.path.split(final)
        partial = os.path.join(folder, f".partial-{name}")  # keeps the `.weights.h5` suffix
        if os.path.exists(partial):  # left by a killed run: never the file to keep
            os.remove(partial)
        self.filepath = partial
        try:
            super()._save_model(epoch, batch, logs)  # writes only when the monitor improved
        finally:
            self.filepath = final
        if os.path.exists(partial):
            os.replace(partial, final)
