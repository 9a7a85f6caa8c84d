"""Seeded Fling test boards: random labels drawn on a desktop, then perturbed.

The same function builds the boards that templates are made from (small seeds) and the
boards that accuracy is measured on (large seeds); a board is fully determined by
make_board's arguments.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from bot.demo.render import WINDOW_BORDER_PX, WINDOW_TOP_PX, render_frame
from bot.demo.themes import COLOURS, COLS, DIRECTIONS, EMPTY, ROWS, Theme, theme_named
from bot.errors import FrameError, TilebotError
from bot.frame import Pixels, check_pixels
from bot.profile import GridSpec

PERTURBATIONS = (
    "clean",
    "jpeg60",
    "jpeg75",
    "jpeg90",
    "noise6",
    "bright0.8",
    "bright1.2",
    "offset2",
    "patch",
)
"""What make_board can do to a clean frame, by name."""

NOISE_SIGMA = 6.0
"""Standard deviation of "noise6", in 8-bit levels."""

OFFSET_PX = 2
"""How far "offset2" moves the content right and down, in pixels."""

PATCH_PX = 48
"""Side of the "patch" square (smaller when a tile is smaller)."""

PATCH_ALPHA = 0.35
"""Opacity of the "patch" square."""

_JPEG_QUALITY: Mapping[str, int] = types.MappingProxyType(
    {"jpeg60": 60, "jpeg75": 75, "jpeg90": 90}
)
_BRIGHTNESS: Mapping[str, float] = types.MappingProxyType({"bright0.8": 0.8, "bright1.2": 1.2})
_ICON_COLUMN_PX = 110  # keep the game window clear of the desktop icons when there is room
_TASKBAR_PX = 44


@dataclass(frozen=True, slots=True, eq=False)
class TestBoard:
    """One generated board and its ground truth.

    labels: ROWS x COLS labels; theme: the theme's name; image: (H, W, 3) uint8 BGR,
    read-only; grid_origin_xy: frame pixel (x, y) of tile (0, 0)'s top-left corner,
    where the grid truly is (also for "offset2", whose content is moved off it).
    """

    __test__ = False  # a value, not a pytest test class

    labels: tuple[tuple[str, ...], ...]
    theme: str
    seed: int
    perturbation: str
    image: Pixels
    grid_origin_xy: tuple[int, int]
    tile_px: int = 64

    @property
    def grid(self) -> GridSpec:
        """The ground-truth grid as a profile GridSpec (gap 0)."""
        x, y = self.grid_origin_xy
        return GridSpec(
            origin_x_px=x, origin_y_px=y, tile_px=self.tile_px, gap_px=0, rows=ROWS, cols=COLS
        )


def random_labels(
    rng: np.random.Generator, balls: tuple[int, int] = (4, 14)
) -> tuple[tuple[str, ...], ...]:
    """Random ROWS x COLS labels with between balls[0] and balls[1] balls (inclusive).

    Positions, colours and directions are drawn uniformly from `rng` (which advances).
    Raises TilebotError unless 0 <= balls[0] <= balls[1] <= ROWS * COLS.
    """
    low, high = balls
    if not 0 <= low <= high <= ROWS * COLS:
        raise TilebotError(f"balls {balls!r}: need 0 <= low <= high <= {ROWS * COLS}")
    count = int(rng.integers(low, high + 1))
    cells = rng.choice(ROWS * COLS, size=count, replace=False)
    colours = rng.integers(0, len(COLOURS), size=count)
    directions = rng.integers(0, len(DIRECTIONS), size=count)
    grid = [[EMPTY] * COLS for _ in range(ROWS)]
    for cell, colour, direction in zip(cells, colours, directions, strict=True):
        row, col = divmod(int(cell), COLS)
        grid[row][col] = f"{COLOURS[colour]}-{DIRECTIONS[direction]}"
    return tuple(tuple(row) for row in grid)


def _rounded(values: np.ndarray) -> Pixels:
    return np.asarray(np.clip(np.rint(values), 0, 255), dtype=np.uint8)


def _patch(
    image: Pixels, rng: np.random.Generator, tile_px: int, grid_origin_xy: tuple[int, int]
) -> Pixels:
    ox, oy = grid_origin_xy
    height, width = image.shape[:2]
    if ox < 0 or oy < 0 or ox + COLS * tile_px > width or oy + ROWS * tile_px > height:
        raise FrameError(
            f"patch: a {COLS}x{ROWS} grid of {tile_px} px tiles at ({ox}, {oy}) does not fit "
            f"inside the {width}x{height} image"
        )
    size = min(PATCH_PX, tile_px)
    row, col = int(rng.integers(ROWS)), int(rng.integers(COLS))
    x = ox + col * tile_px + int(rng.integers(0, tile_px - size + 1))
    y = oy + row * tile_px + int(rng.integers(0, tile_px - size + 1))
    colour = rng.integers(0, 256, 3).astype(np.float32)
    out = image.copy()
    under = image[y : y + size, x : x + size].astype(np.float32)
    out[y : y + size, x : x + size] = _rounded(under + (colour - under) * PATCH_ALPHA)
    return out


def perturb(
    image: Pixels,
    kind: str,
    rng: np.random.Generator,
    tile_px: int = 64,
    grid_origin_xy: tuple[int, int] = (0, 0),
) -> Pixels:
    """Return a perturbed copy of `image` ((H, W, 3) uint8 BGR, never modified).

    kind, one of PERTURBATIONS:
    - "clean": an unchanged copy.
    - "jpeg60", "jpeg75", "jpeg90": a JPEG encode/decode round trip at that quality.
    - "noise6": Gaussian noise of sigma 6 levels per pixel and channel, clipped.
    - "bright0.8", "bright1.2": every level times 0.8 or 1.2, clipped.
    - "offset2": all content moved 2 px right and 2 px down (out[y + 2, x + 2] ==
      image[y, x]); the top 2 rows and left 2 columns repeat the edge. The grid the
      caller states stays put, so the field sits 2 px right and below it.
    - "patch": a 48x48 square (tile_px when smaller) of random colour at opacity 0.35,
      wholly inside one random tile of the grid at `grid_origin_xy` (x, y).
    `rng` supplies the noise, the patch tile, place and colour. Raises TilebotError on
    an unknown kind, FrameError on a bad image or a grid that does not fit it.
    """
    check_pixels(image, f"perturb {kind!r} image")
    if kind == "clean":
        return image.copy()
    if kind in _JPEG_QUALITY:
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, _JPEG_QUALITY[kind]])
        if not ok:
            raise FrameError(f"perturb {kind!r}: JPEG encoding failed for {image.shape}")
        decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
        if decoded is None:
            raise FrameError(f"perturb {kind!r}: JPEG decoding failed for {image.shape}")
        return np.asarray(decoded, dtype=np.uint8)
    if kind == "noise6":
        noise = rng.standard_normal(image.shape, dtype=np.float32) * NOISE_SIGMA
        return _rounded(image.astype(np.float32) + noise)
    if kind in _BRIGHTNESS:
        return _rounded(image.astype(np.float32) * _BRIGHTNESS[kind])
    if kind == "offset2":
        height, width = image.shape[:2]
        padded = np.pad(image, ((OFFSET_PX, 0), (OFFSET_PX, 0), (0, 0)), mode="edge")
        return np.ascontiguousarray(padded[:height, :width])
    if kind == "patch":
        return _patch(image, rng, tile_px, grid_origin_xy)
    raise TilebotError(f"perturbation {kind!r} is unknown; expected one of {PERTURBATIONS}")


def _choose_origin(
    rng: np.random.Generator, tile_px: int, canvas_wh: tuple[int, int]
) -> tuple[int, int]:
    """A seeded field origin that keeps the field, and its window when there is room, on screen."""
    width, height = canvas_wh
    field_w, field_h = COLS * tile_px, ROWS * tile_px
    if field_w > width or field_h > height:
        raise FrameError(
            f"canvas {width}x{height} is too small for a {field_w}x{field_h} field "
            f"({tile_px} px tiles)"
        )
    spans = []
    for size, field, lead, trail in (
        (width, field_w, _ICON_COLUMN_PX, WINDOW_BORDER_PX),
        (height, field_h, WINDOW_TOP_PX, WINDOW_BORDER_PX + _TASKBAR_PX),
    ):
        high = size - field - trail if size - field - trail >= 0 else size - field
        spans.append((min(lead, high), high))
    (x_low, x_high), (y_low, y_high) = spans
    return int(rng.integers(x_low, x_high + 1)), int(rng.integers(y_low, y_high + 1))


def make_board(
    seed: int,
    theme: Theme | str,
    perturbation: str,
    tile_px: int = 64,
    canvas_wh: tuple[int, int] = (1920, 1080),
) -> TestBoard:
    """Generate the test board numbered `seed`, drawn in `theme` and perturbed.

    The seed alone chooses the labels (4 to 14 balls), the field origin inside the
    canvas, the tile texture and the desktop, so one seed gives the same board in every
    theme and perturbation; the perturbation's randomness comes from (seed, kind).
    theme: a Theme or a name in THEMES; canvas_wh: (width, height) pixels.
    Raises TilebotError on a bad seed, theme or perturbation, FrameError on a small canvas.
    """
    chosen = theme_named(theme)
    if perturbation not in PERTURBATIONS:
        raise TilebotError(
            f"perturbation {perturbation!r} is unknown; expected one of {PERTURBATIONS}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise TilebotError(f"seed {seed!r} must be a non-negative int")
    width, height = (int(v) for v in canvas_wh)
    rng = np.random.default_rng(seed)
    labels = random_labels(rng)
    origin = _choose_origin(rng, tile_px, (width, height))
    clean = render_frame(labels, chosen, (width, height), origin, tile_px, seed)
    noise_rng = np.random.default_rng([seed, PERTURBATIONS.index(perturbation)])
    image = perturb(clean, perturbation, noise_rng, tile_px, origin)
    image.setflags(write=False)
    return TestBoard(labels, chosen.name, seed, perturbation, image, origin, tile_px)
