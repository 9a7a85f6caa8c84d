"""Fit a puzzle-collection profile to a live game window: tile size, level and grid.

A game window's size follows from its board size and tile size (the table in
`screenshot`), so a game ID (which gives rows and columns) and the window's size give the
tile size, and with it the profile's level `tN` (whose templates were built at N px) and
the grid where the window draws the tiles. Nothing is read from the pixels: the fit is
exact or refused.

    name, level = fit_level(profile, "profiles/flip.toml", "5x5c#1", 288, 350)
    # name == "t48"; level.grid.origin_y_px == 49 (24 px border + 25 px menu bar)
"""

from __future__ import annotations

from pathlib import Path

from bot.errors import ProfileError
from bot.games.sgt import GameIdError
from bot.games.sgt.ids import board_size, check_game
from bot.games.sgt.screenshot import MENU_BAR_PX, image_size_px, window_grid
from bot.profile import LevelProfile, Profile

TILE_RANGE_PX = range(8, 129)
"""Tile sizes a window is matched against (the games draw 8 px tiles and up)."""

STATUS_BAR_PX = 37
"""Height of the status bar below the board (GTK default font; all four games draw one)."""

STATUS_BAR_SLACK_PX = 6
"""How far a window's status bar may be from STATUS_BAR_PX (another font, another theme)."""


def tile_px_for_window(game: str, rows: int, cols: int, width_px: int, height_px: int) -> int:
    """The tile size (px) at which `game`'s rows x cols board fills a width x height window.

    The window's client area is the menu bar, the board, then a status bar. The board is
    as wide as the window, or narrower and centred when the menu bar keeps the window
    wider (small boards). Raises GameIdError when no tile size fits.
    """
    known = check_game(game)
    exact: list[int] = []
    narrower: list[tuple[int, int]] = []  # (status bar's distance from STATUS_BAR_PX, tile)
    for tile in TILE_RANGE_PX:
        try:
            board_w, board_h = image_size_px(known, rows, cols, tile)
        except GameIdError:
            continue
        off = abs(height_px - MENU_BAR_PX - board_h - STATUS_BAR_PX)
        if off > STATUS_BAR_SLACK_PX:
            continue
        if board_w == width_px:
            exact.append(tile)
        elif board_w < width_px:
            narrower.append((off, tile))
    found = exact or [tile for _, tile in sorted(narrower)[:1]]
    if not found:
        raise GameIdError(
            f"{known}: a {width_px}x{height_px} window holds no {cols}x{rows} board at any "
            f"tile size {TILE_RANGE_PX.start}-{TILE_RANGE_PX.stop - 1} px "
            "(is the game ID the window's game?)"
        )
    return found[0]


def fit_level(
    profile: Profile, source: str | Path, game_id: str, width_px: int, height_px: int
) -> tuple[str, LevelProfile]:
    """(level name, level) of `profile` for a live window of `game_id`'s board.

    The level is `tN` for the window's tile size N, its grid moved to where the window
    draws the tiles and sized to the game ID's rows and columns. Raises GameIdError for an
    ID or window that do not agree, ProfileError (naming `source`) when the profile has
    no level for that tile size.
    """
    game = check_game(profile.game)
    rows, cols = board_size(game, game_id)
    tile = tile_px_for_window(game, rows, cols, width_px, height_px)
    name = f"t{tile}"
    if name not in profile.level_names():
        known = ", ".join(profile.level_names()) or "none"
        raise ProfileError(
            [
                f"{source}: levels.{name}: the window draws {tile} px tiles but the profile "
                f"has no level for them (levels: {known})"
            ]
        )
    grid = window_grid(game, rows, cols, tile, width_px)
    return name, profile.level(name).model_copy(update={"grid": grid})
