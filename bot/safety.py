"""Safety, in one place: every action becomes screen points checked against the window.

`plan_action` is pure: it turns an `Action` on grid cells into a `ScreenPlan` of integer
screen pixels, or raises `UnsafeAction` (and nothing is ever sent) when a cell is off the
grid or any point the mouse would touch (a click, both ends of a drag, the focus point of
a key press) lies outside the game window or off the screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.act import Placement
from bot.actions import Action, Click, Drag, KeyPress, MouseButton
from bot.errors import UnsafeAction
from bot.frame import Region

Point = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ScreenPlan:
    """An action in screen pixels, already checked.

    points: click -> (where,); drag -> (press, release); key -> (focus point,): keyboard
    focus follows the pointer on X11 without a window manager, so a key press first puts
    the pointer on the board. duration_s: seconds a drag takes. clicks: presses of a click.
    """

    kind: Literal["click", "drag", "key"]
    points: tuple[Point, ...]
    button: MouseButton = MouseButton.LEFT
    key: str | None = None
    duration_s: float = 0.0
    clicks: int = 1


def plan_action(action: Action, placement: Placement, screen: Region | None = None) -> ScreenPlan:
    """Screen points for `action` at `placement`; UnsafeAction if any leaves the window.

    screen: the whole screen's region, when known; points must lie on it too.
    """
    grid = placement.grid
    match action:
        case Click(cell, button, count):
            _check_cell(cell, placement)
            plan = ScreenPlan("click", (_point(placement, cell),), button, clicks=count)
        case Drag(cell, direction, cells, duration_s):
            _check_cell(cell, placement)
            x, y = _point(placement, cell)
            dr, dc = direction.delta
            step = cells * grid.pitch_px
            end = (round(x + dc * step), round(y + dr * step))
            plan = ScreenPlan("drag", ((x, y), end), MouseButton.LEFT, None, duration_s)
        case KeyPress(key):
            centre = (grid.rows // 2, grid.cols // 2)
            plan = ScreenPlan("key", (_point(placement, centre),), key=key)
        case _:
            raise UnsafeAction(f"not an action: {action!r}")
    for px, py in plan.points:
        if not placement.window.contains(px, py):
            raise UnsafeAction(
                f"{plan.kind} at screen ({px}, {py}) lies outside the game window "
                f"{placement.window.geometry}; nothing was sent"
            )
        if screen is not None and not screen.contains(px, py):
            raise UnsafeAction(
                f"{plan.kind} at screen ({px}, {py}) lies off the screen {screen.geometry}; "
                "nothing was sent"
            )
    return plan


def _check_cell(cell: tuple[int, int], placement: Placement) -> None:
    r, c = cell
    g = placement.grid
    if not (0 <= r < g.rows and 0 <= c < g.cols):
        raise UnsafeAction(f"cell {cell} is off the {g.rows}x{g.cols} grid; nothing was sent")


def _point(placement: Placement, cell: tuple[int, int]) -> Point:
    x, y = placement.cell_to_screen(*cell)
    return round(x), round(y)
