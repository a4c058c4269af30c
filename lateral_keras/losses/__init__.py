"""Losses: triplet and arc-triplet metric losses, the Index-of-Max code losses, and a
label-smoothed cross-entropy from integer labels.

Each loss is a pure function returning per-sample values plus a thin `keras.losses.Loss` class
registered under the `lateral_keras` package.
"""

from lateral_keras.losses.arc_triplet import ArcTripletLoss, arc_triplet_loss
from lateral_keras.losses.code_balance import CodeBalanceLoss, code_balance_loss
from lateral_keras.losses.lut import LUTLoss, expected_bits, expected_hamming, lut_loss
from lateral_keras.losses.pairs import (
    anchor_mask,
    flatten_labels,
    pair_masks,
    pairwise_distance,
    triplet_mask,
)
from lateral_keras.losses.quantization import QuantizationLoss, quantization_loss
from lateral_keras.losses.registry import METRIC_LOSS_NAMES, get_metric_loss
from lateral_keras.losses.smoothed_crossentropy import (
    SparseSmoothedCrossentropy,
    sparse_smoothed_crossentropy,
)
from lateral_keras.losses.triplet import (
    TripletLoss,
    batch_all_triplet_loss,
    batch_hard_triplet_loss,
    semi_hard_triplet_loss,
    triplet_loss,
)

__all__ = [
    "METRIC_LOSS_NAMES",
    "ArcTripletLoss",
    "CodeBalanceLoss",
    "LUTLoss",
    "QuantizationLoss",
    "SparseSmoothedCrossentropy",
    "TripletLoss",
    "anchor_mask",
    "arc_triplet_loss",
    "batch_all_triplet_loss",
    "batch_hard_triplet_loss",
    "code_balance_loss",
    "expected_bits",
    "expected_hamming",
    "flatten_labels",
    "get_metric_loss",
    "lut_loss",
    "pair_masks",
    "pairwise_distance",
    "quantization_loss",
    "semi_hard_triplet_loss",
    "sparse_smoothed_crossentropy",
    "triplet_loss",
    "triplet_mask",
]
