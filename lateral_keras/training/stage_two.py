"""Stage two: train an ``IoMProjection`` on frozen stage-one embeddings (custom ``train_step``).

The ``train_step`` uses ``tf.GradientTape``, so this trainer runs on the TensorFlow backend only;
the loss terms themselves are backend-agnostic ``keras.ops`` functions.
"""

import keras
from keras import ops

from lateral_keras.losses import (
    code_balance_loss,
    get_metric_loss,
    lut_loss,
    quantization_loss,
)
from lateral_keras.metrics import PairwiseEER

TERMS = ("metric_loss", "quantization_loss", "balance_loss", "lut_loss", "regularization_loss")


def iom_loss_terms(labels, soft, *, metric_loss, quanti, code_balance, lut, lut_activation,
                   lut_weight, regularization):
    """The weighted terms of stage two's total loss (SPEC section 4), as scalars.

    Args:
        labels: int identity labels ``(batch,)``.
        soft: ``IoMProjection`` soft output ``{'index': (batch, m), 'probs': (batch, m, q)}``.
        metric_loss: a ``keras.losses.Loss`` on the soft index (triplet or arc-triplet).
        quanti: add ``0.5 * quantization``.
        code_balance: add the code-balance loss.
        lut: a 0/1 LUT table ``(q, b)`` for the LUT loss, or ``None``.
        lut_activation: ``"tanh"`` or ``"sigmoid"``.
        lut_weight: weight of the LUT loss.
        regularization: the scalar regularisation of the trained layers.

    Returns:
        Dict of the names in ``TERMS`` to weighted scalar tensors (zero when a term is off).
    """
    index, probs = soft["index"], soft["probs"]
    zero = ops.zeros((), dtype=index.dtype)
    terms = {"metric_loss": metric_loss(labels, index)}
    terms["quantization_loss"] = 0.5 * ops.mean(quantization_loss(index)) if quanti else zero
    terms["balance_loss"] = ops.mean(code_balance_loss(probs)) if code_balance else zero
    terms["lut_loss"] = (
        lut_weight * ops.mean(lut_loss(labels, probs, lut, lut_activation))
        if lut is not None else zero
    )
    terms["regularization_loss"] = ops.cast(regularization, index.dtype)
    return terms


class IoMTrainer(keras.Model):
    """Trains ``projection`` with the configured loss terms; scores argmax codes in ``test_step``.

    TensorFlow backend only (``train_step`` uses ``tf.GradientTape``). Inputs are stage-one
    embeddings (precomputed), or, with ``embedder``, ROI images that the frozen embedder turns
    into embeddings in inference mode (BatchNorm statistics fixed, no dropout) at every step
    (the end-to-end path). Embeddings are cast to the projection's compute dtype, so a
    ``mixed_float16`` embedder feeds a float32 projection (``build_trainer`` makes both the
    trainer and its projection float32: no loss scaling is needed, nothing float16 is trained).
    Every loss term is tracked as its own metric; ``evaluate`` reports ``pairwise_eer`` of the
    hard codes over all in-batch pairs seen.

    Args:
        projection: an ``IoMProjection``.
        metric_loss: name of the metric loss (``get_metric_loss``), e.g.
            ``"batch_hard_arc_triplet_loss"``.
        margin: the metric loss's margin (``triplet_margin``).
        quanti: add ``0.5 * quantization loss``.
        code_balance: add the code-balance loss.
        lut: 0/1 LUT table ``(q, b)`` for the LUT loss, or ``None`` (``bin_lut_loss: none``).
        lut_activation: ``"tanh"`` or ``"sigmoid"``.
        lut_weight: weight of the LUT loss (0.001 in the original).
        weight_decay: L2 factor on the trained kernels (the regularisation term).
        embedder: optional frozen stage-one embedder (image -> embedding); set non-trainable
            here. None: the inputs are embeddings.

    Example:
        >>> trainer = IoMTrainer(IoMProjection(m=64, q=8), "batch_hard_triplet")  # doctest: +SKIP
        >>> trainer.compile(optimizer="adam")  # doctest: +SKIP
        >>> trainer.fit(pk_dataset, epochs=5)  # doctest: +SKIP
    """

    def __init__(self, projection, metric_loss, *, margin=0.2, quanti=True, code_balance=True,
                 lut=None, lut_activation="tanh", lut_weight=0.001, weight_decay=0.0,
                 embedder=None, **kwargs):
        super().__init__(**kwargs)
        self.projection = projection
        self.embedder = embedder
        if embedder is not None:
            embedder.trainable = False
        self.metric_loss = get_metric_loss(metric_loss, margin=margin)
        self.quanti = quanti
        self.code_balance = code_balance
        self.lut = None if lut is None else ops.convert_to_tensor(lut, dtype="float32")
        self.lut_activation = lut_activation
        self.lut_weight = lut_weight
        self.weight_decay = weight_decay
        self.trackers = {name: keras.metrics.Mean(name=name) for name in ("loss",) + TERMS}
        self.code_eer = PairwiseEER(
            num_bins=max(200, projection.m + 1), similarity="collision", name="pairwise_eer"
        )

    @property
    def metrics(self):
        return [*self.trackers.values(), self.code_eer]

    def embed(self, inputs):
        """Embeddings of ``inputs``: the frozen embedder in inference mode, or the inputs."""
        if self.embedder is not None:
            inputs = self.embedder(inputs, training=False)
        return ops.cast(inputs, self.projection.compute_dtype)

    def call(self, inputs, training=False):
        return self.projection(self.embed(inputs), mode="soft", training=training)

    def _regularization(self):
        kernels = [v for v in self.projection.trainable_variables if len(v.shape) == 2]
        if not kernels or not self.weight_decay:
            return 0.0
        return self.weight_decay * sum(ops.sum(ops.square(k)) for k in kernels)

    def train_step(self, data):
        import tensorflow as tf

        inputs, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        embeddings = self.embed(inputs)
        with tf.GradientTape() as tape:
            soft = self.projection(embeddings, mode="soft", training=True)
            terms = iom_loss_terms(
                labels, soft, metric_loss=self.metric_loss, quanti=self.quanti,
                code_balance=self.code_balance, lut=self.lut, lut_activation=self.lut_activation,
                lut_weight=self.lut_weight, regularization=self._regularization(),
            )
            total = sum(terms.values())
        variables = self.trainable_variables
        self.optimizer.apply(tape.gradient(total, variables), variables)
        self.trackers["loss"].update_state(total)
        for name, value in terms.items():
            self.trackers[name].update_state(value)
        return {m.name: m.result() for m in self.trackers.values()}

    def test_step(self, data):
        inputs, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        codes = self.projection(self.embed(inputs), mode="hard", training=False)
        self.code_eer.update_state(labels, codes)
        return {self.code_eer.name: self.code_eer.result()}
