"""`RoiExtractor`: the skin-ROI extractor as a Keras layer (TensorFlow backend only).

The extractor is host-side NumPy / OpenCV code, so this layer runs it through
`tf.numpy_function`. That ties it to the TensorFlow backend and to the CPU, and a model holding it
cannot be compiled with XLA; for training, prefer extracting once with `prepare_dataset` and
reading the ROI cache.
"""

import dataclasses

import keras
import numpy as np

from lateral_keras.preprocessing.orientation import check_flank
from lateral_keras.preprocessing.settings import ExtractorSettings


def _extract(image, settings, flank):
    """Runs the extractor on one uint8 RGB image (indirection kept small for tests)."""
    from lateral_keras.preprocessing.extractor import extract_roi

    return extract_roi(image, settings, flank=flank)


def _settings_dict(settings):
    """Returns `settings` (None, a dict or `ExtractorSettings`) as a plain validated dict."""
    if settings is None:
        settings = ExtractorSettings()
    elif isinstance(settings, dict):
        settings = ExtractorSettings(**settings)
    elif not isinstance(settings, ExtractorSettings):
        raise TypeError(
            "`settings` must be None, a dict or an ExtractorSettings. "
            f"Received: {type(settings).__name__}"
        )
    if settings.roi_size is None:
        raise ValueError(
            "RoiExtractor needs a fixed output size: `settings.roi_size` must be (height, width), "
            "not None."
        )
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in dataclasses.asdict(settings).items()
    }


@keras.saving.register_keras_serializable(package="lateral_keras")
class RoiExtractor(keras.layers.Layer):
    """Extracts the fixed-size skin ROI of each photo; a failed photo gives zeros and `ok=False`.

    TensorFlow backend only (the extractor runs on the host through `tf.numpy_function`); on any
    other backend calling the layer raises `RuntimeError`. Not differentiable, no weights.

    Args:
        settings: `ExtractorSettings`, a dict of its fields, or None for the defaults (the
            SPEC's ROI, to half the body depth; in front of a trained embedder pass its run's
            `data_setup.extractor_settings(config)`, or the dict `lateral export` records).
            Its `roi_size` `(height, width)` is the output size and must not be None. Stored
            in the config as a dict.
        flank: None (the extractor decides which flank each photo shows), `'left'` or
            `'right'` (every photo shows this flank; see `extract_roi`).
        **kwargs: base layer arguments (`name`).

    Call arguments:
        images: uint8 RGB photos, one `(H, W, 3)` or a batch `(batch, H, W, 3)` (a batch needs
            one size for all its photos; pass photos of different sizes one at a time).

    Returns:
        A tuple `(rois, ok)`: `rois` float32 `(batch, roi_h, roi_w, 3)` with values 0-255 (the
        uint8 ROI as floats), all zeros where the extraction failed; `ok` bool `(batch,)`. An
        unbatched input gives `(roi_h, roi_w, 3)` and a scalar `ok`.

    Example:
        >>> layer = RoiExtractor({"roi_size": [64, 256]})
        >>> rois, ok = layer(photo_uint8)  # doctest: +SKIP
        >>> rois.shape, bool(ok)  # doctest: +SKIP
        (TensorShape([64, 256, 3]), True)
    """

    def __init__(self, settings=None, flank=None, **kwargs):
        super().__init__(**kwargs)
        check_flank(flank)
        self.flank = flank
        self.settings = _settings_dict(settings)
        self._extractor_settings = ExtractorSettings(**self.settings)
        self.roi_size = tuple(self.settings["roi_size"])
        self._convert_input_args = False
        self._allow_non_tensor_positional_args = True
        self.supports_jit = False

    def _extract_batch(self, images):
        height, width = self.roi_size
        rois = np.zeros((len(images), height, width, 3), dtype=np.float32)
        ok = np.zeros((len(images),), dtype=bool)
        for i, image in enumerate(images):
            result = _extract(np.ascontiguousarray(image), self._extractor_settings, self.flank)
            if result.ok:
                rois[i] = result.roi
                ok[i] = True
        return rois, ok

    def call(self, images):
        if keras.backend.backend() != "tensorflow":
            raise RuntimeError(
                "RoiExtractor runs the host-side extractor through tf.numpy_function and needs "
                f"the TensorFlow backend. Received: backend={keras.backend.backend()!r}"
            )
        import tensorflow as tf

        images = tf.convert_to_tensor(images)
        if images.dtype != tf.uint8:
            raise TypeError(
                f"RoiExtractor expects uint8 RGB images. Received: dtype={images.dtype}"
            )
        if images.shape.rank not in (3, 4) or images.shape[-1] != 3:
            raise ValueError(
                "RoiExtractor expects (H, W, 3) or (batch, H, W, 3) RGB images. "
                f"Received: images.shape={images.shape}"
            )
        batched = images if images.shape.rank == 4 else images[None]
        rois, ok = tf.numpy_function(
            self._extract_batch, [batched], [tf.float32, tf.bool], stateful=False
        )
        rois.set_shape([batched.shape[0], *self.roi_size, 3])
        ok.set_shape([batched.shape[0]])
        if images.shape.rank == 3:
            return rois[0], ok[0]
        return rois, ok

    def compute_output_shape(self, input_shape):
        if len(input_shape) == 3:
            return (*self.roi_size, 3), ()
        return (input_shape[0], *self.roi_size, 3), (input_shape[0],)

    def compute_output_spec(self, images):
        rois_shape, ok_shape = self.compute_output_shape(images.shape)
        return (
            keras.KerasTensor(rois_shape, dtype="float32"),
            keras.KerasTensor(ok_shape, dtype="bool"),
        )

    def get_config(self):
        config = super().get_config()
        config.update({"settings": dict(self.settings), "flank": self.flank})
        return config
