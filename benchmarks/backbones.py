"""Training throughput (images/s, forward + backward) of the CPU-friendly backbones.

Each backbone gets a Flatten -> Dense(100) softmax head and is trained with SGD
on random pixels; the first steps (tracing) are not timed.

Usage:
    python benchmarks/backbones.py [--types SmallCNN ResNet18 MobileNetV2]
        [--height 64] [--width 256] [--batch-size 32] [--steps 10]
"""

import argparse
import time

import keras
import numpy as np

from lateral_keras.models import build_backbone


def measure(backbone_type, input_shape, batch_size, steps, warmup=2):
    """Returns images per second of `train_on_batch` for one backbone."""
    backbone = build_backbone(backbone_type, input_shape)
    inputs = keras.Input(input_shape)
    logits = keras.layers.Dense(100)(keras.layers.Flatten()(backbone(inputs)))
    model = keras.Model(inputs, logits)
    model.compile(
        optimizer=keras.optimizers.SGD(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (batch_size, *input_shape)).astype("float32")
    y = rng.integers(0, 100, batch_size)
    for _ in range(warmup):
        model.train_on_batch(x, y)
    start = time.perf_counter()
    for _ in range(steps):
        model.train_on_batch(x, y)
    elapsed = time.perf_counter() - start
    return batch_size * steps / elapsed, backbone.count_params(), backbone.output_shape[1:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", nargs="+", default=["SmallCNN", "ResNet18", "MobileNetV2"])
    parser.add_argument("--height", type=int, default=64)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args()
    input_shape = (args.height, args.width, 3)
    print(f"backend={keras.backend.backend()} input={input_shape} batch={args.batch_size}")
    for backbone_type in args.types:
        rate, params, features = measure(backbone_type, input_shape, args.batch_size, args.steps)
        print(f"{backbone_type:12s} {rate:8.1f} images/s  params={params:,}  features={features}")


if __name__ == "__main__":
    main()
