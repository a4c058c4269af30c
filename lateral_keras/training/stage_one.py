"""Stage one: [image standardisation] + backbone + embedding head + ArcFace (``ArcMargin``) or
plain (``NormHead``) head."""

from dataclasses import dataclass

import keras

from lateral_keras.layers import ArcMargin, EmbeddingHead, ImageStandardization, NormHead
from lateral_keras.losses import SparseSmoothedCrossentropy, TripletLoss
from lateral_keras.models import build_backbone

WINDOW_EPSILON = 16.0
"""Variance floor (squared grey levels) of a windowed standardisation: a window over almost
flat skin holds little variance, and a floor of a 4-grey-level spread keeps its sensor noise
from being stretched to the whole output range."""


@dataclass
class StageOneModels:
    """The two views of one set of stage-one weights.

    Attributes:
        train_model: ``[image, label] -> logits``, or ``-> [logits, embedding]`` with
            ``stage_one.triplet_weight`` (the embedding's triplet loss); compiled and fitted.
        embedder: ``image -> embedding`` (the deployable model; shares the weights).
        backbone: the backbone sub-model (for freezing / fine-tuning).
    """

    train_model: keras.Model
    embedder: keras.Model
    backbone: keras.Model


def build_stage_one(settings, input_size, num_classes, *, seed=None):
    """Build the stage-one models of SPEC section 3.

    Args:
        settings: the ``stage_one`` section of the config (``StageOneConfig``).
        input_size: ``(height, width)`` of the ROI images, float pixels in [0, 255].
        num_classes: number of training identities.
        seed: seed of dropout.

    Returns:
        ``StageOneModels``.

    Example:
        >>> models = build_stage_one(config.stage_one, (64, 256), 60)  # doctest: +SKIP
        >>> models.embedder.output_shape  # doctest: +SKIP
        (None, 512)
    """
    height, width = input_size
    image = keras.Input((height, width, 3), name="image")
    label = keras.Input((), dtype="int32", name="label")
    backbone = build_backbone(
        settings.backbone_type, (height, width, 3), weights=settings.weights, name="backbone"
    )
    pixels = image
    if settings.standardize_images:
        window = settings.standardize_window
        pixels = ImageStandardization(
            epsilon=WINDOW_EPSILON if window else 1.0,
            window=tuple(window) if window else None,
            name="image_standardization",
        )(image)
    embedding = EmbeddingHead(
        embd_shape=settings.embd_shape,
        dropout=settings.dropout,
        weight_decay=settings.w_decay,
        seed=seed,
        pooling=settings.pooling,
        name="embedding",
    )(backbone(pixels))
    regularizer = keras.regularizers.L2(settings.w_decay) if settings.w_decay else None
    if settings.head_type == "ArcHead":
        logits = ArcMargin(
            num_classes,
            scale=settings.arc_scale,
            margin=settings.arc_margin,
            kernel_regularizer=regularizer,
            dtype="float32",  # margins on cosines near 1: float32 also under mixed precision
            name="arc_margin",
        )(embedding, labels=label)
    else:
        logits = NormHead(num_classes, weight_decay=settings.w_decay, dtype="float32",
                          name="norm_head")(embedding)
    logits = keras.layers.Activation("linear", dtype="float32", name="logits")(logits)
    outputs = [logits, embedding] if settings.triplet_weight else logits
    train_model = keras.Model([image, label], outputs, name="stage_one")
    embedder = keras.Model(image, embedding, name="embedder")
    return StageOneModels(train_model, embedder, backbone)


def stage_one_epochs(settings, steps_per_epoch):
    """Epochs stage one trains: ``stage_one.epochs``, or when it is None the whole number of
    epochs nearest to ``stage_one.steps`` steps (at least one).

    A budget in steps keeps the training length right for any number of photos: 900 steps of
    64 ROIs are 11 epochs of the default 260 training fish and 47 epochs of 60.

    Args:
        settings: the ``stage_one`` config section.
        steps_per_epoch: batches per epoch.

    Returns:
        A positive int.

    Example:
        >>> stage_one_epochs(config.stage_one, 82)  # doctest: +SKIP
        11
    """
    if settings.epochs is not None:
        return settings.epochs
    return max(1, round(settings.steps / steps_per_epoch))


def stage_one_targets(settings, labels):
    """What ``fit`` pairs with the train model's outputs: the labels, once per output.

    Args:
        settings: the ``stage_one`` config section (``triplet_weight``).
        labels: int ``(batch,)`` labels.

    Returns:
        ``labels``, or ``(labels, labels)`` for the logits and the embedding's triplet loss.
    """
    return (labels, labels) if settings.triplet_weight else labels


def compile_stage_one(models, settings, steps_per_epoch):
    """Compile the training model: AdamW or SGD, cosine decay, softmax cross-entropy
    (label-smoothed with ``stage_one.label_smoothing``), plus ``stage_one.triplet_weight`` x a
    batch-hard triplet loss on the embedding (angular distance, ``stage_one.triplet_margin``).

    Args:
        models: ``StageOneModels``.
        settings: the ``stage_one`` config section (``optimizer``, ``base_lr``, ``epochs`` or
            ``steps``, ``label_smoothing``, ``run_eagerly``, ``jit_compile``).
        steps_per_epoch: batches per epoch, for the learning-rate schedule.
    """
    schedule = keras.optimizers.schedules.CosineDecay(
        settings.base_lr,
        decay_steps=max(1, stage_one_epochs(settings, steps_per_epoch) * steps_per_epoch),
        warmup_target=None,
        alpha=0.01,
    )
    if settings.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(schedule, momentum=0.9, nesterov=True)
    else:
        optimizer = keras.optimizers.AdamW(schedule, weight_decay=1e-4)
    # without smoothing Keras's own sparse loss (cheaper: no one-hot targets)
    loss = (SparseSmoothedCrossentropy(settings.label_smoothing) if settings.label_smoothing
            else keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    metrics = [keras.metrics.SparseCategoricalAccuracy(name="accuracy")]
    loss_weights = None
    if settings.triplet_weight:  # outputs [logits, embedding]
        triplet = TripletLoss(mining="batch_hard", margin=settings.triplet_margin,
                              distance="angular")
        loss, metrics = [loss, triplet], [metrics, []]
        loss_weights = [1.0, settings.triplet_weight]
    models.train_model.compile(
        optimizer=optimizer,
        loss=loss,
        loss_weights=loss_weights,
        metrics=metrics,
        run_eagerly=settings.run_eagerly,
        jit_compile=settings.jit_compile,
    )
