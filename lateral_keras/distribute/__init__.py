"""Support for ``tf.distribute`` training: the Keras 3 multi-worker ``fit`` workaround.

The training side (strategy from the config, worker run folders, per-worker input pipelines)
is ``lateral_keras.training.distributed``.
"""
