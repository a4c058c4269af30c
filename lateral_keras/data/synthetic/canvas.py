"""Render one fish in its canonical frame: premultiplied colour, coverage and body-only coverage.

The colour is computed per channel on (H, W) planes, with the shading folded into a few grey
maps first: per-pixel broadcasting of a grey map over interleaved RGB is several times slower in
NumPy than three plane operations.
"""

import cv2
import numpy as np

from lateral_keras.data.synthetic import body

_BACK_FINS = ("dorsal", "adipose", "anal", "pelvic")


def _smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _fill(shape_hw, *polygons_px):
    """Anti-aliased coverage in [0, 1] of disjoint polygons (sub-pixel vertices via ``shift``)."""
    canvas = np.zeros(shape_hw, dtype=np.uint8)
    for polygon in polygons_px:
        pts = np.round(polygon * 16.0).astype(np.int32)
        cv2.fillPoly(canvas, [pts], 255, lineType=cv2.LINE_AA, shift=4)
    return canvas.astype(np.float32) * np.float32(1.0 / 255.0)


def _planes(rgb):
    """An RGB triple as a float32 (3, 1, 1) array, to broadcast over (3, H, W) planes."""
    return np.asarray(rgb, dtype=np.float32).reshape(3, 1, 1)


def _colour_sum(terms, grey):
    """Colour planes (3, H, W): the sum of ``rgb * weight`` over ``terms`` plus ``grey``.

    Args:
        terms: pairs ``(rgb, weight)``, an RGB triple and a float32 (H, W) map.
        grey: float32 (H, W) added to every channel.
    """
    out = np.empty((3, *grey.shape), dtype=np.float32)
    for c, plane in enumerate(out):
        np.copyto(plane, grey)
        for rgb, weight in terms:
            cv2.scaleAdd(weight, float(rgb[c]), plane, dst=plane)
    return out


def _mix(col, rgb, weight):
    """Blend planes ``col`` (3, H, W) toward colour ``rgb`` by the grey ``weight`` (H, W)."""
    return col + (_planes(rgb) - col) * weight.astype(np.float32)


def render_canonical(shape, bend, length_px, texture, colours, gloss, margin=4.0):
    """Draw the fish with head on the left, dorsal side up.

    Body point ``(x, y)`` (body lengths) lies at pixel ``origin + length_px * (x, y)``.

    Args:
        shape: ``body.BodyShape``.
        bend: centre-line bend (body lengths).
        length_px: body length (snout to tail base) in pixels.
        texture: spot darkness map from ``pattern.render_texture``, (rows, cols) over (v, u).
        colours: dict from ``look.sample_fish_colours``.
        gloss: dict from ``look.sample_gloss``.
        margin: empty border in pixels.

    Returns:
        Dict: ``'color'`` float32 (3, H, W): premultiplied R, G, B planes in [0, 1],
        ``'alpha'`` float32 (H, W) coverage of body and fins, ``'body_alpha'`` float32 (H, W)
        coverage of the body alone, ``'origin'`` (x, y) floats.

    Example:
        >>> from lateral_keras.data.synthetic import look
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> rng = np.random.default_rng(0)
        >>> out = render_canonical(body.BodyShape(), 0.0, 200.0, np.zeros((192, 640), "float32"),
        ...                        look.sample_fish_colours(rng),
        ...                        look.sample_gloss(rng, resolve_difficulty("default")))
        >>> out["color"].shape[1:] == out["alpha"].shape == out["body_alpha"].shape
        True
    """
    L = float(length_px)
    x0, y0, x1, y1 = body.extent(shape, bend)
    ox, oy = float(margin - x0 * L), float(margin - y0 * L)
    width = int(np.ceil((x1 - x0) * L + 2 * margin)) + 1
    height = int(np.ceil((y1 - y0) * L + 2 * margin)) + 1
    cols = np.arange(width, dtype=np.float32)
    x = (cols - ox) / L
    top, bottom = body.outline(shape, np.clip(x, 0.0, 1.0), bend)
    top_px = (oy + top * L).astype(np.float32)[None, :]
    bot_px = (oy + bottom * L).astype(np.float32)[None, :]
    yy = np.arange(height, dtype=np.float32)[:, None]
    xx = cols[None, :]
    vert = np.clip(np.minimum(yy - top_px, bot_px - yy) + 0.5, 0.0, 1.0)
    horiz = np.clip(np.minimum(xx - ox, ox + L - xx) + 0.5, 0.0, 1.0)
    body_alpha = vert * horiz

    u = np.clip(x, 0.0, 1.0)[None, :]
    depth_px = np.maximum(bot_px - top_px, 1e-3)
    v = np.clip((yy - top_px) / depth_px, 0.0, 1.0)
    rows_t, cols_t = texture.shape
    dark = cv2.remap(texture, np.broadcast_to(u * (cols_t - 1), v.shape).astype(np.float32),
                     v * np.float32(rows_t - 1), cv2.INTER_LINEAR)

    s = _smoothstep(colours["belly_v"] - 0.22, colours["belly_v"] + 0.22, v)
    v_line = 0.4 + 0.03 * np.sin(2 * np.pi * 0.8 * u)
    line = np.exp(-(((v - v_line) * depth_px / 1.1) ** 2)) * _smoothstep(0.15, 0.25, u)
    g = gloss
    spec = g["strength"] * np.exp(-(((v - g["v"]) / 0.09) ** 2))
    spec = spec * (0.6 + 0.4 * np.sin(2 * np.pi * g["freq"] * u + g["phase"]))
    # Scale grid sin(k(x + y) + p) sin(k(x - y)), as the separable sum of a column and a row.
    k = np.float32(2 * np.pi / (0.012 * L))
    scales = 0.5 * (np.cos(2 * k * yy + g["scale_phase"]) - np.cos(2 * k * xx + g["scale_phase"]))
    shade = (0.72 + 0.38 * np.clip(np.sin(np.pi * v), 0.0, 1.0) ** 0.7) * (1.0 + 0.03 * scales)
    # Per channel: base = back + (belly - back) s; skin = mix(base (1 + 0.12 line), spot, dark);
    # col = (skin + spec (1 - skin)) shade = back k_base + (belly - back) s k_base
    # + spot k_spot + spec shade, with the grey maps below.
    k_spot = (1.0 - spec) * shade
    k_base = (1.0 + 0.12 * line) * (1.0 - dark) * k_spot
    k_spot *= dark
    back_rgb = np.asarray(colours["back"], dtype=np.float32)
    col = _colour_sum([(back_rgb, k_base), (colours["belly"] - back_rgb, s * k_base),
                       (colours["spot"], k_spot)], spec * shade)
    _draw_head(col, shape, bend, L, (ox, oy), colours)

    polygons = body.fin_polygons(shape, bend)
    origin = np.array([ox, oy])
    fins = 0.85 * _fill(v.shape, *(origin + L * polygons[name] for name in _BACK_FINS))
    ramp = np.clip((x - 1.0) / shape.tail_len, 0.0, 1.0)[None, :]
    fins = np.maximum(fins, _fill(v.shape, origin + L * polygons["caudal"]) * (0.9 - 0.4 * ramp))
    pect = 0.6 * _fill(v.shape, origin + L * polygons["pectoral"])
    # Fins behind the body, then the pectoral fin over it:
    # color = (col A + fin F (1 - A)) (1 - P) + 1.1 fin P, alpha = (A + F (1 - A)) (1 - P) + P.
    behind = fins * (1.0 - body_alpha)
    col *= body_alpha * (1.0 - pect)
    fin_weight = behind * (1.0 - pect) + 1.1 * pect
    for plane, fin in zip(col, colours["fin"]):
        cv2.scaleAdd(fin_weight, float(fin), plane, dst=plane)
    alpha = (body_alpha + behind) * (1.0 - pect) + pect
    return {
        "color": col,
        "alpha": alpha,
        "body_alpha": body_alpha,
        "origin": (ox, oy),
    }


def _draw_head(col, shape, bend, length_px, origin, colours):
    """Eye (dark rim, light iris, dark pupil, highlight) and gill-cover arc, in place on the
    colour planes ``col`` (3, H, W)."""
    L = length_px
    ex, ey = (float(c) for c in np.asarray(origin) + body.eye_centre(shape, bend) * L)
    radius = shape.eye_r * L
    op_x, op_y, op_r = ex - 0.03 * L, ey + 0.012 * L, 0.1 * L
    height, width = col.shape[1:]
    i0, i1 = max(int(op_y - op_r - 3), 0), min(int(op_y + op_r + 4), height)
    j0, j1 = max(int(ex - radius - 3), 0), min(int(op_x + op_r + 4), width)
    yy = np.arange(i0, i1, dtype=np.float32)[:, None]
    xx = np.arange(j0, j1, dtype=np.float32)[None, :]
    win = col[:, i0:i1, j0:j1]
    arc = np.clip(1.2 - np.abs(np.hypot(xx - op_x, yy - op_y) - op_r), 0.0, 1.0)
    win *= 1.0 - 0.25 * arc * (xx > op_x + 0.3 * op_r)
    d_eye = np.hypot(xx - ex, yy - ey)
    win = _mix(win, [0.12, 0.12, 0.1], np.clip(radius + 1.0 - d_eye, 0.0, 1.0))
    win = _mix(win, colours["iris"], np.clip(radius - d_eye + 0.5, 0.0, 1.0))
    win = _mix(win, [0.03, 0.03, 0.04], np.clip(0.55 * radius - d_eye + 0.5, 0.0, 1.0))
    d_hi = np.hypot(xx - ex + 0.25 * radius, yy - ey + 0.25 * radius)
    col[:, i0:i1, j0:j1] = _mix(win, [0.9, 0.9, 0.9],
                                0.8 * np.clip(0.15 * radius - d_hi + 0.5, 0, 1))
