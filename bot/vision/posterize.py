"""Posterizing: collapse texture into flat regions (mean shift), and a cheap quantiser.

Mean-shift filtering costs ~6 ms per 64 px tile and ~340 ms per 450x510 board: use it
where it pays (building templates, doubtful tiles), never on every frame.
"""

from __future__ import annotations

import cv2
import numpy as np

from bot.errors import FrameError
from bot.frame import Pixels, check_pixels
from bot.profile import PosterizeSpec


def posterize(pixels: Pixels, spec: PosterizeSpec) -> Pixels:
    """Mean-shift posterize `pixels` ((H, W, 3) uint8 BGR, never modified); a new array.

    spec.spatial_radius_px and spec.colour_radius are cv2.pyrMeanShiftFiltering's sp and sr.
    """
    check_pixels(pixels, "posterize")
    src = np.ascontiguousarray(pixels)
    out = cv2.pyrMeanShiftFiltering(src, spec.spatial_radius_px, spec.colour_radius)
    return np.asarray(out, dtype=np.uint8)


def quantise(pixels: Pixels, levels: int = 8) -> Pixels:
    """Round every channel to `levels` evenly spaced values (2..256); a new array.

    pixels: (H, W, 3) uint8. Each level's value is the middle of its bin, so a flat area
    stays near its colour. Costs one lookup per pixel (cv2.LUT).
    """
    check_pixels(pixels, "quantise")
    if not 2 <= levels <= 256:
        raise FrameError(f"quantise: levels {levels} must be in 2..256")
    step = 256 / levels
    table = (np.floor(np.arange(256) / step) * step + step / 2 - 0.5).clip(0, 255)
    lut = np.rint(table).astype(np.uint8)
    return np.asarray(cv2.LUT(np.ascontiguousarray(pixels), lut), dtype=np.uint8)
