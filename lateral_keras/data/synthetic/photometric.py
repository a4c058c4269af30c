"""Camera effects on the composed photo: lighting, white balance, blur, sensor noise, JPEG."""

import cv2
import numpy as np


def apply_camera(image, rng, difficulty):
    """Lighting gradient, vignetting, exposure, white balance, blur and noise; to uint8.

    The sensor noise comes from OpenCV's generator (several times faster than NumPy's), which is
    re-seeded from ``rng`` here: the calling thread's ``cv2`` random state is replaced.

    Args:
        image: float32 (H, W, 3) RGB in [0, 1].
        rng: ``numpy.random.Generator`` (the photo's ``'photo'`` stream).
        difficulty: ``Difficulty`` (``light``, ``blur``, ``noise``, ``jpeg_min_quality``).

    Returns:
        ``(photo, jpeg_quality)``: uint8 (H, W, 3) RGB and the int JPEG quality to save it with.

    Example:
        >>> from lateral_keras.data.synthetic.difficulty import resolve_difficulty
        >>> img = np.full((30, 40, 3), 0.5, np.float32)
        >>> photo, q = apply_camera(img, np.random.default_rng(0), resolve_difficulty("easy"))
        >>> photo.dtype, photo.shape
        (dtype('uint8'), (30, 40, 3))
    """
    d = difficulty
    height, width = image.shape[:2]
    xn = (np.arange(width, dtype=np.float32) / width - 0.5)[None, :]
    yn = (np.arange(height, dtype=np.float32) / height - 0.5)[:, None]
    phi = rng.uniform(0.0, 2 * np.pi)
    slope = 2.0 * rng.uniform(0.0, d.light)
    field = 1.0 + slope * (np.float32(np.cos(phi)) * xn + np.float32(np.sin(phi)) * yn)
    field = field * (1.0 - np.float32(2.0 * rng.uniform(0.0, d.light)) * (xn**2 + yn**2))
    gain = np.exp(rng.normal(0.0, 0.5 * d.light)) * np.exp(rng.normal(0.0, 0.25 * d.light, 3))
    out = image * (field[..., None] * gain.astype(np.float32))
    sigma = rng.uniform(0.3, 0.3 + d.blur) * width / 800.0
    out = cv2.GaussianBlur(out, (0, 0), sigma)
    noise = rng.uniform(0.5, 0.5 + d.noise) / 255.0
    grain = np.empty_like(out)
    cv2.setRNGSeed(int(rng.integers(1, 2**31 - 1)))
    cv2.randn(grain, (0.0, 0.0, 0.0), (noise, noise, noise))
    out += grain
    photo = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
    quality = int(rng.integers(d.jpeg_min_quality, 96))
    return photo, quality


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
