"""Fling puzzle generation: backward moves replay forward, puzzles are deterministic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Direction
from bot.games.fling_puzzles import generate, predecessors, puzzle_set
from bot.games.fling_rules import (
    COLS,
    ROWS,
    Balls,
    Move,
    PositionError,
    apply_move,
    legal_moves,
)

CELLS = [(r, c) for r in range(ROWS) for c in range(COLS)]
positions = st.frozensets(st.sampled_from(CELLS), min_size=1, max_size=20)


def test_predecessors_of_one_ball_by_hand() -> None:
    # One ball at (0, 5) of a 1x7 row: either it came left from (0, 6) and knocked a ball
    # on (0, 4) off the left edge, or it came right from any cell left of it and knocked a
    # ball on (0, 6) off the right edge.
    found = predecessors(frozenset({(0, 5)}), rows=1, cols=7)
    assert found == [
        (frozenset({(0, 6), (0, 4)}), Move((0, 6), Direction.LEFT)),
        *((frozenset({(0, c), (0, 6)}), Move((0, c), Direction.RIGHT)) for c in (4, 3, 2, 1, 0)),
    ]
    # On the right edge it pushed nothing off rightwards and nothing came from its right.
    assert predecessors(frozenset({(0, 6)}), rows=1, cols=7) == []


def test_predecessors_of_a_chain_by_hand() -> None:
    # After ". o o . o ." (1x6), one earlier position is "o . o o . o": the chain case.
    later = frozenset({(0, 1), (0, 2), (0, 4)})
    earlier = frozenset({(0, 0), (0, 2), (0, 3), (0, 5)})
    assert (earlier, Move((0, 0), Direction.RIGHT)) in predecessors(later, rows=1, cols=6)


@settings(max_examples=100, deadline=None)
@given(positions)
def test_every_predecessor_replays_forward(balls: Balls) -> None:
    for earlier, move in predecessors(balls):
        assert len(earlier) == len(balls) + 1
        assert apply_move(earlier, move).balls == balls


@settings(max_examples=100, deadline=None)
@given(positions)
def test_every_forward_move_has_its_predecessor(balls: Balls) -> None:
    for move in legal_moves(balls):
        later = apply_move(balls, move).balls
        assert (balls, move) in predecessors(later)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32), st.integers(2, 16))
def test_generated_puzzles_have_legal_moves(seed: int, count: int) -> None:
    balls = generate(seed, count)
    assert len(balls) == count
    assert balls <= frozenset(CELLS)
    moves = legal_moves(balls)
    assert moves
    for move in moves:
        assert len(apply_move(balls, move).balls) == count - 1


def test_generate_is_deterministic() -> None:
    assert generate(7, 10) == generate(7, 10)
    assert len({generate(seed, 10) for seed in range(10)}) == 10


def test_generate_refuses_impossible_sizes() -> None:
    with pytest.raises(PositionError, match="balls must be 1 to 28"):
        generate(0, 0)
    with pytest.raises(PositionError, match="balls must be 1 to 28"):
        generate(0, 29)


def test_puzzle_set_covers_every_size_deterministically() -> None:
    puzzles = puzzle_set(30)
    assert len(puzzles) == 30
    assert sorted({len(p) for p in puzzles}) == list(range(4, 15))
    assert puzzles == puzzle_set(30)
    assert puzzle_set(12) == puzzles[:12]
    assert puzzle_set(5, seed=1) != puzzles[:5]
    assert [len(p) for p in puzzle_set(3, min_balls=2, max_balls=3)] == [2, 3, 2]


def test_puzzle_set_refuses_bad_sizes() -> None:
    with pytest.raises(PositionError, match="min_balls <= max_balls"):
        puzzle_set(3, min_balls=5, max_balls=4)
