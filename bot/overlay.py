"""The static layer: the overlays fixed over a changing scene (HUD, frame, logo) and what they show.

Running statistics with fixed memory, O(pixels) work per frame; nothing of the past
is kept but a few uint8 maps:

- a grey-level envelope, the lowest and highest value each pixel has shown, shrinking
  by `decay` levels a frame towards the current value. A pixel is *still* while its
  envelope is no wider than `tolerance`: compression noise (JPEG ringing near an edge,
  H.264 blocks flickering with the quantiser) stays inside that width.
- a countdown of how recently each pixel *moved with the scene*: from one frame to the
  next it changed by more than `tolerance`, and by at least `follow` of the strongest
  change within `reach_px` around it. A ball rolling over a tile, a tile redrawn for a new
  level, a timer's digit ticking: each changes about as much as its surroundings do, at
  least now and then. An overlay never does. An opaque one does not change at all; one of
  opacity a shows only (1 - a) of what changes under it, while the same change shows in
  full just outside it (a 60% logo over a ball: 0.4 of the ball's change), and it shows
  nothing of a change smaller than tolerance / (1 - a).
- the last frame in grey, to measure those changes, and the strongest change around each
  4x4 block in the last few frames (fading), to compare them with.

`static_mask` puts a pixel in the layer when it is still and has not moved with the scene
for about `memory_frames`. Around what moved, three shape rules: a gap narrower than
`gap_px` between moving pixels moves too (the space between a timer's digits); a small
patch of movement (at most `island_px` either way) with nothing else moving within
`reach_px` takes its whole box out, one pixel around (a timer, a counter); and only
regions at least `min_px` thick stay (grid lines and stray pixels that happened to stay
put are not overlays).

What the statistics cannot know: background that nothing ever changed is as still as an
overlay. So the layer learns from frames in which the scene changes under and around the
overlay (several levels of a game, pieces moving everywhere), and an empty tile that no
level redrew differently and nothing crossed stays in it.

The state is a frozen value the loop holds: `update_static(layer, frame) -> layer`, so a
replay rebuilds exactly the same layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError
from bot.frame import Frame, Pixels

Mask = npt.NDArray[np.bool_]
"""A pixel mask: (H, W) bool, True where the pixel is selected."""
Grey = npt.NDArray[np.uint8]
"""A single-channel image: (H, W) uint8."""
ArrayT = TypeVar("ArrayT", bound=npt.NDArray[Any])

TOLERANCE = 16
"""Default envelope width (grey levels) still counted as still. JPEG at quality 60 rings
by more only within ~3 px of an overlay's edge, and only now and then; a scene changing
under the overlay spans more within a few frames."""
DECAY = 2
"""Default envelope shrink per frame (grey levels)."""
MIN_FRAMES = 8
"""Default number of frames seen before any pixel may count as static."""
FOLLOW = 0.85
"""Default share of the strongest change nearby from which a change is the scene's. An
overlay of opacity >= 0.4 passes on <= 0.6 of a change and stays below it, with room for
the detail of what moves under it (a ball's eyes under a logo)."""
REACH_PX = 24
"""Default radius (px) within which changes are compared: at least half the thickness of
the thickest semi-opaque overlay to find."""
MEMORY_FRAMES = 3600
"""Default frames a pixel that moved with the scene stays out of the layer (a minute at
60 frames a second)."""
GAP_PX = 7
"""Default width (px) of the gaps between moving pixels that count as moving too."""
ISLAND_PX = 48
"""Default size (px, either way) up to which an isolated patch of movement takes its box."""
MIN_PX = 1
"""Default thinnest overlay kept (px)."""

_FADE = 0.9  # share of the recent strongest change kept from one frame to the next
_BLOCK = 4  # side (px) of the blocks whose mean changes are compared (two 2x reductions)


@dataclass(frozen=True, slots=True)
class StaticSettings:
    """How the static layer learns (see the module docstring); FrameError when out of range.

    tolerance: widest grey envelope still counted as still (0-255 levels). decay: envelope
    shrink per frame (1-255 levels). min_frames: frames before any pixel is static (>= 1).
    follow: share (0-1] of the strongest change nearby that makes a change the scene's.
    reach_px: how far nearby reaches (>= 1 px). memory_frames: how long a pixel that moved
    with the scene stays out (>= 1 frame). gap_px: gaps between moving pixels narrower
    than this move too (>= 1 px; 1: none). island_px: isolated patches of movement up to
    this size take their box (>= 0 px; 0: none). min_px: thinnest overlay kept (>= 1 px;
    1: all).
    """

    tolerance: int = TOLERANCE
    decay: int = DECAY
    min_frames: int = MIN_FRAMES
    follow: float = FOLLOW
    reach_px: int = REACH_PX
    memory_frames: int = MEMORY_FRAMES
    gap_px: int = GAP_PX
    island_px: int = ISLAND_PX
    min_px: int = MIN_PX

    def __post_init__(self) -> None:
        limits = (
            ("tolerance", self.tolerance, 0, 255, "grey levels"),
            ("decay", self.decay, 1, 255, "grey levels a frame"),
            ("min_frames", self.min_frames, 1, None, "frames"),
            ("reach_px", self.reach_px, 1, None, "px"),
            ("memory_frames", self.memory_frames, 1, None, "frames"),
            ("gap_px", self.gap_px, 1, None, "px"),
            ("island_px", self.island_px, 0, None, "px"),
            ("min_px", self.min_px, 1, None, "px"),
        )
        for name, value, low, high, unit in limits:
            if high is not None and not low <= value <= high:
                raise FrameError(f"static layer {name} must be {low}-{high} {unit}, got {value}")
            if value < low:
                raise FrameError(f"static layer {name} must be at least {low} {unit}, got {value}")
        if not 0 < self.follow <= 1:
            raise FrameError(f"static layer follow must be in (0, 1], got {self.follow}")

    @property
    def memory_step(self) -> int:
        """Frames between two steps of the moved countdown (it has at most 255 steps)."""
        return max(1, math.ceil(self.memory_frames / 255))

    @property
    def memory_steps(self) -> int:
        """Where the moved countdown starts: memory_steps * memory_step >= memory_frames."""
        return math.ceil(self.memory_frames / self.memory_step)


DEFAULT_SETTINGS = StaticSettings()
"""The settings a layer learns with unless it is given others."""


@dataclass(frozen=True, slots=True)
class StaticLayer:
    """The running statistics of the frames seen so far (all arrays read-only, (H, W) uint8).

    Start with `StaticLayer()` or `StaticLayer(settings)`; `update_static` returns the next.
    low, high: the grey envelope. grey: the last frame in grey. moved: the countdown,
    settings.memory_steps just after a pixel moved with the scene, one less every
    settings.memory_step frames, 0 once it has not moved for memory_frames. recent:
    (H // 4, W // 4), the strongest change within reach of each 4x4 block, fading by 10%
    a frame: a ball sliding out of sight under an overlay is still compared with itself
    a frame or two earlier, when part of it showed in full. last: the
    last frame's pixels, (H, W, 3) uint8 BGR (the frame's own read-only array). frames:
    how many frames the statistics cover (0 for an empty layer).
    """

    settings: StaticSettings = DEFAULT_SETTINGS
    low: Grey | None = None
    high: Grey | None = None
    grey: Grey | None = None
    moved: Grey | None = None
    recent: Grey | None = None
    last: Pixels | None = None
    frames: int = 0


@dataclass(frozen=True, slots=True)
class Overlay:
    """An overlay as seen: image (H, W, 3) uint8 BGR, black where mask is False;
    mask (H, W) bool, True where the overlay is (static pixels)."""

    image: Pixels
    mask: Mask


def update_static(layer: StaticLayer, frame: Frame) -> StaticLayer:
    """The layer after one more frame; `layer` is not modified.

    frame.pixels: (H, W, 3) uint8 BGR. A frame of another size than the layer's starts a
    new layer (the window was resized). Cost: ~15 O(pixels) uint8 passes when something
    moved, 8 when nothing did (~1.6 and ~0.8 ms at 1920x1080).
    """
    s = layer.settings
    grey = _uint8(cv2.cvtColor(frame.pixels, cv2.COLOR_BGR2GRAY))
    if (
        layer.low is None
        or layer.high is None
        or layer.grey is None
        or layer.moved is None
        or layer.low.shape != grey.shape
    ):
        low, high, moved, count = grey, grey.copy(), np.zeros_like(grey), 1
        recent = np.zeros(
            (max(1, grey.shape[0] // _BLOCK), max(1, grey.shape[1] // _BLOCK)), np.uint8
        )
    else:
        low = _uint8(cv2.min(_shift(layer.low, s.decay), grey))
        high = _uint8(cv2.max(_shift(layer.high, -s.decay), grey))
        count = layer.frames + 1
        moved = layer.moved if count % s.memory_step else _shift(layer.moved, -1)
        moved, recent = _mark_moved(moved, layer.recent, layer.grey, grey, s)
    return StaticLayer(
        s, _frozen(low), _frozen(high), _frozen(grey), _frozen(moved), _frozen(recent),
        frame.pixels, count,
    )  # fmt: skip


def static_mask(layer: StaticLayer) -> Mask:
    """The static layer's pixels: (H, W) bool, True = static (all False before min_frames).

    Raise FrameError for a layer that has seen no frame. Cost: ~8 O(pixels) passes
    (~2 ms at 1920x1080): ask when the mask is needed, not on every update.
    """
    if layer.low is None or layer.high is None or layer.moved is None:
        raise FrameError("the static layer has seen no frame yet: no static pixels to show")
    s = layer.settings
    if layer.frames < s.min_frames:
        return np.zeros(layer.low.shape, np.bool_)
    _, still = cv2.threshold(cv2.subtract(layer.high, layer.low), s.tolerance, 255,
                             cv2.THRESH_BINARY_INV)  # fmt: skip
    moving = _uint8(cv2.threshold(layer.moved, 0, 255, cv2.THRESH_BINARY)[1])
    if s.gap_px > 1:
        moving = _uint8(cv2.morphologyEx(moving, cv2.MORPH_CLOSE, _square(s.gap_px)))
    if s.island_px > 0:
        moving = _box_islands(moving, s.island_px, s.reach_px)
    if s.min_px > 1:  # a lone pixel the noise kept from being still does not split a region
        still = _fill_lone(_uint8(still))
    static = cv2.subtract(still, moving)
    if s.min_px > 1:
        static = cv2.morphologyEx(static, cv2.MORPH_OPEN, _square(s.min_px))
    return np.asarray(static, dtype=np.uint8) > 0


def overlay_of(layer: StaticLayer) -> Overlay:
    """The static layer as an overlay: the last frame's pixels where static, black elsewhere.

    Raise FrameError for a layer that has seen no frame.
    """
    mask = static_mask(layer)
    assert layer.last is not None  # static_mask refused a layer without frames
    image = np.zeros_like(layer.last)
    image[mask] = layer.last[mask]
    return Overlay(_frozen(image), _frozen(mask))


def extract_overlay(
    frames: list[Frame] | tuple[Frame, ...], settings: StaticSettings = DEFAULT_SETTINGS
) -> Overlay:
    """The fixed overlay of a handful of frames in which the scene under it changes.

    frames: in order, all one size, at least `settings.min_frames` of them (FrameError
    otherwise).
    """
    if len(frames) < settings.min_frames:
        raise FrameError(
            f"overlay extraction needs at least {settings.min_frames} frames, got {len(frames)}"
        )
    layer = StaticLayer(settings)
    for frame in frames:
        if layer.last is not None and frame.pixels.shape != layer.last.shape:
            raise FrameError(
                f"frame {frame.index}: size {frame.width}x{frame.height} differs from the "
                f"first frame's {layer.last.shape[1]}x{layer.last.shape[0]}"
            )
        layer = update_static(layer, frame)
    return overlay_of(layer)


def mask_iou(a: Mask, b: Mask) -> float:
    """Intersection over union of two (H, W) bool masks (1.0 when both are empty)."""
    union = int(np.count_nonzero(a | b))
    return 1.0 if union == 0 else int(np.count_nonzero(a & b)) / union


def _mark_moved(
    moved: Grey, recent: Grey | None, before: Grey, grey: Grey, s: StaticSettings
) -> tuple[Grey, Grey]:
    """`moved` with the pixels that moved with the scene from `before` to `grey` set, and
    the strongest recent change around each 4x4 block (see StaticLayer.recent)."""
    h, w = grey.shape
    shape = (max(1, h // _BLOCK), max(1, w // _BLOCK))
    faded = None
    if recent is not None and recent.shape == shape:
        faded = _uint8(cv2.convertScaleAbs(recent, alpha=_FADE))
    change = _uint8(cv2.absdiff(grey, before))
    if cv2.minMaxLoc(change)[1] <= s.tolerance:
        return moved, faded if faded is not None else np.zeros(shape, np.uint8)
    # The mean change of 4x4 blocks, the strongest within reach (now or, fading, in the
    # last few frames), times `follow`: what a pixel's own change must reach, and never
    # less than the tolerance.
    strongest = _uint8(cv2.dilate(_blocks(change), _square(2 * math.ceil(s.reach_px / _BLOCK) + 1)))
    if faded is not None:
        strongest = _uint8(cv2.max(strongest, faded))
    need = np.maximum(_uint8(cv2.convertScaleAbs(strongest, alpha=s.follow)), s.tolerance + 1)
    need[strongest <= s.tolerance] = 255  # nothing nearby moved beyond the noise
    need = _uint8(cv2.resize(need.astype(np.uint8), (w, h), interpolation=cv2.INTER_LINEAR))
    follows = _uint8(cv2.compare(change, need, cv2.CMP_GE))  # 0 or 255
    if s.memory_steps < 255:
        follows = _uint8(cv2.min(follows, s.memory_steps))  # type: ignore[call-overload]
    return _uint8(cv2.max(moved, follows)), strongest


def _fill_lone(still: Grey) -> Grey:
    """`still` (0/255) with every pixel whose 8 neighbours are all still made still too."""
    _, ones = cv2.threshold(still, 0, 1, cv2.THRESH_BINARY)
    around = cv2.boxFilter(ones, -1, (3, 3), normalize=False, borderType=cv2.BORDER_REPLICATE)
    _, lone = cv2.threshold(around, 7, 255, cv2.THRESH_BINARY)  # 8 of 9 (or all 9) still
    return _uint8(cv2.max(still, lone))


def _box_islands(moving: Grey, largest: int, reach: int) -> Grey:
    """`moving` (0/255) with every isolated island of movement boxed, on 4x4 blocks.

    An island is boxed when it spans at most `largest` px either way and no other moving
    block lies within `reach` px of it; its box (of its own pixels) grows by one pixel.
    """
    h, w = moving.shape
    blocks = _blocks(moving)
    bh, bw = blocks.shape
    _, touched = cv2.threshold(blocks, 0, 1, cv2.THRESH_BINARY)
    _, _, stats, _ = cv2.connectedComponentsWithStats(touched, connectivity=8)
    limit = largest // _BLOCK + 1
    small = stats[1:][(stats[1:, 2] <= limit) & (stats[1:, 3] <= limit)]
    if len(small) == 0:
        return moving
    total = cv2.integral(touched)
    out = moving.copy()
    near = math.ceil(reach / _BLOCK)
    for x, y, sw, sh, area in small.tolist():
        x0, y0 = max(0, x - near), max(0, y - near)
        x1, y1 = min(bw, x + sw + near), min(bh, y + sh + near)
        if total[y1, x1] - total[y0, x1] - total[y1, x0] + total[y0, x0] != area:
            continue  # something else moves nearby: part of a larger scene change
        top, left = max(0, (y - 1) * h // bh), max(0, (x - 1) * w // bw)
        rows, cols = np.nonzero(moving[top : (y + sh + 1) * h // bh, left : (x + sw + 1) * w // bw])
        out[max(0, top + rows.min() - 1) : top + rows.max() + 2,
            max(0, left + cols.min() - 1) : left + cols.max() + 2] = 255  # fmt: skip
    return out


def _blocks(image: Grey) -> Grey:
    """The mean of each 4x4 block of `image`: (H // 4, W // 4) uint8, two 2x area reductions
    (OpenCV's fast path)."""
    h, w = image.shape
    half = cv2.resize(image, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    return _uint8(cv2.resize(half, (max(1, w // _BLOCK), max(1, h // _BLOCK)),
                             interpolation=cv2.INTER_AREA))  # fmt: skip


def _square(side: int) -> npt.NDArray[np.uint8]:
    return np.asarray(cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)), dtype=np.uint8)


def _shift(grey: Grey, levels: int) -> Grey:
    """`grey` plus `levels` (negative: minus), saturating at 0 and 255; a new array."""
    # OpenCV adds a Python number to every pixel; its type stubs only admit arrays.
    if levels >= 0:
        return _uint8(cv2.add(grey, levels))  # type: ignore[call-overload]
    return _uint8(cv2.subtract(grey, -levels))  # type: ignore[call-overload]


def _uint8(array: object) -> Grey:
    return np.asarray(array, dtype=np.uint8)


def _frozen(array: ArrayT) -> ArrayT:
    """`array` made read-only (in place: it is always one this module just made)."""
    array.flags.writeable = False
    return array
