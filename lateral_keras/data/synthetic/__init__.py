"""Synthetic fish photos with exact ground truth: the built-in default dataset.

Lateral photos of individual fish on a green background, in the original layout
``<root>/<SESSION>/<identity>/<image>.jpg``, with ``ground_truth.csv`` (landmarks EP, UP, BP and
the SPEC's ROI in image coordinates) and ``synth_config.json``.
"""

from lateral_keras.data.synthetic.baseline import raw_pixel_baseline, roi_crop
from lateral_keras.data.synthetic.contact_sheet import make_contact_sheet
from lateral_keras.data.synthetic.dataset import generate_dataset
from lateral_keras.data.synthetic.difficulty import Difficulty, resolve_difficulty
from lateral_keras.data.synthetic.ground_truth import COLUMNS, read_ground_truth
from lateral_keras.data.synthetic.identity import session_spots
from lateral_keras.data.synthetic.render import render_image

__all__ = [
    "COLUMNS",
    "Difficulty",
    "generate_dataset",
    "make_contact_sheet",
    "raw_pixel_baseline",
    "read_ground_truth",
    "render_image",
    "resolve_difficulty",
    "roi_crop",
    "session_spots",
]
