"""Boards and actions: certainty, JSON round trips, clear errors on malformed JSON."""

from __future__ import annotations

import pytest

from bot.actions import (
    Click,
    Direction,
    Drag,
    KeyPress,
    MouseButton,
    action_from_json,
    action_to_json,
)
from bot.board import UNKNOWN, Board, Cell
from bot.errors import RecordingError


def test_board_certainty_and_json_round_trip() -> None:
    b = Board.from_labels([["a", "b"], ["c", UNKNOWN]], confidence=0.5)
    assert (b.rows, b.cols, b.unknown_count, b.is_certain) == (2, 2, 1, False)
    assert b[1, 0] == Cell("c", 0.5)
    assert Board.from_json(b.to_json()) == b
    assert Board.from_labels([["x"]]).is_certain
    with pytest.raises(ValueError, match="rows differ in length"):
        Board.from_labels([["a", "b"], ["c"]])


def test_board_from_bad_json_names_where() -> None:
    with pytest.raises(RecordingError, match="frame 4 board: labels and confidence"):
        Board.from_json({"labels": [["a"]]}, where="frame 4 board")


@pytest.mark.parametrize(
    "action",
    [
        Click((1, 2)),
        Click((0, 0), MouseButton.RIGHT),
        Drag((3, 4), Direction.UP, cells=2.0, duration_s=0.2),
        KeyPress("space"),
    ],
)
def test_action_json_round_trip(action: Click | Drag | KeyPress) -> None:
    assert action_from_json(action_to_json(action)) == action


def test_bad_action_json() -> None:
    with pytest.raises(RecordingError, match="frame 2 action: unknown action kind 'jump'"):
        action_from_json({"kind": "jump"}, where="frame 2 action")
    with pytest.raises(RecordingError, match="bad 'drag' action"):
        action_from_json({"kind": "drag", "cell": [1, 1], "direction": "sideways"})
    assert Direction.LEFT.delta == (0, -1)
