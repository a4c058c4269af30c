"""Training input speed: the recipe's tf.data pipeline against batches held in memory, and stage
two on precomputed embeddings against stage two through the frozen backbone.

    python benchmarks/train_pipeline.py [--steps 20] [--rounds 5] [--work DIR]
                                        [--backbones SmallCNN ResNet18 ResNet50]

Generates a synthetic dataset and its ROI cache (in ``--work``, reused by later runs), then
prints:

- stage one: steps/s of ``model.fit`` on the recipe's pipeline (ROIs decoded once, shuffled,
  batched, augmented per batch, smoothly warped, mirrored classes, prefetched) next to
  ``model.fit`` of the same model on the same batches (the short last batch of each epoch
  included) replayed from memory, in alternating
  rounds so a change of machine load hits both (target >= 0.9);
- stage two, per backbone: steps/s of the recipe's trainer on precomputed embeddings (P x K
  batches gathered from the on-device array; XLA-compiled as in the recipe, as many steps per
  compiled call as the recipe on the default data, and once without XLA) next to the end-to-end
  trainer (``stage_two.end_to_end``: every P x K batch of ROIs augmented, then through the
  frozen backbone and embedding head in inference mode, then the projection), in alternating
  rounds, per step (target >= 50x) and for the whole recipe stage two, the one-off
  precomputation of the views included; with the floor of a precomputed step (the projection's
  two matmuls and an SGD update alone) and the ratio a step at that floor would reach.
"""

import argparse
import dataclasses
import math
import tempfile
import time

from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults

apply_tensorflow_defaults(log_level="3")


def timed(function, *args):
    """``(result, seconds)`` of ``function(*args)``."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def fit_seconds(model, dataset, steps):
    """Wall seconds ``model.fit`` takes for ``steps`` steps of ``dataset`` (one call)."""
    return timed(lambda: model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0))[1]


def steady_fit_times(model, dataset, steps):
    """``(wall, cpu)`` seconds of one ``model.fit`` call of ``steps`` steps, first step left out.

    Each ``fit`` call starts a new iterator, whose first batch now and then waits 4-5 s on a
    2-core machine; the recipe starts one iterator per run, so the rates leave the first step
    of every call out and scale the rest to ``steps``. ``cpu`` sums every thread.
    """
    import keras

    marks = {}

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 0:
                marks["start"] = (time.perf_counter(), time.process_time())

        def on_epoch_end(self, epoch, logs=None):
            marks["end"] = (time.perf_counter(), time.process_time())

    model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, callbacks=[Clock()])
    scale = steps / (steps - 1)
    return tuple((end - start) * scale for start, end in zip(marks["start"], marks["end"]))


def held_in_memory(pipeline, steps, targets):
    """The first ``steps`` batches of ``pipeline`` as one repeating in-memory dataset.

    The batches are concatenated into tensors and replayed by slicing, in the same order and
    with the same sizes, so both sides train on exactly the same batches; ``targets`` turns a
    batch's labels into its targets, as the pipeline does.
    """
    import numpy as np
    import tensorflow as tf

    held = list(pipeline.take(steps).as_numpy_iterator())
    sizes = np.array([len(labels) for (_, labels), _ in held], np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    images = tf.constant(np.concatenate([images for (images, _), _ in held]))
    labels = tf.constant(np.concatenate([labels for (_, labels), _ in held]))

    def batch(start, size):
        x, y = images[start:start + size], labels[start:start + size]
        return (x, y), targets(y)

    return tf.data.Dataset.from_tensor_slices((starts, sizes)).map(batch).repeat()


def stage_one(config, train, args):
    """Prints and returns the stage-one comparison; returns the trained models."""
    import numpy as np

    from lateral_keras.training.stage_one import (
        build_stage_one,
        compile_stage_one,
        stage_one_targets,
    )
    from lateral_keras.training.stage_one_run import stage_one_classes, stage_one_stream

    settings = config.stage_one
    pipeline = stage_one_stream(config, train, batches=args.steps).repeat()
    memory = held_in_memory(pipeline, args.steps,
                            lambda labels: stage_one_targets(settings, labels))
    models = build_stage_one(settings, tuple(config.preprocessing.input_size),
                             stage_one_classes(config), seed=0)
    compile_stage_one(models, settings, args.steps)
    # Build, trace, and compile the augmentation for both batch sizes (full and the epoch's
    # short last batch): a one-off cost of a run, left out of the rates.
    fit_seconds(models.train_model, pipeline, math.ceil(len(train.records) / settings.batch_size))
    fit_seconds(models.train_model, memory, 2)
    print(f"stage one: {settings.backbone_type}, batch {settings.batch_size}, input "
          f"{config.preprocessing.input_size}, {len(train.records)} training ROIs, "
          f"{args.rounds} rounds of {args.steps} steps each")
    totals = np.zeros((2, 2))  # [pipeline, memory] x [wall, cpu]
    ratios = []
    for round_index in range(args.rounds):  # alternate which side goes first
        if round_index % 2:
            held = steady_fit_times(models.train_model, memory, args.steps)
        pipe = steady_fit_times(models.train_model, pipeline, args.steps)
        if not round_index % 2:
            held = steady_fit_times(models.train_model, memory, args.steps)
        totals += [pipe, held]
        ratios.append(held[0] / pipe[0])
        print(f"  round {round_index + 1}: pipeline {args.steps / pipe[0]:6.2f} steps/s, in memory "
              f"{args.steps / held[0]:6.2f} steps/s, ratio {ratios[-1]:5.2f}")
    steps = args.rounds * args.steps
    print(f"  all rounds: pipeline {steps / totals[0, 0]:6.2f} steps/s, in memory "
          f"{steps / totals[1, 0]:6.2f} steps/s, ratio {totals[1, 0] / totals[0, 0]:5.2f} "
          f"(median of rounds {np.median(ratios):4.2f}; target >= 0.9)")
    print(f"  CPU time per step (all threads): pipeline {totals[0, 1] / steps:5.3f} s, in memory "
          f"{totals[1, 1] / steps:5.3f} s, ratio {totals[1, 1] / totals[0, 1]:5.2f}")
    return models


def precomputed_runner(config, embeddings, labels, jit_compile, steps_per_execution):
    """The recipe's trainer on precomputed embeddings (real views), warmed up.

    Returns:
        ``(run, steps_per_epoch)``: ``run(steps)`` fits ``steps`` steps and returns its seconds.
    """
    import keras

    from lateral_keras.training.pk_sampler import pk_dataset
    from lateral_keras.training.stage_two_run import STEPS_PER_EXECUTION, build_trainer

    two = config.stage_two
    stream, steps = pk_dataset(embeddings, labels, two.classes_per_batch,
                               two.samples_per_class, passes=50, seed=0)
    trainer = build_trainer(two, 0)
    trainer(embeddings[:1])
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=jit_compile,
                    steps_per_execution=min(steps_per_execution, STEPS_PER_EXECUTION))
    stream = stream.repeat()
    fit_seconds(trainer, stream, 2 * steps_per_execution)
    return (lambda n: fit_seconds(trainer, stream, n)), steps


def matmul_floor_runner(config, input_dim, batch, repeats=100):
    """The projection's two matmuls (forward, and the kernel's gradient of a sum of squares)
    and a plain SGD update of the kernel, XLA-compiled, warmed up: the least a precomputed
    stage-two step can take.

    Returns:
        ``run()``: times ``repeats`` such steps and returns milliseconds per step.
    """
    import numpy as np
    import tensorflow as tf

    two = config.stage_two
    rng = np.random.default_rng(0)
    inputs = tf.constant(rng.normal(size=(batch, input_dim)).astype("float32"))
    kernel = tf.Variable(rng.normal(size=(input_dim, two.m * two.q)).astype("float32"))

    @tf.function(jit_compile=True)
    def sgd_step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(tf.matmul(inputs, kernel)))
        kernel.assign_sub(1e-9 * tape.gradient(loss, kernel))
        return loss

    def steps():
        for _ in range(repeats):
            loss = sgd_step()
        return float(loss)

    steps()
    return lambda: 1000 * timed(steps)[1] / repeats


def end_to_end_runner(config, train, embedder):
    """The end-to-end trainer (augmented images through the frozen backbone), warmed up.

    Returns:
        ``run(steps)``: fits ``steps`` steps and returns its seconds.
    """
    import keras

    from lateral_keras.preprocessing.augment_pipeline import batch_augmenter
    from lateral_keras.training.inputs import augment_settings, roi_images
    from lateral_keras.training.pk_sampler import pk_dataset
    from lateral_keras.training.stage_two_run import build_trainer

    two = config.stage_two
    images = roi_images(config, train)
    augment = batch_augmenter(augment_settings(config), training=True)
    stream, _ = pk_dataset(images, train.labels, two.classes_per_batch, two.samples_per_class,
                           passes=50, seed=0, transform=augment)
    trainer = build_trainer(two, 0, embedder)
    height, width = config.preprocessing.input_size
    trainer(keras.ops.cast(images[:1, :height, :width], "float32"))
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    stream = stream.repeat()
    fit_seconds(trainer, stream, 1)
    return lambda n: fit_seconds(trainer, stream, n)


def forward_rate(config, train, embedder):
    """Images/s of the embedder in inference (the precomputation of the views)."""
    from lateral_keras.training.inputs import embed, roi_images

    images = roi_images(config, train)
    embed(embedder, config, train, images=images)  # trace and warm
    seconds = timed(lambda: embed(embedder, config, train, images=images))[1]
    return len(train.records) / seconds


def stage_two(config, train, models, args):
    """Prints the stage-two comparison for every backbone of ``args.backbones``.

    Per backbone, ``args.rounds`` rounds alternate the precomputed steps (XLA as the recipe,
    ``args.steps_per_execution`` steps per compiled call), the floor of those steps
    (``matmul_floor_runner``) and the end-to-end steps, so a change of machine load hits all three.
    """
    from lateral_keras.training.inputs import embedding_views
    from lateral_keras.training.stage_one import build_stage_one
    from lateral_keras.training.stage_two_run import uses_xla

    two = config.stage_two
    pk = two.classes_per_batch * two.samples_per_class
    embeddings, labels = embedding_views(models.embedder, config, train, two.views_per_image)
    per_call = args.steps_per_execution
    plain, epoch_steps = precomputed_runner(config, embeddings, labels, False, per_call)
    precomputed, _ = precomputed_runner(config, embeddings, labels, uses_xla(config), per_call)
    floor = matmul_floor_runner(config, embeddings.shape[-1], pk)
    pre_steps = args.steps * per_call
    plain_rate = pre_steps / plain(pre_steps)
    views = len(train.records) * two.views_per_image
    recipe_steps = two.epochs * epoch_steps
    print(f"stage two: m={two.m}, q={two.q}, P x K = {pk}, {epoch_steps} steps per epoch, "
          f"{two.views_per_image} views per image ({views} embeddings), {per_call} steps per "
          f"compiled call; precomputed without XLA {plain_rate:6.1f} steps/s")
    for backbone in args.backbones:
        if backbone == config.stage_one.backbone_type:
            embedder = models.embedder
        else:
            settings = dataclasses.replace(config.stage_one, backbone_type=backbone)
            embedder = build_stage_one(settings, tuple(config.preprocessing.input_size),
                                       config.data.num_classes, seed=0).embedder
        end_to_end = end_to_end_runner(config, train, embedder)
        pre_seconds = e2e_seconds = floor_ms = 0.0
        for _ in range(args.rounds):
            pre_seconds += precomputed(pre_steps)
            floor_ms += floor() / args.rounds
            e2e_seconds += end_to_end(args.e2e_steps)
        pre_rate = args.rounds * pre_steps / pre_seconds
        e2e_rate = args.rounds * args.e2e_steps / e2e_seconds
        images_per_s = forward_rate(config, train, embedder)
        whole_pre = views / images_per_s + recipe_steps / pre_rate
        whole_e2e = recipe_steps / e2e_rate
        print(f"  {backbone:>9}: precomputed {pre_rate:6.1f} steps/s (XLA "
              f"{'on' if uses_xla(config) else 'off'}, as the recipe; {1000 / pre_rate:5.1f} ms "
              f"a step, the projection's matmuls and an SGD update alone {floor_ms:5.1f} ms), end "
              f"to end {e2e_rate:6.2f} steps/s -> per step {pre_rate / e2e_rate:6.1f}x "
              f"(target >= 50x; {1000 / e2e_rate / floor_ms:6.1f}x at the floor); recipe stage "
              f"two ({recipe_steps} steps): precomputed {whole_pre:6.1f} s (views "
              f"{views / images_per_s:6.1f} s at {images_per_s:5.0f} images/s) vs end to end "
              f"{whole_e2e:6.1f} s -> {whole_e2e / whole_pre:5.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="stage-one steps per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurement rounds")
    parser.add_argument("--e2e-steps", type=int, default=2,
                        help="end-to-end stage-two steps timed per backbone and round")
    parser.add_argument("--steps-per-execution", type=int, default=16,
                        help="precomputed stage-two steps per compiled call (the recipe's on the "
                             "default data: its 260 training fish / P = 16 per epoch)")
    parser.add_argument("--work", default=None,
                        help="folder for the dataset and ROI cache (reused; default: a new one)")
    parser.add_argument("--backbones", nargs="*", default=["SmallCNN", "ResNet18", "ResNet50"],
                        help="backbones of the end-to-end stage-two comparison (none: skip it)")
    args = parser.parse_args()
    if args.steps < 2:
        parser.error(f"--steps must be at least 2 (the first step of each round is left out); "
                     f"received {args.steps}")

    from lateral_keras.config import load_config
    from lateral_keras.training.data_setup import prepare_data
    from lateral_keras.training.run_folder import RunFolder

    work = args.work or tempfile.mkdtemp(prefix="lateral_bench_")
    config = load_config(overrides=[
        f"runs_dir={work}/runs", f"data.synthetic.out={work}/fish", "data.synthetic.n_fish=90",
        "data.synthetic.n_sessions=3", "data.synthetic.images_per_session=4",
        "data.synthetic.image_size=[480, 360]", "sub_name=bench",
    ])
    run = RunFolder(config, restart=True).open()
    train = prepare_data(config, run).parts["train"]
    models = stage_one(config, train, args)
    stage_two(config, train, models, args)


if __name__ == "__main__":
    main()
