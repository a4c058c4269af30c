"""Time one training step of the deep IoM head: vectorised layer vs the original's per-group loop.

One step = forward (soft index), a batch-hard triplet loss on the soft index,
backward and an SGD update, on a P x K batch. Three ways, in the same run:

- ``vectorised``: ``lateral_keras.layers.IoMProjection`` (one Dense(m*q), one
  reshape, one softmax), trained with ``Model.train_on_batch`` (compiled);
- ``vectorised eager``: the same layer stepped eagerly with ``tf.GradientTape``;
- ``loop baseline``: the original's way, eager TensorFlow, a Python loop over the
  ``m`` groups with one ``Dense(q)`` + softmax each, then a concat.

The baseline starts from the same weights (group ``i`` takes the kernel columns
``i*q .. (i+1)*q - 1``), and the script checks that both give the same soft index.

Usage::

    KERAS_BACKEND=tensorflow python benchmarks/iom_head.py [--m 512 --q 8 --dim 512 --batch 240]
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
from lateral_keras.utils.tf_defaults import apply_tensorflow_defaults  # noqa: E402

apply_tensorflow_defaults()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import ops  # noqa: E402

from lateral_keras.layers import IoMProjection  # noqa: E402

MARGIN = 1.0
TEMPERATURE = 1.0
LEARNING_RATE = 0.01


def batch_hard_triplet(labels, index):
    """Mean over anchors of [max positive distance - min negative distance + margin]_+."""
    labels = ops.reshape(ops.cast(labels, "int32"), (-1,))
    squared = ops.sum(ops.square(index), axis=-1)
    d2 = squared[:, None] - 2.0 * ops.matmul(index, ops.transpose(index)) + squared[None, :]
    dist = ops.sqrt(ops.maximum(d2, 1e-12))
    same = ops.cast(labels[:, None] == labels[None, :], dist.dtype)
    hardest_pos = ops.max(dist * same, axis=1)
    hardest_neg = ops.min(dist + 1e9 * same, axis=1)
    return ops.mean(ops.relu(hardest_pos - hardest_neg + MARGIN))


class LoopIoMHead(keras.layers.Layer):
    """The original's deep IoM head: one Dense(q) and softmax per group, in a Python loop."""

    def __init__(self, m, q, temperature, **kwargs):
        super().__init__(**kwargs)
        self.m, self.q, self.temperature = m, q, temperature
        self.groups = [keras.layers.Dense(q, name=f"group_{i}") for i in range(m)]

    def build(self, input_shape):
        for dense in self.groups:
            dense.build(input_shape)

    def call(self, inputs):
        ks = tf.range(self.q, dtype=inputs.dtype)
        indices = []
        for dense in self.groups:
            probs = tf.nn.softmax(self.temperature * dense(inputs), axis=-1)
            indices.append(tf.reduce_sum(probs * ks, axis=-1, keepdims=True))
        return tf.concat(indices, axis=-1)


def eager_step(layer, variables, optimizer, x, labels, soft_index):
    with tf.GradientTape() as tape:
        loss = batch_hard_triplet(labels, soft_index(layer, x))
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
    return loss


def timed(step, repeats):
    step()  # warm-up (tracing / compilation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = step()
        keras.ops.convert_to_numpy(out)  # wait for the result
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--m", type=int, default=512)
    parser.add_argument("--q", type=int, default=8)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--batch", type=int, default=240)
    parser.add_argument("--images-per-identity", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-repeats", type=int, default=3)
    args = parser.parse_args()
    if keras.backend.backend() != "tensorflow":
        parser.error("the loop baseline is eager TensorFlow: run with KERAS_BACKEND=tensorflow")

    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(args.batch, args.dim)).astype("float32"))
    labels = tf.constant(np.arange(args.batch) // args.images_per_identity, dtype="int32")

    inputs = keras.Input((args.dim,))
    iom = IoMProjection(args.m, args.q, temperature=TEMPERATURE, seed=0)
    model = keras.Model(inputs, iom(inputs)["index"])
    model.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE), loss=batch_hard_triplet)

    loop = LoopIoMHead(args.m, args.q, TEMPERATURE)
    loop.build((None, args.dim))
    kernel = keras.ops.convert_to_numpy(iom.kernel)
    bias = keras.ops.convert_to_numpy(iom.bias)
    for i, dense in enumerate(loop.groups):
        dense.kernel.assign(kernel[:, i * args.q : (i + 1) * args.q])
        dense.bias.assign(bias[i * args.q : (i + 1) * args.q])
    probe = x / np.sqrt(args.dim)  # unit-scale logits: an unsaturated softmax
    gap = np.max(np.abs(keras.ops.convert_to_numpy(model(probe) - loop(probe))))

    def vectorised_soft(layer, inputs):
        return layer(inputs)["index"]

    def loop_soft(layer, inputs):
        return layer(inputs)

    eager_layer = IoMProjection(args.m, args.q, temperature=TEMPERATURE, seed=0)
    eager_layer.build((None, args.dim))
    eager_opt = keras.optimizers.SGD(LEARNING_RATE)
    loop_opt = keras.optimizers.SGD(LEARNING_RATE)
    loop_vars = loop.trainable_variables

    t_vec = timed(lambda: model.train_on_batch(x, labels), args.repeats)
    t_eager = timed(
        lambda: eager_step(
            eager_layer,
            eager_layer.trainable_variables,
            eager_opt,
            x,
            labels,
            vectorised_soft,
        ),
        args.repeats,
    )
    t_loop = timed(
        lambda: eager_step(loop, loop_vars, loop_opt, x, labels, loop_soft), args.loop_repeats
    )

    print(
        f"deep IoM head, one training step: m={args.m} q={args.q} input={args.dim} "
        f"batch={args.batch} (median of {args.repeats} / {args.loop_repeats} steps)"
    )
    print(f"max |soft index vectorised - loop|, same weights and input: {gap:.2e}")
    print(f"loop baseline (eager TF, {args.m} x Dense({args.q})): {t_loop * 1e3:9.1f} ms/step")
    print(f"vectorised, eager TF:                       {t_eager * 1e3:9.1f} ms/step")
    print(f"vectorised, compiled (train_on_batch):      {t_vec * 1e3:9.1f} ms/step")
    print(f"speed-up vs loop: compiled {t_loop / t_vec:.1f}x, eager {t_loop / t_eager:.1f}x")


if __name__ == "__main__":
    main()
