"""Tiles as views, and grid detection on synthetic boards and Fling desktop frames."""

from __future__ import annotations

import numpy as np
import pytest

from bot.demo.boards import make_board, random_labels
from bot.demo.render import render_frame
from bot.demo.themes import COLS, ROWS, THEMES
from bot.errors import FrameError
from bot.profile import GridSpec
from bot.vision.grid import board_view, detect_grid, tile_views


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


def test_tile_views_are_read_only_views() -> None:
    pixels = np.arange(100 * 90 * 3, dtype=np.uint32).reshape(100, 90, 3).astype(np.uint8)
    grid = GridSpec(origin_x_px=5, origin_y_px=7, tile_px=10, gap_px=2, rows=4, cols=3)
    tiles = tile_views(pixels, grid)
    assert tiles.shape == (4, 3, 10, 10, 3)
    assert np.shares_memory(tiles, pixels)
    assert not tiles.flags.writeable
    for r in range(4):
        for c in range(3):
            x, y, w, h = grid.cell_box(r, c)
            assert np.array_equal(tiles[r, c], pixels[y : y + h, x : x + w])
    assert np.shares_memory(board_view(pixels, grid), pixels)


def test_tile_views_refuse_a_grid_outside_the_image() -> None:
    grid = GridSpec(origin_x_px=50, origin_y_px=0, tile_px=20, rows=2, cols=3)
    with pytest.raises(FrameError, match=r"110, 40.*100x100"):
        tile_views(np.zeros((100, 100, 3), np.uint8), grid)


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
