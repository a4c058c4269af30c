"""lateral_keras: individual fish identification from lateral skin photos, in Keras 3.

Subpackages are imported on demand, so ``import lateral_keras`` stays cheap:
``lateral_keras.config``, ``lateral_keras.data``, ``lateral_keras.preprocessing``,
``lateral_keras.layers``, ``lateral_keras.losses``, ``lateral_keras.metrics``,
``lateral_keras.evaluation``.
"""

__version__ = "0.1.0"
