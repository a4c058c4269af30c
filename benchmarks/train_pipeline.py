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
  batches gathered from the on-device array; XLA-compiled as in the recipe, and without XLA)
  next to the end-to-end trainer
  (``stage_two.end_to_end``: every P x K batch of ROIs augmented, then through the frozen
  backbone and embedding head in inference mode, then the projection), per step (target >=
  50x) and for the whole recipe stage two, the one-off precomputation of the views included.
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


def precomputed_rate(config, embeddings, labels, args, jit_compile):
    """Stage-two steps/s of the recipe's trainer on precomputed embeddings (real views)."""
    import keras

    from lateral_keras.training.pk_sampler import pk_dataset
    from lateral_keras.training.stage_two_run import STEPS_PER_EXECUTION, build_trainer

    two = config.stage_two
    stream, steps = pk_dataset(embeddings, labels, two.classes_per_batch,
                               two.samples_per_class, passes=50, seed=0)
    trainer = build_trainer(two, 0)
    trainer(embeddings[:1])
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=jit_compile,
                    steps_per_execution=min(steps, STEPS_PER_EXECUTION))
    stream = stream.repeat()
    fit_seconds(trainer, stream, 2 * steps)
    total = sum(fit_seconds(trainer, stream, args.steps * steps) for _ in range(args.rounds))
    return args.rounds * args.steps * steps / total, steps


def end_to_end_rate(config, train, embedder, steps):
    """Stage-two steps/s of the end-to-end trainer (augmented images through the backbone)."""
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
    return steps / fit_seconds(trainer, stream, steps)


def forward_rate(config, train, embedder):
    """Images/s of the embedder in inference (the precomputation of the views)."""
    from lateral_keras.training.inputs import embed, roi_images

    images = roi_images(config, train)
    embed(embedder, config, train, images=images)  # trace and warm
    seconds = timed(lambda: embed(embedder, config, train, images=images))[1]
    return len(train.records) / seconds


def stage_two(config, train, models, args):
    """Prints the stage-two comparison for every backbone of ``args.backbones``."""
    from lateral_keras.training.inputs import embedding_views
    from lateral_keras.training.stage_one import build_stage_one
    from lateral_keras.training.stage_two_run import uses_xla

    two = config.stage_two
    pk = two.classes_per_batch * two.samples_per_class
    embeddings, labels = embedding_views(models.embedder, config, train, two.views_per_image)
    plain_rate, epoch_steps = precomputed_rate(config, embeddings, labels, args, False)
    pre_rate, _ = precomputed_rate(config, embeddings, labels, args, uses_xla(config))
    views = len(train.records) * two.views_per_image
    recipe_steps = two.epochs * epoch_steps
    print(f"stage two: m={two.m}, q={two.q}, P x K = {pk}, {epoch_steps} steps per epoch, "
          f"{two.views_per_image} views per image ({views} embeddings)")
    print(f"  precomputed embeddings: {pre_rate:8.1f} steps/s (any backbone; XLA "
          f"{'on' if uses_xla(config) else 'off'}, as the recipe), {plain_rate:8.1f} steps/s "
          "without XLA")
    for backbone in args.backbones:
        if backbone == config.stage_one.backbone_type:
            embedder = models.embedder
        else:
            settings = dataclasses.replace(config.stage_one, backbone_type=backbone)
            embedder = build_stage_one(settings, tuple(config.preprocessing.input_size),
                                       config.data.num_classes, seed=0).embedder
        e2e_rate = end_to_end_rate(config, train, embedder, args.e2e_steps)
        images_per_s = forward_rate(config, train, embedder)
        whole_pre = views / images_per_s + recipe_steps / pre_rate
        whole_e2e = recipe_steps / e2e_rate
        print(f"  {backbone:>9}: end to end {e2e_rate:7.2f} steps/s -> per step "
              f"{pre_rate / e2e_rate:7.1f}x (target >= 50x); recipe stage two "
              f"({recipe_steps} steps): precomputed {whole_pre:7.1f} s (views "
              f"{views / images_per_s:6.1f} s at {images_per_s:5.0f} images/s) vs end to end "
              f"{whole_e2e:7.1f} s -> {whole_e2e / whole_pre:5.1f}x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="stage-one steps per round")
    parser.add_argument("--rounds", type=int, default=5, help="alternating measurement rounds")
    parser.add_argument("--e2e-steps", type=int, default=4,
                        help="end-to-end stage-two steps timed per backbone")
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
