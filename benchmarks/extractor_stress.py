"""Stress the ROI extractor with photo conditions the synthetic generator does not render.

Renders ``--fish`` x ``--photos`` synthetic 800x600 photos (left flanks) with their ground truth
cut at the recipe's ROI fractions (``preprocessing.top_fraction`` / ``bottom_fraction``), and
applies each perturbation (background hue or saturation, uneven light, shadows, glare, a smaller
or larger fish, labels, a ruler, a dark object, JPEG quality 30, noise, a green-tinted fish,
another resolution, a hand holding the tail) before the photo's JPEG step. The JPEG is decoded
to RGB as ``lateral prepare`` reads it and ``extract_roi`` runs with the same fractions. Per
perturbation: the share of photos with a ROI, the failure reasons, the corner error (mean
distance of the 4 corners to the truth's, in fish lengths), the ROI quadrilaterals' IoU, and the
bad ROIs (error > 0.10 or IoU < 0.5), with how many of those the quality report would not list
on ``unsure.png`` (direction margin at least ``report.UNSURE_DIRECTION`` and proportions not odd
among the perturbation's ROIs, ``report.odd_proportion_rows``), and the right crops it would
list as of odd proportions (false alarms). Random draws are seeded by the seed, the photo and
the perturbation's place in ``PERTURBATIONS``, so ``--only`` repeats full rows (new
perturbations go last).

Usage:
    python benchmarks/extractor_stress.py --difficulty hard --only none,fish_tint30 --dump out
"""

import argparse
import collections
import dataclasses
import functools
import os
import time

import cv2
import numpy as np

from lateral_keras.config.schema import PreprocessingConfig
from lateral_keras.data.synthetic.ground_truth import roi_iou
from lateral_keras.data.synthetic.photometric import encode_jpeg
from lateral_keras.data.synthetic.render import render_image
from lateral_keras.preprocessing.extractor import extract_roi
from lateral_keras.preprocessing.report import UNSURE_DIRECTION, odd_proportion_rows
from lateral_keras.preprocessing.settings import ExtractorSettings

SIZE = (800, 600)


def soft(mask, sigma):
    """A bool mask as a float32 (H, W, 1) weight with a blurred edge."""
    return cv2.GaussianBlur(mask.astype(np.float32), (0, 0), sigma)[..., None]


def blend(image, other, weight):
    """``image * (1 - weight) + other * weight`` as uint8."""
    mixed = image.astype(np.float32) * (1 - weight) + other.astype(np.float32) * weight
    return np.clip(mixed, 0, 255).astype(np.uint8)


def paint(image, mask, rgb, sigma, share=1.0):
    """``image`` with ``share`` of colour ``rgb`` over ``mask``, its edge blurred by ``sigma``."""
    return blend(image, np.broadcast_to(np.float32(rgb), image.shape), soft(mask, sigma) * share)


def dilate(mask, radius):
    """A bool mask grown by a disc of ``radius`` pixels."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return cv2.dilate(mask.astype(np.uint8), disc).astype(bool)


def fill_poly(shape, poly, line_type=cv2.LINE_8):
    """A bool mask of ``shape`` with the polygon ``poly`` ((N, 2) float points) filled."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(poly * 16).astype(np.int32)], 1, lineType=line_type, shift=4)
    return mask.astype(bool)


def rect_mask(shape, size, angle):
    """A function of a centre: the mask of a ``size`` (w, h) rectangle turned by ``angle``."""
    c, s = np.cos(angle), np.sin(angle)
    w, h = size[0] / 2, size[1] / 2
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) @ np.array([[c, s], [-s, c]])
    return lambda centre: fill_poly(shape, corners + centre)


def place_free(rng, shape, forbidden, make_mask, tries=300, inside=True, min_area=0):
    """A mask ``make_mask(centre)`` at a random centre that avoids ``forbidden``, or None.
    ``inside=False`` lets it cross the frame if at least ``min_area`` pixels stay in."""
    h, w = shape
    for _ in range(tries):
        mask = make_mask(np.array([rng.uniform(0, w), rng.uniform(0, h)]))
        if not mask.any() or (mask & forbidden).any() or mask.sum() < min_area:
            continue
        if inside and (mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any()):
            continue
        return mask
    return None


def background_plate(photo, fish):
    """The photo with the fish and its edge inpainted away (inpainted at quarter size)."""
    h, w = fish.shape
    region = dilate(fish, 10)
    small = cv2.resize(photo, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    hole = cv2.resize(region.astype(np.uint8), (w // 4, h // 4), interpolation=cv2.INTER_NEAREST)
    hole = cv2.dilate(hole, np.ones((3, 3), np.uint8))
    filled = cv2.inpaint(small, hole * 255, 5, cv2.INPAINT_TELEA)
    up = cv2.resize(filled, (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    up += np.random.default_rng(0).normal(0, 2.0, up.shape).astype(np.float32)
    plate = photo.copy()
    plate[region] = np.clip(up[region], 0, 255).astype(np.uint8)
    return plate


def rescaled(image, truth, offset, scale):
    """A perturbation's result: ``image`` shows the photo shifted by ``offset`` (pixels), then
    scaled by ``scale`` (x, y); the truth's ROI and fish length are mapped alike."""
    roi = (truth["roi"] + offset + 0.5) * scale - 0.5
    return image, roi, truth["length_px"] * scale[0], None


# Perturbations: (photo, truth, masks, rng) -> (photo, truth ROI, fish length, JPEG quality or
# None for the photo's own), or None where a perturbation does not apply to the photo.


def as_is(photo, truth, masks, rng, quality=None):
    """The photo as rendered, saved at the JPEG ``quality`` when given."""
    return photo, truth["roi"], truth["length_px"], quality


def background_hsv(photo, truth, masks, rng, hue=None, saturation=1.0):
    """The background's median hue moved to ``hue`` degrees, its saturation times ``saturation``."""
    hsv = cv2.cvtColor(photo.astype(np.float32) / 255.0, cv2.COLOR_RGB2HSV)
    if hue is not None:
        hsv[..., 0] = np.mod(hsv[..., 0] + (hue - np.median(hsv[..., 0][~masks["fish"]])), 360.0)
    hsv[..., 1] *= saturation
    new = np.clip(cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return as_is(blend(photo, new, soft(~masks["fish"], 1.0)), truth, masks, rng)


def uneven_light(photo, truth, masks, rng, vignette):
    """Light from 1.1 down to 0.45: across the photo in a random direction, or from its
    centre to its corners (``vignette``)."""
    h, w = photo.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if vignette:
        gain = 1.1 - (1.1 - 0.45) * (((xx - w / 2) / (w / 2)) ** 2
                                     + ((yy - h / 2) / (h / 2)) ** 2) / 2.0
    else:
        phi = rng.uniform(0, 2 * np.pi)
        t = np.cos(phi) * (xx - w / 2) + np.sin(phi) * (yy - h / 2)
        t = (t - t.min()) / (t.max() - t.min())
        gain = 0.45 + (1.1 - 0.45) * t
    lit = np.clip(photo.astype(np.float32) * gain[..., None], 0, 255).astype(np.uint8)
    return as_is(lit, truth, masks, rng)


def shadow_background(photo, truth, masks, rng, strength):
    """A hard band of shadow (a hand's, a ruler's) across the background, clear of the fish."""
    h, w = photo.shape[:2]
    forbidden = dilate(masks["fish"], 6)
    for _ in range(400):
        p0 = np.array([rng.uniform(0, w), rng.uniform(0, h)])
        angle = rng.uniform(0, np.pi)
        d = np.array([np.cos(angle), np.sin(angle)])
        d /= np.linalg.norm(d)
        a, b, across = p0 - 1e4 * d, p0 + 1e4 * d, 0.04 * h * np.array([-d[1], d[0]])
        band = fill_poly((h, w), np.array([a + across, b + across, b - across, a - across]),
                         cv2.LINE_AA)
        if not (band & forbidden).any() and band.mean() > 0.02:
            shaded = blend(photo, photo.astype(np.float32) * strength, soft(band, 1.5))
            return as_is(shaded, truth, masks, rng)
    return None


def arm_from_border(shape, end, half, fist):
    """A bool mask: a band ``2 * half`` wide from the border nearest to ``end`` (x, y) to
    ``end``, ending in a disc of radius ``fist``; and the band's unit normal times ``half``."""
    h, w = shape
    starts = [np.array([end[0], 0.0]), np.array([end[0], h - 1.0]),
              np.array([0.0, end[1]]), np.array([w - 1.0, end[1]])]
    start = min(starts, key=lambda point: np.linalg.norm(point - end))
    d = (end - start) / max(np.linalg.norm(end - start), 1e-6)
    n = half * np.array([-d[1], d[0]])
    mask = fill_poly(shape, np.array([start - 50 * d + n, end + n, end - n, start - 50 * d - n]))
    mask = mask.astype(np.uint8)
    cv2.circle(mask, tuple(int(v) for v in end), int(fist), 1, -1)
    return mask.astype(bool), n


def shadow_touching(photo, truth, masks, rng):
    """A hand-like shadow (x0.3) from the nearest border, reaching onto the fish's body."""
    h = photo.shape[0]
    ys, xs = np.nonzero(masks["body"])
    i = rng.integers(len(xs))
    mask, _ = arm_from_border(photo.shape[:2], np.array([xs[i], ys[i]], float), 0.05 * h,
                              0.05 * h)
    shaded = blend(photo, photo.astype(np.float32) * 0.3, soft(mask, 1.5))
    return as_is(shaded, truth, masks, rng)


def hand(photo, truth, masks, rng):
    """A hand (skin colour, shaded) from the nearest border holding the fish by its tail's root:
    a fist over the body's point farthest from the eye, its arm to the border."""
    h, w = photo.shape[:2]
    ys, xs = np.nonzero(masks["body"])
    points = np.stack([xs, ys], axis=1).astype(float)
    end = points[np.argmax(np.linalg.norm(points - np.asarray(truth["ep"], float), axis=1))]
    half = 0.04 * h
    mask, n = arm_from_border((h, w), end, half, 1.5 * half)
    skin = np.float32([225, 175, 145]) * rng.uniform(0.8, 1.05)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 0.85 + 0.15 * np.cos((xx * n[0] + yy * n[1]) / (half * half) * 1.5)[..., None]
    painted = blend(photo, np.clip(skin * shade, 0, 255), soft(mask, 1.5))
    return as_is(painted, truth, masks, rng)


def glare(photo, truth, masks, rng):
    """2 to 4 white specular ellipses on the body."""
    body = masks["body"]
    ys, xs = np.nonzero(cv2.erode(body.astype(np.uint8), np.ones((9, 9), np.uint8)))
    if len(xs) == 0:
        return None
    length = truth["length_px"]
    light = np.zeros(body.shape, np.float32)
    for _ in range(rng.integers(2, 5)):
        i = rng.integers(len(xs))
        axes = (int(rng.uniform(0.03, 0.07) * length), int(rng.uniform(0.012, 0.03) * length))
        cv2.ellipse(light, (int(xs[i]), int(ys[i])), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    weight = np.clip(cv2.GaussianBlur(light, (0, 0), 2.0) * body * 1.3, 0, 1)[..., None]
    return as_is(blend(photo, np.full_like(photo, 255), weight), truth, masks, rng)


def small(photo, truth, masks, rng):
    """The scene shrunk (background extended) until the fish spans 25 % of the width."""
    h, w = photo.shape[:2]
    scale = 0.25 * w / truth["length_px"]
    if scale >= 1:
        return None
    big_h, big_w = int(round(h / scale)), int(round(w / scale))
    py, px = (big_h - h) // 2, (big_w - w) // 2
    plate = background_plate(photo, masks["fish"])
    big = np.pad(plate, ((py, big_h - h - py), (px, big_w - w - px), (0, 0)), mode="symmetric")
    big[py:py + h, px:px + w] = photo
    out = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
    return rescaled(out, truth, [px, py], np.array([w / big_w, h / big_h]))


def large(photo, truth, masks, rng):
    """A crop around the fish (2 % margin) at the photo's aspect ratio, resized to full size."""
    h, w = photo.shape[:2]
    ys, xs = np.nonzero(masks["fish"])
    x0, x1, y0, y1 = xs.min(), xs.max() + 1, ys.min(), ys.max() + 1
    aspect = w / h
    crop_w = max((x1 - x0) / 0.96, (y1 - y0) / 0.96 * aspect)
    crop_h = crop_w / aspect
    left, top = int(round((x0 + x1) / 2 - crop_w / 2)), int(round((y0 + y1) / 2 - crop_h / 2))
    crop_w, crop_h = int(round(crop_w)), int(round(crop_h))
    pad = max(0, -left, -top, left + crop_w - w, top + crop_h - h) + 2
    big = np.pad(background_plate(photo, masks["fish"]), ((pad, pad), (pad, pad), (0, 0)),
                 mode="symmetric")
    big[pad:pad + h, pad:pad + w] = photo
    crop = big[top + pad:top + pad + crop_h, left + pad:left + pad + crop_w]
    out = cv2.resize(crop, (w, h), interpolation=cv2.INTER_CUBIC if crop_w < w else cv2.INTER_AREA)
    return rescaled(out, truth, [-left, -top], np.array([w / crop_w, h / crop_h]))


def label(photo, truth, masks, rng, share):
    """A white label with 3 lines of text, ``share`` of the fish's area, beside the fish."""
    h, w = photo.shape[:2]
    area = share * masks["fish"].sum()
    rw = np.sqrt(area * 1.6)
    rh = area / rw
    make = rect_mask((h, w), (rw, rh), rng.uniform(-0.3, 0.3))
    mask = place_free(rng, (h, w), dilate(masks["fish"], 8), make)
    if mask is None:
        return None
    out = paint(photo, mask, (236, 236, 228), 0.7)
    ys, xs = np.nonzero(mask)
    for j in range(3):
        y = int(ys.mean() - rh * 0.25 + j * rh * 0.25)
        cv2.line(out, (int(xs.mean() - rw * 0.35), y), (int(xs.mean() + rw * 0.3), y),
                 (30, 30, 30), max(1, int(rh * 0.06)))
    return as_is(out, truth, masks, rng)


def ruler(photo, truth, masks, rng):
    """A grey ruler with ticks, 1.1 fish lengths long, at least 75 % of it in the frame."""
    h, w = photo.shape[:2]
    rw, rh = 1.1 * truth["length_px"], 0.06 * truth["length_px"]
    forbidden = dilate(masks["fish"], 8)
    for _ in range(10):  # an orientation, then a position
        make = rect_mask((h, w), (rw, rh), rng.uniform(0, np.pi))
        mask = place_free(rng, (h, w), forbidden, make, tries=200, inside=False,
                          min_area=0.75 * rw * rh)
        if mask is not None:
            ticks = (mask & (np.add.outer(np.arange(h), np.arange(w)) % 12 < 2)).astype(np.float32)
            out = paint(photo, mask, (165, 165, 160), 0.7)
            out = blend(out, np.zeros_like(out), (ticks * 0.8)[..., None])
            return as_is(out, truth, masks, rng)
    return None


def dark_blob(photo, truth, masks, rng):
    """A dark ellipse (a lens cap, a stone), a quarter of the fish's area, beside the fish."""
    h, w = photo.shape[:2]
    area = 0.25 * masks["fish"].sum()
    a = np.sqrt(area / np.pi * 1.8)
    b = area / (np.pi * a)
    angle = rng.uniform(0, 180)

    def ellipse(centre):
        mask = np.zeros((h, w), np.uint8)
        cv2.ellipse(mask, (int(centre[0]), int(centre[1])), (int(a), int(b)), angle, 0, 360, 1, -1)
        return mask.astype(bool)

    mask = place_free(rng, (h, w), dilate(masks["fish"], 8), ellipse)
    return None if mask is None else as_is(paint(photo, mask, (38, 34, 30), 1.0), truth, masks, rng)


def noise(photo, truth, masks, rng, sigma):
    """Gaussian noise of standard deviation ``sigma``."""
    noisy = photo.astype(np.float32) + rng.normal(0, sigma, photo.shape).astype(np.float32)
    return as_is(np.clip(noisy + 0.5, 0, 255).astype(np.uint8), truth, masks, rng)


def fish_tint(photo, truth, masks, rng, share):
    """The fish blended with ``share`` of the background's median colour (green reflections)."""
    green = np.median(photo[~dilate(masks["fish"], 4)], axis=0).astype(np.float32)
    return as_is(paint(photo, masks["fish"], green, 1.0, share), truth, masks, rng)


def resized(photo, truth, masks, rng, size):
    """The photo resized to ``size`` (w, h)."""
    scale = np.array([size[0] / photo.shape[1], size[1] / photo.shape[0]])
    out = cv2.resize(photo, size, interpolation=cv2.INTER_AREA if scale[0] < 1 else cv2.INTER_CUBIC)
    return rescaled(out, truth, 0.0, scale)


PERTURBATIONS = {
    "none": as_is,
    "bg_hue_160": functools.partial(background_hsv, hue=160.0),
    "bg_hue_82": functools.partial(background_hsv, hue=82.0),
    "bg_desat_x0.6": functools.partial(background_hsv, saturation=0.6),
    "bg_desat_x0.4": functools.partial(background_hsv, saturation=0.4),
    "gradient_.45-1.1": functools.partial(uneven_light, vignette=False),
    "vignette_.45-1.1": functools.partial(uneven_light, vignette=True),
    "shadow_bg_x0.5": functools.partial(shadow_background, strength=0.5),
    "shadow_bg_x0.3": functools.partial(shadow_background, strength=0.3),
    "shadow_touch_x0.3": shadow_touching,
    "glare": glare,
    "small_25%": small,
    "large_fill": large,
    "label_0.3": functools.partial(label, share=0.3),
    "label_0.7": functools.partial(label, share=0.7),
    "ruler_1.1L": ruler,
    "dark_blob_0.25": dark_blob,
    "jpeg_q30": functools.partial(as_is, quality=30),
    "noise_s12": functools.partial(noise, sigma=12.0),
    "fish_tint15": functools.partial(fish_tint, share=0.15),
    "fish_tint30": functools.partial(fish_tint, share=0.3),
    "down_400x300": functools.partial(resized, size=(400, 300)),
    "up_1600x1200": functools.partial(resized, size=(1600, 1200)),
    "hand_tail": hand,  # last: each row's draws follow its place here
}


def jpeg_roundtrip(image, quality):
    """``image`` saved as JPEG at ``quality`` and decoded to RGB as ``lateral prepare`` would."""
    return cv2.imdecode(np.frombuffer(encode_jpeg(image, quality), np.uint8), cv2.IMREAD_COLOR_RGB)


@dataclasses.dataclass
class Tally:
    """One perturbation's outcomes; ``bad`` and ``failed`` name the photos."""

    photos: int = 0
    skipped: int = 0
    reasons: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    errors: list = dataclasses.field(default_factory=list)
    ious: list = dataclasses.field(default_factory=list)
    wrong_side: int = 0
    bad: list = dataclasses.field(default_factory=list)
    rois: list = dataclasses.field(default_factory=list)
    failed: list = dataclasses.field(default_factory=list)
    seconds: float = 0.0

    def add(self, image, case, settings, flank, side, tag):
        """Extract the ROI of one perturbed photo and count it; returns ``(outcome, corners)``
        where ``outcome`` is None for a good ROI, else ``RAISED``, ``FAIL_<reason>`` or ``BAD``."""
        self.photos += 1
        start = time.perf_counter()
        try:
            result = extract_roi(image, settings, flank=flank)
        except Exception as error:  # extract_roi promises to return failures, not raise them
            result = f"RAISED {type(error).__name__}: {str(error)[:40]}"
        self.seconds += time.perf_counter() - start
        if isinstance(result, str):
            self.reasons[result] += 1
            self.failed.append(tag + "!")
            return "RAISED", None
        if not result.ok:
            self.reasons[result.reason] += 1
            self.failed.append(tag)
            return f"FAIL_{result.reason}", None
        _, roi, length, _ = case
        corners = np.asarray(result.corners, float)
        error = float(np.mean(np.linalg.norm(corners - roi, axis=1))) / length
        iou = roi_iou(corners, roi)
        self.errors.append(error)
        self.ious.append(iou)
        self.wrong_side += result.side != side
        quality = result.quality or {}
        margin = quality.get("direction_margin", float("nan"))
        bad = error > 0.10 or iou < 0.5
        self.rois.append({"status": "ok", "key": tag, "eye_to_fin": quality.get("eye_to_fin"),
                          "margin": margin, "bad": bad})
        if not bad:
            return None, corners
        self.bad.append(f"{tag}(e{error:.2f},iou{iou:.2f},m{margin:.2f})")
        return "BAD", corners

    def flags(self):
        """``(bad, unflagged, good flagged)``: the wrong crops, those neither unsure of their
        direction nor of odd proportions among this perturbation's ROIs, and the right crops
        of odd proportions (false alarms)."""
        odd = {row["key"] for row in odd_proportion_rows(self.rois)}
        bad = [row for row in self.rois if row["bad"]]
        unflagged = [row for row in bad
                     if row["margin"] >= UNSURE_DIRECTION and row["key"] not in odd]
        false_alarms = [row for row in self.rois if not row["bad"] and row["key"] in odd]
        return len(bad), len(unflagged), len(false_alarms)

    def row(self, name):
        """The Markdown table row."""
        if not self.photos:
            return f"| {name} | 0 | {self.skipped} |" + " - |" * 10
        stats = [f"{np.percentile(values, q):.3f}" if values else "-"
                 for values, q in ((self.errors, 50), (self.errors, 90), (self.ious, 50),
                                   (self.ious, 10))]
        reasons = ", ".join(f"{reason} {n}" for reason, n in self.reasons.most_common())
        bad, unflagged, false_alarms = self.flags()
        return (f"| {name} | {self.photos} | {self.skipped} | "
                f"{100 * len(self.errors) / self.photos:.1f} | "
                f"{100 * bad / self.photos:.1f} | {unflagged} | {false_alarms} | "
                f"{self.wrong_side} | {' | '.join(stats)} | {reasons or '-'} |")


def dump(folder, stem, image, roi, corners):
    """Save a photo the extractor failed on or, with ``corners``, a bad ROI's photo and a view
    with the truth (green) and the ROI (red) drawn."""
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    cv2.imwrite(os.path.join(folder, f"{stem}.png"), bgr)
    if corners is not None:
        cv2.polylines(bgr, [np.int32(roi)], True, (0, 255, 0), 2)
        cv2.polylines(bgr, [np.int32(corners)], True, (0, 0, 255), 2)
        cv2.imwrite(os.path.join(folder, f"{stem}vis.jpg"), bgr)


def stress(args, names, settings):
    """Render the photos, perturb and extract them; one ``Tally`` per perturbation name."""
    tallies = {name: Tally() for name in names}
    flank = None if args.flank == "none" else args.flank
    for fish in range(args.fish):
        for index in range(args.photos):
            photo, truth, masks = render_image(
                fish, 0, index, seed=args.seed, image_size=SIZE, difficulty=args.difficulty,
                roi_fractions=(settings.top_fraction, settings.bottom_fraction), return_masks=True)
            tag = f"f{fish:02d}i{index}"
            for k, (name, perturb) in enumerate(PERTURBATIONS.items()):
                if name not in tallies:
                    continue
                rng = np.random.default_rng([args.seed, fish, index, k])
                case = perturb(photo, truth, masks, rng)
                if case is None:
                    tallies[name].skipped += 1
                    continue
                image = jpeg_roundtrip(case[0], case[3] or truth["jpeg_quality"])
                outcome, corners = tallies[name].add(image, case, settings, flank, truth["side"],
                                                     tag)
                if args.dump and outcome:
                    dump(args.dump, f"{name}_{tag}_{outcome}", image, case[1], corners)
    return tallies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--difficulty", default="default", help="render_image's difficulty")
    parser.add_argument("--fish", type=int, default=40, help="fish rendered")
    parser.add_argument("--photos", type=int, default=2, help="photos per fish")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--flank", default="none", choices=("none", "left"),
                        help="flank the extractor is told (every photo shows the left one)")
    parser.add_argument("--only", help="comma-separated perturbation names (default: all)")
    parser.add_argument("--dump", metavar="DIR",
                        help="save failures (<name>_<photo>_FAIL_<reason>.png, ..._RAISED.png) "
                             "and bad ROIs (..._BAD.png, ..._BADvis.jpg) here")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(PERTURBATIONS)
    unknown = sorted(set(names) - set(PERTURBATIONS))
    if unknown:
        parser.error(f"unknown perturbations {unknown}; choose from {list(PERTURBATIONS)}")
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
    pre = PreprocessingConfig()
    settings = ExtractorSettings(top_fraction=pre.top_fraction, bottom_fraction=pre.bottom_fraction)
    start = time.perf_counter()
    tallies = stress(args, names, settings)
    print(f"difficulty {args.difficulty}, {args.fish} fish x {args.photos} photos, "
          f"{SIZE[0]}x{SIZE[1]}, ROI fractions {settings.top_fraction} to "
          f"{settings.bottom_fraction}, flank told: {args.flank}, seed {args.seed}; bad: corner "
          f"error > 0.10 fish length or IoU < 0.5; unflagged: direction margin >= "
          f"{UNSURE_DIRECTION} and proportions not odd among the perturbation's ROIs\n")
    print("| perturbation | photos | skipped | ROI % | bad % | bad, unflagged | good, flagged odd "
          "| wrong side | error median | error p90 | IoU median | IoU p10 | failures |")
    print("| --- " * 12 + "| --- |")
    for name, tally in tallies.items():
        print(tally.row(name))
    print("\nBad ROIs (e: corner error, m: direction margin) and failures (!: raised), by photo:")
    for name, tally in tallies.items():
        if tally.bad or tally.failed:
            print(f"- {name}: bad {' '.join(tally.bad[:8]) or '-'}; "
                  f"failed {' '.join(tally.failed[:10]) or '-'}")
    extracting = sum(tally.seconds for tally in tallies.values())
    print(f"\n{time.perf_counter() - start:.1f} s in all, {extracting:.1f} s in extract_roi")


if __name__ == "__main__":
    main()
