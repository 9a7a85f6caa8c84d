"""Settled frames of the Fling demo's night theme, drawn by the game itself, for tests."""

from __future__ import annotations

import numpy as np

from bot.demo.boards import random_labels
from bot.demo.game import cloud_position, paint_field
from bot.demo.render import render_board
from bot.demo.themes import theme_named
from bot.frame import Pixels
from bot.profile import LevelProfile

TILE_PX = 64

Rows = tuple[tuple[str, ...], ...]


def night_frame(level: LevelProfile, seed: int) -> tuple[Pixels, Rows]:
    """A settled night frame (2-14 balls, the cloud somewhere in its drift) at the level's
    grid, and its board."""
    rng = np.random.default_rng(seed)
    labels = random_labels(rng, (2, 14))
    theme = theme_named("night")
    cloud = cloud_position(TILE_PX, float(rng.uniform(0, 600)))
    field = paint_field(render_board(labels, theme, TILE_PX, seed + 1), theme, TILE_PX, cloud)
    g = level.grid
    h, w = field.shape[:2]
    image = np.zeros((g.origin_y_px + h + 8, g.origin_x_px + w + 8, 3), np.uint8)
    image[g.origin_y_px : g.origin_y_px + h, g.origin_x_px : g.origin_x_px + w] = field
    return image, labels
