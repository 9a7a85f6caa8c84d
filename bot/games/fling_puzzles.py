"""Solvable Fling puzzles, made by playing moves backward from a single ball.

Every forward move ends with the flung ball resting in the cell before the first ball it
hit, each hit ball resting in the cell before the next, and the last one gone. Read
backward from the position after the move, with y0 the flung ball's resting cell and
y1..yk-1 the balls beyond it along the direction d: before the move the hit balls sat one
cell further on (y0+d, ..., yk-1+d, the last of these being the ball that left, which must
lie on the field) and the flung ball sat any number of empty cells behind y0. Each
backward step is checked by playing the forward move and getting the later position back,
so a puzzle made here is solvable by construction.
"""

from __future__ import annotations

import random

from bot.actions import Direction
from bot.games.fling_rules import COLS, ROWS, Balls, Move, Pos, PositionError, apply_move

_TRIES = 100
"""Fresh starts before generate gives up (a dead end needs a nearly full field)."""


def predecessors(balls: Balls, rows: int = ROWS, cols: int = COLS) -> list[tuple[Balls, Move]]:
    """Every (earlier position, move) whose move turns the earlier position into `balls`.

    Ordered by the flung ball's resting cell, direction (UP, DOWN, LEFT, RIGHT), then the
    distance it rolled (nearest first). Not checked here: generate checks what it uses.
    """
    found: list[tuple[Balls, Move]] = []
    for rest in sorted(balls):
        for direction in Direction:
            dr, dc = direction.delta
            chain = _line_beyond(balls, rest, dr, dc, rows, cols)
            gone_r, gone_c = chain[-1][0] + dr, chain[-1][1] + dc
            if not (0 <= gone_r < rows and 0 <= gone_c < cols):
                continue  # the ball that left would have come from off the field
            hit = frozenset((r + dr, c + dc) for r, c in chain)
            kept = balls.difference(chain)
            r, c = rest[0] - dr, rest[1] - dc
            while 0 <= r < rows and 0 <= c < cols and (r, c) not in balls:
                found.append((kept | hit | {(r, c)}, Move((r, c), direction)))
                r, c = r - dr, c - dc
    return found


def generate(seed: int, balls: int, rows: int = ROWS, cols: int = COLS) -> Balls:
    """A solvable position of `balls` balls on a `rows` x `cols` field, the same for a seed.

    Raise PositionError when `balls` is not between 1 and rows * cols // 2.
    """
    if not 1 <= balls <= rows * cols // 2:
        raise PositionError(f"balls must be 1 to {rows * cols // 2} on a {rows}x{cols} field")
    rng = random.Random(seed)
    for _ in range(_TRIES):
        position: Balls = frozenset({(rng.randrange(rows), rng.randrange(cols))})
        while len(position) < balls:
            options = predecessors(position, rows, cols)
            if not options:
                break
            earlier, move = rng.choice(options)
            _check_step(earlier, move, position, rows, cols)
            position = earlier
        if len(position) == balls:
            return position
    raise PositionError(f"no {balls}-ball position found on a {rows}x{cols} field")


def puzzle_set(
    count: int = 200, seed: int = 0, min_balls: int = 4, max_balls: int = 14
) -> list[Balls]:
    """`count` solvable 8x7 puzzles; puzzle i has min_balls + i % span balls.

    Deterministic: the same arguments give the same list, and puzzle i does not depend on
    `count`. With count >= span every size from min_balls to max_balls appears.
    """
    if not 1 <= min_balls <= max_balls:
        raise PositionError(f"need 1 <= min_balls <= max_balls, got {min_balls}, {max_balls}")
    span = max_balls - min_balls + 1
    rng = random.Random(seed)
    return [generate(rng.getrandbits(63), min_balls + i % span) for i in range(count)]


def _line_beyond(balls: Balls, start: Pos, dr: int, dc: int, rows: int, cols: int) -> list[Pos]:
    """`start` and every ball beyond it towards (dr, dc), nearest first."""
    line = [start]
    r, c = start[0] + dr, start[1] + dc
    while 0 <= r < rows and 0 <= c < cols:
        if (r, c) in balls:
            line.append((r, c))
        r, c = r + dr, c + dc
    return line


def _check_step(earlier: Balls, move: Move, later: Balls, rows: int, cols: int) -> None:
    """Replay `move` on `earlier`; it must give `later` or the inverse above is wrong."""
    replayed = apply_move(earlier, move, rows, cols).balls
    if replayed != later:
        raise AssertionError(f"backward step {move} does not replay: {sorted(replayed)}")
