"""Camera effects on the photo: lighting, white balance, blur, sensor noise, JPEG.

``sample_camera`` draws every setting of one photo first; the renderer applies the smooth ones
where they are cheapest (``compose``: lighting on the canonical drawing and on the
quarter-resolution background, blur on the fish's box) and ``expose`` adds the noise.
"""

import functools

import cv2
import numpy as np


def sample_camera(rng, difficulty, width):
    """Draw the camera settings of one photo.

    Args:
        rng: ``numpy.random.Generator`` (the photo's ``'photo'`` stream).
        difficulty: ``Difficulty`` (``light``, ``blur``, ``noise``, ``jpeg_min_quality``).
        width: photo width in pixels (the blur is ``blur`` pixels at 800 pixels wide).

    Returns:
        Dict: ``'phi'`` (direction of the lighting gradient, radians), ``'slope'`` (its
        amplitude across the photo), ``'vignette'`` (light lost at the corners, relative to
        the squared distance from the centre), ``'gain'`` float32 (3,) (exposure times white
        balance), ``'blur'`` (Gaussian sigma, pixels), ``'noise'`` (sensor noise sigma, 0-255
        scale), ``'noise_seed'`` (int) and ``'jpeg_quality'`` (int).

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> cam = sample_camera(np.random.default_rng(0), resolve_difficulty("default"), 800)
        >>> 65 <= cam["jpeg_quality"] <= 95
        True
    """
    d = difficulty
    phi = float(rng.uniform(0.0, 2 * np.pi))
    slope = 2.0 * float(rng.uniform(0.0, d.light))
    vignette = 2.0 * float(rng.uniform(0.0, d.light))
    gain = np.exp(rng.normal(0.0, 0.5 * d.light)) * np.exp(rng.normal(0.0, 0.25 * d.light, 3))
    blur = float(rng.uniform(0.3, 0.3 + d.blur)) * width / 800.0
    noise = float(rng.uniform(0.5, 0.5 + d.noise))
    return {
        "phi": phi,
        "slope": slope,
        "vignette": vignette,
        "gain": gain.astype(np.float32),
        "blur": blur,
        "noise": noise,
        "noise_seed": int(rng.integers(1, 2**31 - 1)),
        "jpeg_quality": int(rng.integers(d.jpeg_min_quality, 96)),
    }


def light_field(camera, size, x, y):
    """Uneven lighting (gradient times vignetting, gain excluded) at pixel positions.

    Args:
        camera: dict from ``sample_camera``.
        size: ``(width, height)`` of the photo.
        x: x positions in the photo (pixels, need not be integers), an array broadcastable
            against ``y``.
        y: y positions (pixels).

    Returns:
        float32 array, the broadcast shape of ``x`` and ``y``.

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> cam = sample_camera(np.random.default_rng(0), resolve_difficulty("easy"), 40)
        >>> light_field(cam, (40, 30), np.arange(40)[None, :], np.arange(30)[:, None]).shape
        (30, 40)
    """
    width, height = size
    xn = np.asarray(x, dtype=np.float32) / np.float32(width) - 0.5
    yn = np.asarray(y, dtype=np.float32) / np.float32(height) - 0.5
    c, s = np.float32(np.cos(camera["phi"])), np.float32(np.sin(camera["phi"]))
    field = 1.0 + np.float32(camera["slope"]) * (c * xn + s * yn)
    return field * (1.0 - np.float32(camera["vignette"]) * (xn**2 + yn**2))


NOISE_SPARE = 1 << 21
"""Samples a noise bank holds beyond one photo's: the range of its windows' start offsets."""
_NOISE_BANK_SEED = 20261130


@functools.lru_cache(maxsize=2)
def noise_bank(size):
    """``size`` standard normal float32 samples from a fixed seed, the same in every process.

    Args:
        size: number of samples.

    Returns:
        Read-only float32 array ``(size,)``.
    """
    bank = np.random.default_rng(_NOISE_BANK_SEED).standard_normal(size, dtype=np.float32)
    bank.setflags(write=False)
    return bank


def expose(scene, camera):
    """Add the sensor noise and quantise to uint8 (one rounding, saturated at 0 and 255).

    The noise is a window of ``noise_bank``, at an offset drawn from ``camera['noise_seed']``
    (up to ``NOISE_SPARE``), scaled by ``camera['noise']``: independent standard normal values
    within the photo, for about a ninth of the time of drawing them anew (1.0 against 8.5 ms
    per 800 x 600 photo; the photos of one dataset share windows of the same bank).

    Args:
        scene: float32 (H, W, 3) RGB in [0, 1], lit and blurred.
        camera: dict from ``sample_camera``.

    Returns:
        uint8 array (H, W, 3).

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> cam = sample_camera(np.random.default_rng(0), resolve_difficulty("easy"), 40)
        >>> expose(np.full((30, 40, 3), 0.5, np.float32), cam).dtype
        dtype('uint8')
    """
    size = scene.size
    start = camera["noise_seed"] % (NOISE_SPARE + 1)
    grain = noise_bank(size + NOISE_SPARE)[start:start + size].reshape(scene.shape)
    return cv2.addWeighted(scene, 255.0, grain, camera["noise"], 0.0, dtype=cv2.CV_8U)


def encode_jpeg(image, quality):
    """Encode an RGB uint8 image as JPEG bytes (baseline, no metadata: byte-identical per input).

    Args:
        image: uint8 (H, W, 3) RGB.
        quality: JPEG quality in [1, 100].

    Returns:
        ``bytes``.
    """
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f"JPEG encoding failed. Received: image shape {image.shape}")
    return buf.tobytes()
