"""What a policy can ask for: click a cell, drag from a cell in a direction, press a key.

Actions speak grid cells (row, col); only the actuator turns them into screen pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from bot.errors import RecordingError


class MouseButton(StrEnum):
    """A mouse button."""

    LEFT = "left"
    RIGHT = "right"
    MIDDLE = "middle"


class Direction(StrEnum):
    """A grid direction; `delta` is its (drow, dcol) step."""

    UP = "up"
    DOWN = "down"
    LEFT = "left"
    RIGHT = "right"

    @property
    def delta(self) -> tuple[int, int]:
        """The (drow, dcol) of one step this way."""
        return _DELTAS[self]


_DELTAS = MappingProxyType(
    {
        Direction.UP: (-1, 0),
        Direction.DOWN: (1, 0),
        Direction.LEFT: (0, -1),
        Direction.RIGHT: (0, 1),
    }
)


MAX_CLICKS = 3
"""Most presses one Click may hold (a triple click)."""


@dataclass(frozen=True, slots=True)
class Click:
    """Click the centre of cell (row, col) with `button`, `count` times in a row.

    count 2 is a move of two clicks on one cell, as samegame's select-then-remove.
    """

    cell: tuple[int, int]
    button: MouseButton = MouseButton.LEFT
    count: int = 1

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_CLICKS:
            raise ValueError(f"a click is pressed 1 to {MAX_CLICKS} times, not {self.count}")


@dataclass(frozen=True, slots=True)
class Drag:
    """Press on cell (row, col), move `cells` cell pitches towards `direction`, release.

    duration_s: seconds the move takes (games often ignore instant drags).
    """

    cell: tuple[int, int]
    direction: Direction
    cells: float = 1.0
    duration_s: float = 0.12


@dataclass(frozen=True, slots=True)
class KeyPress:
    """Press and release one key, named as pyautogui names keys ("space", "n", "left")."""

    key: str


Action = Click | Drag | KeyPress


def action_to_json(action: Action) -> dict[str, Any]:
    """A JSON-ready mapping with a `kind` field."""
    match action:
        case Click(cell, button, count):
            data: dict[str, Any] = {"kind": "click", "cell": list(cell), "button": button.value}
            if count != 1:
                data["count"] = count
            return data
        case Drag(cell, direction, cells, duration_s):
            return {
                "kind": "drag",
                "cell": list(cell),
                "direction": direction.value,
                "cells": cells,
                "duration_s": duration_s,
            }
        case KeyPress(key):
            return {"kind": "key", "key": key}
    raise TypeError(f"not an action: {action!r}")


def action_from_json(data: object, where: str = "action") -> Action:
    """Inverse of action_to_json; raise RecordingError naming `where` when malformed."""
    if not isinstance(data, dict):
        raise RecordingError(f"{where}: expected an object with a 'kind'")
    try:
        kind = data["kind"]
        if kind == "click":
            return Click(
                _cell(data["cell"]),
                MouseButton(data.get("button", "left")),
                int(data.get("count", 1)),
            )
        if kind == "drag":
            return Drag(
                _cell(data["cell"]),
                Direction(data["direction"]),
                float(data.get("cells", 1.0)),
                float(data.get("duration_s", 0.12)),
            )
        if kind == "key":
            return KeyPress(str(data["key"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise RecordingError(f"{where}: bad {data.get('kind')!r} action: {exc}") from None
    raise RecordingError(f"{where}: unknown action kind {kind!r}")


def _cell(value: object) -> tuple[int, int]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"cell must be [row, col], got {value!r}")
    return int(value[0]), int(value[1])
