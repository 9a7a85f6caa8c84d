"""Fitting a profile to a live window: window sizes measured from the games under Xvfb."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ProfileError
from bot.games.sgt import GameIdError
from bot.games.sgt.fit import fit_level, tile_px_for_window
from bot.profile import load_profile

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("game", "game_id", "window", "tile", "origin", "size"),
    [
        ("flip", "5x5c#1", (288, 350), 48, (24, 49), (5, 5)),
        ("fifteen", "4x4#1", (240, 302), 48, (24, 49), (4, 4)),
        ("mines", "9x9n10#1", (240, 302), 20, (30, 55), (9, 9)),
        ("samegame", "10x10c3s2#1", (350, 412), 32, (16, 41), (10, 10)),
        ("samegame", "2x2c3s2", (147, 156), 32, (42, 41), (2, 2)),  # centred under the menu
        ("mines", "16x9n40", (380, 302), 20, (30, 55), (9, 16)),  # 16 wide, 9 high
    ],
)
def test_live_window_sizes_give_the_games_tile_size_and_grid(
    game: str,
    game_id: str,
    window: tuple[int, int],
    tile: int,
    origin: tuple[int, int],
    size: tuple[int, int],
) -> None:
    path = ROOT / "profiles" / f"{game}.toml"
    name, level = fit_level(load_profile(path), path, game_id, *window)
    assert name == f"t{tile}"
    assert (level.grid.origin_x_px, level.grid.origin_y_px) == origin
    assert (level.grid.rows, level.grid.cols) == size


def test_a_window_of_another_board_is_refused() -> None:
    with pytest.raises(GameIdError, match="holds no 9x9 board"):
        tile_px_for_window("flip", 9, 9, 288, 350)


def test_a_tile_size_without_a_level_names_the_profile(tmp_path: Path) -> None:
    path = ROOT / "profiles" / "flip.toml"
    with pytest.raises(ProfileError, match=r"levels\.t36"):
        fit_level(load_profile(path), path, "5x5c#1", 5 * 36 + 36, 25 + 5 * 36 + 36 + 37)
