"""Verification and identification metrics.

NumPy functions work on exported scores (higher = more similar; labels 1 genuine, 0 impostor);
the streaming `Pairwise*` classes are Keras metrics for `model.compile`.
"""

from lateral_keras.metrics.accuracy import best_accuracy_10fold
from lateral_keras.metrics.identification import (
    cmc_curve,
    mean_average_precision,
    probe_ranks,
    rank_k_accuracy,
)
from lateral_keras.metrics.open_set import dir_at_far
from lateral_keras.metrics.streaming import (
    PairwiseAUC,
    PairwiseEER,
    PairwiseHistogramMetric,
    PairwiseTARatFAR,
)
from lateral_keras.metrics.verification import (
    auc,
    eer,
    roc_curve,
    tar_at_far,
    verification_figures,
)
from lateral_keras.metrics.vote import vote_accuracy

__all__ = [
    "PairwiseAUC",
    "PairwiseEER",
    "PairwiseHistogramMetric",
    "PairwiseTARatFAR",
    "auc",
    "best_accuracy_10fold",
    "cmc_curve",
    "dir_at_far",
    "eer",
    "mean_average_precision",
    "probe_ranks",
    "rank_k_accuracy",
    "roc_curve",
    "tar_at_far",
    "verification_figures",
    "vote_accuracy",
]
