"""Keras layers: image standardisation, fused batch normalisation, stage-one heads, embedding
whitening, the deep IoM head, LUT and cancellable (keyed) codes."""

from lateral_keras.layers.arc_margin import ArcMargin
from lateral_keras.layers.embedding_head import EmbeddingHead
from lateral_keras.layers.embedding_whitening import EmbeddingWhitening
from lateral_keras.layers.fused_batch_norm import FusedBatchNormalization
from lateral_keras.layers.image_standardization import ImageStandardization
from lateral_keras.layers.index_lut import IndexLUT, lut_table
from lateral_keras.layers.iom_projection import IoMProjection, iom_hard_index, iom_soft_index
from lateral_keras.layers.keyed_codes import KeyedCodes
from lateral_keras.layers.keys import key_permutations, key_rng, random_iom_from_key
from lateral_keras.layers.norm_head import NormHead

__all__ = [
    "ArcMargin",
    "EmbeddingHead",
    "EmbeddingWhitening",
    "FusedBatchNormalization",
    "ImageStandardization",
    "IndexLUT",
    "IoMProjection",
    "KeyedCodes",
    "NormHead",
    "iom_hard_index",
    "iom_soft_index",
    "key_permutations",
    "key_rng",
    "lut_table",
    "random_iom_from_key",
]
