"""Run stage one inside a run folder: fit, keep the best validation EER, save the embedder."""


import keras

from lateral_keras.training import distributed
from lateral_keras.training.callbacks import stage_callbacks
from lateral_keras.training.fit_stream import without_autotune_thread
from lateral_keras.training.inputs import embed, roi_images
from lateral_keras.training.mirror_classes import mirror_batch, mirror_factor, resolve_mirror_mode
from lateral_keras.training.photometric import photometric_jitter
from lateral_keras.training.protocol_callback import ProtocolCallback
from lateral_keras.training.sample_images import SampleImages
from lateral_keras.training.stage_one import (
    build_stage_one,
    compile_stage_one,
    stage_one_epochs,
    stage_one_targets,
)
from lateral_keras.training.stage_one_source import check_stage_one_source, reuse_stage_one
from lateral_keras.training.stage_start import start_stage
from lateral_keras.training.stage_two_run import store_training_embeddings
from lateral_keras.training.whitening import whitened_embedder


def mirror_mode(config):
    """The run's explicit ``stage_one.mirror_classes`` (``'auto'`` resolved for its training
    identities, ``data.num_classes``): ``'none'``, ``'horizontal'`` or ``'both'``."""
    return resolve_mirror_mode(config.stage_one.mirror_classes, config.data.num_classes)


def stage_one_classes(config):
    """Classes of stage one's head: each training identity times its mirrored classes."""
    return config.data.num_classes * mirror_factor(mirror_mode(config))


def stage_one_stream(config, train, shard=(0, 1), batches=1):
    """Stage one's training batches: augmented ROIs (P x K batches with
    ``stage_one.samples_per_class``), smooth warp and mirrored classes (one resampling pass),
    photometric jitter.

    Args:
        config: the run's ``Config``.
        train: the training ``PartData``.
        shard: ``(index, count)``: this worker's share.
        batches: P x K batches to draw at least (shuffled batches: one pass over the photos).

    Returns:
        A ``tf.data.Dataset`` of ``((images, labels), stage_one_targets(labels))`` batches
        (labels of mirrored ROIs are offset into the extra classes of
        ``stage_one.mirror_classes``).

    Example:
        >>> batch = next(iter(stage_one_stream(config, data.parts["train"])))  # doctest: +SKIP
    """
    import tensorflow as tf

    settings = config.stage_one
    num_classes = config.data.num_classes
    dataset = distributed.training_images(
        config, train, settings.batch_size, shard,
        samples_per_class=settings.samples_per_class, batches=batches,
    )

    mode = mirror_mode(config)

    def augment(images, labels):
        images, labels = mirror_batch(
            images, labels, num_classes, mode,
            warp=settings.smooth_warp, warp_grid=tuple(settings.smooth_warp_grid),
            group=settings.samples_per_class or 1,  # a fish's K photos: one class
        )
        images = photometric_jitter(
            images, settings.white_balance, settings.contrast, settings.blur
        )
        return (images, labels), stage_one_targets(settings, labels)

    # prefetched, so the warp runs ahead of the step, which autotuning's injected prefetch did;
    # no autotuning thread, whose deletion kept `fit` waiting 9-48 s after the last epoch
    return without_autotune_thread(dataset.map(augment).prefetch(tf.data.AUTOTUNE))


def train_stage_one(config, run, data, *, verbose=1):
    """Train (or resume, or reuse) stage one and return the embedder.

    A finished stage (``stage_one.done.json`` in the run folder) is loaded, not retrained; so
    is the finished stage one of the run ``stage_one.sub_name`` names, copied into this run
    first (``stage_one_source``). An interrupted one resumes from its last backup
    (``BackupAndRestore``).

    Args:
        config: the run's ``Config``.
        run: the ``RunFolder``.
        data: ``PreparedData``.
        verbose: Keras progress-bar verbosity.

    Returns:
        The embedder model (ROI image in [0, 255] -> embedding), with the best weights and,
        with ``stage_one.whitening``, a within-class whitening fitted on the training fish.
    """
    source = None if run.is_done("stage_one") else check_stage_one_source(config)
    if source is not None:
        reuse_stage_one(config, run, source)
    strategy, run, model_path, finished = start_stage(config, run, "stage_one", "embedder.keras")
    if finished is not None:
        return finished
    settings = config.stage_one
    keras.utils.set_random_seed(config.seed)
    if settings.mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_float16")
    train, val = data.parts["train"], data.parts["val"]
    steps = distributed.epoch_steps(len(train.records), settings.batch_size, strategy)
    epochs = stage_one_epochs(settings, steps)
    dataset = distributed.distributed_stream(
        lambda shard: stage_one_stream(config, train, shard, batches=steps * epochs), strategy
    )
    with distributed.strategy_scope(strategy):
        models = build_stage_one(
            settings, tuple(config.preprocessing.input_size),
            stage_one_classes(config), seed=config.seed,
        )
        compile_stage_one(models, settings, steps)
        distributed.synchronize_batch_norm(models.train_model, strategy)
    # decoded once for every epoch's scoring; the centre crop picks the best epoch (the
    # evaluation's test_time_crops come after training)
    val_images = roi_images(config, val)
    protocol = ProtocolCallback(
        lambda: embed(models.embedder, config, val, images=val_images), val.identities,
        val.sessions, data.session_order, val.sides,
        max_impostors=config.evaluation.max_impostors,
    )
    callbacks, best_path = stage_callbacks(run, "stage_one", protocol,
                                           save_steps=settings.save_steps)
    # a batch's worth of fish: enough for one batch of either kind, quick to decode
    callbacks.append(SampleImages(
        run.folder("logs", "stage_one"),
        lambda: stage_one_stream(config, train.first_fish(settings.batch_size)),
    ))
    # the stream shuffles itself; `shuffle=False` only silences Keras's warning about it
    models.train_model.fit(dataset, epochs=epochs, callbacks=callbacks,
                           steps_per_epoch=steps, shuffle=False, verbose=verbose)
    models.train_model.load_weights(best_path)
    embedder = models.embedder
    if settings.whitening:
        embedder, (views, labels) = whitened_embedder(embedder, config, train)
        store_training_embeddings(config, run, views, labels, len(train.records))
    embedder.save(model_path)
    best = protocol.score().summary()
    run.mark_done("stage_one", {"val_eer": best["eer"], "val_rank1": best["rank1"]})
    keras.mixed_precision.set_global_policy("float32")
    return embedder
