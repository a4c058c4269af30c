"""Plots drawn with OpenCV: training curves, ROC, DET and CMC."""

from lateral_keras.plots.line_plot import line_plot

__all__ = ["line_plot"]
