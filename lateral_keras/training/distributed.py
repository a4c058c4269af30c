"""Multi-worker data-parallel training of both stages (``distribute.strategy: multi_worker``).

Every worker runs the same command with its own ``TF_CONFIG`` (the cluster's addresses and
this worker's index); ``tf.distribute.MultiWorkerMirroredStrategy`` keeps one copy of the
weights per worker and all-reduces the gradients every step, so the copies stay identical;
batch normalisation is synchronised (global-batch moments), so the moving statistics do too.

Data: each worker builds its own input pipeline (``distribute_datasets_from_function``) over
its share of the data, and one batch of the configured size goes to each replica (the global
batch is ``batch_size x replicas``). Stage one shares the training ROIs out by record (cache)
or by shard file (``data.tfrecords``). Stage two deals out whole P x K index batches: each
replica gets complete groups of P identities x K embeddings, so its triplet mining (hardest
positive and negative) runs within its own P x K group, exactly as on one machine, and the
gradients of the replicas' losses are averaged. An epoch has the same number of steps on every
worker (required by the collectives): ``ceil(n / (batch x replicas))`` for stage one (the
streams repeat), ``P x K batches // replicas`` for stage two.

Files: the chief (worker 0) writes the run folder: checkpoints, backups, logs, models, done
markers. The other workers write the same files into a private temporary copy of the run
folder, made from the chief's when the process starts (as TensorFlow recommends: their writes
must happen, because saving may involve collectives, but must not clash with the chief's). A
rerun therefore resumes every worker from the chief's last backup, which needs the run folder
on storage all workers see (or a copy of it).

Keras 3's ``fit`` needs ``lateral_keras.distribute.keras_patch`` under this strategy
(keras-team/keras#20585); ``training_strategy`` applies it.
"""

import atexit
import contextlib
import json
import logging
import math
import os
import shutil
import tempfile

from lateral_keras.config import ConfigError

logger = logging.getLogger(__name__)

_CACHE = {}  # the strategy (TensorFlow allows one per process) and the worker run folders


def training_strategy(config):
    """The strategy ``distribute.strategy`` selects: None (one process) or multi-worker.

    Created once per process (TensorFlow's collective runtime is set up only once); the Keras
    patch for multi-worker ``fit`` is applied first.

    Args:
        config: the run's ``Config``.

    Returns:
        None, or the process's ``tf.distribute.MultiWorkerMirroredStrategy``.

    Raises:
        ConfigError: ``multi_worker`` without a usable ``TF_CONFIG``, or not on TensorFlow.
    """
    if config.distribute.strategy == "none":
        return None
    if "strategy" in _CACHE:
        return _CACHE["strategy"]
    import keras

    if keras.backend.backend() != "tensorflow":
        raise ConfigError(
            "distribute.strategy: multi_worker needs the TensorFlow backend. "
            f"Received: KERAS_BACKEND={keras.backend.backend()!r}"
        )
    cluster_config(os.environ.get("TF_CONFIG"))
    import tensorflow as tf

    from lateral_keras.distribute import keras_patch

    keras_patch.apply()
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    logger.info("Multi-worker training: task %s/%s, %d replicas in sync",
                strategy.cluster_resolver.task_type, strategy.cluster_resolver.task_id,
                strategy.num_replicas_in_sync)
    _CACHE["strategy"] = strategy
    return strategy


def cluster_config(text):
    """Parse and check a ``TF_CONFIG`` value.

    Args:
        text: the JSON text of ``TF_CONFIG`` (or None when unset).

    Returns:
        The parsed dict.

    Raises:
        ConfigError: unset, not JSON, or without ``cluster`` / ``task`` naming this worker.

    Example:
        >>> cluster_config('{"cluster": {"worker": ["a:1", "b:2"]}, '
        ...                '"task": {"type": "worker", "index": 1}}')["task"]["index"]
        1
    """
    if not text:
        raise ConfigError(
            "distribute.strategy: multi_worker needs the TF_CONFIG environment variable, e.g. "
            '{"cluster": {"worker": ["host1:12345", "host2:12345"]}, '
            '"task": {"type": "worker", "index": 0}}'
        )
    try:
        parsed = json.loads(text)
        task, cluster = parsed["task"], parsed["cluster"]
        hosts = cluster[task["type"]]
        if not 0 <= int(task["index"]) < len(hosts):
            raise ValueError(f"task index {task['index']} outside {task['type']} list")
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(
            f"TF_CONFIG must be JSON with 'cluster' and a 'task' (type, index) listed in it. "
            f"Received: {text!r} ({err})"
        ) from err
    return parsed


def is_chief(strategy):
    """True in a single process and on the multi-worker chief (the one that checkpoints)."""
    return strategy is None or bool(strategy.extended.should_checkpoint)


def strategy_scope(strategy):
    """``strategy.scope()``, or a no-op context without a strategy (build models inside)."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()


def worker_run(run, strategy):
    """The run folder this process writes: ``run`` itself on the chief, else a private copy.

    A non-chief worker gets, once per process, a temporary copy of the chief's folder (its
    checkpoints, backups, histories, models and done markers as they are when the worker
    starts), so it resumes from the same state and its writes never touch the chief's files.
    The copy is deleted when the process exits.

    Args:
        run: the ``RunFolder`` of the run.
        strategy: from ``training_strategy``.

    Returns:
        A ``RunFolder``.
    """
    if is_chief(strategy):
        return run
    if run.path not in _CACHE:
        task = strategy.cluster_resolver.task_id
        folder = tempfile.mkdtemp(prefix=f"lateral-worker{task}-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        copy = os.path.join(folder, os.path.basename(run.path))
        if os.path.isdir(run.path):
            shutil.copytree(run.path, copy, ignore=shutil.ignore_patterns("logs", ".tmp-*"))
        os.makedirs(copy, exist_ok=True)
        worker = type(run)(run.config)
        worker.path = copy
        logger.info("Worker %s writes its copies of the run files to %s", task, copy)
        _CACHE[run.path] = worker
    return _CACHE[run.path]


def synchronize_batch_norm(model, strategy):
    """Make every ``BatchNormalization`` of ``model`` use the global batch's statistics.

    Under a strategy each replica would otherwise normalise with, and average into its moving
    statistics, only its own batch: the trainable weights stay identical across workers (their
    gradients are all-reduced) but the moving means and variances drift apart. Synchronised
    batch normalisation all-reduces the moments, as one machine with the global batch would.

    Args:
        model: a Keras model (nested layers included).
        strategy: from ``training_strategy``; nothing changes without one.

    Returns:
        The number of layers switched.
    """
    if strategy is None:
        return 0
    import keras

    layers = [layer for layer in model._flatten_layers(include_self=False)
              if isinstance(layer, keras.layers.BatchNormalization)]
    for layer in layers:
        layer.synchronized = True
    return len(layers)


def replicas(strategy):
    """Replicas training in sync (1 without a strategy)."""
    return 1 if strategy is None else strategy.num_replicas_in_sync


def epoch_steps(num_items, batch_size, strategy):
    """Stage one's steps per epoch: every training image once per epoch over all replicas."""
    return max(1, math.ceil(num_items / (batch_size * replicas(strategy))))


def training_images(config, part, batch_size, shard=(0, 1), *, samples_per_class=None,
                    batches=1):
    """Augmented ``(images, labels)`` batches of ``part``: ROI cache or ``data.tfrecords``.

    Args:
        config: the run's ``Config``.
        part: the training ``PartData`` (its identities and labels).
        batch_size: images per batch.
        shard: ``(index, count)``: this worker's share (records, or shard files).
        samples_per_class: optional K: P x K batches of ``batch_size / K`` identities with K
            images each (``pk_dataset``; ROI cache only), instead of a shuffled pass.
        batches: P x K batches to draw at least (whole passes over the identities).

    Returns:
        A ``tf.data.Dataset``.
    """
    from lateral_keras.training.inputs import augment_settings, image_dataset

    if config.data.tfrecords:
        from lateral_keras.config import require_path
        from lateral_keras.data.tfrecords import tfrecord_image_dataset

        label_map = dict(zip(part.identities.tolist(), part.labels.tolist()))
        return tfrecord_image_dataset(
            require_path(config, "data.tfrecords"), label_map, augment_settings(config),
            training=True, batch_size=batch_size, seed=config.seed, shard=shard,
        )
    index, count = shard
    if count > 1:
        part = type(part)(part.records[index::count], part.labels[index::count])
    if samples_per_class:
        return _pk_images(config, part, batch_size // samples_per_class, samples_per_class,
                          batches, seed=config.seed + index)
    return image_dataset(config, part, training=True, batch_size=batch_size)


def _pk_images(config, part, classes_per_batch, samples_per_class, batches, seed):
    """Augmented P x K batches of ``part``'s ROIs, whole passes, ``batches`` at least."""
    import numpy as np

    from lateral_keras.preprocessing.augment_pipeline import batch_augmenter
    from lateral_keras.training.inputs import augment_settings, roi_images
    from lateral_keras.training.pk_sampler import batches_per_pass, pk_dataset

    labels = np.asarray(part.labels, np.int32)
    per_pass = batches_per_pass(np.unique(labels).size, classes_per_batch)
    dataset, _ = pk_dataset(
        roi_images(config, part), labels, classes_per_batch, samples_per_class,
        passes=math.ceil(batches / per_pass), seed=seed,
        transform=batch_augmenter(augment_settings(config), training=True),
    )
    return dataset


def distributed_stream(make_dataset, strategy):
    """The dataset ``fit`` receives: ``make_dataset((0, 1))``, or one pipeline per worker.

    Both repeat, so ``fit`` needs ``steps_per_epoch`` and keeps one iterator for the whole
    run: a new iterator every epoch stalled the first batch of about one epoch in five by
    4-5 s on a 2-core machine.

    Args:
        make_dataset: ``shard -> tf.data.Dataset`` of per-replica batches of this shard.
        strategy: from ``training_strategy``.

    Returns:
        A repeating ``tf.data.Dataset`` (no strategy), or a repeating distributed dataset.
    """
    if strategy is None:
        return make_dataset((0, 1)).repeat()

    def worker_pipeline(context):
        shard = (context.input_pipeline_id, context.num_input_pipelines)
        return make_dataset(shard).repeat()

    return strategy.distribute_datasets_from_function(worker_pipeline)


def distribute_pk_batches(dataset, steps, strategy):
    """Deal stage two's P x K batches out to the workers, whole batches each.

    Args:
        dataset: ``pk_dataset``'s stream of P x K batches, all epochs long.
        steps: its batches per epoch.
        strategy: from ``training_strategy``.

    Returns:
        ``(dataset for fit, steps per epoch)``.

    Raises:
        ValueError: fewer P x K batches per epoch than replicas.
    """
    if strategy is None:
        return dataset, steps
    count = replicas(strategy)
    if steps < count:
        raise ValueError(
            f"Stage two makes {steps} P x K batches per epoch, fewer than the {count} replicas: "
            "lower stage_two.classes_per_batch or use fewer workers."
        )
    stream = strategy.distribute_datasets_from_function(
        lambda context: dataset.shard(context.num_input_pipelines, context.input_pipeline_id)
    )
    return stream, steps // count


def replica_loss(metric_loss, strategy):
    """Stage two's metric loss as the plain mean over this replica's own P x K group.

    Under a strategy, a Keras ``Loss`` divides its value by the number of replicas (Keras sums
    replica gradients); ``IoMTrainer`` adds it to terms that are not divided. This undoes the
    division so every term is per replica, and ``stage_two_optimizer_options`` averages the
    replicas' gradients instead.

    Args:
        metric_loss: the trainer's ``metric_loss``.
        strategy: from ``training_strategy``.

    Returns:
        ``metric_loss`` itself without a strategy, else a function of ``(labels, index)``.
    """
    if strategy is None:
        return metric_loss
    count = replicas(strategy)

    def per_replica(labels, index):
        return metric_loss(labels, index) * count

    return per_replica


def stage_two_optimizer_options(strategy):
    """Optimizer arguments that average (not sum) the replicas' stage-two gradients.

    ``IoMTrainer.train_step`` does not scale its loss, so the optimizer's
    ``loss_scale_factor`` only divides the all-reduced gradient sum by the replica count.
    """
    count = replicas(strategy)
    return {} if count == 1 else {"loss_scale_factor": float(count)}
