"""Mines: exact deduction (checked against brute force), and whole games won offline."""

from __future__ import annotations

import itertools
import random
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions import Click, MouseButton
from bot.board import Board
from bot.games.mines import MinesError, MinesPolicy, MinesView, Pos, analyse, apply_click, view_of
from bot.games.sgt.ids import (
    MinesBoard,
    MinesState,
    decode_mines,
    mines_initial,
    mines_labels,
    mines_open,
)
from bot.policy import Context
from tests import live
from tests.conftest import require


def generate_ids(params: str, count: int, seed: int = 3) -> list[str]:
    """Descriptive IDs printed by the real game for `params#seed`."""
    require(live.missing_game("mines"))
    out = subprocess.run(
        [str(live.GAMES_DIR / "sgt-mines"), "--generate", str(count), f"{params}#{seed}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def random_layout(rng: random.Random, rows: int, cols: int, mines: int) -> MinesBoard:
    """A layout as the game deals one: the start square and its neighbours hold no mine."""
    start = (rng.randrange(rows), rng.randrange(cols))
    free = {(start[0] + dr, start[1] + dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)}
    cells = [(r, c) for r in range(rows) for c in range(cols) if (r, c) not in free]
    chosen = set(rng.sample(cells, mines))
    grid = tuple(tuple((r, c) in chosen for c in range(cols)) for r in range(rows))
    return MinesBoard(rows, cols, grid, start)


def board_of(layout: MinesBoard, state: MinesState) -> Board:
    return Board.from_labels(mines_labels(layout, state.opened, state.flagged, state.exploded))


def is_won(layout: MinesBoard, state: MinesState) -> bool:
    every = layout.rows * layout.cols
    return state.exploded is None and len(state.opened) + layout.mine_count == every


def play(
    layout: MinesBoard, policy: MinesPolicy, check_guesses: bool = False
) -> tuple[MinesState, list[Click]]:
    """Play to the end from the game's start; (final state, clicks made)."""
    state = mines_initial(layout)
    clicks: list[Click] = []
    for i in range(3 * layout.rows * layout.cols):
        board = board_of(layout, state)
        guesses = len(policy.guesses)
        action = policy.decide(board, Context(None, i, i * 0.1, ()))
        if action is None:
            return state, clicks
        if check_guesses and len(policy.guesses) > guesses:
            safe, risk = brute_force(view_of(board), layout.mine_count)
            assert not safe, f"guessed while {sorted(safe)} were safe"
            assert policy.guesses[-1] == pytest.approx(min(risk.values()))
        clicks.append(action)
        state = apply_click(layout, state, action)
    raise AssertionError("no end after the click limit")


def brute_force(view: MinesView, total: int) -> tuple[set[Pos], dict[Pos, float]]:
    """(cells safe in every fitting layout, each unknown cell's mine probability)."""
    unknown = sorted(view.covered | view.flagged)
    hits = dict.fromkeys(unknown, 0)
    layouts = 0
    for combo in itertools.combinations(unknown, total):
        mines = set(combo)
        if all(
            sum(n in mines for n in view.neighbours(cell)) == number
            for cell, number in view.numbers.items()
        ):
            layouts += 1
            for cell in combo:
                hits[cell] += 1
    assert layouts, "no layout fits"
    return {c for c, h in hits.items() if h == 0}, {c: h / layouts for c, h in hits.items()}


def test_view_reads_every_label_and_refuses_others() -> None:
    view = view_of(Board.from_labels([["covered", "0", "8"], ["flag", "mine", "3"]]))
    assert view.covered == {(0, 0)} and view.flagged == {(1, 0)} and view.exploded == (1, 1)
    assert dict(view.numbers) == {(0, 1): 0, (0, 2): 8, (1, 2): 3}
    with pytest.raises(MinesError, match=r"cell \(0, 1\) reads '9'"):
        view_of(Board.from_labels([["covered", "9"]]))


REAL_ID = "9x9:6,6,mbcd3189e2f8633f419098"
"""`sgt-mines --generate 1 '9x9n10#7'`: 10 mines, (6, 6) opened at the start."""


def test_clicks_open_flag_chord_and_explode_as_the_game_does() -> None:
    layout = decode_mines(REAL_ID)
    state = mines_initial(layout)
    mine = next((r, c) for r in range(5) for c in range(5) if layout.mines[r][c])
    flagged = apply_click(layout, state, Click(mine, MouseButton.RIGHT))
    assert flagged.flagged == {mine}
    assert apply_click(layout, flagged, Click(mine)) == flagged  # a flag is not opened
    assert apply_click(layout, flagged, Click(mine, MouseButton.RIGHT)).flagged == frozenset()
    lost = apply_click(layout, state, Click(mine))
    assert lost.exploded == mine
    assert apply_click(layout, lost, Click((0, 0))) == lost  # a lost game takes no moves
    # a chord on a number whose mines are all flagged opens its other neighbours
    number = next(c for c in sorted(state.opened) if layout.count(c))
    around = [n for n in layout.neighbours(number) if layout.mines[n[0]][n[1]]]
    marked = MinesState(state.opened, frozenset(around), None)
    chorded = apply_click(layout, marked, Click(number))
    safe_near = {n for n in layout.neighbours(number) if not layout.mines[n[0]][n[1]]}
    assert safe_near <= chorded.opened
    assert chorded.opened == mines_open(layout, sorted(safe_near), opened=state.opened)


@pytest.mark.parametrize(("params", "games"), [("9x9n10", 20), ("16x16n40", 5), ("30x16n99", 2)])
def test_wins_real_games_without_guessing(params: str, games: int) -> None:
    # The game's generator (without 'a') only deals layouts solvable without a guess.
    for game_id in generate_ids(params, games):
        layout = decode_mines(game_id)
        policy = MinesPolicy(layout.mine_count)
        state, clicks = play(layout, policy)
        assert is_won(layout, state), game_id
        assert policy.guesses == []
        assert all(c.button is MouseButton.LEFT for c in clicks)


def test_never_guesses_while_a_cell_is_safe_and_guesses_the_least_risk() -> None:
    rng = random.Random(20240501)
    wins = guessed = 0
    for _ in range(60):
        layout = random_layout(rng, 5, 5, 4)
        policy = MinesPolicy(layout.mine_count)
        state, _ = play(layout, policy, check_guesses=True)
        wins += is_won(layout, state)
        guessed += bool(policy.guesses)
    assert guessed > 5  # the check above was exercised
    assert wins >= 45


def test_win_rate_on_boards_that_may_need_guesses() -> None:
    # 'a' lets the game deal layouts that need luck; a good player still wins most.
    wins = guesses = 0
    for game_id in generate_ids("9x9n10a", 40, seed=9):
        layout = decode_mines(game_id)
        policy = MinesPolicy(layout.mine_count)
        state, _ = play(layout, policy)
        wins += is_won(layout, state)
        guesses += len(policy.guesses)
    assert wins >= 34
    assert guesses > 0


@settings(max_examples=60, deadline=None)
@given(st.randoms(use_true_random=False), st.integers(2, 5), st.integers(1, 4))
def test_analysis_agrees_with_brute_force(rng: random.Random, mines: int, opens: int) -> None:
    layout = random_layout(rng, 4, 5, mines)
    state = mines_initial(layout)
    safe_cells = [(r, c) for r in range(4) for c in range(5) if not layout.mines[r][c]]
    state = MinesState(mines_open(layout, rng.sample(safe_cells, opens), opened=state.opened))
    view = view_of(board_of(layout, state))
    if not view.covered:
        return
    found = analyse(view, layout.mine_count)
    safe, risk = brute_force(view, layout.mine_count)
    certain_mines = {c for c, p in risk.items() if p == 1}
    assert found.safe <= safe and found.mines <= certain_mines
    assert bool(found.safe) == bool(safe)
    if not safe:
        assert found.exact
        for cell, p in found.risk.items():
            assert p == pytest.approx(risk[cell], abs=1e-9)
        assert set(found.risk) | found.mines == set(risk)


def test_without_a_total_the_frontier_is_still_exact() -> None:
    # 1 at the corner: exactly one of its three covered neighbours is a mine.
    board = Board.from_labels(
        [["1", "covered", "covered"], ["covered", "covered", "covered"], ["covered"] * 3]
    )
    found = analyse(view_of(board), None)
    assert found.safe == frozenset()
    assert found.risk[(0, 1)] == pytest.approx(1 / 3)


def test_a_budget_too_small_gives_estimates_never_false_safety() -> None:
    layout = decode_mines(generate_ids("9x9n10a", 1, seed=5)[0])
    view = view_of(board_of(layout, mines_initial(layout)))
    found = analyse(view, layout.mine_count, budget=1)
    if not found.safe:  # the cheap rules alone may already find a safe cell
        assert not found.exact
        assert all(0 < p < 1 for p in found.risk.values())


def test_first_click_on_a_covered_board_is_the_centre() -> None:
    board = Board.from_labels([["covered"] * 9 for _ in range(9)])
    assert MinesPolicy(10).decide(board, Context(None, 0, 0.0, ())) == Click((4, 4))


def test_no_click_after_a_win_or_a_loss() -> None:
    layout = decode_mines(REAL_ID)
    policy = MinesPolicy(layout.mine_count)
    state, _ = play(layout, policy)
    assert is_won(layout, state) and not board_of(layout, state).labels().count("covered")
    mine = next((r, c) for r in range(5) for c in range(5) if layout.mines[r][c])
    lost = apply_click(layout, mines_initial(layout), Click(mine))
    assert (
        MinesPolicy(layout.mine_count).decide(board_of(layout, lost), Context(None, 0, 0, ()))
        is None
    )


def test_wrong_flags_are_ignored_and_removed_before_opening() -> None:
    layout = decode_mines(generate_ids("9x9n10", 1, seed=4)[0])
    state = mines_initial(layout)
    # Flag a safe covered cell that the numbers prove safe.
    found = analyse(view_of(board_of(layout, state)), layout.mine_count)
    wrong = min(found.safe)
    state = MinesState(state.opened, frozenset({wrong}), None)
    policy = MinesPolicy(layout.mine_count)
    assert analyse(view_of(board_of(layout, state)), layout.mine_count).safe
    final, clicks = play_from(layout, state, policy)
    assert is_won(layout, final)
    assert Click(wrong, MouseButton.RIGHT) in clicks
    assert clicks.index(Click(wrong, MouseButton.RIGHT)) < clicks.index(Click(wrong))


def play_from(
    layout: MinesBoard, state: MinesState, policy: MinesPolicy
) -> tuple[MinesState, list[Click]]:
    clicks: list[Click] = []
    for i in range(500):
        action = policy.decide(board_of(layout, state), Context(None, i, 0.0, ()))
        if action is None:
            return state, clicks
        clicks.append(action)
        state = apply_click(layout, state, action)
    raise AssertionError("no end")


def test_a_flag_is_not_taken_for_a_mine() -> None:
    # Trusting the flag would prove (0, 0) safe; the numbers alone leave it a coin toss.
    found = analyse(view_of(Board.from_labels([["covered", "1", "flag"]])), 1)
    assert found.safe == frozenset()
    assert found.risk == {(0, 0): 0.5, (0, 2): 0.5}


def test_flag_mode_flags_every_proven_mine_and_still_wins() -> None:
    layout = decode_mines(generate_ids("9x9n10", 1, seed=6)[0])
    policy = MinesPolicy(layout.mine_count, flag_mines=True)
    state, clicks = play(layout, policy)
    assert is_won(layout, state) and policy.guesses == []
    flagged = {c.cell for c in clicks if c.button is MouseButton.RIGHT}
    assert flagged and all(layout.mines[r][c] for r, c in flagged)


def test_replans_when_the_board_is_not_a_continuation() -> None:
    first, second = (decode_mines(g) for g in generate_ids("9x9n10", 2, seed=8))
    policy = MinesPolicy(10)
    policy.decide(board_of(first, mines_initial(first)), Context(None, 0, 0.0, ()))
    assert policy.analyses == 1
    # A different game: what was safe there proves nothing here.
    action = policy.decide(board_of(second, mines_initial(second)), Context(None, 1, 0.1, ()))
    assert policy.analyses == 2
    assert action is not None and not second.mines[action.cell[0]][action.cell[1]]


def test_a_board_no_layout_fits_stops_the_policy() -> None:
    board = Board.from_labels([["2", "covered"], ["0", "0"]])
    with pytest.raises(MinesError, match="no mine layout fits"):
        analyse(view_of(board), 1)
    assert MinesPolicy(1).decide(board, Context(None, 0, 0.0, ())) is None
