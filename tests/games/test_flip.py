"""Flip: the GF(2) solver finds the fewest clicks and the policy lights every board it is given."""

from __future__ import annotations

import itertools
import random
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Click, MouseButton
from bot.board import Board
from bot.games.flip import (
    Dark,
    FlipError,
    FlipPolicy,
    FlipRules,
    Pos,
    apply_click,
    apply_clicks,
    crosses,
    dark_cells,
    labels_of,
    rules_from_game_id,
    solve,
)
from bot.games.sgt.ids import decode_flip_board
from bot.policy import Context
from tests import live
from tests.conftest import require


def generate_ids(params: str, count: int) -> list[str]:
    """Descriptive IDs printed by the real game for `params#seed`."""
    require(live.missing_game("flip"))
    out = subprocess.run(
        [str(live.GAMES_DIR / "sgt-flip"), "--generate", str(count), f"{params}#7"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def play(dark: Dark, rules: FlipRules, policy: FlipPolicy, limit: int = 200) -> tuple[Dark, int]:
    """Play to the end; (final position, clicks made)."""
    for i in range(limit):
        board = Board.from_labels(labels_of(dark, rules.rows, rules.cols))
        action = policy.decide(board, Context(None, i, i * 0.3, ()))
        if action is None:
            return dark, i
        assert isinstance(action, Click) and action.button is MouseButton.LEFT
        dark = apply_click(dark, rules, action.cell)
    raise AssertionError("no end after the click limit")


def fewest_by_brute_force(dark: Dark, rules: FlipRules) -> int | None:
    cells = [(r, c) for r in range(rules.rows) for c in range(rules.cols)]
    for size in range(len(cells) + 1):
        for combo in itertools.combinations(cells, size):
            if not apply_clicks(dark, rules, combo):
                return size
    return None


def random_rules(rng: random.Random, rows: int, cols: int) -> FlipRules:
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    return FlipRules(
        rows,
        cols,
        tuple(
            tuple(frozenset(t for t in cells if rng.random() < 0.3) for _ in range(cols))
            for _ in range(rows)
        ),
    )


def scrambled(rng: random.Random, rules: FlipRules) -> Dark:
    """A solvable position: the lit board after random clicks."""
    cells = [(r, c) for r in range(rules.rows) for c in range(rules.cols)]
    return apply_clicks(frozenset(), rules, [c for c in cells if rng.random() < 0.5])


@pytest.mark.parametrize("size", [3, 4, 5])
def test_crosses_toggle_the_cell_and_its_four_neighbours(size: int) -> None:
    rules = crosses(size, size)
    assert rules.pattern((1, 1)) == {(1, 1), (0, 1), (2, 1), (1, 0), (1, 2)}
    assert rules.pattern((0, 0)) == {(0, 0), (1, 0), (0, 1)}
    assert apply_click(frozenset({(0, 0)}), rules, (0, 0)) == {(1, 0), (0, 1)}


@pytest.mark.parametrize("params", ["3x3c", "4x4c", "5x5c", "3x3r", "4x4r", "5x5r"])
def test_solves_real_games_with_their_own_matrix(params: str) -> None:
    for game_id in generate_ids(params, 6):
        decoded = decode_flip_board(game_id)
        rules = rules_from_game_id(game_id)
        dark = frozenset(
            (r, c) for r in range(rules.rows) for c in range(rules.cols) if decoded.dark[r][c]
        )
        policy = FlipPolicy(rules)
        final, clicks = play(dark, rules, policy)
        assert final == frozenset()
        assert policy.replans == 1
        if rules.rows == 3:
            assert clicks == fewest_by_brute_force(dark, rules)


@pytest.mark.parametrize("size", [3, 4, 5])
def test_policy_lights_random_crosses_boards_with_a_default_rule_set(size: int) -> None:
    rng = random.Random(size)
    rules = crosses(size, size)
    for _ in range(40):
        dark = scrambled(rng, rules)
        final, clicks = play(dark, rules, FlipPolicy())
        assert final == frozenset()
        assert clicks == len(solve(dark, rules) or ())


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 3), st.integers(1, 3))
def test_solution_is_the_fewest_clicks_for_any_pattern(seed: int, rows: int, cols: int) -> None:
    rng = random.Random(seed)
    rules = random_rules(rng, rows, cols)
    dark = frozenset((r, c) for r in range(rows) for c in range(cols) if rng.random() < 0.5)
    fewest = fewest_by_brute_force(dark, rules)
    solution = solve(dark, rules)
    if fewest is None:
        assert solution is None
    else:
        assert solution is not None and len(solution) == fewest
        assert apply_clicks(dark, rules, solution) == frozenset()


def test_large_null_space_still_solves() -> None:
    # 25 cells whose clicks toggle nothing but cell (0, 0): a 24-dimensional null space.
    rules = FlipRules(5, 5, tuple(tuple(frozenset({(0, 0)}) for _ in range(5)) for _ in range(5)))
    assert solve(frozenset({(0, 0)}), rules) is not None
    assert len(solve(frozenset({(0, 0)}), rules) or ()) == 1
    assert solve(frozenset({(1, 1)}), rules) is None


def test_no_click_on_solved_or_unsolvable_boards() -> None:
    lit = Board.from_labels(labels_of(frozenset(), 2, 2))
    assert FlipPolicy().decide(lit, Context(None, 0, 0.0, ())) is None
    # a click anywhere toggles the whole row: (0, 0) alone can never be put right
    rows = tuple(tuple(frozenset({(r, 0), (r, 1)}) for _ in range(2)) for r in range(2))
    rules = FlipRules(2, 2, rows)
    board = Board.from_labels(labels_of(frozenset({(0, 0)}), 2, 2))
    assert FlipPolicy(rules).decide(board, Context(None, 0, 0.0, ())) is None


def test_replans_when_a_click_was_lost() -> None:
    rules = crosses(4, 4)
    dark = scrambled(random.Random(3), rules)
    policy = FlipPolicy()
    board = Board.from_labels(labels_of(dark, 4, 4))
    first = policy.decide(board, Context(None, 0, 0.0, ()))
    assert first is not None and policy.replans == 1
    second = policy.decide(board, Context(None, 1, 0.3, ()))  # nothing changed
    assert second == first and policy.replans == 2
    # the expected board does not re-plan
    after = apply_click(dark, rules, first.cell)
    policy.decide(Board.from_labels(labels_of(after, 4, 4)), Context(None, 2, 0.6, ()))
    assert policy.replans == 2


def test_bad_boards_and_rules_are_refused() -> None:
    with pytest.raises(FlipError, match=r"cell \(0, 1\) reads 'grey'"):
        dark_cells(Board.from_labels([["lit", "grey"]]))
    with pytest.raises(FlipError, match="board is 3x3 but the rules are for 4x4"):
        FlipPolicy(crosses(4, 4)).decide(
            Board.from_labels(labels_of(frozenset({(0, 0)}), 3, 3)), Context(None, 0, 0.0, ())
        )
    with pytest.raises(FlipError, match="off the 1x1 grid"):
        FlipRules(1, 1, ((frozenset({(0, 1)}),),))
    with pytest.raises(FlipError, match="off the"):
        apply_click(frozenset(), crosses(2, 2), (2, 0))


def test_labels_round_trip() -> None:
    dark: frozenset[Pos] = frozenset({(0, 1), (2, 2)})
    assert dark_cells(Board.from_labels(labels_of(dark, 3, 3))) == dark
