"""Hit-and-miss search over label grids."""

from __future__ import annotations

import pytest

from bot.vision.patterns import PatternError, find_pattern

E, U = "empty", "unknown"
BOARD = [
    ["red", E, "red", E],
    ["blue", "blue", U, "red"],
    [E, "green", E, "green"],
]


def test_two_alike_with_a_gap() -> None:
    assert find_pattern(BOARD, ("A.A",)) == [(0, 0), (2, 1)]


def test_vertical_pairs_and_distinct_letters() -> None:
    assert find_pattern(BOARD, ("A", "A")) == []
    assert find_pattern(BOARD, ("AA",)) == [(1, 0)]
    assert (1, 0) not in find_pattern(BOARD, ("AB",))
    assert (0, 0) in find_pattern(BOARD, ("AB",))


def test_unknown_cells_match_only_question_marks() -> None:
    assert find_pattern(BOARD, ("#?#",)) == [(0, 0), (1, 1), (2, 1)]
    assert find_pattern(BOARD, ("#!#",)) == [(0, 0), (2, 1)]
    assert find_pattern(BOARD, ("!",)) == [
        (r, c) for r in range(3) for c in range(4) if (r, c) != (1, 2)
    ]
    assert find_pattern(BOARD, ("?",))[-1] == (2, 3)


def test_pattern_larger_than_the_board_finds_nothing() -> None:
    assert find_pattern(BOARD, ("?????",)) == []


@pytest.mark.parametrize("bad", [(), ("A.", "A"), ("a",), "A.A", ("",)])
def test_bad_patterns_raise(bad: tuple[str, ...]) -> None:
    with pytest.raises(PatternError):
        find_pattern(BOARD, bad)
