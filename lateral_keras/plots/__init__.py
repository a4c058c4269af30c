"""Plots drawn with OpenCV: training curves, ROC, DET, CMC, score histograms, example pairs."""

from lateral_keras.plots.evaluation_plots import cmc_plot, det_plot, roc_plot, score_histogram
from lateral_keras.plots.example_pairs import PairExample, example_pairs_page
from lateral_keras.plots.line_plot import line_plot

__all__ = [
    "PairExample",
    "cmc_plot",
    "det_plot",
    "example_pairs_page",
    "line_plot",
    "roc_plot",
    "score_histogram",
]
