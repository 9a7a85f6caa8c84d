"""Tiles as views, and grid detection on synthetic boards, Fling desktop frames and boards
drawn by the real sgt-puzzles games (no profile: the detector finds every grid alone)."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from benchmarks.sgt_accuracy import make_boards, source_of, within_1px
from bot.demo.boards import make_board, random_labels
from bot.demo.render import render_frame
from bot.demo.themes import COLS, ROWS, THEMES
from bot.errors import FrameError
from bot.games.sgt.ids import Game
from bot.games.sgt.savefile import write_save
from bot.games.sgt.screenshot import grid_of, render
from bot.profile import GridSpec
from bot.vision.grid_detect import detect_grid
from tests.games.sgt import require_game


def corners_within(found: GridSpec, truth: GridSpec, px: int = 1) -> bool:
    """Every tile corner of `found` within `px` of the same corner of `truth`."""
    if (found.rows, found.cols) != (truth.rows, truth.cols):
        return False
    for r in range(truth.rows):
        for c in range(truth.cols):
            fx, fy, fw, fh = found.cell_box(r, c)
            tx, ty, tw, th = truth.cell_box(r, c)
            for a, b in ((fx, tx), (fy, ty), (fx + fw, tx + tw), (fy + fh, ty + th)):
                if abs(a - b) > px:
                    return False
    return True


def synthetic(tile: int, gap: int, rows: int, cols: int, seed: int) -> tuple[np.ndarray, GridSpec]:
    rng = np.random.default_rng(seed)
    height, width = 720, 960
    image = np.clip(rng.normal(120, 6, (height, width, 3)), 0, 255).astype(np.uint8)
    pitch = tile + gap
    ox = int(rng.integers(10, width - cols * pitch))
    oy = int(rng.integers(10, height - rows * pitch))
    image[oy - gap : oy + rows * pitch, ox - gap : ox + cols * pitch] = (30, 30, 30)
    for r in range(rows):
        for c in range(cols):
            x, y = ox + c * pitch, oy + r * pitch
            colour = rng.integers(90, 250, 3)
            image[y : y + tile, x : x + tile] = colour
            if rng.random() < 0.5:
                q = tile // 4
                image[y + q : y + tile - q, x + q : x + tile - q] = rng.integers(0, 255, 3)
    grid = GridSpec(origin_x_px=ox, origin_y_px=oy, tile_px=tile, gap_px=gap, rows=rows, cols=cols)
    return image, grid


@pytest.mark.parametrize(
    ("tile", "gap", "rows", "cols"),
    [(20, 5, 9, 9), (32, 6, 6, 8), (48, 8, 5, 5), (64, 10, 4, 6), (40, 12, 10, 12)],
)
def test_detect_grid_on_synthetic_boards(tile: int, gap: int, rows: int, cols: int) -> None:
    image, truth = synthetic(tile, gap, rows, cols, seed=tile + gap)
    found = detect_grid(image)
    assert corners_within(found, truth), (found, truth)


def test_thin_bands_are_shared_lines_unless_told_otherwise() -> None:
    image, truth = synthetic(40, 3, 10, 12, seed=1)
    shared = detect_grid(image)
    assert (shared.gap_px, shared.tile_px) == (0, 43)
    assert abs(shared.origin_x_px - (truth.origin_x_px - 1)) <= 1
    assert corners_within(detect_grid(image, max_shared_line_px=2), truth)


@pytest.mark.parametrize("tile_px", [32, 48, 64, 80])
def test_detect_grid_on_fling_frames_of_several_tile_sizes(tile_px: int) -> None:
    rng = np.random.default_rng(tile_px)
    for theme in THEMES:
        labels = random_labels(rng)
        width, height = 1280, 900
        ox = int(rng.integers(120, width - COLS * tile_px - 20))
        oy = int(rng.integers(70, height - ROWS * tile_px - 60))
        image = render_frame(
            labels, theme, (width, height), (ox, oy), tile_px, int(rng.integers(99))
        )
        truth = GridSpec(origin_x_px=ox, origin_y_px=oy, tile_px=tile_px, rows=ROWS, cols=COLS)
        found = detect_grid(image)
        assert corners_within(found, truth), (theme, found, truth)


@pytest.mark.parametrize("theme", list(THEMES))
def test_detect_grid_in_a_1920x1080_desktop(theme: str) -> None:
    for seed in (1000, 1001):
        board = make_board(seed, theme, "jpeg75")
        assert corners_within(detect_grid(board.image), board.grid)


def test_detect_grid_without_a_lattice_raises() -> None:
    flat = np.full((300, 400, 3), 77, np.uint8)
    with pytest.raises(FrameError, match="detect_grid"):
        detect_grid(flat)


def test_bands_of_the_background_between_tiles_are_gaps() -> None:
    """Tiles drawn apart on a plain backdrop: the narrow bands show the backdrop, so they are
    gaps, not lines the tiles share (unlike the dark bands of `synthetic`)."""
    rng = np.random.default_rng(5)
    for tile, gap in ((30, 2), (14, 2), (30, 1)):
        pitch = tile + gap
        image = np.full((8 * pitch + 120, 10 * pitch + 140, 3), 200, np.uint8)
        for r in range(8):
            for c in range(10):
                x, y = 50 + c * pitch, 40 + r * pitch
                image[y : y + tile, x : x + tile] = rng.integers(0, 120, 3)
        truth = GridSpec(origin_x_px=50, origin_y_px=40, tile_px=tile, gap_px=gap, rows=8, cols=10)
        assert detect_grid(image) == truth


SGT_GAMES: tuple[Game, ...] = ("flip", "samegame", "fifteen", "mines")


@pytest.mark.parametrize("game", SGT_GAMES)
def test_detect_grid_on_real_sgt_boards(game: Game, tmp_path: Path) -> None:
    """Thin ruled lines (flip), tiles apart with same-coloured ones merged and empty cells
    (samegame), bevels and a plain blank (fifteen; at 16 px only the numbers show), raised
    and sunken cells in a recessed frame (mines): one board at the start and one mid-game
    per size."""
    require_game(game)
    rng = random.Random(f"detect-grid-{game}")
    for t in (16, 24, 40, 64):
        for board in make_boards(game, 2, rng):
            image = render(game, source_of(board, tmp_path), t, tmp_path)
            want = grid_of(game, board.rows, board.cols, t)
            found = detect_grid(image)
            assert within_1px(found, want), (t, board.game_id, board.moves, found, want)


NEARLY_EMPTY_SAMEGAME = [
    pytest.param(
        "6x5c4s2:4,3,3,2,1,2,4,1,4,3,1,3,2,2,4,3,4,3,3,4,1,2,4,1,3,4,3,3,2,1",
        "M26,27 M14,19,20,25 M27,28 M0,6 M18,24 M24,25 M18,19,20,26 M22,28 M21,27 M24,25 "
        "M20,26 M19,25",
        16,
        id="one-pair-left",
    ),
    pytest.param(
        "6x5c4s2:3,2,3,2,4,1,3,4,2,3,1,4,2,4,2,4,1,4,2,1,1,3,3,2,3,3,2,2,1,2",
        "M7,13 M26,27 M12,13,14,18,20 M23,29 M23,29 M10,16 M12,18,24,25 M24,25 M24,25 M18,19 "
        "M25,26",
        32,
        id="three-tiles-left",
    ),
    pytest.param(
        "6x5c4s2:2,1,4,3,4,3,2,1,4,3,1,2,1,3,1,4,4,2,1,4,2,1,2,3,4,1,2,3,2,4",
        "M20,26 M1,7 M22,28 M25,26 M20,24,25,26 M6,12 M20,21",
        48,
        id="merged-blocks",
    ),
]


@pytest.mark.parametrize(("game_id", "moves", "tile_px"), NEARLY_EMPTY_SAMEGAME)
def test_detect_grid_on_nearly_empty_samegame_boards(
    game_id: str, moves: str, tile_px: int, tmp_path: Path
) -> None:
    """A few tiles left in the frame repeat too little to show the pitch; the frame's size
    and the tiles' edges fix it."""
    require_game("samegame")
    save = write_save("samegame", game_id, moves.split(), tmp_path / "board.sav")
    image = render("samegame", save, tile_px, tmp_path)
    want = grid_of("samegame", 5, 6, tile_px)
    found = detect_grid(image)
    assert within_1px(found, want), (found, want)


@pytest.mark.parametrize("game", SGT_GAMES)
def test_detect_grid_on_sgt_boards_pasted_in_a_busy_frame(game: Game, tmp_path: Path) -> None:
    """The board is found among other things: a noisy backdrop, a menu bar of text and a
    rule across the frame above it (a game window on a desktop)."""
    require_game(game)
    rng = random.Random(f"detect-grid-pasted-{game}")
    noise = np.random.default_rng(len(game))
    for t in (16, 40):
        board = make_boards(game, 2, rng)[1]
        image = render(game, source_of(board, tmp_path), t, tmp_path)
        height, width = image.shape[:2]
        backdrop = noise.normal(120, 6, (height + 90, width + 70, 3))
        frame = np.clip(backdrop, 0, 255).astype(np.uint8)
        frame[60 : 60 + height, 30 : 30 + width] = image
        frame[56:58] = 200
        cv2.putText(frame, "Game Type Help", (4, 48), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0))
        want = grid_of(game, board.rows, board.cols, t)
        want = want.model_copy(
            update={"origin_x_px": want.origin_x_px + 30, "origin_y_px": want.origin_y_px + 60}
        )
        found = detect_grid(frame)
        assert within_1px(found, want), (t, board.game_id, board.moves, found, want)
