"""Column profiles of a fish mask: the dorsal and ventral outlines as functions of x."""

import dataclasses
import functools

import cv2
import numpy as np


@dataclasses.dataclass(frozen=True)
class Outline:
    """The outline of a mask column by column (image y grows downward).

    Args:
        x0: the first column holding fish pixels.
        x1: the last column holding fish pixels.
        top: float ``(w,)``, the smallest fish row of each column (NaN where empty).
        bottom: float ``(w,)``, the largest fish row of each column (NaN where empty).
    """

    x0: int
    x1: int
    top: np.ndarray
    bottom: np.ndarray

    @property
    def length(self):
        """The fish's extent along x, in pixels."""
        return self.x1 - self.x0 + 1

    @functools.cached_property
    def height(self):
        """Per-column extent ``bottom - top + 1`` (NaN where empty; computed once)."""
        return self.bottom - self.top + 1

    @functools.cached_property
    def depth(self):
        """The largest column extent, in pixels (computed once)."""
        return float(np.fmax.reduce(self.height))

    def flipped(self, size, horizontal, vertical):
        """The outline of the mask mirrored left-right and/or top-bottom.

        Args:
            size: the mask's ``(width, height)``.
            horizontal: mirror x (``x -> width - 1 - x``).
            vertical: mirror y (``y -> height - 1 - y``).

        Returns:
            An ``Outline``, equal to ``outline`` of the mirrored mask.
        """
        width, height = size
        top, bottom = (height - 1 - self.bottom, height - 1 - self.top) if vertical else (
            self.top, self.bottom)
        if not horizontal:
            return Outline(self.x0, self.x1, top, bottom)
        return Outline(width - 1 - self.x1, width - 1 - self.x0, top[::-1], bottom[::-1])

    def span(self, start, stop):
        """Integer columns at fractions ``start``..``stop`` of the length from ``x0``."""
        low = int(round(self.x0 + start * (self.length - 1)))
        high = int(round(self.x0 + stop * (self.length - 1)))
        return max(low, self.x0), min(high, self.x1)


def outline(mask):
    """Measure the top and bottom outline of every column of a bool mask.

    Args:
        mask: bool ``(h, w)`` with at least one True pixel.

    Returns:
        An ``Outline``.

    Example:
        >>> mask = np.zeros((10, 20), bool)
        >>> mask[3:7, 5:15] = True
        >>> o = outline(mask)
        >>> o.x0, o.x1, float(o.top[5]), float(o.bottom[5])
        (5, 14, 3.0, 6.0)
    """
    columns = mask.any(axis=0)
    filled = np.flatnonzero(columns)
    top = np.argmax(mask, axis=0).astype(float)
    bottom = (mask.shape[0] - 1 - np.argmax(mask[::-1], axis=0)).astype(float)
    top[~columns] = np.nan
    bottom[~columns] = np.nan
    return Outline(int(filled[0]), int(filled[-1]), top, bottom)


def remove_narrow_peaks(values, width):
    """Grey-scale opening of a 1-D profile: peaks narrower than ``width`` are cut off.

    Used to take fins off an outline: pass the height above the body (``-top``) for the
    dorsal side or ``bottom`` for the ventral side. Monotone stretches are kept exactly.

    Args:
        values: float ``(n,)`` without NaN.
        width: the flat structuring element's length in samples.

    Returns:
        The opened profile, ``<= values`` everywhere.

    Example:
        >>> remove_narrow_peaks(np.array([0.0, 0, 5, 0, 0, 1, 1, 1, 1]), 3)
        array([0., 0., 0., 0., 0., 1., 1., 1., 1.])
    """
    row = np.asarray(values, dtype=np.float32).reshape(1, -1)
    kernel = np.ones((1, max(1, int(width))), np.uint8)
    opened = cv2.morphologyEx(row, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_REPLICATE)
    return opened.reshape(-1).astype(np.float64)
