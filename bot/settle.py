"""Settling: has the board stopped moving long enough to be read?

A pure step function over explicit state: the loop holds the state and hands it back each
frame, so replay (with recorded timestamps) settles exactly as the live run did.

The board area (grey) is compared with its anchor, the image at the last change; pixels
under an `ignore` mask (HUD, timers, hover highlights) do not count. A change is more
than `min_changed_px` pixels differing by more than `pixel_tolerance`. The board is
settled once no change has been seen for `quiet_ms` of clock time, watched throughout (a
stall, a gap between frames longer than `quiet_ms` and twice the gap before, starts the
quiet again): a quiet time that must
be longer than the game's longest gap between animation redraws and than its delay from
an action to the first redraw (two identical grabs in a row are not enough: sgt-flip
redraws about every 20 ms). Waiting is bounded: past `max_wait_ms` without settling the
result says `timed_out`.

The profile's `method` says what else the loop needs: "quiet" reads and acts on a
settled board; "quiet+confident" also wants that read free of unknown cells before acting
(the loop already waits for a certain read), for games whose quiet time alone cannot be
trusted. sgt-flip and sgt-fifteen need only "quiet" (45 ms: both redraw every ~20 ms,
25 ms at the longest).

`find_animations` measures those gaps on dense recordings, to choose `quiet_ms`;
`regions_mask` turns a profile's animated regions (timers, hover) into an ignore mask.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError
from bot.frame import Frame, Pixels
from bot.profile import GridSpec, SettleSpec

Mask = npt.NDArray[np.bool_]
"""A pixel mask: (H, W) bool, True where the pixel is selected."""

SLACK_MS = 1e-3
"""Float timestamps 60 ms apart may differ by 59.99999 ms."""


@dataclass(frozen=True, slots=True)
class SettleState:
    """What the settler remembers between frames.

    board: the board area (h, w) uint8 grey at the last change (the anchor), or None
    before the first frame. changed_at: clock seconds of the last change seen (or
    expected, after an action). waiting_since: clock seconds when the current wait
    began; None while settled. awaiting_change: the bot acted and the board has not
    visibly changed since: a game may take a few ms to react, and the old board must not
    be read as the new one in that gap. seen_at: clock seconds of the previous frame;
    gap: seconds between the two frames before (None until known).
    """

    board: Pixels | None = None
    changed_at: float | None = None
    waiting_since: float | None = None
    awaiting_change: bool = False
    seen_at: float | None = None
    gap: float | None = None

    def expect_change(self, now: float) -> SettleState:
        """The state after the bot acted at `now`: settled again only after the board has
        changed and then been quiet (or after max_wait_ms with no change at all)."""
        return SettleState(self.board, now, now, True, self.seen_at, self.gap)

    def restart(self, now: float) -> SettleState:
        """The state after the window moved at `now`: the quiet time starts again."""
        return SettleState(self.board, now, now, False, self.seen_at, self.gap)


@dataclass(frozen=True, slots=True)
class SettleResult:
    """One frame's verdict.

    settled: the board has been quiet for the profile's quiet time; read it.
    quiet_ms: how long it has been quiet. timed_out: not settled after waiting
    max_wait_ms (the board keeps moving: an unmasked timer, a game that never rests);
    waited_ms: how long the current wait has lasted (0 when settled). changed_px: pixels
    that changed at this frame (0 when below `min_changed_px`).
    """

    settled: bool
    quiet_ms: float
    timed_out: bool = False
    waited_ms: float = 0.0
    changed_px: int = 0


def board_area(frame: Frame, grid: GridSpec) -> Pixels:
    """The frame's pixels under the grid, as (h, w) uint8 grey (a new array)."""
    x0, y0 = grid.origin_x_px, grid.origin_y_px
    crop = frame.pixels[y0 : y0 + grid.height_px, x0 : x0 + grid.width_px]
    return np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def settle_step(
    state: SettleState,
    frame: Frame,
    grid: GridSpec,
    spec: SettleSpec,
    now: float,
    *,
    ignore: Mask | None = None,
    min_changed_px: int = 1,
) -> tuple[SettleState, SettleResult]:
    """Advance the settler by one frame grabbed at clock time `now` (seconds).

    ignore: (H, W) bool over the whole frame, True for pixels that must not count
    (a static layer's mask, timers, hover highlights); FrameError when its shape is not
    the frame's. min_changed_px: fewer differing pixels than this are noise.
    """
    area = board_area(frame, grid)
    skip = _crop(ignore, frame, grid)
    previous, changed_at = state.board, state.changed_at
    changed_px = area.size
    if previous is not None and previous.shape == area.shape:
        changed_px = _changed_pixels(previous, area, spec.pixel_tolerance, skip)
    seen_change = previous is not None and changed_px >= max(1, min_changed_px)
    changed = previous is None or changed_at is None or seen_change
    awaiting = state.awaiting_change and not seen_change
    anchor = area if changed else previous
    # Time no frame saw proves nothing: a machine that stalled the bot stalled the game
    # too, which then finishes its animation after the stall. A gap longer than the quiet
    # time and than twice the gap before starts the quiet again.
    gap = None if state.seen_at is None else now - state.seen_at
    stalled = (
        gap is not None
        and state.gap is not None
        and gap * 1000.0 > spec.quiet_ms
        and gap > 2 * state.gap
    )
    if changed or stalled:
        changed_at = now
    assert changed_at is not None  # set above whenever it was missing
    quiet_ms = (now - changed_at) * 1000.0
    settled = quiet_ms + SLACK_MS >= spec.quiet_ms
    if awaiting and state.waiting_since is not None:
        # No visible effect yet: wait for one, but not past max_wait_ms (then the action
        # did nothing, and the loop's stuck-click guard counts it).
        settled = (now - state.waiting_since) * 1000.0 + SLACK_MS >= spec.max_wait_ms
        awaiting = not settled
    waiting_since = state.waiting_since
    if settled:
        waiting_since = None
    elif waiting_since is None:
        waiting_since = changed_at
    waited_ms = 0.0 if waiting_since is None else (now - waiting_since) * 1000.0
    timed_out = not settled and waited_ms + SLACK_MS >= spec.max_wait_ms
    result = SettleResult(settled, quiet_ms, timed_out, waited_ms, changed_px if changed else 0)
    return SettleState(anchor, changed_at, waiting_since, awaiting, now, gap), result


def regions_mask(
    height: int,
    width: int,
    regions: Iterable[tuple[int, int, int, int]],
    *,
    also: Mask | None = None,
) -> Mask:
    """An (height, width) bool mask, True inside each region (x, y, w, h in frame pixels,
    clipped to the frame) and wherever `also` (same shape, e.g. a static layer) is True."""
    mask = np.zeros((height, width), np.bool_) if also is None else also.copy()
    if mask.shape != (height, width):
        raise FrameError(f"mask is {_size(mask)} but the frame is {width}x{height}")
    for x, y, w, h in regions:
        mask[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)] = True
    return mask


def _crop(ignore: Mask | None, frame: Frame, grid: GridSpec) -> Mask | None:
    """The board part of a frame-sized ignore mask."""
    if ignore is None:
        return None
    if ignore.shape != (frame.height, frame.width):
        raise FrameError(
            f"frame {frame.index}: ignore mask is {_size(ignore)} but the frame is "
            f"{frame.width}x{frame.height}"
        )
    x0, y0 = grid.origin_x_px, grid.origin_y_px
    return ignore[y0 : y0 + grid.height_px, x0 : x0 + grid.width_px]


def _size(mask: Mask) -> str:
    """A mask's size as WxH (or its shape when it is not 2-D)."""
    return f"{mask.shape[1]}x{mask.shape[0]}" if mask.ndim == 2 else str(mask.shape)


def _changed_pixels(a: Pixels, b: Pixels, tolerance: int, ignore: Mask | None) -> int:
    """How many pixels of two grey images differ by more than `tolerance`, outside `ignore`."""
    diff = cv2.absdiff(a, b)
    if ignore is not None:
        diff = np.where(ignore[: diff.shape[0], : diff.shape[1]], 0, diff).astype(np.uint8)
    _, over = cv2.threshold(diff, tolerance, 255, cv2.THRESH_BINARY)
    return int(cv2.countNonZero(over))


@dataclass(frozen=True, slots=True)
class Animation:
    """What the board did after one action, as a dense capture shows it.

    action_at: clock seconds of the action. changes: timestamps of the frames that showed
    a change (each frame differing from the one before), in order; empty when nothing moved.
    """

    action_at: float
    changes: tuple[float, ...]

    @property
    def end(self) -> float:
        """Timestamp of the last changing frame (the action's time when nothing moved)."""
        return self.changes[-1] if self.changes else self.action_at

    @property
    def reaction_ms(self) -> float:
        """From the action to the first changing frame (0 when nothing moved)."""
        return (self.changes[0] - self.action_at) * 1000.0 if self.changes else 0.0

    @property
    def longest_gap_ms(self) -> float:
        """The longest time between consecutive changing frames (0 with fewer than two)."""
        gaps = np.diff(np.asarray(self.changes, dtype=np.float64))
        return float(gaps.max()) * 1000.0 if gaps.size else 0.0


def find_animations(
    frames: Iterable[Frame],
    grid: GridSpec,
    action_times: Sequence[float],
    *,
    tolerance: int = 0,
) -> list[Animation]:
    """Split a capture's board changes into one Animation per action.

    frames: in time order (ideally grabbed densely, 100-200 Hz). action_times: clock
    seconds of the actions, ascending; a change belongs to the last action before it.
    tolerance: grey-level difference still counted as no change.
    The quiet time a game needs is more than max(longest_gap_ms, reaction_ms) over its
    animations, plus a margin for scheduling jitter.
    """
    changes: list[list[float]] = [[] for _ in action_times]
    previous: Pixels | None = None
    for frame in frames:
        area = board_area(frame, grid)
        if previous is not None and _changed_pixels(previous, area, tolerance, None) > 0:
            owner = int(np.searchsorted(np.asarray(action_times), frame.timestamp)) - 1
            if owner >= 0:
                changes[owner].append(frame.timestamp)
        previous = area
    return [Animation(t, tuple(c)) for t, c in zip(action_times, changes, strict=True)]
