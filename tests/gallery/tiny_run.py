"""A tiny trained-looking run folder for enrol/identify tests: synthetic fish, a raw-pixel
embedder and a random IoM code model, saved as `recipes/two_stage.py` saves a run."""

import os
import shutil

import keras

from lateral_keras.config import dump_config, load_config
from lateral_keras.data.synthetic import generate_dataset
from lateral_keras.layers import IoMProjection

INPUT_HW = (32, 96)
M, Q = 512, 8


def build_models(seed=1):
    """Embedder: the skin pattern as high-passed pixels (minus a 15x15 local mean), 4x4
    average-pooled and standardised (576 numbers); codes: a random IoM projection."""
    image = keras.Input((*INPUT_HW, 3))
    local_mean = keras.layers.AveragePooling2D(15, strides=1, padding="same")(image)
    pattern = keras.layers.Subtract()([image, local_mean])
    pooled = keras.layers.Flatten()(keras.layers.AveragePooling2D(4)(pattern))
    embedding = keras.layers.LayerNormalization(center=False, scale=False)(pooled)
    embedder = keras.Model(image, embedding, name="embedder")
    features = keras.Input((embedding.shape[-1],))
    codes = IoMProjection(m=M, q=Q, seed=seed)(features, mode="hard")
    return embedder, keras.Model(features, codes, name="iom_codes")


def make_tiny_run(root, n_fish=10, n_sessions=1, seed=1):
    """Write `<root>/fish` (photos) and `<root>/runs/tiny` (config and models).

    Returns:
        `(run_dir, data_dir)`.
    """
    data = os.path.join(root, "fish")
    generate_dataset(data, n_fish=n_fish, n_sessions=n_sessions, images_per_session=3,
                     image_size=(320, 240), difficulty="easy", seed=0, workers=1)
    config = load_config(overrides=[
        f"data.root={data}", f"runs_dir={os.path.join(root, 'runs')}", "sub_name=tiny",
        f"input_size=[{INPUT_HW[0]}, {INPUT_HW[1]}]", f"m={M}", f"q={Q}",
        "preprocessing.workers=1",
    ])
    run_dir = os.path.join(root, "runs", "tiny")
    os.makedirs(os.path.join(run_dir, "models"), exist_ok=True)
    with open(os.path.join(run_dir, "config.yaml"), "w", encoding="utf-8") as stream:
        stream.write(dump_config(config))
    embedder, codes = build_models(seed)
    embedder.save(os.path.join(run_dir, "models", "embedder.keras"))
    codes.save(os.path.join(run_dir, "models", "iom_codes.keras"))
    return run_dir, data


def copy_photos(data, folder, fish_names, photo_names):
    """Copy SESSION1 photos `photo_names` of `fish_names` into `<folder>/<fish>/` (flat layout).

    Returns:
        `folder`.
    """
    for fish in fish_names:
        os.makedirs(os.path.join(folder, fish), exist_ok=True)
        for photo in photo_names:
            shutil.copy(os.path.join(data, "SESSION1", fish, photo),
                        os.path.join(folder, fish, photo))
    return folder
