"""The rules of Fling: fling one ball, the chain it starts pushes the last ball off the board.

A position is the frozenset of (row, col) cells that hold a ball; row 0 is the top, col 0
the left. Colours and faces do not matter to the rules. A move flings the ball on `cell`
towards `direction`: it rolls until it meets another ball and stops in the cell before it;
the ball it hit rolls on the same way until it meets the next ball (a hit ball that already
touches the next one stays put and passes the push on); the last ball of the chain rolls
off the board. A ball cannot be flung at a ball in the adjacent cell, nor in a direction
with no ball to hit. The puzzle is solved when one ball is left.

    balls = parse_balls("o.oo.o")           # one row: A . B C . D
    result = apply_move(balls, Move((0, 0), Direction.RIGHT), rows=1, cols=6)
    format_balls(result.balls, 1, 6)        # ".oo.o."  (B stayed, C rolled, D left)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.actions import Direction
from bot.board import UNKNOWN, Board
from bot.errors import TilebotError

ROWS = 8
"""Rows of the Fling field."""
COLS = 7
"""Columns of the Fling field."""
EMPTY = "empty"
"""The label of a cell without a ball; any other label but UNKNOWN is a ball."""

Pos = tuple[int, int]
"""A cell as (row, col)."""
Balls = frozenset[Pos]
"""A position: the cells that hold a ball."""


class IllegalMove(TilebotError):
    """A move that the rules forbid: no ball on its cell, a ball adjacent, nothing to hit."""


class PositionError(TilebotError):
    """A position that cannot be played: a ball off the field or a cell read as unknown."""


@dataclass(frozen=True, slots=True)
class Move:
    """Fling the ball on `cell` (row, col) towards `direction`."""

    cell: Pos
    direction: Direction

    def __str__(self) -> str:
        return f"{self.direction.value} from ({self.cell[0]}, {self.cell[1]})"


@dataclass(frozen=True, slots=True)
class Roll:
    """One ball's travel during a move: from `start` to `end`, or off the board (end None)."""

    start: Pos
    end: Pos | None

    @property
    def left_board(self) -> bool:
        """True for the ball that rolled off the board."""
        return self.end is None


@dataclass(frozen=True, slots=True)
class MoveResult:
    """The position after a move and how each ball that moved travelled.

    rolls: in chain order, the flung ball first and the ball that left last; balls that
    only passed the push on (they touched the next ball) do not move and are not listed.
    """

    balls: Balls
    rolls: tuple[Roll, ...]

    @property
    def removed(self) -> Pos:
        """The cell of the ball that rolled off the board, as it was before the move."""
        return self.rolls[-1].start


def is_solved(balls: Balls) -> bool:
    """True when exactly one ball is left."""
    return len(balls) == 1


def check_balls(balls: Balls, rows: int = ROWS, cols: int = COLS) -> None:
    """Raise PositionError naming the first ball outside a `rows` x `cols` field."""
    for r, c in sorted(balls):
        if not (0 <= r < rows and 0 <= c < cols):
            raise PositionError(f"ball at ({r}, {c}) is outside the {rows}x{cols} field")


def legal_moves(balls: Balls, rows: int = ROWS, cols: int = COLS) -> list[Move]:
    """Every legal move, ordered by cell (row, then col), then UP, DOWN, LEFT, RIGHT."""
    check_balls(balls, rows, cols)
    return [
        Move(cell, direction)
        for cell in sorted(balls)
        for direction in Direction
        if _why_illegal(balls, cell, direction, rows, cols) is None
    ]


def apply_move(balls: Balls, move: Move, rows: int = ROWS, cols: int = COLS) -> MoveResult:
    """Play `move` on `balls` (never modified); raise IllegalMove naming the move if forbidden."""
    reason = _why_illegal(balls, move.cell, move.direction, rows, cols)
    if reason is not None:
        raise IllegalMove(f"cannot fling {move}: {reason}")
    dr, dc = move.direction.delta
    after = set(balls)
    rolls: list[Roll] = []
    start = move.cell
    while True:
        after.discard(start)
        r, c = start
        # Roll while the next cell is on the field and empty.
        while _inside(r + dr, c + dc, rows, cols) and (r + dr, c + dc) not in balls:
            r, c = r + dr, c + dc
        if not _inside(r + dr, c + dc, rows, cols):
            rolls.append(Roll(start, None))
            break
        after.add((r, c))
        if (r, c) != start:
            rolls.append(Roll(start, (r, c)))
        start = (r + dr, c + dc)
    return MoveResult(frozenset(after), tuple(rolls))


def balls_from_labels(labels: Sequence[Sequence[str]]) -> Balls:
    """The balls of a label grid (rows of strings): every label but EMPTY is a ball.

    Raise PositionError naming the cell when a label is UNKNOWN (never guess a read)
    or when the rows differ in length.
    """
    widths = {len(row) for row in labels}
    if len(widths) > 1:
        raise PositionError(f"label rows differ in length: {sorted(widths)}")
    balls = set()
    for r, row in enumerate(labels):
        for c, label in enumerate(row):
            if label == UNKNOWN:
                raise PositionError(f"cell ({r}, {c}) is unknown: cannot play an uncertain read")
            if label != EMPTY:
                balls.add((r, c))
    return frozenset(balls)


def balls_from_board(board: Board) -> Balls:
    """The balls of a read board; raise PositionError if any cell is UNKNOWN."""
    return balls_from_labels(board.labels())


def parse_balls(text: str) -> Balls:
    """Balls from text, one field row per line: '.' is empty, any other character a ball.

    Blank lines and spaces are ignored, so a triple-quoted block can be indented.
    """
    lines = [line.replace(" ", "") for line in text.strip().splitlines()]
    return frozenset(
        (r, c)
        for r, line in enumerate(line for line in lines if line)
        for c, ch in enumerate(line)
        if ch != "."
    )


def format_balls(balls: Balls, rows: int = ROWS, cols: int = COLS) -> str:
    """The position as text, the inverse of parse_balls: 'o' for a ball, '.' for empty."""
    return "\n".join(
        "".join("o" if (r, c) in balls else "." for c in range(cols)) for r in range(rows)
    )


def _inside(r: int, c: int, rows: int, cols: int) -> bool:
    return 0 <= r < rows and 0 <= c < cols


def _why_illegal(balls: Balls, cell: Pos, direction: Direction, rows: int, cols: int) -> str | None:
    """Why the ball on `cell` cannot be flung towards `direction`, or None when it can."""
    if not _inside(*cell, rows, cols):
        return f"the cell is outside the {rows}x{cols} field"
    if cell not in balls:
        return "there is no ball on that cell"
    dr, dc = direction.delta
    r, c = cell[0] + dr, cell[1] + dc
    if (r, c) in balls:
        return "the next cell holds a ball"
    while _inside(r, c, rows, cols):
        if (r, c) in balls:
            return None
        r, c = r + dr, c + dc
    return "there is no ball that way to hit"
