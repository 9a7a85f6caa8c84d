"""The static layer: pixels that never change (HUD, frames, logos) and what they show.

Running statistics with fixed memory, one pass per frame: each pixel keeps a grey-level
envelope, the lowest and highest value it has shown, and each frame the envelope shrinks
by `decay` levels towards the current value. A pixel is static when its envelope is no
wider than `tolerance`: compression noise (JPEG ringing near an overlay's edge, H.264
blocks flickering with the quantiser) stays inside that width, while a pixel under a
changing scene or a ticking timer spans far more and, once it has, stays out of the layer
for (span - tolerance) / decay frames. So a timer that ticks at least that often never
joins the layer, and a new overlay joins it as soon as its pixels have been seen for
`min_frames` frames.

The state is a frozen value the loop holds: `update_static(layer, frame) -> layer`, so a
replay rebuilds exactly the same layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError
from bot.frame import Frame, Pixels

Mask = npt.NDArray[np.bool_]
"""A pixel mask: (H, W) bool, True where the pixel is selected."""
ArrayT = TypeVar("ArrayT", bound=npt.NDArray[Any])

TOLERANCE = 16
"""Default envelope width (grey levels) still counted as static. JPEG at quality 60 rings
by more only within ~3 px of an overlay's edge, and only now and then; a scene changing
under the overlay spans more within a few frames."""
DECAY = 2
"""Default envelope shrink per frame (grey levels)."""
MIN_FRAMES = 8
"""Default number of frames seen before any pixel may count as static."""


@dataclass(frozen=True, slots=True)
class StaticLayer:
    """The running statistics of the frames seen so far (all arrays read-only).

    low, high: (H, W) uint8 grey envelope. mask: (H, W) bool, True = static.
    last: the last frame's pixels, (H, W, 3) uint8 BGR (the frame's own read-only array).
    frames: how many frames the statistics cover (0 for an empty layer).
    """

    low: Pixels | None = None
    high: Pixels | None = None
    mask: Mask | None = None
    last: Pixels | None = None
    frames: int = 0

    @property
    def static_share(self) -> float:
        """The share of pixels that are static (0.0 for an empty layer)."""
        return 0.0 if self.mask is None else float(np.count_nonzero(self.mask)) / self.mask.size


@dataclass(frozen=True, slots=True)
class Overlay:
    """An overlay as seen: image (H, W, 3) uint8 BGR, black where mask is False;
    mask (H, W) bool, True where the overlay is (static pixels)."""

    image: Pixels
    mask: Mask


def update_static(
    layer: StaticLayer,
    frame: Frame,
    *,
    tolerance: int = TOLERANCE,
    decay: int = DECAY,
    min_frames: int = MIN_FRAMES,
) -> StaticLayer:
    """The layer after one more frame; `layer` is not modified.

    frame.pixels: (H, W, 3) uint8 BGR. A frame of another size than the layer's starts a
    new layer (the window was resized). tolerance: widest grey-level envelope still
    static (0-255). decay: envelope shrink per frame in grey levels (1-255).
    min_frames: frames needed before any pixel is static (>= 1).
    Cost: five O(pixels) uint8 passes after the grey conversion (~1 ms at 1920x1080).
    """
    _check(tolerance, decay, min_frames)
    grey = np.asarray(cv2.cvtColor(frame.pixels, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if layer.low is None or layer.high is None or layer.low.shape != grey.shape:
        low, high, count = grey, grey.copy(), 1
    else:
        low = _uint8(cv2.min(_shift(layer.low, decay), grey))
        high = _uint8(cv2.max(_shift(layer.high, -decay), grey))
        count = layer.frames + 1
    if count >= min_frames:
        span = cv2.subtract(high, low)
        _, narrow = cv2.threshold(span, tolerance, 1, cv2.THRESH_BINARY_INV)
        mask = _uint8(narrow).view(np.bool_)
    else:
        mask = np.zeros(grey.shape, np.bool_)
    return StaticLayer(_frozen(low), _frozen(high), _frozen(mask), frame.pixels, count)


def overlay_of(layer: StaticLayer) -> Overlay:
    """The static layer as an overlay: the last frame's pixels where static, black elsewhere.

    Raise FrameError for a layer that has seen no frame.
    """
    if layer.mask is None or layer.last is None:
        raise FrameError("the static layer has seen no frame yet: no overlay to extract")
    image = np.zeros_like(layer.last)
    image[layer.mask] = layer.last[layer.mask]
    return Overlay(_frozen(image), layer.mask)


def extract_overlay(
    frames: list[Frame] | tuple[Frame, ...],
    *,
    tolerance: int = TOLERANCE,
    decay: int = DECAY,
    min_frames: int = MIN_FRAMES,
) -> Overlay:
    """The fixed overlay of a handful of frames in which the scene under it changes.

    frames: in order, all one size, at least `min_frames` of them (FrameError otherwise).
    """
    if len(frames) < min_frames:
        raise FrameError(
            f"overlay extraction needs at least {min_frames} frames, got {len(frames)}"
        )
    layer = StaticLayer()
    for frame in frames:
        if layer.last is not None and frame.pixels.shape != layer.last.shape:
            raise FrameError(
                f"frame {frame.index}: size {frame.width}x{frame.height} differs from the "
                f"first frame's {layer.last.shape[1]}x{layer.last.shape[0]}"
            )
        layer = update_static(layer, frame, tolerance=tolerance, decay=decay, min_frames=min_frames)
    return overlay_of(layer)


def mask_iou(a: Mask, b: Mask) -> float:
    """Intersection over union of two (H, W) bool masks (1.0 when both are empty)."""
    union = int(np.count_nonzero(a | b))
    return 1.0 if union == 0 else int(np.count_nonzero(a & b)) / union


def _check(tolerance: int, decay: int, min_frames: int) -> None:
    if not 0 <= tolerance <= 255:
        raise FrameError(f"static layer tolerance must be 0-255 grey levels, got {tolerance}")
    if not 1 <= decay <= 255:
        raise FrameError(f"static layer decay must be 1-255 grey levels a frame, got {decay}")
    if min_frames < 1:
        raise FrameError(f"static layer min_frames must be at least 1, got {min_frames}")


def _shift(grey: Pixels, levels: int) -> Pixels:
    """`grey` plus `levels` (negative: minus), saturating at 0 and 255; a new array."""
    # OpenCV adds a Python number to every pixel; its type stubs only admit arrays.
    if levels >= 0:
        return _uint8(cv2.add(grey, levels))  # type: ignore[call-overload]
    return _uint8(cv2.subtract(grey, -levels))  # type: ignore[call-overload]


def _uint8(array: object) -> Pixels:
    return np.asarray(array, dtype=np.uint8)


def _frozen(array: ArrayT) -> ArrayT:
    """`array` made read-only (in place: it is always one this module just made)."""
    array.flags.writeable = False
    return array
