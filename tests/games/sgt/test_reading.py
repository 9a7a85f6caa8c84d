"""Reading real sgt-puzzles boards at every tile size: a fixed slice of the accuracy sweep.

Boards come from benchmarks/sgt_accuracy.py (fixed seeds here): two per game and size,
one at the start and one mid-game (samegame removals, fifteen slides, flip clicks, mines
opens, flags and a lost game), read with the profiles' tN levels and banks.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from benchmarks.sgt_accuracy import (
    SIZES,
    level_for,
    make_boards,
    read_labels,
    source_of,
)
from bot.games.sgt.ids import Game
from bot.games.sgt.screenshot import grid_of, render
from tests.games.sgt import require_game

GAMES: tuple[Game, ...] = ("flip", "samegame", "fifteen", "mines")


@pytest.mark.parametrize("game", GAMES)
def test_every_size_reads_every_cell_right(game: Game, tmp_path: Path) -> None:
    require_game(game)
    rng = random.Random(f"test-reading-{game}")
    for t in SIZES:
        level, bank = level_for(game, t)
        for board in make_boards(game, 2, rng):
            image = render(game, source_of(board, tmp_path), t, tmp_path)
            grid = grid_of(game, board.rows, board.cols, t)
            read = read_labels(image, level, bank, grid)
            assert read == board.labels, (t, board.game_id, board.moves)


def test_mines_banks_know_every_label() -> None:
    for t in SIZES:
        _, bank = level_for("mines", t)
        want = {"covered", "flag", "mine", *(str(n) for n in range(9))}
        assert set(bank.labels) == want, t
