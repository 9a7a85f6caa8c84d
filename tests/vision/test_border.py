"""Occupancy by border statistics on rendered Fling boards."""

from __future__ import annotations

import numpy as np
import pytest

from bot.demo.boards import make_board
from bot.demo.themes import EMPTY, THEMES
from bot.errors import FrameError
from bot.profile import OccupancySpec
from bot.vision.border import occupancy, ring_stats
from bot.vision.grid import tile_views

# Fling tiles have a 1 px line and a bevel at their edge: the ring starts 3 px inside.
INSET = 3


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("kind", ["clean", "jpeg60", "noise6", "bright0.8"])
def test_occupied_tiles_are_the_balls(theme: str, kind: str) -> None:
    board = make_board(1000, theme, kind)
    tiles = tile_views(board.image, board.grid)
    occ = occupancy(tiles, OccupancySpec(ring_px=3, inset_px=INSET, z_limit=4.0, min_blob_px=40))
    truth = np.array([[label != EMPTY for label in row] for row in board.labels])
    assert np.array_equal(occ.occupied, truth)
    assert occ.blob_px[truth].min() > 4 * occ.blob_px[~truth].max()


def test_ring_stats_ignore_masked_pixels() -> None:
    rng = np.random.default_rng(0)
    tiles = rng.integers(100, 110, (1, 2, 20, 20, 3)).astype(np.uint8)
    ignore = np.zeros((1, 2, 20, 20), bool)
    ignore[0, 1, :2, :] = True  # the top ring rows of tile (0, 1)
    mean, std = ring_stats(tiles, 2, 0, ignore)
    spoiled = tiles.copy()
    spoiled[0, 1, :2, :] = 255  # whatever hides under the mask
    mean2, std2 = ring_stats(spoiled, 2, 0, ignore)
    assert np.allclose(mean, mean2) and np.allclose(std, std2)
    assert not np.allclose(ring_stats(spoiled, 2, 0)[0], mean)


def test_masked_foreground_does_not_occupy() -> None:
    board = make_board(1001, "ocean", "clean")
    r, c = next(
        (r, c) for r, row in enumerate(board.labels) for c, lab in enumerate(row) if lab == EMPTY
    )
    image = board.image.copy()
    x, y, _, _ = board.grid.cell_box(r, c)
    image[y + 20 : y + 44, x + 20 : x + 44] = (0, 0, 255)  # a sticker on an empty tile
    tiles = tile_views(image, board.grid)
    spec = OccupancySpec(inset_px=INSET)
    assert occupancy(tiles, spec).occupied[r, c]
    ignore = np.zeros(tiles.shape[:4], bool)
    ignore[r, c, 20:44, 20:44] = True
    occ = occupancy(tiles, spec, ignore)
    assert not occ.occupied[r, c]
    assert occ.blob_px[r, c] == 0


def test_bad_tiles_raise() -> None:
    with pytest.raises(FrameError, match="tiles"):
        occupancy(np.zeros((2, 2, 8, 8), np.uint8), OccupancySpec())
    with pytest.raises(FrameError, match="does not fit"):
        ring_stats(np.zeros((1, 1, 6, 6, 3), np.uint8), 3)


def test_wholly_masked_ring_never_raises_and_occupies_nothing() -> None:
    rng = np.random.default_rng(2)
    tiles = rng.integers(0, 256, (1, 2, 20, 20, 3)).astype(np.uint8)
    ignore = np.zeros((1, 2, 20, 20), bool)
    ignore[0, 0] = True  # tile (0, 0) hidden entirely
    tiles[0, 1] = 100
    tiles[0, 1, 7:13, 7:13] = 250
    occ = occupancy(tiles, OccupancySpec(min_blob_px=5), ignore)
    assert np.isinf(occ.ring_std[0, 0]).all()
    assert not occ.occupied[0, 0] and occ.blob_px[0, 0] == 0
    assert occ.occupied[0, 1] and occ.blob_px[0, 1] == 36
