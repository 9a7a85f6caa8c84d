"""Same Game: removal, gravity and column shifts as the game does them; whole games played
with the game's two-click selection and never an illegal click."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Click, MouseButton
from bot.board import Board
from bot.games.samegame import (
    Grid,
    Pos,
    SameGameError,
    SameGamePolicy,
    grid_of,
    group_at,
    is_over,
    labels_of,
    legal_groups,
    plan,
    points,
    remove_group,
)
from bot.games.sgt.ids import decode_samegame_board
from bot.policy import Context
from tests import live
from tests.conftest import require


def generate_ids(params: str, count: int) -> list[str]:
    """Descriptive IDs printed by the real game for `params#seed`."""
    require(live.missing_game("samegame"))
    out = subprocess.run(
        [str(live.GAMES_DIR / "sgt-samegame"), "--generate", str(count), f"{params}#5"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def parse(text: str) -> Grid:
    """A grid from rows of digits, '.' for empty."""
    return tuple(
        tuple(0 if ch == "." else int(ch) for ch in line.strip())
        for line in text.strip().splitlines()
    )


def snuggle_reference(grid: Grid, gone: frozenset[Pos]) -> Grid:
    """The game's settling told step by step: clear the group, let any tile over a gap drop
    one cell until none moves, then swap any empty column with a filled one on its right
    until none moves."""
    rows, cols = len(grid), len(grid[0])
    g = [[0 if (r, c) in gone else grid[r][c] for c in range(cols)] for r in range(rows)]
    moved = True
    while moved:
        moved = False
        for c in range(cols):
            for r in range(rows - 1, 0, -1):
                if g[r][c] == 0 and g[r - 1][c] != 0:
                    g[r][c], g[r - 1][c] = g[r - 1][c], 0
                    moved = True
    moved = True
    while moved:
        moved = False
        for c in range(cols - 1):
            empty = all(g[r][c] == 0 for r in range(rows))
            if empty and any(g[r][c + 1] for r in range(rows)):
                for r in range(rows):
                    g[r][c], g[r][c + 1] = g[r][c + 1], g[r][c]
                moved = True
    return tuple(tuple(row) for row in g)


@dataclass
class Game:
    """The game's side of a move: a selection, the score, and any click it refused."""

    grid: Grid
    scoresub: int = 2
    selected: frozenset[Pos] = frozenset()
    score: int = 0
    refused: list[Click] = field(default_factory=list)

    def click(self, action: Click) -> None:
        assert action.button is MouseButton.LEFT
        for _ in range(action.count):
            self.press(action)

    def press(self, action: Click) -> None:
        if action.cell in self.selected:
            self.grid, size = remove_group(self.grid, action.cell)
            self.score += points(size, self.scoresub)
            self.selected = frozenset()
            return
        group = group_at(self.grid, action.cell)
        if len(group) < 2:
            self.refused.append(action)
        self.selected = group if len(group) >= 2 else frozenset()


def play(game: Game, policy: SameGamePolicy, lose_every: int = 0) -> int:
    """Play to the end; the number of moves made. lose_every: drop every n-th move."""
    for i in range(10_000):
        action = policy.decide(Board.from_labels(labels_of(game.grid)), Context(None, i, 0, ()))
        if action is None:
            return i
        if not (lose_every and i % lose_every == lose_every - 1):
            game.click(action)
    raise AssertionError("no end after 10,000 clicks")


def test_removal_drops_tiles_and_closes_empty_columns_to_the_left() -> None:
    grid = parse(
        """
        1.3.
        1232
        2213
        """
    )
    after, size = remove_group(grid, (2, 0))  # the 2s at (1,1), (2,0), (2,1)
    assert size == 3
    assert after == parse(
        """
        .3..
        132.
        113.
        """
    )


def test_a_lone_tile_or_an_empty_cell_cannot_be_removed() -> None:
    grid = parse("12\n21")
    with pytest.raises(SameGameError, match="a lone tile"):
        remove_group(grid, (0, 0))
    with pytest.raises(SameGameError, match="an empty cell"):
        remove_group(parse("1.\n11"), (0, 1))
    assert is_over(grid) and legal_groups(grid) == []


def test_scores_follow_both_scoring_modes() -> None:
    assert [points(n) for n in (2, 3, 5)] == [0, 1, 9]
    assert [points(n, 1) for n in (2, 3, 5)] == [1, 4, 16]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(2, 4), st.randoms(use_true_random=False))
def test_removal_matches_the_games_step_by_step_settling(
    rows: int, cols: int, colours: int, rng: random.Random
) -> None:
    grid = tuple(tuple(rng.randint(1, colours) for _ in range(cols)) for _ in range(rows))
    while not is_over(grid):
        group = rng.choice(legal_groups(grid))
        cell = min(group)
        after, size = remove_group(grid, cell)
        assert size == len(group)
        assert after == snuggle_reference(grid, group)
        grid_of(Board.from_labels(labels_of(after)))  # a position the game can show
        grid = after


@pytest.mark.parametrize(("params", "games", "clears"), [("5x5c3s2", 10, 10), ("10x5c3s2", 6, 5)])
def test_plays_real_games_to_the_end_without_an_illegal_click(
    params: str, games: int, clears: int
) -> None:
    cleared = 0
    for game_id in generate_ids(params, games):
        start = decode_samegame_board(game_id).colours
        game = Game(start)
        policy = SameGamePolicy()
        moves = play(game, policy)
        assert game.refused == []
        assert is_over(game.grid)
        assert game.score == policy.planned_score
        assert moves == len(plan(start)[0])  # one plan, each move one double click
        cleared += not any(any(row) for row in game.grid)
    assert cleared >= clears


def test_other_scoring_mode_is_planned_and_scored() -> None:
    start = decode_samegame_board(generate_ids("5x5c3s1", 1)[0]).colours
    game = Game(start, scoresub=1)
    policy = SameGamePolicy(scoresub=1)
    play(game, policy)
    assert game.score == policy.planned_score > 0


def test_lost_clicks_are_repeated_and_never_illegal() -> None:
    start = decode_samegame_board(generate_ids("10x5c3s2", 1)[0]).colours
    game = Game(start)
    policy = SameGamePolicy()
    play(game, policy, lose_every=3)
    assert game.refused == [] and is_over(game.grid)
    assert policy.replans == 1


def test_replans_when_the_board_changes_unexpectedly() -> None:
    start = decode_samegame_board(generate_ids("10x5c3s2", 1)[0]).colours
    game = Game(start)
    policy = SameGamePolicy()
    first = policy.decide(Board.from_labels(labels_of(game.grid)), Context(None, 0, 0, ()))
    assert first is not None
    # Someone else removes a different group than the one planned.
    other = next(g for g in legal_groups(game.grid) if first.cell not in g)
    game.grid = remove_group(game.grid, min(other))[0]
    play(game, policy)
    assert policy.replans == 2
    assert game.refused == [] and is_over(game.grid)


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 3), st.integers(2, 4), st.randoms(use_true_random=False))
def test_a_wide_beam_finds_the_best_finish_of_small_boards(
    rows: int, cols: int, rng: random.Random
) -> None:
    grid = tuple(tuple(rng.randint(1, 3) for _ in range(cols)) for _ in range(rows))

    def best(g: Grid) -> tuple[bool, int]:
        if is_over(g):
            return (not any(any(row) for row in g), 0)
        outcomes = []
        for group in legal_groups(g):
            after, size = remove_group(g, min(group))
            cleared, score = best(after)
            outcomes.append((cleared, score + points(size, 1)))
        return max(outcomes)

    cells, score = plan(grid, scoresub=1, width=10_000)
    final = grid
    for cell in cells:
        final = remove_group(final, cell)[0]
    assert (not any(any(row) for row in final), score) == best(grid)


def test_no_click_when_no_group_is_left() -> None:
    assert (
        SameGamePolicy().decide(
            Board.from_labels(labels_of(parse("12\n21"))), Context(None, 0, 0, ())
        )
        is None
    )
    empty = Board.from_labels([["empty", "empty"], ["empty", "empty"]])
    assert SameGamePolicy().decide(empty, Context(None, 0, 0, ())) is None


def test_bad_boards_are_refused() -> None:
    with pytest.raises(SameGameError, match=r"cell \(0, 1\) reads 'red'"):
        grid_of(Board.from_labels([["c1", "red"]]))
    with pytest.raises(SameGameError, match="floats over an empty cell"):
        grid_of(Board.from_labels([["c1", "empty"], ["empty", "empty"]]))
    with pytest.raises(SameGameError, match="right of an empty column"):
        grid_of(Board.from_labels([["empty", "c1"], ["empty", "c2"]]))
    with pytest.raises(SameGameError, match="scoresub must be 1 or 2"):
        SameGamePolicy(scoresub=3)
