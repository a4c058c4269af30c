"""Training input speed: the recipe's tf.data pipeline against batches held in memory, and stage
two on precomputed embeddings against stage two through the frozen backbone.

    python benchmarks/train_pipeline.py [--steps 40]

Generates a small synthetic dataset and its ROI cache in a temporary folder, then prints:
- stage one steps/s of ``model.fit`` on the recipe's pipeline (decode, augment, batch,
  prefetch) next to ``model.fit`` on the same batches already in memory (target >= 0.9);
- stage two steps/s on precomputed embeddings next to the same steps when every batch first
  goes through the frozen stage-one embedder (target >= 50x).
"""

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def steps_per_second(fit, steps):
    fit(2)  # build, trace and warm the pipeline
    start = time.perf_counter()
    fit(steps)
    return steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()

    import keras
    import numpy as np
    import tensorflow as tf

    from lateral_keras.config import load_config
    from lateral_keras.training.data_setup import prepare_data
    from lateral_keras.training.inputs import image_dataset
    from lateral_keras.training.run_folder import RunFolder
    from lateral_keras.training.stage_one import build_stage_one, compile_stage_one
    from lateral_keras.training.stage_two_run import build_trainer, pk_dataset

    work = tempfile.mkdtemp(prefix="lateral_bench_")
    config = load_config(overrides=[
        f"runs_dir={work}/runs", f"data.synthetic.out={work}/fish", "data.synthetic.n_fish=60",
        "data.synthetic.n_sessions=2", "data.synthetic.images_per_session=4",
        "data.synthetic.image_size=[480, 360]", "classes_per_batch=8",
    ])
    run = RunFolder(config).open()
    data = prepare_data(config, run)
    train = data.parts["train"]
    settings = config.stage_one
    batch = settings.batch_size
    print(f"stage one: {settings.backbone_type}, batch {batch}, input "
          f"{config.preprocessing.input_size}, {len(train.records)} training ROIs")

    pipeline = image_dataset(config, train, training=True, batch_size=batch)
    pipeline = pipeline.map(lambda x, y: ((x, y), y)).repeat()
    full = pipeline.filter(lambda x, y: tf.shape(y)[0] == batch)  # epochs end in a short batch
    held = list(full.take(args.steps).as_numpy_iterator())
    in_memory = tf.data.Dataset.from_tensor_slices((
        (np.stack([b[0][0] for b in held]), np.stack([b[0][1] for b in held])),
        np.stack([b[1] for b in held]),
    )).repeat()

    def fit_on(dataset):
        models = build_stage_one(settings, tuple(config.preprocessing.input_size),
                                 config.data.num_classes, seed=0)
        compile_stage_one(models, settings, args.steps)
        return models, lambda steps: models.train_model.fit(
            dataset, steps_per_epoch=steps, epochs=1, verbose=0)

    models, fit_pipeline = fit_on(pipeline)
    pipe_rate = steps_per_second(fit_pipeline, args.steps)
    _, fit_memory = fit_on(in_memory)
    memory_rate = steps_per_second(fit_memory, args.steps)
    print(f"  recipe pipeline : {pipe_rate:7.2f} steps/s")
    print(f"  in memory       : {memory_rate:7.2f} steps/s")
    print(f"  ratio           : {pipe_rate / memory_rate:7.2f} (target >= 0.9)")

    embedder = models.embedder
    two = config.stage_two
    pk = two.classes_per_batch * two.samples_per_class
    images = [b[0][0] for b in held]
    embeddings = np.concatenate([embedder.predict(x, verbose=0) for x in images])
    labels = np.concatenate([b[1] for b in held]).astype("int32")
    trainer = build_trainer(two, 0)
    trainer(embeddings[:1])
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    stream, _ = pk_dataset(embeddings, labels, two, epochs=200, seed=0)
    stream = stream.repeat()
    precomputed = steps_per_second(
        lambda steps: trainer.fit(stream, steps_per_epoch=steps, epochs=1, verbose=0), args.steps)

    image_batches = [x[:pk] for x in images]

    def through_backbone(steps):
        for step in range(steps):
            x = image_batches[step % len(image_batches)]
            codes_in = embedder(x, training=False)
            trainer.train_on_batch(codes_in, labels[:len(x)])

    frozen = steps_per_second(through_backbone, max(4, args.steps // 4))
    print(f"stage two: m={two.m}, q={two.q}, P x K = {pk}")
    print(f"  precomputed embeddings : {precomputed:8.1f} steps/s")
    print(f"  through frozen backbone: {frozen:8.1f} steps/s")
    print(f"  ratio                  : {precomputed / frozen:8.1f}x (target >= 50x)")


if __name__ == "__main__":
    main()
