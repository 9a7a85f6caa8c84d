"""Solve Fling positions exactly: depth-first search over positions, each visited once.

Positions are held as two bitboards, one row-major (bit r * cols + c) and one column-major
(bit c * rows + r), so a move along a row or a column is one table lookup of that line's
bits: the tables list, for every ball pattern on a line, each legal fling and which bits it
flips on both boards. A position the search has left without solving it cannot be solved
(every move from it was tried), so it is never searched again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.actions import Direction
from bot.games.fling_rules import COLS, ROWS, Balls, Move, check_balls

# One fling on a line: (ball's index on the line, +1 or -1, row-major flips, column-major flips).
_Fling = tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Tables:
    """Every fling of every line pattern of a rows x cols field.

    by_row[r][mask]: flings along row r when its balls are `mask` (bit c = column c).
    by_col[c][mask]: flings along column c when its balls are `mask` (bit r = row r).
    """

    rows: int
    cols: int
    by_row: tuple[tuple[tuple[_Fling, ...], ...], ...]
    by_col: tuple[tuple[tuple[_Fling, ...], ...], ...]


def solve(balls: Balls, rows: int = ROWS, cols: int = COLS) -> list[Move] | None:
    """The moves that leave one ball, or None when no sequence does (or there are no balls).

    Exact: returns None only after trying every line of play. A one-ball position gives [].
    """
    check_balls(balls, rows, cols)
    if not balls:
        return None
    tables = _DEFAULT if (rows, cols) == (ROWS, COLS) else _build_tables(rows, cols)
    by_row, by_col = tables.by_row, tables.by_col
    row_full, col_full = (1 << cols) - 1, (1 << rows) - 1
    dead: set[int] = set()  # row-major boards searched without a solution
    path: list[Move] = []

    def successors(b: int, t: int) -> Iterator[tuple[int, int, Move]]:
        for r in range(rows):
            for i, sign, db, dt in by_row[r][(b >> (r * cols)) & row_full]:
                direction = Direction.RIGHT if sign > 0 else Direction.LEFT
                yield b ^ db, t ^ dt, Move((r, i), direction)
        for c in range(cols):
            for i, sign, db, dt in by_col[c][(t >> (c * rows)) & col_full]:
                direction = Direction.DOWN if sign > 0 else Direction.UP
                yield b ^ db, t ^ dt, Move((i, c), direction)

    def search(b: int, t: int) -> bool:
        if b.bit_count() == 1:
            return True
        for nb, nt, move in successors(b, t):
            if nb in dead:
                continue
            path.append(move)
            if search(nb, nt):
                return True
            path.pop()
        dead.add(b)
        return False

    b0 = sum(1 << (r * cols + c) for r, c in balls)
    t0 = sum(1 << (c * rows + r) for r, c in balls)
    if search(b0, t0):
        return path
    return None


def _build_tables(rows: int, cols: int) -> _Tables:
    """The fling tables of a rows x cols field (a few thousand entries for 8 x 7)."""
    by_row = tuple(
        tuple(
            tuple(
                (i, sign, diff << (r * cols), _scatter(diff, r, rows))
                for i, sign, diff in _line_flings(mask, cols)
            )
            for mask in range(1 << cols)
        )
        for r in range(rows)
    )
    by_col = tuple(
        tuple(
            tuple(
                (i, sign, _scatter(diff, c, cols), diff << (c * rows))
                for i, sign, diff in _line_flings(mask, rows)
            )
            for mask in range(1 << rows)
        )
        for c in range(cols)
    )
    return _Tables(rows, cols, by_row, by_col)


def _scatter(diff: int, line: int, stride: int) -> int:
    """Bits of `diff` (bit k = position k along line `line`) on the crosswise board.

    On the crosswise board position k of line `line` is bit k * stride + line.
    """
    return sum(1 << (k * stride + line) for k in range(diff.bit_length()) if diff >> k & 1)


def _line_flings(mask: int, length: int) -> list[tuple[int, int, int]]:
    """Legal flings on one line of `length` cells holding balls `mask`: (index, sign, flips).

    A ball at x0 flung towards balls x1 < ... < xk (all the balls beyond it) leaves balls at
    x1 - 1, ..., xk - 1: each ball rests before the next one and the last one leaves.
    Mirrored for the other direction. Illegal when x1 is x0 + 1 or there is no x1.
    """
    cells = [k for k in range(length) if mask >> k & 1]
    flings = []
    for sign in (1, -1):
        ordered = cells if sign > 0 else cells[::-1]
        for n, x0 in enumerate(ordered):
            beyond = ordered[n + 1 :]
            if not beyond or beyond[0] == x0 + sign:
                continue
            after = mask & ~(1 << x0)
            for x in beyond:
                after &= ~(1 << x)
            for x in beyond:
                after |= 1 << (x - sign)
            flings.append((x0, sign, mask ^ after))
    flings.sort()
    return flings


_DEFAULT = _build_tables(ROWS, COLS)
