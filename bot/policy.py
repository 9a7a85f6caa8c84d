"""The decision side's contract: a policy turns a certain board into the next action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.actions import Action
from bot.board import Board


@dataclass(frozen=True, slots=True)
class Context:
    """What a policy may know besides the board.

    level: the level profile's name (None for the base level).
    frame_index: index of the frame the board was read from.
    now: loop clock seconds when the board was read.
    history: the actions taken so far in this run, oldest first.
    """

    level: str | None
    frame_index: int
    now: float
    history: tuple[Action, ...]


class Policy(Protocol):
    """One game's rules and strategy. Only ever called with a board with no unknown cell."""

    def decide(self, board: Board, context: Context) -> Action | None:
        """The next action, or None when there is nothing to do (solved, or no move)."""
        ...


class Expecting(Protocol):
    """A policy that knows which board its last action should lead to.

    The loop holds a board it did not expect until the level's settle.surprise_quiet_ms
    has passed quietly: a completion flash or a slow redraw looks like a real board.
    """

    def expects(self, board: Board) -> bool:
        """False when `board` is not what the last action should have led to."""
        ...


def surprised(policy: Policy | None, board: Board) -> bool:
    """True when `policy` expects something and `board` is not it."""
    expects = getattr(policy, "expects", None)
    return expects is not None and not expects(board)
