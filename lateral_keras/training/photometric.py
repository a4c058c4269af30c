"""Photometric jitter of ROI batches: white balance, contrast and focus change between sessions.

Photos taken weeks apart differ in light colour, exposure and focus far more than in the skin
pattern itself. Per-image random channel gains (white balance), contrast around the image mean
and a random blend towards a blurred copy (focus) teach stage one to ignore them. The ranges are
the half-widths of uniform draws; 0 turns a jitter off.
"""

BLUR_SIGMA = 1.5
"""Standard deviation (pixels) of the blurred copy that ``blur`` blends towards."""


def _gaussian_kernel(sigma, channels):
    import numpy as np

    radius = int(3 * sigma + 0.5)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    kernel = np.outer(taps, taps).astype("float32")
    return np.repeat(kernel[:, :, None, None], channels, axis=2)


def photometric_jitter(images, white_balance=0.0, contrast=0.0, blur=0.0, seed=None):
    """Jitter each image of a batch on its own (TensorFlow); pixel values stay in [0, 255].

    Per image: each channel is multiplied by ``1 + U(-white_balance, white_balance)``; the
    deviation from the image's mean is scaled by ``1 + U(-contrast, contrast)``; the image is
    blended towards its Gaussian blur (sigma ``BLUR_SIGMA``) with weight ``U(0, blur)``.

    Args:
        images: float ``(batch, h, w, c)`` tensor in [0, 255] with static ``c``.
        white_balance: half-width of the channel gain draw, in [0, 1).
        contrast: half-width of the contrast factor draw, in [0, 1).
        blur: largest blend weight towards the blurred copy, in [0, 1].
        seed: optional int seed.

    Returns:
        The jittered float32 batch, clipped to [0, 255]; with every range 0, ``images`` as
        they are (no pass over the batch).

    Example:
        >>> ds = ds.map(lambda x, y: (photometric_jitter(x, 0.1, 0.3, 1.0), y))  # doctest: +SKIP
    """
    import tensorflow as tf

    for name, value, top in (("white_balance", white_balance, 1.0), ("contrast", contrast, 1.0),
                             ("blur", blur, 1.0 + 1e-9)):
        if not 0 <= value < top:
            raise ValueError(f"`{name}` must be in [0, {top:.0f}). Received: {name}={value}")
    images = tf.convert_to_tensor(images, tf.float32)
    if not (white_balance or contrast or blur):
        return images  # nothing drawn: no pass over the batch
    channels = images.shape[-1]
    batch = tf.shape(images)[0]
    if white_balance:
        gains = tf.random.uniform(
            tf.stack([batch, 1, 1, channels]), 1 - white_balance, 1 + white_balance, seed=seed
        )
        images = images * gains
    if contrast:
        factor = tf.random.uniform(tf.stack([batch, 1, 1, 1]), 1 - contrast, 1 + contrast,
                                   seed=None if seed is None else seed + 1)
        mean = tf.reduce_mean(images, axis=(1, 2, 3), keepdims=True)
        images = mean + (images - mean) * factor
    if blur:
        kernel = tf.constant(_gaussian_kernel(BLUR_SIGMA, channels))
        blurred = tf.nn.depthwise_conv2d(
            images, kernel, strides=(1, 1, 1, 1), padding="SAME"
        )
        weight = tf.random.uniform(tf.stack([batch, 1, 1, 1]), 0.0, blur,
                                   seed=None if seed is None else seed + 2)
        images = images + (blurred - images) * weight
    return tf.clip_by_value(images, 0.0, 255.0)
