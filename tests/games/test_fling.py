"""The Fling policy plays puzzles to one ball and re-plans when the board surprises it."""

from __future__ import annotations

from bot.actions import Drag
from bot.board import Board
from bot.games.fling import FlingPolicy
from bot.games.fling_puzzles import puzzle_set
from bot.games.fling_rules import COLS, ROWS, Balls, Move, apply_move, parse_balls
from bot.policy import Context


def board_of(balls: Balls) -> Board:
    return Board.from_labels(
        [["red-up" if (r, c) in balls else "empty" for c in range(COLS)] for r in range(ROWS)]
    )


def play(balls: Balls, policy: FlingPolicy, limit: int = 30) -> Balls:
    for i in range(limit):
        action = policy.decide(board_of(balls), Context(None, i, i * 0.5, ()))
        if action is None:
            return balls
        assert isinstance(action, Drag) and action.cells == 1.0
        balls = apply_move(balls, Move(action.cell, action.direction)).balls
    raise AssertionError("no end after the move limit")


def test_solves_every_puzzle_of_a_set_with_one_plan_each() -> None:
    for puzzle in puzzle_set(40):
        policy = FlingPolicy()
        assert len(play(puzzle, policy)) == 1
        assert policy.replans == 1


def test_replans_when_the_board_is_not_the_expected_one() -> None:
    policy = FlingPolicy()
    start = puzzle_set(1)[0]
    first = policy.decide(board_of(start), Context(None, 0, 0.0, ()))
    assert first is not None
    # the move did not happen (a lost click): the same board again makes it re-plan
    again = policy.decide(board_of(start), Context(None, 1, 0.5, ()))
    assert again == first and policy.replans == 2


def test_no_move_on_unsolvable_or_solved_boards() -> None:
    assert FlingPolicy().decide(board_of(parse_balls("o.\n.o")), Context(None, 0, 0, ())) is None
    assert FlingPolicy().decide(board_of(frozenset({(3, 3)})), Context(None, 0, 0, ())) is None
