"""Render one synthetic photo of a fish with its exact ground truth (landmarks, ROI, masks)."""

import cv2
import numpy as np

from lateral_keras.data.synthetic import (
    background,
    body,
    canvas,
    compose,
    identity,
    landmarks,
    look,
    photometric,
    pose,
    seeding,
)
from lateral_keras.data.synthetic.difficulty import resolve_difficulty


def fish_name(fish):
    """Identity folder name of fish index ``fish``: ``fish_0000``."""
    return f"fish_{fish:04d}"


def session_name(session):
    """Session folder name of session index ``session`` (0-based): ``SESSION1``."""
    return f"SESSION{session + 1}"


def image_name(image):
    """File name of image index ``image``: ``img_00.jpg``."""
    return f"img_{image:02d}.jpg"


def default_side(image, both_flanks):
    """Flank shown on image ``image``: always left, or alternating left/right if ``both_flanks``."""
    return "right" if both_flanks and image % 2 == 1 else "left"


def _check_int(name, value, minimum=0):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"`{name}` must be an int >= {minimum}. Received: {name}={value!r}")


def check_image_size(image_size):
    """Validate ``(width, height)``; both at least 64 pixels. Returns it as a tuple of ints."""
    ok = (
        isinstance(image_size, (tuple, list)) and len(image_size) == 2
        and all(isinstance(s, (int, np.integer)) and s >= 64 for s in image_size)
    )
    if not ok:
        raise ValueError(
            "`image_size` must be (width, height), two ints >= 64. "
            f"Received: image_size={image_size!r}"
        )
    return int(image_size[0]), int(image_size[1])


def render_image(fish, session, image, *, seed=0, image_size=(800, 600), difficulty="default",
                 both_flanks=False, side=None, roi_fractions=(1 / 20, 1 / 2),
                 return_masks=False):
    """Render one photo of fish ``fish`` in session ``session`` and its ground truth.

    The fish is drawn in its canonical frame (the SPEC's normalised frame: head on the left,
    dorsal side up), where the outline is known exactly; landmarks and ROI are computed there
    (``landmarks.canonical_landmarks``, SPEC section 2) and mapped through the same 2x3 matrix
    that ``cv2.warpAffine`` uses to put the fish into the photo. Image coordinates: x right,
    y down, pixel centres at integers (OpenCV's convention).

    Pose: ``image = R(angle_deg) @ F @ canonical + t``, ``R`` counter-clockwise on screen,
    ``F = diag(-1, 1)`` for a right flank (a right flank with dorsal side up faces right, the
    mirror image of a left flank) and the identity for a left flank. ``head_left`` is 1 when the
    body axis pointing from tail to snout has a negative x component in the photo (the snout is
    left of the body's centre), else 0.

    Args:
        fish: fish index (>= 0); its name is ``fish_name(fish)``.
        session: session index (>= 0, 0 = ``SESSION1``); later sessions drift.
        image: image index within the session (>= 0).
        seed: dataset seed.
        image_size: ``(width, height)``.
        difficulty: ``'easy'``, ``'default'``, ``'hard'`` or a float (``resolve_difficulty``).
        both_flanks: if True and ``side`` is None, odd images show the right flank.
        side: ``'left'``, ``'right'`` or None (``default_side``).
        roi_fractions: ``(top, bottom)`` fractions of the depth below ``back`` (SPEC: 1/20, 1/2).
        return_masks: also return the masks.

    Returns:
        ``(photo, truth)`` or, with ``return_masks``, ``(photo, truth, masks)``:
        ``photo`` uint8 (height, width, 3) RGB before JPEG compression (save it at
        ``truth['jpeg_quality']``); ``truth`` dict with ``path``
        (``SESSION1/fish_0000/img_00.jpg``),
        ``identity``, ``session``, ``side``, ``ep``, ``up``, ``bp`` (arrays (2,)), ``roi``
        (array (4, 2): top-left, top-right, bottom-right, bottom-left in the normalised frame),
        ``angle_deg``, ``head_left``, ``mask_area`` (pixels of fish coverage >= 0.5),
        ``jpeg_quality``, ``length_px``, ``matrix`` (2, 3); ``masks`` dict of bool
        (height, width): ``'fish'`` (body and fins) and ``'body'`` (fins excluded).

    Example:
        >>> photo, truth = render_image(0, 0, 0, image_size=(200, 150))
        >>> photo.shape, truth["path"]
        ((150, 200, 3), 'SESSION1/fish_0000/img_00.jpg')
    """
    for name, value in (("fish", fish), ("session", session), ("image", image), ("seed", seed)):
        _check_int(name, value)
    width, height = check_image_size(image_size)
    diff = resolve_difficulty(difficulty)
    side = default_side(image, both_flanks) if side is None else side
    if side not in ("left", "right"):
        raise ValueError(f"`side` must be 'left', 'right' or None. Received: side={side!r}")

    shape, colours = identity.fish_body(seed, fish)
    shape = body.grow(shape, 1.0 + diff.growth * session)
    texture = identity.session_texture(seed, fish, session, side, diff)
    rngs = seeding.image_rngs(seed, fish, session, image)
    bend = float(rngs["pose"].uniform(-1.0, 1.0) * diff.bend)
    placed = pose.sample_pose(rngs["pose"], shape, bend, (width, height), side == "right", diff,
                              size_factor=1.0 + 0.5 * diff.growth * session)
    fish_img = canvas.render_canonical(shape, bend, placed["length_px"], texture, colours,
                                       look.sample_gloss(rngs["gloss"], diff))
    matrix = pose.warp_matrix(placed, fish_img["origin"])
    camera = photometric.sample_camera(rngs["photo"], diff, width)
    scene, alpha, box = compose.compose(
        fish_img, matrix,
        background.render_background(rngs["background"], (width, height), diff), camera,
        (width, height))
    photo = photometric.expose(scene, camera)

    lm = landmarks.canonical_landmarks(shape, bend, placed["length_px"], fish_img["origin"],
                                       roi_fractions)
    snout_dir = placed["linear"] @ np.array([-1.0, 0.0])
    truth = {
        "path": f"{session_name(session)}/{fish_name(fish)}/{image_name(image)}",
        "identity": fish_name(fish),
        "session": session_name(session),
        "side": side,
        "ep": landmarks.apply_affine(matrix, lm["ep"]),
        "up": landmarks.apply_affine(matrix, lm["up"]),
        "bp": landmarks.apply_affine(matrix, lm["bp"]),
        "roi": landmarks.apply_affine(matrix, lm["roi"]),
        "angle_deg": placed["angle_deg"],
        "head_left": int(snout_dir[0] < 0),
        "mask_area": int(np.count_nonzero(alpha >= 0.5)),
        "jpeg_quality": camera["jpeg_quality"],
        "length_px": placed["length_px"],
        "matrix": matrix,
    }
    if not return_masks:
        return photo, truth
    x0, y0, x1, y1 = box
    body_alpha = cv2.warpAffine(fish_img["body_alpha"], compose.box_matrix(matrix, box),
                                (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR)
    masks = {name: np.zeros((height, width), dtype=bool) for name in ("fish", "body")}
    masks["fish"][y0:y1, x0:x1] = alpha >= 0.5
    masks["body"][y0:y1, x0:x1] = body_alpha >= 0.5
    return photo, truth, masks
