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
from bot.board import UNKNOWN
from bot.frame import Frame
from bot.games.sgt.ids import Game
from bot.games.sgt.screenshot import grid_of, render
from bot.profile import ColourSpec
from bot.vision.read import PATH_COLOUR, read_board, read_cells
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


def test_flat_tiles_are_named_by_colour_only_through_the_colour_classes(tmp_path: Path) -> None:
    """Samegame's flat tiles: the colour stage names them; without classes they stay unknown."""
    require_game("samegame")
    level, bank = level_for("samegame", 32)
    board = make_boards("samegame", 1, random.Random("flat-tiles"))[0]
    image = render("samegame", source_of(board, tmp_path), 32, tmp_path)
    grid = grid_of("samegame", board.rows, board.cols, 32)
    frame = Frame(pixels=image, index=0, timestamp=0.0)
    with_grid = level.model_copy(update={"grid": grid})
    read, cells = read_cells(frame, with_grid, bank)
    by_colour = {(r, c) for r, row in enumerate(cells) for c, cell in enumerate(row)
                 if cell.path == PATH_COLOUR}  # fmt: skip
    assert by_colour, "no tile went through the colour stage"
    assert [[cell.label for cell in row] for row in read.cells] == [
        list(row) for row in board.labels
    ]
    blind = with_grid.model_copy(update={"colour": ColourSpec()})
    unread = read_board(frame, blind, bank)
    assert all(unread.cells[r][c].label == UNKNOWN for r, c in by_colour)
