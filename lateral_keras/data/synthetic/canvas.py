"""Render one fish in its canonical frame: premultiplied colour, coverage and body-only coverage."""

import cv2
import numpy as np

from lateral_keras.data.synthetic import body

_BACK_FINS = ("dorsal", "adipose", "anal", "pelvic")


def _smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _fill(shape_hw, polygon_px):
    """Anti-aliased polygon coverage in [0, 1] (sub-pixel vertices through cv2's ``shift``)."""
    canvas = np.zeros(shape_hw, dtype=np.uint8)
    pts = np.round(polygon_px * 16.0).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 255, lineType=cv2.LINE_AA, shift=4)
    return canvas.astype(np.float32) / 255.0


def _mix(col, rgb, weight):
    w = weight[..., None].astype(np.float32)
    return col + (np.asarray(rgb, dtype=np.float32) - col) * w


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
        Dict: ``'color'`` float32 (H, W, 3) premultiplied RGB in [0, 1], ``'alpha'`` float32 (H, W)
        coverage of body and fins, ``'body_alpha'`` float32 (H, W) coverage of the body alone,
        ``'origin'`` (x, y) floats.

    Example:
        >>> from lateral_keras.data.synthetic import look
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> rng = np.random.default_rng(0)
        >>> out = render_canonical(body.BodyShape(), 0.0, 200.0, np.zeros((192, 640), "float32"),
        ...                        look.sample_fish_colours(rng),
        ...                        look.sample_gloss(rng, resolve_difficulty("default")))
        >>> out["alpha"].shape == out["color"].shape[:2]
        True
    """
    L = float(length_px)
    x0, y0, x1, y1 = body.extent(shape, bend)
    ox, oy = margin - x0 * L, margin - y0 * L
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

    s = _smoothstep(colours["belly_v"] - 0.22, colours["belly_v"] + 0.22, v)[..., None]
    back_rgb = np.asarray(colours["back"], np.float32)
    col = back_rgb + (np.asarray(colours["belly"], np.float32) - back_rgb) * s
    v_line = 0.4 + 0.03 * np.sin(2 * np.pi * 0.8 * u)
    line = np.exp(-(((v - v_line) * depth_px / 1.1) ** 2)) * _smoothstep(0.15, 0.25, u)
    g = gloss
    spec = g["strength"] * np.exp(-(((v - g["v"]) / 0.09) ** 2))
    spec = spec * (0.6 + 0.4 * np.sin(2 * np.pi * g["freq"] * u + g["phase"]))
    k = np.float32(2 * np.pi / (0.012 * L))
    scales = np.sin(k * (xx + yy) + g["scale_phase"]) * np.sin(k * (xx - yy))
    shade = (0.72 + 0.38 * np.clip(np.sin(np.pi * v), 0.0, 1.0) ** 0.7) * (1.0 + 0.03 * scales)
    col = _mix(col * (1.0 + 0.12 * line)[..., None], colours["spot"], dark)
    col = (col + spec[..., None] * (1.0 - col)) * shade[..., None]
    _draw_head(col, shape, bend, L, (ox, oy), colours)

    polygons = body.fin_polygons(shape, bend)
    origin = np.array([ox, oy])
    back = np.zeros((height, width), dtype=np.float32)
    for name in _BACK_FINS:
        back = np.maximum(back, 0.85 * _fill(back.shape, origin + L * polygons[name]))
    ramp = np.clip((x - 1.0) / shape.tail_len, 0.0, 1.0)[None, :]
    back = np.maximum(back, _fill(back.shape, origin + L * polygons["caudal"]) * (0.9 - 0.4 * ramp))
    fin = np.asarray(colours["fin"], dtype=np.float32)
    color = col * body_alpha[..., None] + (fin * back[..., None]) * (1.0 - body_alpha[..., None])
    alpha = body_alpha + back * (1.0 - body_alpha)
    pect = 0.6 * _fill(back.shape, origin + L * polygons["pectoral"])
    color = (fin * 1.1) * pect[..., None] + color * (1.0 - pect[..., None])
    alpha = pect + alpha * (1.0 - pect)
    return {
        "color": color.astype(np.float32),
        "alpha": alpha.astype(np.float32),
        "body_alpha": body_alpha.astype(np.float32),
        "origin": (float(ox), float(oy)),
    }


def _draw_head(col, shape, bend, length_px, origin, colours):
    """Eye (dark rim, light iris, dark pupil, highlight) and gill-cover arc, in place on ``col``."""
    L = length_px
    ex, ey = np.asarray(origin) + body.eye_centre(shape, bend) * L
    radius = shape.eye_r * L
    op_x, op_y, op_r = ex - 0.03 * L, ey + 0.012 * L, 0.1 * L
    height, width = col.shape[:2]
    i0, i1 = max(int(op_y - op_r - 3), 0), min(int(op_y + op_r + 4), height)
    j0, j1 = max(int(ex - radius - 3), 0), min(int(op_x + op_r + 4), width)
    yy = np.arange(i0, i1, dtype=np.float32)[:, None]
    xx = np.arange(j0, j1, dtype=np.float32)[None, :]
    win = col[i0:i1, j0:j1]
    arc = np.clip(1.2 - np.abs(np.hypot(xx - op_x, yy - op_y) - op_r), 0.0, 1.0)
    win *= (1.0 - 0.25 * arc * (xx > op_x + 0.3 * op_r))[..., None]
    d_eye = np.hypot(xx - ex, yy - ey)
    win = _mix(win, [0.12, 0.12, 0.1], np.clip(radius + 1.0 - d_eye, 0.0, 1.0))
    win = _mix(win, colours["iris"], np.clip(radius - d_eye + 0.5, 0.0, 1.0))
    win = _mix(win, [0.03, 0.03, 0.04], np.clip(0.55 * radius - d_eye + 0.5, 0.0, 1.0))
    d_hi = np.hypot(xx - ex + 0.25 * radius, yy - ey + 0.25 * radius)
    col[i0:i1, j0:j1] = _mix(win, [0.9, 0.9, 0.9], 0.8 * np.clip(0.15 * radius - d_hi + 0.5, 0, 1))
