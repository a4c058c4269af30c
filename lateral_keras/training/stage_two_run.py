"""Run stage two inside a run folder: IoM hashing trained on precomputed stage-one embeddings.

With ``stage_two.end_to_end`` the trainer instead takes augmented ROI images through the frozen
embedder at every step (much slower: see ``benchmarks/train_pipeline.py``).
"""

import math
import os

import keras
import numpy as np

from lateral_keras.layers import IoMProjection, lut_table
from lateral_keras.preprocessing.augment_pipeline import batch_augmenter
from lateral_keras.training import distributed
from lateral_keras.training.callbacks import stage_callbacks
from lateral_keras.training.inputs import (
    augment_settings,
    embed,
    embedding_views,
    roi_images,
)
from lateral_keras.training.pk_sampler import pk_dataset
from lateral_keras.training.protocol_callback import ProtocolCallback
from lateral_keras.training.stage_start import start_stage
from lateral_keras.training.stage_two import IoMTrainer
from lateral_keras.utils.atomic import atomic_path

STEPS_PER_EXECUTION = 32
"""Stage-two steps run per compiled call: removes Keras's per-step Python overhead, which is
most of a step's time on precomputed embeddings (callbacks still see every epoch end)."""


TRAINING_EMBEDDINGS = ("embeddings", "train.npz")
"""Stage two's cache of precomputed training embeddings, inside the run folder."""


def training_embeddings(config, run, embedder, part):
    """Stage-one embeddings of the training images: one clean view plus augmented views.

    Cached in the run folder (``embeddings/train.npz``), since the backbone is frozen; stage
    one stores them there when its whitening fit embedded these views already
    (``store_training_embeddings``). A cache of another number of views (one copied from a
    reused stage one with another ``views_per_image``) is embedded again.

    Args:
        config: the run's ``Config`` (``stage_two.views_per_image``).
        run: the ``RunFolder``.
        embedder: the stage-one embedder.
        part: the training ``PartData``.

    Returns:
        ``(embeddings (n * views, d) float32, labels (n * views,) int32)``.
    """
    path = run.file(*TRAINING_EMBEDDINGS)
    views = config.stage_two.views_per_image
    if os.path.exists(path):
        with np.load(path) as stored:
            if len(stored["labels"]) == views * len(part.records):
                return stored["embeddings"], stored["labels"]
    embeddings, labels = embedding_views(embedder, config, part, views)
    _save_embeddings(path, embeddings, labels)
    return embeddings, labels


def _save_embeddings(path, embeddings, labels):
    """Write the training-embedding cache atomically (a crash leaves no half file)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, embeddings=embeddings, labels=labels)


def store_training_embeddings(config, run, views, labels, num_images):
    """Cache views already embedded as stage two's training embeddings.

    Stage one's whitening fit embeds the views `training_embeddings` would (the clean one,
    then augmented ones with the same seeds); storing the first `stage_two.views_per_image`
    of them spares stage two a second pass over the images.

    Args:
        config: the run's `Config`.
        run: the `RunFolder`.
        views: `(num_images * k, d)` embeddings of `k` views, view after view, by the final
            embedder.
        labels: their labels, `(num_images * k,)`.
        num_images: number of training images.

    Nothing is stored when there are fewer than `stage_two.views_per_image` views (stage two
    then embeds the images itself) or stage two trains end to end (it needs no cache).
    """
    wanted = config.stage_two.views_per_image * num_images
    if not config.stage_two.end_to_end and len(views) >= wanted:
        _save_embeddings(run.file(*TRAINING_EMBEDDINGS), views[:wanted], labels[:wanted])


def training_stream(config, run, embedder, part):
    """Stage two's P x K training stream: precomputed embeddings, or images (end to end).

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder`` (caches the precomputed embeddings).
        embedder: the frozen stage-one embedder.
        part: the training ``PartData``.

    Returns:
        ``(dataset, steps_per_epoch, sample)``: ``sample`` is one input to build the trainer
        with (an embedding, or a centre-cropped image when ``stage_two.end_to_end``).
    """
    settings = config.stage_two
    if not settings.end_to_end:
        embeddings, labels = training_embeddings(config, run, embedder, part)
        dataset, steps = pk_dataset(embeddings, labels, settings.classes_per_batch,
                                    settings.samples_per_class, settings.epochs, config.seed)
        return dataset, steps, embeddings[:1]
    images = roi_images(config, part)
    augment = batch_augmenter(augment_settings(config), training=True)
    dataset, steps = pk_dataset(images, part.labels, settings.classes_per_batch,
                                settings.samples_per_class, settings.epochs, config.seed,
                                transform=augment)
    height, width = config.preprocessing.input_size
    return dataset, steps, keras.ops.cast(images[:1, :height, :width], "float32")


def build_trainer(settings, seed, embedder=None):
    """The ``IoMTrainer`` (with its ``IoMProjection``) configured by ``stage_two`` settings.

    Both are float32 whatever the global dtype policy; ``embedder`` (frozen, inference mode)
    makes it the end-to-end trainer on images.
    """
    projection = IoMProjection(
        m=settings.m, q=settings.q, hidden_layer_remark=settings.hidden_layer_remark,
        temperature=settings.T, seed=seed, name="iom", dtype="float32",
    )
    bits = max(1, math.ceil(math.log2(settings.q)))
    lut = None if settings.bin_lut_loss == "none" else lut_table(settings.q, bits)
    return IoMTrainer(
        projection, settings.loss_fun, margin=settings.triplet_margin, quanti=settings.quanti,
        code_balance=settings.code_balance_loss, lut=lut,
        lut_activation=settings.bin_lut_loss if lut is not None else "tanh",
        lut_weight=settings.lut_weight, weight_decay=settings.w_decay, embedder=embedder,
        dtype="float32",
    )


def uses_xla(config, strategy=None):
    """Whether stage two's train step is XLA-compiled.

    On precomputed embeddings, ``stage_two.jit_compile`` (one process only: not under a
    ``tf.distribute`` strategy); end to end, through the frozen backbone, ``stage_one.jit_compile``
    (XLA slows some backbones on a CPU).

    Args:
        config: the run's ``Config``.
        strategy: the ``tf.distribute`` strategy, or None.

    Returns:
        bool.

    Example:
        >>> uses_xla(load_config())  # doctest: +SKIP
        True
    """
    if config.stage_two.end_to_end:
        return config.stage_one.jit_compile
    return config.stage_two.jit_compile and strategy is None


def code_model(projection, embedding_dim):
    """The deployable ``embedding -> argmax codes (int32)`` model sharing ``projection``."""
    embedding = keras.Input((embedding_dim,), name="embedding")
    return keras.Model(embedding, projection(embedding, mode="hard"), name="iom_codes")


def codes_in_blocks(codes, embeddings, block):
    """IoM codes of embeddings held in memory, by direct calls on ``block`` rows at a time.

    Stage two and each tuning trial score their validation fish every epoch; calling the
    code model skips ``predict``'s per-call set-up (its input pipeline and step loop), which
    took about 0.3 s of each 0.4 s on the default run's 399 embeddings. ``block`` bounds the
    ``(block, m * q)`` soft scores held at once.

    Args:
        codes: the code model (``code_model``).
        embeddings: float32 array ``(n, d)``.
        block: rows per call, positive.

    Returns:
        int32 array ``(n, m)``, what ``codes.predict(embeddings)`` returns.

    Example:
        >>> codes_in_blocks(code_model(projection, 512), val_embeddings, 128)  # doctest: +SKIP
    """
    parts = [keras.ops.convert_to_numpy(codes(embeddings[start:start + block], training=False))
             for start in range(0, len(embeddings), block)]
    return np.concatenate(parts) if parts else np.zeros((0, codes.output.shape[-1]), np.int32)


def train_stage_two(config, run, data, embedder, *, verbose=1):
    """Train (or resume, or reuse) stage two and return the code model.

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder``.
        data: ``PreparedData``.
        embedder: the frozen stage-one embedder (used in inference mode).
        verbose: Keras progress-bar verbosity.

    Returns:
        The code model: embedding -> IoM codes ``(batch, m)`` int32.
    """
    strategy, run, model_path, finished = start_stage(config, run, "stage_two", "iom_codes.keras")
    if finished is not None:
        return finished
    settings = config.stage_two
    keras.utils.set_random_seed(config.seed)
    dataset, steps, sample = training_stream(config, run, embedder, data.parts["train"])
    val = data.parts["val"]
    val_embeddings = embed(embedder, config, val)  # the centre crop: best epoch, not figures
    dataset, steps = distributed.distribute_pk_batches(dataset, steps, strategy)
    with distributed.strategy_scope(strategy):
        trainer = build_trainer(settings, config.seed,
                                embedder if settings.end_to_end else None)
        trainer.metric_loss = distributed.replica_loss(trainer.metric_loss, strategy)
        trainer(sample)  # built before fit, so BackupAndRestore can restore into it
        distributed.synchronize_batch_norm(trainer, strategy)
        schedule = keras.optimizers.schedules.CosineDecay(
            settings.base_lr, decay_steps=settings.epochs * steps, alpha=0.01
        )
        trainer.compile(
            optimizer=keras.optimizers.Adam(
                schedule, **distributed.stage_two_optimizer_options(strategy)),
            jit_compile=uses_xla(config, strategy),
            steps_per_execution=min(steps, STEPS_PER_EXECUTION),
        )
        codes = code_model(trainer.projection, val_embeddings.shape[1])
    protocol = ProtocolCallback(
        lambda: codes_in_blocks(codes, val_embeddings, config.evaluation.eval_batch_size),
        val.identities, val.sessions,
        data.session_order, val.sides, max_impostors=config.evaluation.max_impostors,
    )
    callbacks, best_path = stage_callbacks(run, "stage_two", protocol,
                                           save_steps=settings.save_steps)
    trainer.fit(dataset, epochs=settings.epochs, steps_per_epoch=steps, callbacks=callbacks,
                shuffle=False, verbose=verbose)  # P x K batches: the sampler shuffles
    trainer.load_weights(best_path)
    codes.save(model_path)
    best = protocol.score().summary()
    run.mark_done("stage_two", {"val_eer": best["eer"], "val_rank1": best["rank1"]})
    return codes
