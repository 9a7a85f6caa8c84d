"""Colour features that ignore brightness and shading, and colour classes to name them.

Chromaticity divides each channel by the sum of the three: a surface keeps its
chromaticity whether lit or in shadow (both scale all channels alike). Hue does the same
for saturated colours. Arrays are BGR, as frames are.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError
from bot.frame import Pixels, check_pixels
from bot.profile import ColourSpec

FloatArray = npt.NDArray[np.float32]

DARK_SUM = 24.0
"""Pixels whose channels sum below this carry no reliable colour (sensor noise dominates)."""


@dataclass(frozen=True, slots=True)
class ColourMatch:
    """The nearest colour class: its name ("" when none is near enough) and distance."""

    name: str
    distance: float


def chromaticity(pixels: npt.NDArray[np.uint8]) -> FloatArray:
    """Each channel over the sum of the three: (..., 3) uint8 BGR -> (..., 3) float32 (b, g, r).

    Black pixels (sum 0) get (1/3, 1/3, 1/3).
    """
    if pixels.ndim < 1 or pixels.shape[-1] != 3:
        raise FrameError(f"chromaticity: expected (..., 3) BGR, got {pixels.shape}")
    values = pixels.astype(np.float32)
    total = values.sum(axis=-1, keepdims=True)
    out = np.where(total > 0, values / np.maximum(total, 1e-6), np.float32(1 / 3))
    return out.astype(np.float32)


def hue(pixels: Pixels) -> npt.NDArray[np.uint8]:
    """OpenCV hue of every pixel: (H, W, 3) uint8 BGR -> (H, W) uint8 in 0..179 (2 degrees)."""
    check_pixels(pixels, "hue")
    hsv = cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_BGR2HSV)
    return np.ascontiguousarray(hsv[..., 0])


def mean_chromaticity(
    pixels: npt.NDArray[np.uint8], weight: npt.NDArray[np.floating] | None = None
) -> FloatArray:
    """Weighted mean chromaticity of a region: (..., 3) uint8 -> (3,) float32 (b, g, r).

    weight: (...) non-negative weights (a foreground mask, an overlay's complement);
    dark pixels (channel sum below DARK_SUM) never count. All weights zero gives
    (1/3, 1/3, 1/3), i.e. no colour.
    """
    chroma = chromaticity(pixels).reshape(-1, 3)
    w = np.ones(chroma.shape[0], np.float32) if weight is None else weight.reshape(-1)
    if w.shape[0] != chroma.shape[0]:
        raise FrameError(f"mean_chromaticity: weight {weight!r:.40} does not match pixels")
    bright = pixels.reshape(-1, 3).astype(np.float32).sum(axis=1) >= DARK_SUM
    w = np.where(bright, w, 0.0).astype(np.float32)
    total = float(w.sum())
    if total <= 0:
        return np.full(3, 1 / 3, np.float32)
    mean: FloatArray = (chroma * w[:, None]).sum(axis=0) / total
    return mean.astype(np.float32)


def classify_colour(chroma: FloatArray, spec: ColourSpec) -> ColourMatch:
    """The class of `spec` nearest to a (3,) chromaticity (Euclidean), if within reach.

    Returns the class name and its distance, or name "" (no class) when the nearest is
    farther than spec.max_distance or spec has no classes.
    """
    if not spec.classes:
        return ColourMatch("", float("inf"))
    names = list(spec.classes)
    centres = np.asarray([spec.classes[n] for n in names], np.float32)
    dist = np.linalg.norm(centres - np.asarray(chroma, np.float32)[None, :], axis=1)
    best = int(np.argmin(dist))
    d = float(dist[best])
    return ColourMatch(names[best] if d <= spec.max_distance else "", d)
