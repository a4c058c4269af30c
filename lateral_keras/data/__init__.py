"""Reading photos, scanning dataset folders and manifests, identity-disjoint splits.

The synthetic fish generator lives in ``lateral_keras.data.synthetic``.
"""

from lateral_keras.data.dataset_index import DatasetIndex
from lateral_keras.data.image_errors import IMAGE_READ_REASONS, ImageReadError
from lateral_keras.data.image_io import IMAGE_EXTENSIONS, check_image, read_image, read_image_size
from lateral_keras.data.layout import scan_dataset
from lateral_keras.data.manifest import read_manifest
from lateral_keras.data.records import SIDES, ImageRecord, SkippedFile
from lateral_keras.data.splits import Split, load_or_create_split, make_split

__all__ = [
    "IMAGE_EXTENSIONS",
    "IMAGE_READ_REASONS",
    "SIDES",
    "DatasetIndex",
    "ImageReadError",
    "ImageRecord",
    "SkippedFile",
    "Split",
    "check_image",
    "load_or_create_split",
    "make_split",
    "read_image",
    "read_image_size",
    "read_manifest",
    "scan_dataset",
]
