"""A Fling table for loop tests: the real renderer and rules, no window.

It is both the frame source and the actuator: frames show the current board (rendered
with bot.demo.render at `origin`), and a drag changes the board by the rules, at once.
The live game window is tested elsewhere; this keeps golden-replay tests screen-free.
"""

from __future__ import annotations

import numpy as np

from bot.act import Placement
from bot.actions import Action, Drag
from bot.clock import VirtualClock
from bot.demo.render import render_board
from bot.errors import SourceExhausted
from bot.frame import Frame, Pixels
from bot.games.fling_rules import Move, apply_move, balls_from_labels
from bot.safety import plan_action

Labels = list[list[str]]


class FlingTable:
    """Frames of a Fling board `dt` seconds apart on `clock`; drags play moves."""

    def __init__(
        self,
        labels: Labels,
        theme: str,
        clock: VirtualClock,
        origin: tuple[int, int] = (10, 10),
        dt: float = 1 / 30,
        max_frames: int = 2000,
    ) -> None:
        self.labels = [list(row) for row in labels]
        self.theme, self.clock, self.origin, self.dt = theme, clock, origin, dt
        self.max_frames = max_frames
        self.index = 0
        self.moves = 0
        self._image: Pixels | None = None

    def grab(self) -> Frame:
        """The board as it is now; SourceExhausted after max_frames."""
        if self.index >= self.max_frames:
            raise SourceExhausted("table closed")
        if self._image is None:
            field = render_board(self.labels, self.theme, 64, seed=1)
            x, y = self.origin
            canvas = np.full((field.shape[0] + 2 * y, field.shape[1] + 2 * x, 3), 40, np.uint8)
            canvas[y : y + field.shape[0], x : x + field.shape[1]] = field
            self._image = canvas
        t = self.index * self.dt
        self.clock.advance_to(t)
        self.index += 1
        return Frame(self._image, self.index - 1, t)

    def close(self) -> None:
        """Nothing to release."""

    def perform(self, action: Action, placement: Placement) -> None:
        """Check the action as a live actuator would, then play it by the rules."""
        plan_action(action, placement)
        assert isinstance(action, Drag)
        result = apply_move(balls_from_labels(self.labels), Move(action.cell, action.direction))
        moving = {roll.start: self.labels[roll.start[0]][roll.start[1]] for roll in result.rolls}
        for r, c in moving:
            self.labels[r][c] = "empty"
        for roll in result.rolls:
            if roll.end is not None:
                self.labels[roll.end[0]][roll.end[1]] = moving[roll.start]
        self.moves += 1
        self._image = None
