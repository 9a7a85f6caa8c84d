"""Fifteen: clicks slide runs as the game does, and the solver finishes every solvable board."""

from __future__ import annotations

import itertools
import random
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Click, MouseButton
from bot.board import Board
from bot.games.fifteen import (
    FifteenError,
    FifteenPolicy,
    Tiles,
    apply_click,
    clicks_of,
    gap_path,
    goal,
    is_solvable,
    is_solved,
    labels_of,
    play_clicks,
    solve,
    tiles_of,
)
from bot.games.sgt.ids import decode_fifteen_board
from bot.policy import Context
from tests import live
from tests.conftest import require


def generate_ids(params: str, count: int) -> list[str]:
    """Descriptive IDs printed by the real game for `params#seed`."""
    require(live.missing_game("fifteen"))
    out = subprocess.run(
        [str(live.GAMES_DIR / "sgt-fifteen"), "--generate", str(count), f"{params}#11"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def random_solvable(rng: random.Random, rows: int, cols: int) -> Tiles:
    while True:
        tiles = list(range(rows * cols))
        rng.shuffle(tiles)
        if is_solvable(tuple(tiles), rows, cols):
            return tuple(tiles)


def unit(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return (b[0] > a[0]) - (b[0] < a[0]), (b[1] > a[1]) - (b[1] < a[1])


def play(tiles: Tiles, rows: int, cols: int, policy: FifteenPolicy) -> tuple[Tiles, int]:
    """Play to the end; (final position, clicks made)."""
    for i in range(1000):
        board = Board.from_labels(labels_of(tiles, cols))
        action = policy.decide(board, Context(None, i, i * 0.2, ()))
        if action is None:
            return tiles, i
        assert isinstance(action, Click) and action.button is MouseButton.LEFT
        tiles = apply_click(tiles, rows, cols, action.cell)
    raise AssertionError("no end after 1000 clicks")


def test_a_click_slides_the_whole_run_towards_the_gap() -> None:
    tiles = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
    assert apply_click(tiles, 4, 4, (0, 3))[:4] == (1, 2, 3, 0)
    column = apply_click(tiles, 4, 4, (2, 0))
    assert [column[i] for i in (0, 4, 8, 12)] == [4, 8, 0, 12]
    with pytest.raises(FifteenError, match="not in line with the gap"):
        apply_click(tiles, 4, 4, (1, 1))
    with pytest.raises(FifteenError, match="not in line with the gap"):
        apply_click(tiles, 4, 4, (0, 0))
    with pytest.raises(FifteenError, match="off the 4x4 grid"):
        apply_click(tiles, 4, 4, (0, 4))


@pytest.mark.parametrize("params", ["4x4", "3x3", "2x2", "3x4", "5x5"])
def test_solves_real_games(params: str) -> None:
    for game_id in generate_ids(params, 5):
        decoded = decode_fifteen_board(game_id)
        tiles = tuple(t for row in decoded.tiles for t in row)
        assert is_solvable(tiles, decoded.rows, decoded.cols)
        policy = FifteenPolicy()
        final, _ = play(tiles, decoded.rows, decoded.cols, policy)
        assert final == goal(decoded.rows, decoded.cols)
        assert policy.replans == 1


@pytest.mark.parametrize(("rows", "cols", "boards"), [(4, 4, 20), (3, 3, 40)])
def test_policy_finishes_random_solvable_boards(rows: int, cols: int, boards: int) -> None:
    rng = random.Random(rows * 100 + cols)
    for _ in range(boards):
        tiles = random_solvable(rng, rows, cols)
        policy = FifteenPolicy()
        final, _ = play(tiles, rows, cols, policy)
        assert is_solved(final)
        assert policy.replans == 1


def test_3x3_paths_are_optimal_on_the_hardest_positions() -> None:
    # The two 3x3 positions that need 31 single-tile moves (the puzzle's diameter).
    for tiles in [(8, 6, 7, 2, 5, 4, 3, 0, 1), (6, 4, 7, 8, 5, 0, 3, 2, 1)]:
        path = gap_path(tiles, 3, 3)
        assert len(path) - 1 == 31
        assert play_clicks(tiles, 3, 3, clicks_of(path)) == goal(3, 3)


@settings(max_examples=80, deadline=None)
@given(st.integers(2, 3), st.integers(2, 4), st.randoms(use_true_random=False))
def test_every_permutation_is_solved_or_refused_by_parity(
    rows: int, cols: int, rng: random.Random
) -> None:
    tiles = list(range(rows * cols))
    rng.shuffle(tiles)
    position = tuple(tiles)
    clicks = solve(position, rows, cols)
    # Swapping two tiles (not the gap) flips solvability.
    a, b = (i for i, t in enumerate(position) if t in (1, 2))
    swapped = list(position)
    swapped[a], swapped[b] = swapped[b], swapped[a]
    assert is_solvable(tuple(swapped), rows, cols) != (clicks is not None)
    if clicks is not None:
        assert play_clicks(position, rows, cols, clicks) == goal(rows, cols)
        # one click per straight run: the gap never goes on the same way after a click
        gaps = [divmod(position.index(0), cols), *clicks]
        ways = [unit(a, b) for a, b in itertools.pairwise(gaps)]
        assert all(a != b for a, b in itertools.pairwise(ways))


def test_clicks_merge_straight_runs_and_drop_undone_steps() -> None:
    path = [(3, 3), (3, 2), (3, 1), (2, 1), (1, 1), (2, 1), (2, 0)]
    assert clicks_of(path) == [(3, 1), (2, 1), (2, 0)]


def test_no_click_on_solved_or_unsolvable_boards() -> None:
    solved = Board.from_labels(labels_of(goal(4, 4), 4))
    assert FifteenPolicy().decide(solved, Context(None, 0, 0.0, ())) is None
    swapped = (2, 1, 3, 0)  # 2x2 with tiles 1 and 2 swapped
    assert not is_solvable(swapped, 2, 2)
    board = Board.from_labels(labels_of(swapped, 2))
    assert FifteenPolicy().decide(board, Context(None, 0, 0.0, ())) is None


def test_replans_when_a_click_was_lost() -> None:
    tiles = random_solvable(random.Random(5), 4, 4)
    policy = FifteenPolicy()
    board = Board.from_labels(labels_of(tiles, 4))
    first = policy.decide(board, Context(None, 0, 0.0, ()))
    assert first is not None and policy.replans == 1
    assert policy.decide(board, Context(None, 1, 0.2, ())) == first
    assert policy.replans == 2
    after = apply_click(tiles, 4, 4, first.cell)
    policy.decide(Board.from_labels(labels_of(after, 4)), Context(None, 2, 0.4, ()))
    assert policy.replans == 2


def test_bad_boards_are_refused() -> None:
    with pytest.raises(FifteenError, match="repeats tiles"):
        tiles_of(Board.from_labels([["1", "1"], ["2", "blank"]]))
    with pytest.raises(FifteenError, match=r"cell \(0, 1\) reads 'x'"):
        tiles_of(Board.from_labels([["1", "x"], ["2", "blank"]]))
    with pytest.raises(FifteenError, match=r"cell \(1, 0\) reads '4'"):
        tiles_of(Board.from_labels([["1", "2"], ["4", "blank"]]))
    with pytest.raises(FifteenError, match="3 tiles for a 2x2 grid"):
        solve((1, 2, 0), 2, 2)
