"""A callback that scores the validation identities with the evaluation protocol each epoch."""

import keras

from lateral_keras.evaluation import evaluate_protocol


class ProtocolCallback(keras.callbacks.Callback):
    """Writes ``<prefix>_eer``, ``<prefix>_auc`` and ``<prefix>_rank1`` into the epoch logs.

    The features (embeddings or IoM codes) of the validation images are computed by
    ``features_fn`` and scored with ``evaluate_protocol``, the same implementation the final
    evaluation uses (cross-session pairs, gallery = earliest session). Place it before any
    callback that monitors ``val_eer`` (``ModelCheckpoint``, early stopping, the tuner).

    Args:
        features_fn: callable returning the features ``(n, d)`` of the validation images.
        identities: identity name per image ``(n,)``.
        sessions: session name per image ``(n,)``.
        session_order: session names in time order.
        sides: optional side per image.
        prefix: name prefix of the logged values.
        max_impostors: sample this many impostor pairs (None: all).

    Example:
        >>> callback = ProtocolCallback(lambda: embedder.predict(val_images), ids, sessions,
        ...                             session_order)  # doctest: +SKIP
    """

    def __init__(self, features_fn, identities, sessions, session_order, sides=None, *,
                 prefix="val", max_impostors=None):
        super().__init__()
        self.features_fn = features_fn
        self.identities = identities
        self.sessions = sessions
        self.session_order = list(session_order)
        self.sides = sides
        self.prefix = prefix
        self.max_impostors = max_impostors

    def score(self):
        """Return the protocol's ``ProtocolResult`` on the current weights."""
        return evaluate_protocol(
            self.features_fn(), self.identities, self.sessions, self.sides,
            session_order=self.session_order, max_impostors=self.max_impostors,
        )

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        result = self.score()
        logs[f"{self.prefix}_eer"] = float(result.eer)
        logs[f"{self.prefix}_auc"] = float(result.auc)
        logs[f"{self.prefix}_rank1"] = float(result.rank1)
