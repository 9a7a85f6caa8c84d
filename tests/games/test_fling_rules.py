"""Fling rules: hand-checked moves, the moves the rules forbid, and properties of every move."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Direction
from bot.board import UNKNOWN, Board
from bot.errors import TilebotError
from bot.games.fling_rules import (
    COLS,
    EMPTY,
    ROWS,
    Balls,
    IllegalMove,
    Move,
    PositionError,
    Roll,
    apply_move,
    balls_from_board,
    balls_from_labels,
    format_balls,
    is_solved,
    legal_moves,
    parse_balls,
)

UP, DOWN, LEFT, RIGHT = Direction.UP, Direction.DOWN, Direction.LEFT, Direction.RIGHT
CELLS = [(r, c) for r in range(ROWS) for c in range(COLS)]
positions = st.frozensets(st.sampled_from(CELLS), min_size=1, max_size=24)


def row(text: str, r: int = 0) -> Balls:
    """The balls of one row written as text ('.' empty), placed on row r."""
    return frozenset((r, c) for c, ch in enumerate(text) if ch != ".")


def test_chain_case_from_the_rules() -> None:
    # A . B C . D, fling A right: A rests before B; B touches C so stays and passes the
    # push; C rolls to the cell before D; D has nothing beyond it and rolls off.
    result = apply_move(row("o.oo.o"), Move((0, 0), RIGHT), rows=1, cols=6)
    assert result.balls == row(".oo.o.")
    assert result.rolls == (
        Roll((0, 0), (0, 1)),
        Roll((0, 3), (0, 4)),
        Roll((0, 5), None),
    )
    assert result.removed == (0, 5)


def test_chain_case_on_the_full_field_keeps_other_rows() -> None:
    others = frozenset({(0, 0), (7, 6), (2, 5)})
    result = apply_move(row("o.oo.o.", r=3) | others, Move((3, 0), RIGHT))
    assert result.balls == row(".oo.o..", r=3) | others
    assert result.rolls[-1] == Roll((3, 5), None)


def test_chain_mirrored_to_the_left() -> None:
    result = apply_move(row(".o.oo.o"), Move((0, 6), LEFT), rows=1, cols=7)
    assert result.balls == row("..o.oo.")
    assert result.rolls == (Roll((0, 6), (0, 5)), Roll((0, 3), (0, 2)), Roll((0, 1), None))


def test_touching_balls_pass_the_push_to_the_last() -> None:
    result = apply_move(row("o..ooo."), Move((0, 0), RIGHT), rows=1, cols=7)
    assert result.balls == row("..ooo..")
    assert result.rolls == (Roll((0, 0), (0, 2)), Roll((0, 5), None))


def test_each_hit_ball_rolls_to_the_next() -> None:
    result = apply_move(row("o.o.o.o"), Move((0, 0), RIGHT), rows=1, cols=7)
    assert result.balls == row(".o.o.o.")
    assert [roll.start for roll in result.rolls] == [(0, 0), (0, 2), (0, 4), (0, 6)]
    assert result.rolls[-1].left_board


def test_ball_behind_the_flung_one_stays() -> None:
    result = apply_move(row("oo.o..."), Move((0, 1), RIGHT))
    assert result.balls == row("o.o....")


@pytest.mark.parametrize(
    ("balls", "move", "after", "gone"),
    [
        # Leaves at the top: flung up from the bottom row of column 2.
        (frozenset({(7, 2), (3, 2)}), Move((7, 2), UP), frozenset({(4, 2)}), (3, 2)),
        # Leaves at the bottom.
        (frozenset({(0, 4), (5, 4)}), Move((0, 4), DOWN), frozenset({(4, 4)}), (5, 4)),
        # Leaves at the left, the hit ball starting on the edge itself.
        (frozenset({(6, 0), (6, 6)}), Move((6, 6), LEFT), frozenset({(6, 1)}), (6, 0)),
        # Leaves at the right.
        (frozenset({(1, 1), (1, 3)}), Move((1, 1), RIGHT), frozenset({(1, 2)}), (1, 3)),
    ],
)
def test_ball_leaves_at_each_edge(
    balls: Balls, move: Move, after: Balls, gone: tuple[int, int]
) -> None:
    result = apply_move(balls, move)
    assert result.balls == after
    assert result.rolls == (Roll(move.cell, next(iter(after))), Roll(gone, None))


def test_cannot_fling_at_an_adjacent_ball() -> None:
    with pytest.raises(IllegalMove, match=r"right from \(0, 0\).*next cell holds a ball"):
        apply_move(row("oo...o."), Move((0, 0), RIGHT))
    with pytest.raises(IllegalMove, match="next cell holds a ball"):
        apply_move(frozenset({(4, 4), (5, 4), (7, 4)}), Move((4, 4), DOWN))


def test_cannot_fling_with_nothing_to_hit() -> None:
    balls = frozenset({(2, 3), (5, 0)})
    for direction in Direction:
        with pytest.raises(IllegalMove, match="no ball that way to hit"):
            apply_move(balls, Move((2, 3), direction))
    # A ball behind does not count: nothing lies to the left of the leftmost ball.
    with pytest.raises(IllegalMove, match=r"left from \(0, 0\)"):
        apply_move(row("o.o"), Move((0, 0), LEFT))


def test_cannot_fling_an_empty_or_outside_cell() -> None:
    with pytest.raises(IllegalMove, match="no ball on that cell"):
        apply_move(row("o.o"), Move((0, 1), RIGHT))
    with pytest.raises(IllegalMove, match="outside the 8x7 field"):
        apply_move(row("o.o"), Move((0, 7), LEFT))


def test_illegal_move_is_a_tilebot_error() -> None:
    assert issubclass(IllegalMove, TilebotError)
    assert issubclass(PositionError, TilebotError)


def test_legal_moves_in_order() -> None:
    balls = parse_balls(
        """
        o.o
        ...
        o.o
        """
    )
    assert legal_moves(balls, rows=3, cols=3) == [
        Move((0, 0), DOWN),
        Move((0, 0), RIGHT),
        Move((0, 2), DOWN),
        Move((0, 2), LEFT),
        Move((2, 0), UP),
        Move((2, 0), RIGHT),
        Move((2, 2), UP),
        Move((2, 2), LEFT),
    ]
    assert legal_moves(row("oo"), rows=1, cols=2) == []


def test_legal_moves_rejects_a_ball_off_the_field() -> None:
    with pytest.raises(PositionError, match=r"ball at \(8, 0\) is outside the 8x7 field"):
        legal_moves(frozenset({(0, 0), (8, 0)}))


def test_is_solved() -> None:
    assert is_solved(frozenset({(3, 3)}))
    assert not is_solved(row("o.o"))
    assert not is_solved(frozenset())


def test_balls_from_labels_and_board() -> None:
    labels = [["red", EMPTY, EMPTY], [EMPTY, EMPTY, "blue"]]
    expected = frozenset({(0, 0), (1, 2)})
    assert balls_from_labels(labels) == expected
    assert balls_from_board(Board.from_labels(labels, 0.9)) == expected


def test_unknown_label_is_refused() -> None:
    board = Board.from_labels([[EMPTY, "red"], [UNKNOWN, EMPTY]])
    with pytest.raises(PositionError, match=r"cell \(1, 0\) is unknown"):
        balls_from_board(board)


def test_ragged_labels_are_refused() -> None:
    with pytest.raises(PositionError, match="differ in length"):
        balls_from_labels([["red", EMPTY], ["red"]])


def test_parse_and_format_round_trip() -> None:
    text = "o.o....\n" + ".......\n" * 6 + "......o"
    balls = parse_balls(text)
    assert balls == frozenset({(0, 0), (0, 2), (7, 6)})
    assert format_balls(balls) == text


@settings(max_examples=150, deadline=None)
@given(positions, st.sampled_from(CELLS), st.sampled_from(list(Direction)))
def test_every_move_removes_one_ball_or_is_illegal(
    balls: Balls, cell: tuple[int, int], direction: Direction
) -> None:
    move = Move(cell, direction)
    try:
        result = apply_move(balls, move)
    except IllegalMove:
        assert move not in legal_moves(balls)
        return
    assert move in legal_moves(balls)
    assert len(result.balls) == len(balls) - 1
    assert result.balls <= frozenset(CELLS)


@settings(max_examples=150, deadline=None)
@given(positions)
def test_legal_moves_stay_on_their_line(balls: Balls) -> None:
    for move in legal_moves(balls):
        result = apply_move(balls, move)
        assert len(result.balls) == len(balls) - 1
        assert [roll.left_board for roll in result.rolls] == [False] * (len(result.rolls) - 1) + [
            True
        ]
        assert result.rolls[0].start == move.cell
        horizontal = move.direction in (LEFT, RIGHT)
        line = {
            (r, c) for r, c in CELLS if (r == move.cell[0] if horizontal else c == move.cell[1])
        }
        # Balls off the move's line never move; the line loses exactly one ball.
        assert balls - line == result.balls - line
        assert len(result.balls & line) == len(balls & line) - 1
        for roll in result.rolls:
            if roll.end is not None:
                dr, dc = move.direction.delta
                steps = max(abs(roll.end[0] - roll.start[0]), abs(roll.end[1] - roll.start[1]))
                assert roll.end == (roll.start[0] + dr * steps, roll.start[1] + dc * steps)
                assert steps >= 1
