"""Actuators: where actions leave the program. Live play drives the mouse; replay only records.

Only actuators speak screen pixels. A `Placement` says where the grid is on the screen
right now and which window every action must stay inside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.actions import Action
from bot.frame import Region
from bot.profile import GridSpec


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the board is on screen for one action.

    grid: tile geometry in frame pixels. origin: screen (x, y) of the frame's pixel (0, 0).
    window: the game window's screen region; no action may touch a point outside it.
    """

    grid: GridSpec
    origin: tuple[int, int]
    window: Region

    def cell_to_screen(self, row: int, col: int) -> tuple[float, float]:
        """Screen (x, y) of the centre of cell (row, col)."""
        x, y = self.grid.cell_centre(row, col)
        return self.origin[0] + x, self.origin[1] + y


class Actuator(Protocol):
    """Carries out actions."""

    def perform(self, action: Action, placement: Placement) -> None:
        """Do `action` at `placement`; raise UnsafeAction, sending nothing, if unsafe."""
        ...


@dataclass
class RecordingActuator:
    """The replay actuator: records what would have been done, touches nothing."""

    performed: list[tuple[Action, Placement]] = field(default_factory=list)

    def perform(self, action: Action, placement: Placement) -> None:
        """Append (action, placement) to `performed`."""
        self.performed.append((action, placement))
