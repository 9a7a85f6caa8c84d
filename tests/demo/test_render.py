"""The Fling renderer: deterministic, the right shapes, every tile kind clearly distinct."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bot.demo.render import COLS, LABELS, ROWS, THEMES, render_board, render_scene, tile_sprite
from bot.errors import TilebotError


def labels_with(label: str) -> list[list[str]]:
    grid = [["empty"] * COLS for _ in range(ROWS)]
    grid[3][2] = label
    return grid


def test_deterministic_and_shaped() -> None:
    board = labels_with("red-up")
    a = render_board(board, "ocean", 64, seed=3)
    assert a.shape == (ROWS * 64, COLS * 64, 3) and a.dtype == np.uint8
    assert np.array_equal(a, render_board(board, "ocean", 64, seed=3))
    assert not np.array_equal(a, render_board(board, "ocean", 64, seed=4))  # texture varies


def test_scene_with_integer_positions_is_the_board() -> None:
    board = labels_with("green-left")
    scene = render_scene([("green-left", 3, 2)], "desert", 48, seed=1)
    assert np.array_equal(scene, render_board(board, "desert", 48, seed=1))


@pytest.mark.parametrize("tile_px", [32, 64])
@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_tile_kind_differs_clearly(theme: str, tile_px: int) -> None:
    sprites = {lab: tile_sprite(lab, theme, tile_px).astype(np.float32) for lab in LABELS}
    for a, b in itertools.combinations(LABELS, 2):
        diff = np.abs(sprites[a] - sprites[b]).max(axis=2)
        assert (diff > 40).sum() >= 8, f"{a} and {b} look alike in {theme} at {tile_px} px"


def test_bad_label_is_named() -> None:
    with pytest.raises(TilebotError, match="pink-up"):
        render_board(labels_with("pink-up"), "ocean")
