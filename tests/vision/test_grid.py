"""Tile views: read-only strided views of a frame's tiles."""

from __future__ import annotations

import numpy as np
import pytest

from bot.errors import FrameError
from bot.profile import GridSpec
from bot.vision.grid import board_view, tile_views


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
