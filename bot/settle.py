"""Settling: has the board stopped moving long enough to be read?

A pure step function over explicit state: the loop holds the state and hands it back each
frame, so replay (with recorded timestamps) settles exactly as the live run did.
The board counts as settled once no pixel of the board's area has changed by more than
`pixel_tolerance` for `quiet_ms` of clock time: a quiet time that must be longer than the
game's longest gap between animation redraws (two identical grabs in a row are not enough).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bot.frame import Frame, Pixels
from bot.profile import GridSpec, SettleSpec


@dataclass(frozen=True, slots=True)
class SettleState:
    """What the settler remembers between frames.

    board: the previous frame's board area, (h, w) uint8 grey, or None before the first.
    changed_at: clock seconds of the last change seen (or expected, after an action).
    """

    board: Pixels | None = None
    changed_at: float | None = None

    def expect_change(self, now: float) -> SettleState:
        """The state after the bot acted at `now`: the quiet time starts again."""
        return SettleState(self.board, now)


@dataclass(frozen=True, slots=True)
class SettleResult:
    """One frame's verdict: is the board settled, and for how long has it been quiet (ms)."""

    settled: bool
    quiet_ms: float


def board_area(frame: Frame, grid: GridSpec) -> Pixels:
    """The frame's pixels under the grid, as (h, w) uint8 grey (a new array)."""
    x0, y0 = grid.origin_x_px, grid.origin_y_px
    crop = frame.pixels[y0 : y0 + grid.height_px, x0 : x0 + grid.width_px]
    return np.asarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY), dtype=np.uint8)


def settle_step(
    state: SettleState, frame: Frame, grid: GridSpec, spec: SettleSpec, now: float
) -> tuple[SettleState, SettleResult]:
    """Advance the settler by one frame grabbed at clock time `now` (seconds)."""
    area = board_area(frame, grid)
    previous = state.board
    changed_at = state.changed_at
    if (
        previous is None
        or changed_at is None
        or previous.shape != area.shape
        or _differs(previous, area, spec.pixel_tolerance)
    ):
        changed_at = now
    quiet_ms = (now - changed_at) * 1000.0
    # A microsecond of slack: float timestamps 60 ms apart may differ by 59.99999 ms.
    settled = quiet_ms + 1e-3 >= spec.quiet_ms
    return SettleState(area, changed_at), SettleResult(settled, quiet_ms)


def _differs(a: Pixels, b: Pixels, tolerance: int) -> bool:
    diff = cv2.absdiff(a, b)
    return bool(int(diff.max()) > tolerance)
