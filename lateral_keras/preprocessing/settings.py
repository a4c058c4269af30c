"""Settings of the skin-ROI extractor: one frozen dataclass, validated on construction."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class ExtractorSettings:
    """Every knob of ``extract_roi`` (SPEC section 2), with defaults for photos on green.

    Hues are in degrees (0-360), saturation and value in 0-1, sizes in pixels of the working
    copy unless said otherwise.

    Args:
        work_side: the largest longest side of the working copy used for masks and
            landmarks: the photo is halved until its longest side is at most this (a 1280 x
            960 photo is worked on at 320 x 240; EP, back and BP are then measured again on
            finer views of the full-resolution photo).
        axis: the normalised frame's x axis: ``'standard_length'`` (snout tip to the
            middle of the caudal peduncle; default) or ``'ellipse'`` (the major axis of the
            mask's ellipse, SPEC section 2 step 3); see ``orientation.normalise_pose``.
        hue_band: default green band ``(low, high)`` in degrees, used when the image border
            does not look like a green background.
        min_saturation: default lowest background saturation.
        min_value: default lowest background value (brightness).
        calibrate_from_border: estimate the background's hue, saturation and value from the
            image border (median and spread of the border pixels) instead of the defaults.
        border_width: width of the border strip used for calibration, as a fraction of the
            shorter side.
        min_background_share: the least share of the image that must be background; below
            it the result fails with ``no_background``.
        min_fish_share: the least share of the image the largest object must cover
            (``no_fish`` below it).
        max_fish_share: the largest share of the image the fish may cover (``no_fish``
            above it: then the "fish" is really a non-green background).
        second_object_ratio: a second object larger than this share of the largest one
            makes the result fail with ``multiple_objects`` (objects cut by the frame count
            only when the largest is cut too).
        max_border_contact: the fish's body (fins aside, see
            ``segmentation.detach_from_border``) may touch the image border over at most this
            share of its depth; more gives ``fish_cut_by_frame``.
        top_fraction: ``f1``: the ROI's top edge is ``back + f1 * depth``.
        bottom_fraction: ``f2``: the ROI's bottom edge is ``back + f2 * depth``.
        roi_size: ``(height, width)`` of the returned ROI, or ``None`` to keep the native
            size (the ROI's size in full-resolution pixels).
        min_roi_side: the shortest accepted ROI side in full-resolution pixels
            (``roi_too_small`` below it).
        min_sharpness: optional lowest variance of the Laplacian on the ROI (``too_blurred``
            below it); ``None`` disables the check.

    Example:
        >>> settings = ExtractorSettings(roi_size=(64, 256), min_sharpness=20.0)
        >>> settings.top_fraction
        0.05
    """

    work_side: int = 512
    axis: str = "standard_length"
    hue_band: tuple = (60.0, 180.0)
    min_saturation: float = 0.2
    min_value: float = 0.15
    calibrate_from_border: bool = True
    border_width: float = 0.03
    min_background_share: float = 0.15
    min_fish_share: float = 0.005
    max_fish_share: float = 0.85
    second_object_ratio: float = 0.5
    max_border_contact: float = 0.2
    top_fraction: float = 1.0 / 20.0
    bottom_fraction: float = 1.0 / 2.0
    roi_size: tuple | None = (64, 256)
    min_roi_side: int = 8
    min_sharpness: float | None = None

    def __post_init__(self):
        if isinstance(self.work_side, bool) or not isinstance(self.work_side, int):
            raise ValueError(f"`work_side` must be an int. Received: work_side={self.work_side!r}")
        if self.work_side < 64:
            raise ValueError(
                f"`work_side` must be at least 64. Received: work_side={self.work_side}"
            )
        if self.axis not in ("standard_length", "ellipse"):
            raise ValueError(
                f"`axis` must be 'standard_length' or 'ellipse'. Received: axis={self.axis!r}"
            )
        low, high = _pair("hue_band", self.hue_band)
        if not 0 <= low < high <= 360:
            raise ValueError(
                "`hue_band` must be (low, high) degrees with 0 <= low < high <= 360. "
                f"Received: hue_band={self.hue_band!r}"
            )
        for name in (
            "min_saturation",
            "min_value",
            "border_width",
            "min_background_share",
            "min_fish_share",
            "max_fish_share",
            "second_object_ratio",
            "max_border_contact",
        ):
            _fraction(name, getattr(self, name))
        if not 0 <= self.top_fraction < self.bottom_fraction <= 1:
            raise ValueError(
                "The ROI fractions must satisfy 0 <= top_fraction < bottom_fraction <= 1. "
                f"Received: top_fraction={self.top_fraction}, "
                f"bottom_fraction={self.bottom_fraction}"
            )
        if self.roi_size is not None:
            height, width = _pair("roi_size", self.roi_size)
            if not (_is_int(height) and _is_int(width) and height >= 1 and width >= 1):
                raise ValueError(
                    "`roi_size` must be None or (height, width) positive ints. "
                    f"Received: roi_size={self.roi_size!r}"
                )
        if not _is_int(self.min_roi_side) or self.min_roi_side < 1:
            raise ValueError(
                "`min_roi_side` must be a positive int. "
                f"Received: min_roi_side={self.min_roi_side!r}"
            )
        if self.min_sharpness is not None and not self.min_sharpness >= 0:
            raise ValueError(
                "`min_sharpness` must be None or >= 0. "
                f"Received: min_sharpness={self.min_sharpness!r}"
            )
        # Pairs read from YAML or JSON arrive as lists: keep tuples, so settings compare equal.
        object.__setattr__(self, "hue_band", tuple(self.hue_band))
        if self.roi_size is not None:
            object.__setattr__(self, "roi_size", tuple(self.roi_size))


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _pair(name, value):
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"`{name}` must be a pair of numbers. Received: {name}={value!r}")
    return value


def _fraction(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"`{name}` must be a number in [0, 1]. Received: {name}={value!r}")
