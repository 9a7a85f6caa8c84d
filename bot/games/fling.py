"""The Fling policy: solve the board once, then play the plan while the board agrees.

Each move is a drag from the ball one cell towards the fling direction (a legal fling
always has an empty cell next to the ball that way, so the drag ends on the board).
"""

from __future__ import annotations

from loguru import logger

from bot.actions import Drag
from bot.board import Board
from bot.games.fling_rules import Balls, Move, apply_move, balls_from_board, is_solved
from bot.games.fling_solver import solve
from bot.policy import Context


class FlingPolicy:
    """Plays Fling: one solver run per unexpected board, the plan reused otherwise.

    drag_duration_s: seconds each drag takes (0: press, move, release at once; raise it
    for games that ignore instant drags).
    """

    def __init__(self, drag_duration_s: float = 0.0) -> None:
        self.drag_duration_s = drag_duration_s
        self._plan: list[Move] = []
        self._expected: Balls | None = None
        self.replans = 0

    def decide(self, board: Board, context: Context) -> Drag | None:
        """The next fling, or None when one ball is left or no solution exists."""
        balls = balls_from_board(board)
        if is_solved(balls):
            return None
        if balls != self._expected or not self._plan:
            if self._expected is not None:
                logger.info(
                    "frame {}: the board is not the one planned for; re-planning",
                    context.frame_index,
                )
            self.replans += 1
            self._plan = solve(balls, board.rows, board.cols) or []
            if not self._plan:
                logger.warning("frame {}: no solution from this position", context.frame_index)
                self._expected = None
                return None
        move = self._plan.pop(0)
        self._expected = apply_move(balls, move, board.rows, board.cols).balls
        return Drag(move.cell, move.direction, 1.0, self.drag_duration_s)
