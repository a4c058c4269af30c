"""Train stage one, then stage two on its embedder, timing each: the recipe's training core."""

import time


def train_both_stages(config, run, data, *, verbose=1, timings=None):
    """Train (or reuse, when finished) stage one and stage two of a run folder.

    Args:
        config: a validated ``Config``.
        run: an open ``RunFolder``.
        data: the ``PreparedData`` of the run (splits and ROI records).
        verbose: Keras ``fit`` verbosity.
        timings: optional dict; ``'stage one'`` and ``'stage two'`` wall seconds are added.

    Returns:
        ``(embedder, codes_model)``.

    Example:
        >>> embedder, codes = train_both_stages(config, run, data, timings={})  # doctest: +SKIP
    """
    from lateral_keras.training.stage_one_run import train_stage_one
    from lateral_keras.training.stage_two_run import train_stage_two

    timings = {} if timings is None else timings
    start = time.time()
    embedder = train_stage_one(config, run, data, verbose=verbose)
    timings["stage one"] = time.time() - start
    start = time.time()
    codes_model = train_stage_two(config, run, data, embedder, verbose=verbose)
    timings["stage two"] = time.time() - start
    return embedder, codes_model
