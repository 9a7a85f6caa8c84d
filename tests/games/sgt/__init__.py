"""Helpers shared by the puzzle-collection tests: the binaries, generated IDs, tile crops.

Tests that need /usr/games/sgt-NAME call `require_game(NAME)`: skipped with the reason when
the binary is missing, failed when CI=true.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest

from bot.games.sgt.ids import Labels
from bot.games.sgt.screenshot import binary_path
from bot.profile import GridSpec

Image = npt.NDArray[np.uint8]


def require_game(game: str) -> None:
    """Skip the test (fail it under CI=true) unless /usr/games/sgt-`game` can run."""
    exe = binary_path(game)
    if os.access(exe, os.X_OK):
        return
    reason = f"{exe} is not installed (Debian package sgt-puzzles)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def generate_id(game: str, params_seed: str) -> str:
    """The descriptive ID that `sgt-NAME --generate 1 PARAMS#SEED` prints (deterministic)."""
    require_game(game)
    done = subprocess.run(
        [str(binary_path(game)), "--generate", "1", params_seed],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def tile(image: Image, grid: GridSpec, row: int, col: int) -> Image:
    """The pixels of tile (row, col): a (tile, tile, 3) view."""
    x, y, w, h = grid.cell_box(row, col)
    return image[y : y + h, x : x + w]


def crops_by_label(
    shots: Sequence[tuple[Image, GridSpec, Labels]],
) -> dict[str, list[Image]]:
    """Every tile crop of every (image, grid, labels) shot, grouped by its label."""
    groups: dict[str, list[Image]] = {}
    for image, grid, labels in shots:
        assert image.shape[:2] == (
            grid.height_px + 2 * grid.origin_y_px,
            grid.width_px + 2 * grid.origin_x_px,
        )
        for r, row in enumerate(labels):
            for c, label in enumerate(row):
                groups.setdefault(label, []).append(tile(image, grid, r, c))
    return groups


ALIKE_LEVELS = 8
"""Largest per-channel difference between two drawings of one tile: the corner pixels of
bevelled tiles are anti-aliased a little differently at each position (seen: up to 5)."""


def drawn_alike(a: Image, b: Image) -> bool:
    """True when two tile crops differ nowhere by more than ALIKE_LEVELS."""
    return int(np.abs(a.astype(np.int16) - b.astype(np.int16)).max()) <= ALIKE_LEVELS


def assert_crops_agree(shots: Sequence[tuple[Image, GridSpec, Labels]]) -> dict[str, Image]:
    """Assert tiles of one label are drawn alike and tiles of two labels are not.

    Returns one crop per label. This holds for games that draw a tile from its own state
    alone (fifteen, mines), so it fails when a label is wrong anywhere.
    """
    groups = crops_by_label(shots)
    bank: dict[str, Image] = {}
    for label, crops in groups.items():
        for i, crop in enumerate(crops[1:], start=1):
            assert drawn_alike(crop, crops[0]), f"{label!r}: crop {i} differs from crop 0"
        bank[label] = crops[0]
    names = sorted(bank)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not drawn_alike(bank[a], bank[b]), f"{a!r} and {b!r} are drawn alike"
    return bank


SAMEGAME_RGB = {
    "c1": (0, 0, 255),
    "c2": (0, 128, 0),
    "c3": (255, 0, 0),
    "c4": (255, 255, 0),
    "c5": (255, 0, 255),
    "c6": (0, 255, 255),
    "c7": (128, 128, 255),
    "c8": (128, 255, 128),
    "c9": (255, 128, 128),
    "empty": (230, 230, 230),
}
"""Samegame's palette (samegame.c game_colours) and the default background, as drawn."""


def read_samegame(image: Image, grid: GridSpec) -> Labels:
    """Labels of a samegame screenshot: the colour near each tile's top-left corner.

    Off-centre on purpose: a board with no move left draws a black square in the centre.
    """
    by_bgr: dict[tuple[int, ...], str] = {rgb[::-1]: label for label, rgb in SAMEGAME_RGB.items()}
    rows = []
    for r in range(grid.rows):
        row = []
        for c in range(grid.cols):
            bgr = tuple(int(v) for v in tile(image, grid, r, c)[2, 2])
            row.append(by_bgr.get(bgr, f"?{bgr}"))
        rows.append(tuple(row))
    return tuple(rows)


def read_flip(image: Image, grid: GridSpec) -> Labels:
    """Labels of a flip screenshot: "dark" where a tile's median grey is below mid-grey.

    The median skips the grid line and the small toggle diagram drawn in each tile.
    """
    rows = []
    for r in range(grid.rows):
        row = []
        for c in range(grid.cols):
            inner = tile(image, grid, r, c)[1:, 1:]
            row.append("dark" if float(np.median(inner)) < 128 else "lit")
        rows.append(tuple(row))
    return tuple(rows)
