"""Individual skin pattern: spots in body coordinates, their drift between sessions, the texture.

Body coordinates: ``u`` along the body (0 = snout, 1 = tail base) and ``v`` across the local depth
(0 = dorsal outline, 1 = ventral outline). A pattern is a dict of equally long 1-D arrays:
``u, v`` (centre), ``r`` (radius, body lengths), ``aspect`` (minor / major axis), ``angle``
(radians), ``contrast`` (0..1 darkness), ``cross`` (1 for X-shaped spots), ``irr`` (outline
irregularity), ``ph2, ph3`` (phases of the irregularity harmonics).
"""

import numpy as np

from lateral_keras.data.synthetic import body

KEYS = ("u", "v", "r", "aspect", "angle", "contrast", "cross", "irr", "ph2", "ph3")
TEXTURE_SIZE = (192, 640)
_MIN_DIST = 0.02
_MIN_ROI_SPOTS = 12


def _draw(rng, n, u_range=(0.03, 0.97), v_range=(0.02, 0.77)):
    """Draw ``n`` spots; ``v`` leans toward the back (beta distribution)."""
    return {
        "u": rng.uniform(*u_range, n),
        "v": v_range[0] + (v_range[1] - v_range[0]) * rng.beta(1.3, 2.0, n),
        "r": np.clip(0.0095 * np.exp(rng.normal(0.0, 0.3, n)), 0.004, 0.02),
        "aspect": rng.uniform(0.55, 1.0, n),
        "angle": rng.uniform(0.0, np.pi, n),
        "contrast": rng.uniform(0.35, 0.95, n),
        "cross": (rng.random(n) < 0.3).astype(np.float64),
        "irr": rng.uniform(0.0, 0.25, n),
        "ph2": rng.uniform(0.0, 2 * np.pi, n),
        "ph3": rng.uniform(0.0, 2 * np.pi, n),
    }


def _concat(a, b):
    return {k: np.concatenate([a[k], b[k]]) for k in KEYS}


def _take(spots, index):
    return {k: spots[k][index] for k in KEYS}


def _spread(spots, depth, kept=None):
    """Greedy thinning: keep spots at least ``_MIN_DIST`` body lengths from every kept one."""
    kept_u = [] if kept is None else list(kept["u"])
    kept_v = [] if kept is None else list(kept["v"])
    keep = []
    for i, (u, v) in enumerate(zip(spots["u"], spots["v"])):
        if kept_u:
            d2 = (np.asarray(kept_u) - u) ** 2 + ((np.asarray(kept_v) - v) * depth) ** 2
            if d2.min() < _MIN_DIST**2:
                continue
        kept_u.append(u)
        kept_v.append(v)
        keep.append(i)
    return _take(spots, np.asarray(keep, dtype=np.int64))


def sample_spots(rng, shape):
    """Draw a fish flank's base spot pattern, with at least 12 spots in the ROI region.

    Args:
        rng: ``numpy.random.Generator``.
        shape: ``body.BodyShape`` (the ROI region is between eye and dorsal fin, v in 0.08..0.5).

    Returns:
        A pattern dict (see the module docstring), 50-110 spots.

    Example:
        >>> spots = sample_spots(np.random.default_rng(0), body.BodyShape())
        >>> len(spots["u"]) >= 12
        True
    """
    n = int(rng.integers(60, 111))
    spots = _spread(_draw(rng, 3 * n), shape.depth)
    spots = _take(spots, np.arange(min(n, len(spots["u"]))))
    roi_u, roi_v = (shape.eye_x + 0.01, shape.dorsal_x0), (0.08, 0.5)
    for _ in range(20):
        inside = (
            (spots["u"] > roi_u[0]) & (spots["u"] < roi_u[1])
            & (spots["v"] > roi_v[0]) & (spots["v"] < roi_v[1])
        )
        if inside.sum() >= _MIN_ROI_SPOTS:
            break
        extra = _spread(_draw(rng, 8, roi_u, roi_v), shape.depth, kept=spots)
        spots = _concat(spots, extra)
    return spots


def _field(rng, u, v):
    """Smooth random field with unit variance: three low-frequency plane waves in (u, v)."""
    out = np.zeros_like(u)
    for _ in range(3):
        fu, fv, ph = rng.uniform(0.3, 1.2), rng.uniform(0.0, 0.8), rng.uniform(0.0, 2 * np.pi)
        out += np.sin(2 * np.pi * (fu * u + fv * v) + ph)
    return out * np.sqrt(2.0 / 3.0)


def drift_spots(spots, rng, difficulty):
    """One session of skin change: smooth deformation, fading and new spots, contrast, growth.

    Args:
        spots: pattern dict of the previous session.
        rng: ``numpy.random.Generator`` of this session (``seeding.session_rng``).
        difficulty: ``Difficulty`` (``drift_*`` and ``growth`` amplitudes).

    Returns:
        The pattern dict of this session.

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> base = sample_spots(np.random.default_rng(0), body.BodyShape())
        >>> later = drift_spots(base, np.random.default_rng(1), resolve_difficulty("default"))
        >>> sorted(later) == sorted(KEYS)
        True
    """
    d = difficulty
    u, v = spots["u"], spots["v"]
    du = d.drift_shift_u * _field(rng, u, v)
    dv = d.drift_shift_v * _field(rng, u, v)
    out = dict(spots)
    out["u"] = np.clip(u + du, 0.02, 0.98)
    out["v"] = np.clip(v + dv, 0.0, 0.9)
    out["contrast"] = np.clip(spots["contrast"] * np.exp(rng.normal(0, d.drift_contrast, len(u))),
                              0.15, 1.0)
    out["r"] = spots["r"] * (1.0 + 0.5 * d.growth)
    keep = rng.random(len(u)) >= d.drift_fade
    out = _take(out, keep)
    n_new = int(rng.poisson(d.drift_appear * len(u)))
    return _concat(out, _draw(rng, n_new))


def render_texture(spots, shape, size=TEXTURE_SIZE):
    """Spot darkness map in body coordinates.

    Args:
        spots: pattern dict.
        shape: ``body.BodyShape`` (the local depth makes spots round on the body, not in (u, v)).
        size: ``(rows, cols)``; row i is ``v = i / (rows - 1)``, column j is ``u = j / (cols - 1)``.

    Returns:
        float32 array (rows, cols) in [0, 1]: how dark the skin is (0 = no spot).

    Example:
        >>> tex = render_texture(sample_spots(np.random.default_rng(0), body.BodyShape()),
        ...                      body.BodyShape())
        >>> tex.shape, float(tex.max()) > 0
        ((192, 640), True)
    """
    rows, cols = size
    tex = np.zeros(size, dtype=np.float32)
    top, bottom = body.outline(shape, np.linspace(0.0, 1.0, cols))
    depth = np.maximum(bottom - top, 0.02)
    for i in range(len(spots["u"])):
        u, v, r = spots["u"][i], spots["v"][i], spots["r"][i]
        dep = depth[int(round(u * (cols - 1)))]
        reach = 1.3 * r * (1.0 + spots["irr"][i])
        j0, j1 = int((u - reach) * (cols - 1)), int(np.ceil((u + reach) * (cols - 1))) + 1
        reach_v = reach / dep
        i0, i1 = int((v - reach_v) * (rows - 1)), int(np.ceil((v + reach_v) * (rows - 1))) + 1
        j0, i0, j1, i1 = max(j0, 0), max(i0, 0), min(j1, cols), min(i1, rows)
        if j1 <= j0 or i1 <= i0:
            continue
        du = np.arange(j0, j1) / (cols - 1) - u
        dv = (np.arange(i0, i1) / (rows - 1) - v) * dep
        du, dv = np.meshgrid(du, dv)
        ca, sa = np.cos(spots["angle"][i]), np.sin(spots["angle"][i])
        a, b = du * ca + dv * sa, -du * sa + dv * ca
        phi = np.arctan2(b, a)
        wobble = 1.0 + spots["irr"][i] * (
            0.6 * np.cos(2 * phi + spots["ph2"][i]) + 0.4 * np.cos(3 * phi + spots["ph3"][i])
        )
        if spots["cross"][i]:
            rho1 = np.hypot(a / r, b / (0.38 * r))
            c2, s2 = np.cos(1.2), np.sin(1.2)
            rho2 = np.hypot((a * c2 + b * s2) / r, (-a * s2 + b * c2) / (0.38 * r))
            rho = np.minimum(rho1, rho2) / wobble
        else:
            rho = np.hypot(a / r, b / (spots["aspect"][i] * r)) / wobble
        value = spots["contrast"][i] * np.clip((1.0 - rho) / 0.3, 0.0, 1.0)
        np.maximum(tex[i0:i1, j0:j1], value.astype(np.float32), out=tex[i0:i1, j0:j1])
    return tex
