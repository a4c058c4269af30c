"""Small ROI thumbnails of enrolled images, kept next to the gallery file for match sheets.

They live in their own file (`<gallery>.thumbs.npz`) so the gallery file itself holds only
templates: the thumbnails are pictures of the fish, not protected by any key, and can be left
out (`lateral enroll --no-thumbnails`) or kept elsewhere.
"""

import os

import cv2
import numpy as np

from lateral_keras.utils.atomic import atomic_path

THUMB_HW = (32, 128)
"""Height and width of a stored thumbnail (the ROI strip resized)."""


def thumbnail_path(gallery_path):
    """`fish.npz` -> `fish.thumbs.npz`."""
    return os.path.splitext(os.fspath(gallery_path))[0] + ".thumbs.npz"


def make_thumbnail(roi_rgb):
    """A `THUMB_HW` uint8 RGB thumbnail of a ROI image."""
    return cv2.resize(np.asarray(roi_rgb, np.uint8), THUMB_HW[::-1], interpolation=cv2.INTER_AREA)


class ThumbnailStore:
    """Thumbnails by image id, read from and written to one `.npz` file.

    Args:
        path: the file; read when it exists.

    Example:
        >>> store = ThumbnailStore(thumbnail_path("fish.npz"))  # doctest: +SKIP
        >>> store.add("S1/fish_01/a.png", roi); store.save()  # doctest: +SKIP
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.images = {}
        if os.path.isfile(self.path):
            try:
                with np.load(self.path, allow_pickle=False) as stored:
                    self.images = dict(zip(stored["image_ids"].tolist(), stored["thumbnails"]))
            except (OSError, ValueError, KeyError, EOFError) as error:
                raise ValueError(
                    f"{self.path}: unreadable thumbnail file ({error}); delete it and enrol "
                    "again to rebuild it."
                ) from None

    def add(self, image_id, roi_rgb):
        """Store the thumbnail of `roi_rgb` under `image_id` (replacing any)."""
        self.images[str(image_id)] = make_thumbnail(roi_rgb)

    def get(self, image_id):
        """The thumbnail of `image_id`, or None."""
        return self.images.get(str(image_id))

    def keep_only(self, image_ids):
        """Drop the thumbnails of images no longer enrolled."""
        wanted = set(map(str, image_ids))
        self.images = {key: value for key, value in self.images.items() if key in wanted}

    def save(self):
        """Write the store atomically."""
        ids = sorted(self.images)
        stack = np.stack([self.images[i] for i in ids]) if ids else np.zeros((0, *THUMB_HW, 3),
                                                                          np.uint8)
        with atomic_path(self.path) as tmp, open(tmp, "wb") as stream:
            np.savez_compressed(stream, image_ids=np.array(ids, dtype=str), thumbnails=stack)
