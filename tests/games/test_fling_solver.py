"""Fling solver: solves the whole puzzle set, agrees with a plain search over the rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Direction
from bot.games.fling_puzzles import generate, puzzle_set
from bot.games.fling_rules import (
    COLS,
    ROWS,
    Balls,
    Move,
    PositionError,
    apply_move,
    is_solved,
    legal_moves,
    parse_balls,
)
from bot.games.fling_solver import solve

CELLS = [(r, c) for r in range(ROWS) for c in range(COLS)]


def replay(balls: Balls, moves: list[Move], rows: int = ROWS, cols: int = COLS) -> Balls:
    """The position after playing `moves` under the rules (IllegalMove if one is illegal)."""
    for move in moves:
        balls = apply_move(balls, move, rows, cols).balls
    return balls


def solvable_by_rules(balls: Balls, rows: int = ROWS, cols: int = COLS) -> bool:
    """A plain exhaustive search over legal_moves and apply_move, for reference."""
    dead: set[Balls] = set()

    def search(position: Balls) -> bool:
        if is_solved(position):
            return True
        if position in dead:
            return False
        for move in legal_moves(position, rows, cols):
            if search(apply_move(position, move, rows, cols).balls):
                return True
        dead.add(position)
        return False

    return search(balls)


def test_solves_every_puzzle_of_the_set() -> None:
    puzzles = puzzle_set(200)
    for index, puzzle in enumerate(puzzles):
        solution = solve(puzzle)
        assert solution is not None, f"puzzle {index} not solved"
        assert len(solution) == len(puzzle) - 1
        assert is_solved(replay(puzzle, solution)), f"puzzle {index}: solution does not replay"


def test_two_balls_on_no_common_line_are_unsolvable() -> None:
    assert solve(frozenset({(1, 1), (4, 5)})) is None
    assert solve(frozenset({(2, 2), (2, 3)})) is None  # touching: no move at all


def test_position_with_moves_but_no_solution() -> None:
    # Either fling on row 0 leaves one ball on (0, 1) and one on (5, 5): a dead end.
    balls = frozenset({(0, 0), (0, 2), (5, 5)})
    assert legal_moves(balls)
    assert solve(balls) is None


def test_small_cases() -> None:
    assert solve(frozenset({(3, 3)})) == []
    assert solve(frozenset()) is None
    assert solve(frozenset({(0, 0), (0, 6)})) in (
        [Move((0, 0), Direction.RIGHT)],
        [Move((0, 6), Direction.LEFT)],
    )


def test_other_field_sizes() -> None:
    chain = parse_balls("o.oo.o")
    solution = solve(chain, rows=1, cols=6)
    assert solution is not None
    assert is_solved(replay(chain, solution, rows=1, cols=6))
    square = parse_balls(
        """
        o.o
        ...
        o.o
        """
    )
    solution = solve(square, rows=3, cols=3)
    assert solution is not None
    assert is_solved(replay(square, solution, rows=3, cols=3))


def test_ball_off_the_field_is_refused() -> None:
    with pytest.raises(PositionError, match="outside the 8x7 field"):
        solve(frozenset({(0, 0), (0, 7)}))


@settings(max_examples=120, deadline=None)
@given(st.frozensets(st.sampled_from(CELLS), min_size=2, max_size=7))
def test_agrees_with_plain_search(balls: Balls) -> None:
    solution = solve(balls)
    assert (solution is not None) == solvable_by_rules(balls)
    if solution is not None:
        assert is_solved(replay(balls, solution))


@settings(max_examples=120, deadline=None)
@given(st.frozensets(st.sampled_from([(r, c) for r in range(4) for c in range(5)]), min_size=2))
def test_agrees_with_plain_search_on_a_small_crowded_field(balls: Balls) -> None:
    solution = solve(balls, rows=4, cols=5)
    assert (solution is not None) == solvable_by_rules(balls, rows=4, cols=5)
    if solution is not None:
        assert is_solved(replay(balls, solution, rows=4, cols=5))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 18))
def test_solves_generated_puzzles(seed: int, count: int) -> None:
    puzzle = generate(seed, count)
    solution = solve(puzzle)
    assert solution is not None
    assert is_solved(replay(puzzle, solution))
