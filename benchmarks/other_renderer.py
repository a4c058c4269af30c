"""The ROI extractor on fish drawn by a second, independent renderer.

The synthetic generator (``lateral_keras.data.synthetic``) and the extractor were built side by
side, so the extractor may lean on the generator's habits. This script draws fish its own way,
with OpenCV primitives only: a body from a parametric profile, a forked or square tail, a
triangular dorsal fin (UP, where its leading edge meets the back, is known exactly), paired
and anal fins, a gill-cover arc, an eye with a dark pupil and a light iris (EP, its centre),
a darker back, and one of several skin patterns (dark spots, pale spots on a dark body,
vertical bars, plain). Each photo shows a left or right flank (head left or right, dorsal side
up), tilted up to 25 degrees, on an unevenly lit green with the fish's soft shadow, blurred,
noised and JPEG-compressed.

Per pattern it prints the share of photos with a ROI, the share whose flank comes out right,
the landmark error (the larger of the EP and UP errors over the true EP-UP span) and the
wrong ROIs (error above 0.2 of the span, or the wrong flank).

    python benchmarks/other_renderer.py [--photos 40] [--seed 0] [--hard] [--dump DIR]
    python benchmarks/other_renderer.py --dataset DIR [--fish 200] [--sessions 3] [--hard]
"""

import argparse
import collections
import math
import os

import cv2
import numpy as np

from lateral_keras.data.synthetic.photometric import encode_jpeg
from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.settings import ExtractorSettings
from lateral_keras.utils.atomic import write_bytes

PATTERNS = ("dark_spots", "pale_spots", "bars", "plain")
WRONG = 0.2
"""A ROI is wrong when EP or UP is off by more than this share of the true EP-UP span."""


_DEEPEST = 0.5 / 1.2
"""Where ``sqrt(u) * (1 - u) ** 0.7`` peaks."""


def _profile(u, depth):
    """Dorsal (negative y) and ventral outline of the body at length fractions ``u``."""
    u = np.clip(np.asarray(u, np.float64), 0.0, 1.0)
    shape = np.sqrt(u) * (1 - u) ** 0.7 / (np.sqrt(_DEEPEST) * (1 - _DEEPEST) ** 0.7)
    shape = np.maximum(shape, np.where(u > 0.7, 0.16, 0.0))  # the tail's root keeps a depth
    return -0.55 * depth * shape, 0.45 * depth * shape


def fish_look(rng, pattern, hard=False):
    """What one fish keeps in every photo: its shape, fins, colours, eye and skin marks.

    Args:
        rng: a NumPy Generator.
        pattern: one of ``PATTERNS``.
        hard: olive and greenish fish too, see-through fins, half the eyes without a light iris.

    Returns:
        A dict for ``draw_fish``; marks are ``(u, v, size)``: length fraction from the snout,
        depth fraction from the axis (negative: up), size in lengths.
    """
    colours = [(150, 140, 120), (120, 125, 90), (175, 150, 135), (95, 85, 75), (185, 180, 170)]
    if hard:
        colours += [(110, 125, 70), (90, 110, 80)]  # olive, greenish: close to the background
    base = np.array(colours[rng.integers(len(colours))], np.float32) * rng.uniform(0.85, 1.1)
    front = rng.uniform(0.33, 0.45)
    if pattern == "bars":
        marks = [(0.2 + 0.1 * k + rng.uniform(-0.02, 0.02), 0.0, rng.uniform(0.015, 0.03))
                 for k in range(rng.integers(5, 9))]
    elif pattern in ("dark_spots", "pale_spots"):
        low, high = (0.005, 0.014) if pattern == "dark_spots" else (0.006, 0.016)
        marks = [(rng.uniform(0.15, 0.95), rng.uniform(-0.4, 0.3), rng.uniform(low, high))
                 for _ in range(rng.integers(40, 90))]
    else:
        marks = []
    return {
        "pattern": pattern, "base": base, "marks": np.array(marks).reshape(-1, 3),
        "depth": rng.uniform(0.2, 0.3), "tail": rng.uniform(0.16, 0.22),
        "fork": rng.uniform(0.0, 0.12), "front": front, "back": front + rng.uniform(0.1, 0.18),
        "fin_height": rng.uniform(0.3, 0.45),
        "fin_opacity": rng.uniform(0.4, 0.7) if hard else 0.85,
        "ink": rng.uniform(0.25, 0.45), "eye_u": rng.uniform(0.05, 0.08),
        "eye_v": rng.uniform(0.3, 0.4), "eye_radius": rng.uniform(0.02, 0.03),
        "iris": (base * 0.8).tolist() if hard and rng.random() < 0.5 else (200, 180, 120),
    }


def drifted(look, rng, spread):
    """``look`` with its marks moved by ``spread`` (a share of the length) at random: a later
    session's skin."""
    marks = look["marks"].copy()
    marks[:, :2] += rng.normal(0.0, spread, marks[:, :2].shape)
    return {**look, "marks": marks}


def draw_fish(look, body_length=400.0):
    """A fish in its own frame (head left, dorsal side up).

    Args:
        look: from ``fish_look``.
        body_length: snout to tail root, in pixels.

    Returns:
        ``(rgb, alpha, EP, UP)``: float32 ``(h, w, 3)`` colours in [0, 255] premultiplied by
        the float32 ``(h, w)`` cover ``alpha``, and the landmarks' ``(x, y)``.
    """
    length = body_length
    depth, tail, base = length * look["depth"], length * look["tail"], look["base"]
    pad = 0.1 * length
    height, width = int(1.6 * depth + 2 * pad), int(length + tail + 2 * pad)
    origin = np.array([pad, pad + 0.8 * depth])  # the snout's height is the frame's row
    u = np.linspace(0.0, 1.0, 400)
    top, bottom = _profile(u, depth)
    body = np.concatenate([np.stack([u * length, top], 1),
                           np.stack([u[::-1] * length, bottom[::-1]], 1)]) + origin
    fin_colour = tuple(float(v) for v in np.clip(base * 0.8 + 30, 0, 255))
    fin_opacity = look["fin_opacity"]
    rgb = np.zeros((height, width, 3), np.float32)
    alpha = np.zeros((height, width), np.float32)

    def fill(points, colour, opacity=1.0):  # paint over what is there (premultiplied)
        layer = np.zeros((height, width), np.uint8)
        cv2.fillPoly(layer, [np.round(points).astype(np.int32)], 1)
        on = layer.astype(bool)
        rgb[on] = rgb[on] * (1 - opacity) + np.float32(colour) * opacity
        alpha[on] = alpha[on] * (1 - opacity) + opacity

    def at(fraction):
        t, b = _profile(np.array([fraction]), depth)
        return fraction * length + origin[0], t[0] + origin[1], b[0] + origin[1]

    # fins first, the body over their roots
    x1, y_top1, _ = at(1.0)
    fork = look["fork"] * length
    fill(np.array([[x1 - 0.02 * length, y_top1 + 0.02 * depth], [x1 + tail, y_top1 - 0.35 * depth],
                   [x1 + tail - fork, origin[1]], [x1 + tail, origin[1] + 0.4 * depth],
                   [x1 - 0.02 * length, origin[1] + 0.05 * depth]]), fin_colour,
         min(1.0, fin_opacity + 0.05))
    xf, yf, _ = at(look["front"])
    xb, yb, _ = at(look["back"])
    fin_height = depth * look["fin_height"]
    fill(np.array([[xf, yf + 0.05 * depth], [xf + 0.4 * (xb - xf), yf - fin_height],
                   [xb + 0.03 * length, yb - 0.15 * fin_height], [xb, yb + 0.05 * depth]]),
         fin_colour, fin_opacity)
    for start, span, drop in ((0.22, 0.1, 0.25), (0.48, 0.08, 0.2), (0.68, 0.1, 0.2)):
        xs, _, ys = at(start)
        xe, _, ye = at(start + span)
        fill(np.array([[xs, ys - 0.05 * depth], [xe + 0.04 * length, ye + drop * depth],
                       [xe, ye - 0.03 * depth]]), fin_colour, 0.8 * fin_opacity)

    body_layer = np.zeros((height, width), np.uint8)
    cv2.fillPoly(body_layer, [np.round(body).astype(np.int32)], 1)
    rows = np.arange(height, dtype=np.float32)[:, None] - origin[1]
    shade = np.clip(1.0 + 0.9 * rows / depth, 0.55, 1.3)  # dark back, light belly
    skin = np.repeat((shade[..., None] * base)[:, :1], width, axis=1)
    if look["pattern"] == "pale_spots":
        skin *= 0.6
    ink = (base * (1.5 if look["pattern"] == "pale_spots" else look["ink"])).clip(0, 255)
    for mark_u, mark_v, size in look["marks"]:
        x = mark_u * length + origin[0]
        if look["pattern"] == "bars":
            half = size * length
            skin[:, int(x - half) : int(x + half)] *= 0.55
        else:
            centre = (int(x), int(origin[1] + mark_v * depth))
            cv2.circle(skin, centre, int(size * length), ink.tolist(), -1)
    on = body_layer.astype(bool)
    rgb[on], alpha[on] = skin[on], 1.0

    x_gill, y_gill_top, y_gill_bottom = at(0.2)
    cv2.ellipse(rgb, (int(x_gill - 0.04 * length), int(origin[1])),
                (int(0.04 * length), int(0.4 * (y_gill_bottom - y_gill_top))), 0, -70, 70,
                (base * 0.6).tolist(), max(1, int(0.004 * length)))
    x_eye, y_top_eye, y_bottom_eye = at(look["eye_u"])
    ep = np.array([x_eye, y_top_eye + look["eye_v"] * (y_bottom_eye - y_top_eye)])
    radius = look["eye_radius"] * length
    cv2.circle(rgb, tuple(int(round(v)) for v in ep), int(radius), look["iris"], -1)
    cv2.circle(rgb, tuple(int(round(v)) for v in ep), int(0.6 * radius), (15, 15, 20), -1)
    return rgb, alpha, ep, np.array([xf, yf])


def draw_photo(rng, look, hard=False, size=(800, 600), flank=None):
    """A photo of one fish on green; returns ``(JPEG bytes, EP, UP, flank)``.

    Args:
        rng: a NumPy Generator (the photo's pose, light and noise).
        look: from ``fish_look``.
        hard: tilts up to 40 degrees, fish of 30-80 % of the width, stronger uneven light,
            more blur and noise, JPEG quality 75.
        size: ``(width, height)``.
        flank: ``'left'``, ``'right'`` or None (drawn at random).
    """
    width, height = size
    fish, alpha, ep, up = draw_fish(look)
    flank = str(rng.choice(["left", "right"])) if flank is None else flank
    scale = (rng.uniform(0.3, 0.8) if hard else rng.uniform(0.45, 0.65)) * width / fish.shape[1]
    angle = rng.uniform(-40, 40) if hard else rng.uniform(-25, 25)
    centre = (width * rng.uniform(0.4, 0.6), height * rng.uniform(0.4, 0.6))
    fish_centre = (fish.shape[1] / 2, fish.shape[0] / 2)
    matrix = cv2.getRotationMatrix2D(fish_centre, angle, scale)
    if flank == "right":  # mirror in the fish's frame: the head points right
        mirror = np.array([[-1, 0, fish.shape[1] - 1], [0, 1, 0], [0, 0, 1]], np.float64)
        matrix = matrix @ mirror
    matrix[:, 2] += np.array(centre) - np.array(fish_centre)

    hsv = np.empty((height, width, 3), np.float32)
    hsv[..., 0] = rng.uniform(50, 70)  # OpenCV hue units (degrees / 2)
    hsv[..., 1] = rng.uniform(130, 220)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    tilt = rng.normal(0, 0.35 if hard else 0.2, 2)
    light = 1.0 + tilt[0] * (xx / width - 0.5) + tilt[1] * (yy / height - 0.5)
    hsv[..., 2] = rng.uniform(120, 190) * light
    hsv = np.clip(hsv + rng.normal(0, (0.0, 6.0, 4.0), hsv.shape), 0, 255).astype(np.uint8)
    background = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB).astype(np.float32)

    warped = cv2.warpAffine(fish, matrix, size, flags=cv2.INTER_LINEAR)
    cover = cv2.warpAffine(alpha, matrix, size, flags=cv2.INTER_LINEAR)
    shadow = cv2.GaussianBlur(cover, (0, 0), 0.02 * width)
    shadow = np.roll(shadow, (int(0.01 * height), int(0.01 * width)), axis=(0, 1))
    background *= (1.0 - 0.3 * shadow)[..., None]
    photo = background * (1 - cover[..., None]) + warped  # the fish's colours carry their cover
    blur, noise, quality = (1.3, 6.0, 75) if hard else (0.8, 3.0, 90)
    photo = cv2.GaussianBlur(photo, (0, 0), blur) + rng.normal(0, noise, photo.shape)
    photo = np.clip(photo, 0, 255).astype(np.uint8)
    points = np.stack([ep, up]) @ matrix[:, :2].T + matrix[:, 2]
    return encode_jpeg(photo, quality), points[0], points[1], flank


def landmark_error(result, ep, up):
    """The larger of the EP and UP errors over the true EP-UP span."""
    span = float(np.linalg.norm(up - ep))
    return max(float(np.linalg.norm(np.array(result.landmarks[name]) - truth))
               for name, truth in (("EP", ep), ("UP", up))) / span


def run(photos, seed, settings, hard=False, dump=None):
    """Per pattern: ``{"photos", "roi", "flank_right", "errors", "wrong", "failures"}``.

    Args:
        photos: photos per pattern.
        seed: seeds each pattern's photos.
        settings: an ``ExtractorSettings``.
        hard: ``draw_photo``'s harder photos.
        dump: folder for the failed and wrong photos, or None.
    """
    table = {}
    for index, pattern in enumerate(PATTERNS):
        rng = np.random.default_rng([seed, index])
        row = {"photos": photos, "roi": 0, "flank_right": 0, "errors": [], "wrong": [],
               "failures": collections.Counter()}
        for number in range(photos):
            jpeg, ep, up, flank = draw_photo(rng, fish_look(rng, pattern, hard), hard)
            photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR_RGB)
            result = extract_roi(photo, settings)
            name = f"{pattern}_{number:03d}"
            if not result.ok:
                row["failures"][result.reason] += 1
                _dump(dump, name + "_FAIL_" + result.reason, jpeg)
                continue
            row["roi"] += 1
            error = landmark_error(result, ep, up)
            row["errors"].append(error)
            row["flank_right"] += result.side == flank
            if error > WRONG or result.side != flank:
                row["wrong"].append(f"{name}(e{error:.2f},{result.side})")
                _dump(dump, name + "_WRONG", jpeg)
        table[pattern] = row
    return table


def _render_fish(task):
    """Write every photo of one fish (``write_dataset``'s work item); returns their count."""
    out, fish, sessions, photos, seed, hard, drift = task
    look = fish_look(np.random.default_rng([seed, fish, 0]), PATTERNS[fish % len(PATTERNS)], hard)
    for session in range(sessions):
        rng = np.random.default_rng([seed, fish, session + 1])
        skin = drifted(look, rng, drift * session) if session else look
        folder = os.path.join(out, f"SESSION{session + 1}", f"fish_{fish:04d}")
        for image in range(photos):
            jpeg = draw_photo(rng, skin, hard, flank="left")[0]
            write_bytes(os.path.join(folder, f"img_{image:02d}.jpg"), jpeg)
    return sessions * photos


def write_dataset(out, fish, sessions, photos, seed=0, hard=False, drift=0.003, workers=2):
    """Photos of ``fish`` fish (left flanks, the skins in turn) in ``sessions`` sessions, in the
    layout ``<out>/SESSION<k>/fish_<i>/img_<j>.jpg``, for running the recipe on another
    renderer's fish (``--set data.root=<out>``). Each fish keeps its look; its marks move by
    ``drift`` of the length (standard deviation) per session after the first.

    ``workers`` processes draw the fish (1: this process).

    Returns:
        The number of photos written.
    """
    from multiprocessing import Pool

    tasks = [(out, i, sessions, photos, seed, hard, drift) for i in range(fish)]
    if workers == 1:
        return sum(map(_render_fish, tasks))
    with Pool(workers) as pool:
        return sum(pool.map(_render_fish, tasks))


def _dump(folder, name, jpeg):
    if folder:
        write_bytes(os.path.join(folder, name + ".jpg"), jpeg)


def format_table(table):
    """The Markdown table of ``run``'s figures."""
    lines = ["| pattern | photos | ROI % | flank right % | error median | error p90 | wrong | "
             "failures |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for pattern, row in table.items():
        errors = np.array(row["errors"] or [math.nan])
        failures = ", ".join(f"{k} {v}" for k, v in row["failures"].most_common()) or "-"
        lines.append(
            f"| {pattern} | {row['photos']} | {100 * row['roi'] / row['photos']:.1f} | "
            f"{100 * row['flank_right'] / max(row['roi'], 1):.1f} | "
            f"{np.median(errors):.3f} | {np.percentile(errors, 90):.3f} | "
            f"{len(row['wrong'])} | {failures} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=40, help="photos per pattern")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hard", action="store_true", help="harder photos (see draw_photo)")
    parser.add_argument("--dump", default=None, help="folder for failed and wrong photos")
    parser.add_argument("--dataset", default=None,
                        help="write an identity dataset here instead (see write_dataset)")
    parser.add_argument("--fish", type=int, default=200, help="--dataset: fish")
    parser.add_argument("--sessions", type=int, default=3, help="--dataset: sessions")
    args = parser.parse_args()
    if args.dataset:
        count = write_dataset(args.dataset, args.fish, args.sessions, 4, args.seed, args.hard)
        print(f"{count} photos in {args.dataset}")
        return
    table = run(args.photos, args.seed, ExtractorSettings(), args.hard, args.dump)
    print(f"{'hard' if args.hard else 'default'} photos, {args.photos} per pattern, seed "
          f"{args.seed}, 800x600; wrong: EP or UP off by "
          f"more than {WRONG} of the EP-UP span, or the wrong flank")
    print()
    print(format_table(table))
    for pattern, row in table.items():
        if row["wrong"]:
            print(f"- {pattern}: " + " ".join(row["wrong"]))


if __name__ == "__main__":
    main()
