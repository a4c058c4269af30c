"""P x K batches: P identities with K images each, every training identity in every epoch."""

import numpy as np


def batches_per_pass(num_identities, classes_per_batch):
    """Batches of one P x K pass over the identities: ``ceil(num_identities / P)``.

    Example:
        >>> batches_per_pass(260, 16)
        17
    """
    return -(-int(num_identities) // int(classes_per_batch))


def pk_index_batches(labels, classes_per_batch, samples_per_class, rng):
    """Index batches for one epoch of P x K sampling.

    The identities are shuffled and cut into groups of P, so each identity appears in the
    epoch exactly once (the last group is completed with other identities drawn at random).
    Each identity contributes K images, drawn without replacement when it has at least K,
    else with replacement.

    Args:
        labels: integer identity label per sample, shape (n,).
        classes_per_batch: P, identities per batch (at most the number of identities).
        samples_per_class: K, images per identity.
        rng: a ``numpy.random.Generator`` (seed it per epoch for repeatable runs).

    Returns:
        int64 array (n_batches, P * K) of sample indices; identity-major within a batch.

    Example:
        >>> batches = pk_index_batches([0, 0, 1, 1, 2, 2], 2, 2, np.random.default_rng(0))
        >>> batches.shape
        (2, 4)
    """
    labels = np.asarray(labels)
    classes = np.unique(labels)
    p, k = int(classes_per_batch), int(samples_per_class)
    if p < 2 or p > len(classes):
        raise ValueError(
            f"classes_per_batch must be in [2, {len(classes)}] (the number of identities). "
            f"Received: classes_per_batch={classes_per_batch}"
        )
    if k < 1:
        raise ValueError(f"samples_per_class must be >= 1. Received: samples_per_class={k}")
    members = {c: np.flatnonzero(labels == c) for c in classes}
    order = rng.permutation(classes)
    n_batches = batches_per_pass(len(order), p)
    shortfall = n_batches * p - len(order)
    if shortfall:
        last = set(order[(n_batches - 1) * p:].tolist())
        others = np.array([c for c in classes if c not in last])
        order = np.concatenate([order, rng.choice(others, shortfall, replace=False)])
    batches = np.empty((n_batches, p * k), dtype=np.int64)
    for b in range(n_batches):
        picks = [
            rng.choice(members[c], k, replace=len(members[c]) < k)
            for c in order[b * p:(b + 1) * p]
        ]
        batches[b] = np.concatenate(picks)
    return batches


def pk_dataset(x, labels, classes_per_batch, samples_per_class, passes, seed, *, transform=None):
    """A ``tf.data`` stream of P x K batches ``(transform(x[batch]), labels[batch])``.

    The sample indices of every batch are drawn up front (``pk_index_batches``, ``passes``
    times over the identities); each step gathers its batch from the whole array held as one
    tensor (no per-step Python). tf.data's autotuning is off (``without_autotune_thread``):
    ``fit`` returned 9-19 s after stage two's last epoch with it on.

    Args:
        x: ``(n, ...)`` array or tensor: embeddings, or images for ``transform``.
        labels: ``(n,)`` int labels.
        classes_per_batch: P, identities per batch.
        samples_per_class: K, samples per identity.
        passes: passes over the identities to draw (stage two: its epochs).
        seed: seed of the sampler.
        transform: optional function applied to each gathered batch (e.g. an augmentation).

    Returns:
        ``(dataset, batches_per_pass)``.

    Example:
        >>> stream, steps = pk_dataset(x, labels, 16, 4, passes=20, seed=0)  # doctest: +SKIP
    """
    import tensorflow as tf

    from lateral_keras.training.fit_stream import without_autotune_thread

    rng = np.random.default_rng(seed)
    pass_batches = [pk_index_batches(labels, classes_per_batch, samples_per_class, rng)
                    for _ in range(passes)]
    x, y = tf.convert_to_tensor(x), tf.convert_to_tensor(labels)
    transform = transform or (lambda batch: batch)
    dataset = tf.data.Dataset.from_tensor_slices(np.concatenate(pass_batches)).map(
        lambda index: (transform(tf.gather(x, index)), tf.gather(y, index))
    ).prefetch(tf.data.AUTOTUNE)
    return without_autotune_thread(dataset), len(pass_batches[0])
