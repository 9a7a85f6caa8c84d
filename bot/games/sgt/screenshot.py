"""Draw a puzzle-collection board with the real game binary, and say where its tiles are.

`sgt-NAME --screenshot out.png` draws the board area (no menu bar, no status bar) without
any display and exits; the tile size comes from the environment variable NAME_TILESIZE.
The image is exactly the game's board size: for a board of `cols` x `rows` tiles of side
t px, with border b, tiles start at (b, b) and repeat every t px (samegame: every t px,
of which the last 2 are the gap between tiles):

| game     | border b   | tile box   | gap | image width           |
|----------|------------|------------|-----|-----------------------|
| flip     | t // 2     | t          | 0   | cols * t + 2b         |
| samegame | t // 2     | t - 2      | 2   | cols * t + 2b - 2     |
| fifteen  | t // 2     | t          | 0   | cols * t + 2b         |
| mines    | t * 3 // 2 | t          | 0   | cols * t + 2b         |

(measured at t = 16..64; flip's box starts with the 1 px grid line on its left and top.)

    image = render("mines", "9x9:7,1,ma98f3b30ec377067000d0", 24, tmp_dir)
    grid = grid_of("mines", 9, 9, 24)

In the live game window the same board sits below a 25 px menu bar (`window_grid`).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from types import MappingProxyType

import cv2
import numpy as np
import numpy.typing as npt

from bot.games.sgt import RenderError
from bot.games.sgt.ids import Game, check_game
from bot.profile import GridSpec

BINARY_DIR = Path("/usr/games")
"""Where Debian's sgt-puzzles package installs the games."""

RENDER_TIMEOUT_S = 120.0
"""A game that has not drawn its board after this long is stuck (it normally takes ~20 ms)."""

_ENV_NAMES = MappingProxyType(
    {"flip": "FLIP", "samegame": "SAMEGAME", "fifteen": "FIFTEEN", "mines": "MINES"}
)
_SAMEGAME_GAP_PX = 2
_MIN_TILE_PX = MappingProxyType(
    {"flip": 1, "samegame": _SAMEGAME_GAP_PX + 1, "fifteen": 1, "mines": 1}
)


def binary_path(game: str, binary_dir: Path = BINARY_DIR) -> Path:
    """The path of `sgt-<game>` in `binary_dir` (whether or not it exists)."""
    return binary_dir / f"sgt-{check_game(game)}"


def border_px(game: str, tile_px: int) -> int:
    """The game's border around the tiles, in px, for tiles of `tile_px`."""
    return tile_px * 3 // 2 if check_game(game) == "mines" else tile_px // 2


def grid_of(game: str, rows: int, cols: int, tile_px: int) -> GridSpec:
    """Where the tiles of a `rows` x `cols` board drawn at `tile_px` sit in `render`'s image."""
    known = check_game(game)
    _check_tile(known, tile_px)
    gap = _SAMEGAME_GAP_PX if known == "samegame" else 0
    b = border_px(known, tile_px)
    return GridSpec(
        origin_x_px=b, origin_y_px=b, tile_px=tile_px - gap, gap_px=gap, rows=rows, cols=cols
    )


MENU_BAR_PX = 25
"""Height of the menu bar above the board in the game's window (GTK, no window manager)."""


def window_grid(
    game: str, rows: int, cols: int, tile_px: int, window_width_px: int | None = None
) -> GridSpec:
    """Where the tiles sit in the live game window (client area, menu bar included).

    The board is drawn as in `render`'s image, below a MENU_BAR_PX menu bar and centred
    across the window; a window wider than the board (the menu bar keeps it at least
    ~147 px wide, e.g. flip 5x5 at 16 px) shifts it right by half the difference.
    window_width_px: the window's width (None: as wide as the board, the usual case).
    """
    grid = grid_of(game, rows, cols, tile_px)
    board_w, _ = image_size_px(game, rows, cols, tile_px)
    extra_x = max(0, (window_width_px or board_w) - board_w) // 2
    return grid.model_copy(
        update={
            "origin_x_px": grid.origin_x_px + extra_x,
            "origin_y_px": grid.origin_y_px + MENU_BAR_PX,
        }
    )


def image_size_px(game: str, rows: int, cols: int, tile_px: int) -> tuple[int, int]:
    """(width, height) of the image `render` returns for such a board."""
    grid = grid_of(game, rows, cols, tile_px)
    return grid.width_px + 2 * grid.origin_x_px, grid.height_px + 2 * grid.origin_y_px


def render(
    game: str,
    source: str | Path,
    tile_px: int,
    tmp_dir: Path,
    *,
    binary_dir: Path = BINARY_DIR,
) -> npt.NDArray[np.uint8]:
    """Draw a board with the real game: (H, W, 3) uint8 BGR.

    source: a descriptive game ID (str) or a save file (Path) whose current state is drawn.
    tile_px: the tile size, passed as NAME_TILESIZE. The PNG is written under `tmp_dir`
    and removed. Variables NAME_* of the caller's environment (palette, defaults) are not
    passed on, so the drawing is the game's default. Raises RenderError if the binary is
    missing, exits non-zero (its message is included) or writes no readable image.
    """
    known = check_game(game)
    _check_tile(known, tile_px)
    exe = binary_path(known, binary_dir)
    if not exe.is_file():
        raise RenderError(
            f"{known}: game binary {exe} not found (install the Debian package sgt-puzzles)"
        )
    if isinstance(source, Path):
        if not source.is_file():
            raise RenderError(f"{known}: save file {source} does not exist")
        target = ["--load", "--", str(source)]
    else:
        target = ["--game", "--", source]
    env = {k: v for k, v in os.environ.items() if not k.startswith(_ENV_NAMES[known] + "_")}
    env[_ENV_NAMES[known] + "_TILESIZE"] = str(tile_px)
    fd, name = tempfile.mkstemp(prefix=f"sgt-{known}-", suffix=".png", dir=tmp_dir)
    os.close(fd)
    out = Path(name)
    try:
        _run(known, [str(exe), "--screenshot", str(out), *target], env, source)
        pixels = cv2.imread(str(out), cv2.IMREAD_COLOR)
    finally:
        out.unlink(missing_ok=True)
    if pixels is None or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise RenderError(f"{known}: {exe} wrote no readable image for {source!s}")
    return np.ascontiguousarray(pixels, dtype=np.uint8)


def _run(game: Game, argv: list[str], env: dict[str, str], source: str | Path) -> None:
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=RENDER_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"{game}: {argv[0]} drew nothing in {RENDER_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise RenderError(f"{game}: cannot run {argv[0]}: {exc}") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split()) or "no message"
        raise RenderError(
            f"{game}: {argv[0]} exited with status {done.returncode} for {source!s}: {message}"
        )


def _check_tile(game: Game, tile_px: int) -> None:
    if tile_px < _MIN_TILE_PX[game]:
        raise RenderError(f"{game}: tile size {tile_px} px is too small")
