"""Posterizing flattens texture; the quantiser rounds levels."""

from __future__ import annotations

import numpy as np
import pytest

from bot.demo.boards import make_board
from bot.errors import FrameError
from bot.profile import PosterizeSpec
from bot.vision.posterize import posterize, quantise


def test_posterize_flattens_tile_texture_and_keeps_the_input() -> None:
    board = make_board(1000, "desert", "clean")
    x, y = board.grid_origin_xy
    area = board.image[y : y + 128, x : x + 128]
    before = area.copy()
    flat = posterize(area, PosterizeSpec())
    assert flat.shape == area.shape and flat.dtype == np.uint8
    assert np.array_equal(area, before)
    # Inside one empty-or-not tile's interior, texture spread shrinks a lot.
    assert flat[8:56, 8:56].std(axis=(0, 1)).mean() < 0.7 * area[8:56, 8:56].std(axis=(0, 1)).mean()


def test_quantise_levels() -> None:
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    out = quantise(ramp, 4)
    assert len(np.unique(out)) == 4
    assert np.abs(out.astype(int) - ramp.astype(int)).max() <= 32
    with pytest.raises(FrameError, match="levels"):
        quantise(ramp, 1)
    with pytest.raises(FrameError):
        posterize(np.zeros((4, 4), np.uint8), PosterizeSpec())
