"""Find the eye: a dark compact blob near the snout, in the upper part of the head.

Patterned fish carry dark spots as compact as the pupil, so darkness alone is not enough:
the pupil-scale centre-surround response (difference of Gaussians) is weighted by a broad
anatomical prior (eye about 6 % of the length behind the snout, about a third of the local
depth below the dorsal outline).
"""

import cv2
import numpy as np

from lateral_keras.preprocessing import ranks

EYE_PRIOR = {"u": 0.06, "u_spread": 0.08, "v": 0.35, "v_spread": 0.15}
"""Eye position prior: Gaussian in ``u`` (length fraction from the snout, tail fin included)
and ``v`` (fraction of the local depth below the dorsal outline)."""


def dark_blob_map(gray, mask, sigma, surround=2.0):
    """Local darkness of blobs of scale ``sigma`` (positive response = darker than around).

    Pixels outside the mask take the fish's median gray level first, so the background
    and the outline do not read as dark blobs.

    Args:
        gray: uint8 ``(h, w)`` gray levels.
        mask: bool ``(h, w)`` fish mask.
        sigma: the inner Gaussian's sigma in pixels (about the pupil's radius).
        surround: the outer Gaussian's sigma as a multiple of ``sigma``.

    Returns:
        float32 ``(h, w)``: large-scale minus small-scale blur, divided by the gray-level
        spread on the fish; compact dark blobs are strongly positive.

    Example:
        >>> gray = np.full((60, 100), 150, np.uint8)
        >>> gray[28:33, 20:25] = 20
        >>> response = dark_blob_map(gray, np.ones((60, 100), bool), sigma=2.0)
        >>> tuple(int(v) for v in np.unravel_index(np.argmax(response), response.shape))
        (30, 22)
    """
    mask_u8 = mask.view(np.uint8)
    median = np.float32(ranks.percentile(ranks.histogram(gray, mask_u8), 50.0))
    values = np.where(mask, gray, median)  # float32
    small = cv2.GaussianBlur(values, (0, 0), sigma)
    large = cv2.GaussianBlur(values, (0, 0), surround * sigma)
    spread = float(cv2.meanStdDev(gray, mask=mask_u8)[1][0, 0])
    return cv2.subtract(large, small) * np.float32(1.0 / (spread + 1.0))


def eye_prior(u, v):
    """The eye-position prior (1 at the expected place) for length and depth fractions.

    Args:
        u: array of fractions of the length from the snout.
        v: array of fractions of the local depth below the dorsal outline.

    Returns:
        ``exp(-du^2/2 - dv^2/2)`` with the offsets in units of ``EYE_PRIOR``'s spreads.
    """
    du = (u - EYE_PRIOR["u"]) / EYE_PRIOR["u_spread"]
    dv = (v - EYE_PRIOR["v"]) / EYE_PRIOR["v_spread"]
    return np.exp(-0.5 * (du * du + dv * dv))


def darkest_blob(response, region):
    """The largest response inside a region.

    Args:
        response: from ``dark_blob_map`` (possibly weighted).
        region: bool ``(h, w)`` where to look.

    Returns:
        ``(x, y, strength)``, or None when the region is empty.
    """
    if not region.any():
        return None
    masked = np.where(region, response, -np.inf)
    index = int(np.argmax(masked))
    y, x = divmod(index, response.shape[1])
    return float(x), float(y), float(response[y, x])


def refine_centre(gray, x, y, radius):
    """Centre of the dark blob around ``(x, y)``: centroid of its darker-than-midway pixels.

    Args:
        gray: uint8 ``(h, w)``.
        x: column of the blob's strongest response.
        y: row of the blob's strongest response.
        radius: half-size of the search window in pixels (about the eye's radius).

    Returns:
        ``(x, y)`` refined; the input point when the blob has no clear extent.
    """
    radius = max(2, int(round(radius)))
    x_i, y_i = int(round(x)), int(round(y))
    y0, x0 = max(0, y_i - radius), max(0, x_i - radius)
    window = cv2.GaussianBlur(gray[y0 : y_i + radius + 1, x0 : x_i + radius + 1], (3, 3), 0)
    level = 0.5 * (float(window.min()) + ranks.percentile(ranks.histogram(window), 50.0))
    dark = (window <= level).view(np.uint8)
    _, labels, stats, centroids = cv2.connectedComponentsWithStats(dark, connectivity=8)
    seed = labels[min(y_i - y0, window.shape[0] - 1), min(x_i - x0, window.shape[1] - 1)]
    if seed == 0 or stats[seed, cv2.CC_STAT_AREA] > 0.5 * np.pi * radius**2:
        return float(x), float(y)
    return float(centroids[seed, 0] + x0), float(centroids[seed, 1] + y0)
