"""Fusiform fish body in body units: outline, eye and fins (x from snout 0 to tail base 1).

The canonical frame is the SPEC's normalised frame: head on the left, dorsal side up, y growing
downward. Lengths are in body lengths (snout to tail base); the renderer multiplies by pixels.
"""

import dataclasses
import functools

import numpy as np


@dataclasses.dataclass(frozen=True)
class BodyShape:
    """Shape parameters of one fish, in body lengths.

    Attributes:
        depth: largest total body depth.
        dorsal_frac: share of the depth above the centre line.
        dorsal_exp: (a, b) of the dorsal profile ``x^a (1-x)^b``; a < b puts the hump near the head.
        ventral_exp: (a, b) of the ventral profile.
        peduncle: half-depth of the caudal peduncle at x = 1.
        eye_x: eye centre along the body.
        eye_v: eye centre as a fraction of the local depth below the dorsal outline.
        eye_r: eye radius.
        dorsal_x0: where the dorsal fin's leading edge meets the back (the SPEC's UP).
        dorsal_len: length of the dorsal fin base.
        dorsal_h: height of the dorsal fin.
        tail_len: length of the caudal fin beyond x = 1.
        tail_fork: depth of the fork as a share of ``tail_len``.
    """

    depth: float = 0.24
    dorsal_frac: float = 0.47
    dorsal_exp: tuple = (0.4, 0.95)
    ventral_exp: tuple = (0.45, 0.85)
    peduncle: float = 0.04
    eye_x: float = 0.092
    eye_v: float = 0.33
    eye_r: float = 0.018
    dorsal_x0: float = 0.41
    dorsal_len: float = 0.13
    dorsal_h: float = 0.11
    tail_len: float = 0.19
    tail_fork: float = 0.45


def sample_body_shape(rng):
    """Draw a fish's body shape: small individual variation around ``BodyShape()``.

    Args:
        rng: ``numpy.random.Generator``.

    Returns:
        A ``BodyShape``.

    Example:
        >>> shape = sample_body_shape(np.random.default_rng(0))
        >>> 0.2 < shape.depth < 0.3
        True
    """
    u = rng.uniform
    return BodyShape(
        depth=u(0.215, 0.26),
        dorsal_frac=u(0.44, 0.5),
        dorsal_exp=(u(0.35, 0.45), u(0.85, 1.05)),
        ventral_exp=(u(0.4, 0.5), u(0.75, 0.95)),
        peduncle=u(0.035, 0.045),
        eye_x=u(0.085, 0.1),
        eye_v=u(0.3, 0.36),
        eye_r=u(0.016, 0.02),
        dorsal_x0=u(0.38, 0.44),
        dorsal_len=u(0.12, 0.15),
        dorsal_h=u(0.09, 0.13),
        tail_len=u(0.17, 0.21),
        tail_fork=u(0.35, 0.5),
    )


def grow(shape, factor):
    """Return ``shape`` with its depth multiplied by ``factor`` (older fish are deeper)."""
    return dataclasses.replace(shape, depth=shape.depth * factor)


def _profile(x, exps, peduncle_ratio):
    """Half-depth profile in [0, 1]: 0 at the snout, ~1 at its hump, ``peduncle_ratio`` at x = 1."""
    a, b = exps
    xm = a / (a + b)
    g = np.clip(x, 0.0, 1.0) ** a * np.clip(1.0 - x, 0.0, 1.0) ** b / (xm**a * (1 - xm) ** b)
    return (1.0 - peduncle_ratio) * g + peduncle_ratio * np.sqrt(np.clip(x, 0.0, 1.0))


def centre_line(x, bend):
    """Vertical centre line: a mild parabolic bend, ``bend`` body lengths at both ends."""
    return bend * (2.0 * np.asarray(x, dtype=np.float64) - 1.0) ** 2


def outline(shape, x, bend=0.0):
    """Dorsal and ventral body outline (fins excluded) at positions ``x``.

    Args:
        shape: ``BodyShape``.
        x: array of positions along the body, in [0, 1].
        bend: centre-line bend (body lengths).

    Returns:
        ``(top, bottom)``, two arrays shaped like ``x``: the y of the dorsal and of the ventral
        outline (y grows downward, so ``top < bottom``).

    Example:
        >>> top, bottom = outline(BodyShape(), np.array([0.5]))
        >>> bool(top[0] < bottom[0])
        True
    """
    x = np.asarray(x, dtype=np.float64)
    half_d = shape.depth * shape.dorsal_frac
    half_v = shape.depth - half_d
    top = centre_line(x, bend) - half_d * _profile(x, shape.dorsal_exp, shape.peduncle / half_d)
    bottom = centre_line(x, bend) + half_v * _profile(x, shape.ventral_exp, shape.peduncle / half_v)
    return top, bottom


def eye_centre(shape, bend=0.0):
    """Centre ``(x, y)`` of the eye, in body lengths."""
    top, bottom = outline(shape, np.array([shape.eye_x]), bend)
    return np.array([shape.eye_x, top[0] + shape.eye_v * (bottom[0] - top[0])])


def fin_polygons(shape, bend=0.0):
    """Fin outlines in body lengths; each polygon starts and ends slightly inside the body.

    Args:
        shape: ``BodyShape``.
        bend: centre-line bend (body lengths).

    Returns:
        Dict ``name -> (N, 2) array`` of polygon vertices (x, y) for ``'dorsal'``, ``'adipose'``,
        ``'caudal'``, ``'anal'``, ``'pelvic'`` (drawn behind the body) and ``'pectoral'`` (drawn
        over the flank). The dorsal polygon's first vertex is UP, on the dorsal outline.

    Example:
        >>> polys = fin_polygons(BodyShape())
        >>> polys["dorsal"].shape[1]
        2
    """
    return {name: pts.copy() for name, pts in _fin_polygons(shape, float(bend)).items()}


@functools.lru_cache(maxsize=64)
def _fin_polygons(shape, bend):
    s = shape
    x0, ln, h = s.dorsal_x0, s.dorsal_len, s.dorsal_h
    # Every outline point the fins need, in one call: (x, dy) pairs on the top, then the bottom.
    top_at = [(x0, 0.0), (x0 + 0.8 * ln, -0.25 * h), (x0 + ln, 0.0), (x0 + ln, 0.02), (x0, 0.02),
              (0.80, 0.01), (0.80, 0.0), (0.835, -0.025), (0.855, -0.03), (0.86, 0.01)]
    bottom_at = [(0.66, -0.01), (0.66, 0.0), (0.69, 0.065), (0.72, 0.07), (0.75, 0.02),
                 (0.76, -0.01), (0.52, -0.01), (0.53, 0.04), (0.59, 0.05), (0.58, -0.01),
                 (0.19, -0.2 * s.depth), (0.31, 0.005), (0.29, 0.02)]
    xs = np.array([x for x, _ in top_at + bottom_at] + [0.97])
    top, bottom = outline(s, xs, bend)
    on_top = [np.array([x, y + dy]) for (x, dy), y in zip(top_at, top)]
    on_bottom = [np.array([x, y + dy]) for (x, dy), y in zip(bottom_at, bottom[len(top_at):])]
    up = on_top[0]
    dorsal = [
        up,
        up + [0.10 * ln, -0.55 * h],
        up + [0.30 * ln, -1.0 * h],
        up + [0.45 * ln, -0.95 * h],
        up + [0.55 * ln, -0.55 * h],
        *on_top[1:5],
    ]
    adipose = on_top[5:10]
    yc = centre_line(1.0, bend)
    tl, spread = s.tail_len, 0.75 * s.depth
    caudal = [
        [0.97, top[-1] + 0.005],
        [1.0 + 0.35 * tl, yc - 0.45 * spread],
        [1.0 + tl, yc - spread],
        [1.0 + (1.0 - 0.3 * s.tail_fork) * tl, yc - 0.45 * spread],
        [1.0 + (1.0 - s.tail_fork) * tl, yc],
        [1.0 + (1.0 - 0.3 * s.tail_fork) * tl, yc + 0.45 * spread],
        [1.0 + tl, yc + spread],
        [1.0 + 0.35 * tl, yc + 0.45 * spread],
        [0.97, bottom[-1] - 0.005],
    ]
    anal = on_bottom[0:6]
    pelvic = on_bottom[6:10]
    pec_base = on_bottom[10]
    pectoral = [
        pec_base,
        pec_base + [0.02, -0.012],
        on_bottom[11],
        on_bottom[12],
        pec_base + [0.0, 0.02],
    ]
    return {
        name: np.asarray(pts, dtype=np.float64)
        for name, pts in [
            ("dorsal", dorsal),
            ("adipose", adipose),
            ("caudal", caudal),
            ("anal", anal),
            ("pelvic", pelvic),
            ("pectoral", pectoral),
        ]
    }


@functools.lru_cache(maxsize=64)
def _extent(shape, bend):
    x = np.linspace(0.0, 1.0, 401)
    top, bottom = outline(shape, x, bend)
    pts = [np.stack([x, top], 1), np.stack([x, bottom], 1), *fin_polygons(shape, bend).values()]
    pts = np.concatenate(pts, 0)
    return (*pts.min(0), *pts.max(0))


def extent(shape, bend=0.0):
    """Bounding box ``(x_min, y_min, x_max, y_max)`` of body and fins, in body lengths."""
    return _extent(shape, float(bend))
