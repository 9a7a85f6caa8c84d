"""Rendering with the real games, and where their tiles are, measured at 16..64 px tiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bot.games.sgt import GameIdError, RenderError
from bot.games.sgt.ids import decode_fifteen, decode_samegame
from bot.games.sgt.screenshot import grid_of, image_size_px, render, window_grid
from tests.games.sgt import Image, generate_id, read_flip, read_samegame, require_game, tile

TILE_SIZES = (16, 24, 32, 40, 48, 56, 64)

FLIP_ID = "4x3:" + "0" * 36 + ",a5a"
"""4x3 flip, no toggles, dark where (row + col) is even: a checkerboard."""
SAMEGAME_ID = "4x3c3s2:1,2,1,2,2,1,2,1,1,2,1,2"
"""4x3 samegame checkerboard of colours 1 and 2, so no gap is filled by a join."""
FIFTEEN_ID = "4x3:5,1,2,3,0,6,7,4,9,10,11,8"
MINES_ID = "4x3:u000"
"""4x3 mines with no mine and no start square: every square covered."""


def _grey(image: Image) -> npt.NDArray[np.float64]:
    grey: npt.NDArray[np.float64] = image.astype(np.float64).mean(axis=2)
    return grey


def _render_checked(game: str, game_id: str, rows: int, cols: int, t: int, tmp: Path) -> Image:
    require_game(game)
    image = render(game, game_id, t, tmp)
    width, height = image_size_px(game, rows, cols, t)
    assert image.shape == (height, width, 3)
    assert image.dtype == np.uint8
    return image


@pytest.mark.parametrize("t", TILE_SIZES)
def test_flip_tiles_sit_between_grid_lines(t: int, tmp_path: Path) -> None:
    image = _render_checked("flip", FLIP_ID, 3, 4, t, tmp_path)
    grid = grid_of("flip", 3, 4, t)
    assert (grid.origin_x_px, grid.origin_y_px, grid.tile_px, grid.gap_px) == (t // 2, t // 2, t, 0)
    grey = _grey(image)
    line = 153  # the grid colour: the background (230) over 1.5
    for r in range(3):
        for c in range(4):
            x, y, w, h = grid.cell_box(r, c)
            assert np.all(np.abs(grey[y : y + h, x] - line) <= 1)  # left line
            assert np.all(np.abs(grey[y, x : x + w] - line) <= 1)  # top line
            assert np.all(np.abs(grey[y + h, x : x + w] - line) <= 1)  # next line down
            assert np.all(np.abs(grey[y + 1 : y + h, x + 1 : x + w] - line) > 40)  # no line inside
    assert read_flip(image, grid) == (
        ("dark", "lit", "dark", "lit"),
        ("lit", "dark", "lit", "dark"),
        ("dark", "lit", "dark", "lit"),
    )


@pytest.mark.parametrize("t", TILE_SIZES)
def test_samegame_tiles_fill_their_box_and_leave_the_gap(t: int, tmp_path: Path) -> None:
    image = _render_checked("samegame", SAMEGAME_ID, 3, 4, t, tmp_path)
    grid = grid_of("samegame", 3, 4, t)
    assert (grid.origin_x_px, grid.tile_px, grid.gap_px, grid.pitch_px) == (t // 2, t - 2, 2, t)
    for r in range(3):
        for c in range(4):
            box = tile(image, grid, r, c)
            assert np.all(box == box[0, 0]), f"tile {(r, c)} is not one flat colour"
            x, y, w, h = grid.cell_box(r, c)
            for px, py in ((x - 1, y), (x + w, y), (x, y - 1), (x, y + h)):
                assert not np.array_equal(image[py, px], box[0, 0]), f"{(r, c)} spills"
    assert read_samegame(image, grid) == decode_samegame(SAMEGAME_ID)


@pytest.mark.parametrize("t", TILE_SIZES)
def test_fifteen_numbers_are_centred_in_their_boxes(t: int, tmp_path: Path) -> None:
    image = _render_checked("fifteen", FIFTEEN_ID, 3, 4, t, tmp_path)
    grid = grid_of("fifteen", 3, 4, t)
    assert (grid.origin_x_px, grid.tile_px, grid.gap_px) == (t // 2, t, 0)
    ink = _grey(image) < 100  # the black digits; bevels and background are lighter
    labels = decode_fifteen(FIFTEEN_ID)
    inside = np.zeros_like(ink)
    for r in range(3):
        for c in range(4):
            x, y, w, h = grid.cell_box(r, c)
            ys, xs = np.nonzero(ink[y : y + h, x : x + w])
            if labels[r][c] == "blank":
                assert len(xs) == 0
                continue
            inside[y : y + h, x : x + w] = True
            assert len(xs) > 0, f"no digits in tile {(r, c)}"
            assert abs(xs.mean() - (w - 1) / 2) <= max(2.0, t / 10)
            assert abs(ys.mean() - (h - 1) / 2) <= max(2.0, t / 10)
    assert not np.any(ink & ~inside), "ink outside the numbered tiles"


@pytest.mark.parametrize("t", TILE_SIZES)
def test_mines_covered_squares_are_bevelled_in_their_boxes(t: int, tmp_path: Path) -> None:
    image = _render_checked("mines", MINES_ID, 3, 4, t, tmp_path)
    grid = grid_of("mines", 3, 4, t)
    assert (grid.origin_x_px, grid.tile_px, grid.gap_px) == (t * 3 // 2, t, 0)
    grey = _grey(image)
    for r in range(3):
        for c in range(4):
            x, y, w, h = grid.cell_box(r, c)
            assert grey[y + h // 2, x] > 245  # highlight down the left edge
            assert grey[y, x + w // 2] > 245  # and along the top
            assert grey[y + h // 2, x + w - 1] < 170  # lowlight down the right edge
            assert grey[y + h - 1, x + w // 2] < 170  # and along the bottom
            assert abs(grey[y + h // 2, x + w // 2] - 230) <= 1  # background in the middle
    x, y, _, h = grid.cell_box(0, 0)
    assert grey[y + h // 2, x - 1] < 170  # left of the board: the recess


def test_a_save_without_moves_draws_like_its_id(tmp_path: Path) -> None:
    require_game("samegame")
    save = tmp_path / "game.sav"
    save.write_text(
        "SAVEFILE:41:Simon Tatham's Portable Puzzle Collection\n"
        "VERSION :1:1\nGAME    :9:Same Game\nPARAMS  :7:4x3c3s2\nCPARAMS :7:4x3c3s2\n"
        f"DESC    :{len(SAMEGAME_ID) - 8}:{SAMEGAME_ID[8:]}\nNSTATES :1:1\nSTATEPOS:1:1\n",
        encoding="ascii",
    )
    from_save = render("samegame", save, 32, tmp_path)
    from_id = render("samegame", SAMEGAME_ID, 32, tmp_path)
    assert np.array_equal(from_save, from_id)
    assert list(tmp_path.glob("*.png")) == []  # the PNG is cleaned up


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match=r"flip: game binary .*sgt-flip not found"):
        render("flip", FLIP_ID, 24, tmp_path, binary_dir=tmp_path)


def test_a_refused_id_carries_the_games_message(tmp_path: Path) -> None:
    require_game("fifteen")
    with pytest.raises(RenderError, match=r"exited with status 1.*Number used twice"):
        render("fifteen", "2x2:1,1,2,0", 24, tmp_path)


def test_a_missing_save_file_is_named(tmp_path: Path) -> None:
    require_game("mines")
    with pytest.raises(RenderError, match=r"save file .*nothing\.sav does not exist"):
        render("mines", tmp_path / "nothing.sav", 24, tmp_path)


def test_unknown_games_and_tiny_tiles_are_refused(tmp_path: Path) -> None:
    with pytest.raises(GameIdError, match="unknown game 'net'"):
        render("net", "3x3:0", 24, tmp_path)
    with pytest.raises(RenderError, match="tile size 2 px is too small"):
        grid_of("samegame", 3, 3, 2)


def test_flip_reads_the_same_at_every_size(tmp_path: Path) -> None:
    game_id = generate_id("flip", "5x5c#9")
    seen = {
        read_flip(render("flip", game_id, t, tmp_path), grid_of("flip", 5, 5, t))
        for t in TILE_SIZES
    }
    assert len(seen) == 1


def test_window_grid_adds_the_menu_bar_and_centres() -> None:
    # Live windows measured on Xvfb: flip 5x5 at 16 (147 px wide), 32, 48, 64; mines 9x9
    # at 20; samegame 5x5 at 32.
    assert window_grid("flip", 5, 5, 48).model_dump() == {
        "origin_x_px": 24, "origin_y_px": 49, "tile_px": 48, "gap_px": 0, "rows": 5, "cols": 5
    }  # fmt: skip
    small = window_grid("flip", 5, 5, 16, window_width_px=147)
    assert (small.origin_x_px, small.origin_y_px) == (33, 33)
    assert (
        window_grid("flip", 5, 5, 32).origin_x_px,
        window_grid("flip", 5, 5, 32).origin_y_px,
    ) == (16, 41)
    large = window_grid("flip", 5, 5, 64)
    assert (large.origin_x_px, large.origin_y_px) == (32, 57)
    mines = window_grid("mines", 9, 9, 20)
    assert (mines.origin_x_px, mines.origin_y_px) == (30, 55)
    same = window_grid("samegame", 5, 5, 32)
    assert (same.origin_x_px, same.origin_y_px, same.tile_px, same.gap_px) == (16, 41, 30, 2)
