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

ENV_NAMES = MappingProxyType(
    {"flip": "FLIP", "samegame": "SAMEGAME", "fifteen": "FIFTEEN", "mines": "MINES"}
)
"""Game -> the prefix of its environment variables (FLIP_TILESIZE, ...)."""

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
    return draw(known, ENV_NAMES[known], binary_path(known, binary_dir), source, tile_px, tmp_dir)


def draw(
    name: str, env_name: str, exe: Path, source: str | Path, tile_px: int, tmp_dir: Path
) -> npt.NDArray[np.uint8]:
    """`exe --screenshot` of `source` at `tile_px` (as ENV_NAME_TILESIZE): (H, W, 3) uint8 BGR.

    Any game of the collection: `name` is the game's name for messages, `env_name` the
    prefix of its environment variables (FLIP, PEGS). See `render` for the rest.
    """
    if isinstance(source, Path):
        if not source.is_file():
            raise RenderError(f"{name}: save file {source} does not exist")
        target = ["--load", "--", str(source)]
    else:
        target = ["--game", "--", source]
    fd, file = tempfile.mkstemp(prefix=f"sgt-{name}-", suffix=".png", dir=tmp_dir)
    os.close(fd)
    out = Path(file)
    try:
        run_game(
            name,
            env_name,
            [str(exe), "--screenshot", str(out), *target],
            env={f"{env_name}_TILESIZE": str(tile_px)},
            what=str(source),
        )
        pixels = cv2.imread(str(out), cv2.IMREAD_COLOR)
    finally:
        out.unlink(missing_ok=True)
    if pixels is None or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise RenderError(f"{name}: {exe} wrote no readable image for {source!s}")
    return np.ascontiguousarray(pixels, dtype=np.uint8)


def run_game(
    name: str,
    env_name: str,
    argv: list[str],
    *,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    what: str = "",
) -> str:
    """Run a game binary (argv[0]) and return its stdout.

    The caller's environment is passed on less the game's own ENV_NAME_* variables
    (palette, defaults), plus `env`. RenderError (naming `name` and `what`) when the
    binary is missing, cannot start, runs longer than RENDER_TIMEOUT_S or fails.
    """
    exe = Path(argv[0])
    if not exe.is_file():
        raise RenderError(
            f"{name}: game binary {exe} not found (install the Debian package sgt-puzzles)"
        )
    full = {k: v for k, v in os.environ.items() if not k.startswith(env_name + "_")}
    full.update(env or {})
    try:
        done = subprocess.run(
            argv,
            env=full,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=RENDER_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(f"{name}: {exe} did not finish in {RENDER_TIMEOUT_S:g} s") from None
    except OSError as exc:
        raise RenderError(f"{name}: cannot run {exe}: {exc}") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.split()) or "no message"
        status = done.returncode
        raise RenderError(f"{name}: {exe} exited with status {status} for {what}: {message}")
    return done.stdout


def _check_tile(game: Game, tile_px: int) -> None:
    if tile_px < _MIN_TILE_PX[game]:
        raise RenderError(f"{game}: tile size {tile_px} px is too small")
