"""Settled frames of the Fling demo's night theme, drawn by the game itself, for tests."""

from __future__ import annotations

import numpy as np

from bot.demo.boards import random_labels
from bot.demo.game import cloud_position, window_at_rest
from bot.demo.themes import theme_named
from bot.frame import Pixels

TILE_PX = 64

Rows = tuple[tuple[str, ...], ...]


def night_frame(seed: int) -> tuple[Pixels, Rows]:
    """The night window at rest (2-14 balls, its own texture, HUD and cloud position), and
    its board. The field sits where profiles/fling.toml's grid says."""
    rng = np.random.default_rng(seed)
    labels = random_labels(rng, (2, 14))
    hud = (f"level {seed}", int(rng.integers(0, 40)), float(rng.uniform(0, 900)))
    cloud = cloud_position(TILE_PX, float(rng.uniform(0, 600)))
    return window_at_rest(labels, theme_named("night"), TILE_PX, seed + 1, hud, cloud), labels
