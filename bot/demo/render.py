"""Draw Fling fields: textured tiles, shaded balls with eyes, and a desktop around them.

Tile (row, col) covers x in [col * tile_px, (col + 1) * tile_px) and y in
[row * tile_px, (row + 1) * tile_px) of the field, with no gap; everything a tile shows
(grid line, bevel, ball, drop shadow) stays inside its own square. Images are (H, W, 3)
uint8 BGR. The same arguments always give the same pixels.
"""

from __future__ import annotations

import functools
import math
import types
import zlib
from collections.abc import Callable, Mapping, Sequence

import cv2
import numpy as np
import numpy.typing as npt

from bot.demo.themes import (
    COLOURS,
    COLS,
    DIRECTIONS,
    EMPTY,
    LABELS,
    ROWS,
    THEMES,
    Theme,
    split_label,
    theme_named,
)
from bot.errors import FrameError, TilebotError
from bot.frame import Pixels

__all__ = [
    "COLOURS",
    "COLS",
    "DIRECTIONS",
    "EMPTY",
    "LABELS",
    "MAX_TILE_PX",
    "MIN_TILE_PX",
    "ROWS",
    "THEMES",
    "WINDOW_BORDER_PX",
    "WINDOW_TOP_PX",
    "Theme",
    "render_board",
    "render_frame",
    "render_scene",
    "tile_sprite",
]

FloatImage = npt.NDArray[np.float32]

MIN_TILE_PX = 16
"""Smallest tile size drawn; eye directions are only promised from 32 px up."""

MAX_TILE_PX = 256
"""Largest tile size drawn."""

WINDOW_BORDER_PX = 10
"""Width of the game window's frame left of, right of and below the field."""

WINDOW_TOP_PX = 56
"""Height of the title bar plus status strip above the field."""

_TITLE_PX = 30
_TASKBAR_PX = 44
_DESKTOP_VARIANTS = 3

_BALL_RADIUS = 0.40  # of tile_px
_EYE_AHEAD = 0.48  # eye centres, from the ball centre towards the gaze, of the radius
_EYE_SPREAD = 0.27  # eye centres, sideways from the gaze line, of the radius
_EYE_RADIUS = 0.23  # of the ball radius
_PUPIL_RADIUS = 0.55  # of the eye radius
_PUPIL_AHEAD = 0.38  # pupil centre from the eye centre towards the gaze, of the eye radius

_GAZE_XY: Mapping[str, tuple[float, float]] = types.MappingProxyType(
    {"up": (0.0, -1.0), "down": (0.0, 1.0), "left": (-1.0, 0.0), "right": (1.0, 0.0)}
)


def _unit(x: float, y: float, z: float) -> tuple[float, float, float]:
    norm = math.sqrt(x * x + y * y + z * z)
    return x / norm, y / norm, z / norm


_LIGHT = _unit(-0.42, -0.58, 0.70)  # from the top left, towards the viewer
_HALFWAY = _unit(_LIGHT[0], _LIGHT[1], _LIGHT[2] + 1.0)


# ---------------------------------------------------------------- argument checks


def _check_tile_px(tile_px: object) -> int:
    if (
        isinstance(tile_px, bool)
        or not isinstance(tile_px, int)
        or not MIN_TILE_PX <= tile_px <= MAX_TILE_PX
    ):
        raise TilebotError(f"tile_px {tile_px!r} must be an int in [{MIN_TILE_PX}, {MAX_TILE_PX}]")
    return tile_px


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise TilebotError(f"seed {seed!r} must be a non-negative int")
    return int(seed)


def _check_labels(labels: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    if isinstance(labels, str) or len(labels) != ROWS:
        raise TilebotError(f"labels: expected {ROWS} rows of {COLS} labels, got {labels!r:.80}")
    rows = []
    for r, row in enumerate(labels):
        if isinstance(row, str) or len(row) != COLS:
            raise TilebotError(f"labels row {r}: expected {COLS} labels, got {row!r:.80}")
        for c, label in enumerate(row):
            if label not in LABELS:
                raise TilebotError(
                    f"label {label!r} at (row {r}, col {c}) is not a Fling label; expected "
                    f"{EMPTY!r} or 'colour-direction' with colour in {COLOURS} and "
                    f"direction in {DIRECTIONS}"
                )
        rows.append(tuple(row))
    return tuple(rows)


def _ball_parts(label: object, where: str) -> tuple[str, str] | None:
    if not isinstance(label, str) or label not in LABELS:
        raise TilebotError(f"{where}: label {label!r} is not one of the {len(LABELS)} Fling labels")
    return split_label(label)


# ---------------------------------------------------------------- tile background


def _expand(per_tile: npt.NDArray[np.float32], tile_px: int) -> npt.NDArray[np.float32]:
    """(ROWS, COLS, ...) per-tile values -> (ROWS*tile_px, COLS*tile_px, ...) per pixel."""
    return np.repeat(np.repeat(per_tile, tile_px, axis=0), tile_px, axis=1)


def _local_uv(tile_px: int) -> tuple[FloatImage, FloatImage]:
    """Position inside the own tile, 0..1: u (1, W) across, v (H, 1) down."""
    u = ((np.arange(COLS * tile_px) % tile_px + 0.5) / tile_px).astype(np.float32)
    v = ((np.arange(ROWS * tile_px) % tile_px + 0.5) / tile_px).astype(np.float32)
    return u[None, :], v[:, None]


def _per_tile(rng: np.random.Generator, low: float, high: float, tile_px: int) -> FloatImage:
    return _expand(rng.uniform(low, high, (ROWS, COLS)).astype(np.float32), tile_px)


def _blotches(rng: np.random.Generator, tile_px: int, per_tile: int) -> FloatImage:
    """Smooth noise of about unit spread, `per_tile` blobs across a tile, (H, W) float32."""
    low = rng.standard_normal((ROWS * per_tile + 1, COLS * per_tile + 1)).astype(np.float32)
    size = (COLS * tile_px, ROWS * tile_px)
    big = cv2.resize(low, (size[0] + tile_px, size[1] + tile_px), interpolation=cv2.INTER_CUBIC)
    return np.ascontiguousarray(big[: size[1], : size[0]])


def _waves(rng: np.random.Generator, tile_px: int) -> FloatImage:
    """Wavy bright crests running across each tile, in random phase per tile."""
    u, v = _local_uv(tile_px)
    bend = _per_tile(rng, 0.0, 2 * math.pi, tile_px)
    phase = _per_tile(rng, 0.0, 2 * math.pi, tile_px)
    count = _per_tile(rng, 1.6, 2.4, tile_px)
    swell = np.sin(2 * math.pi * (count * v + 0.12 * np.sin(2 * math.pi * u + bend)) + phase)
    crest = np.clip(swell, 0.0, 1.0) ** 4
    return np.asarray(1.6 * crest + 0.35 * swell - 0.45 + 0.25 * _blotches(rng, tile_px, 2)).astype(
        np.float32
    )


def _sand(rng: np.random.Generator, tile_px: int) -> FloatImage:
    """Slanted ripples over soft blotches, each tile's ripples at its own angle."""
    u, v = _local_uv(tile_px)
    angle = _per_tile(rng, -0.6, 0.6, tile_px)
    phase = _per_tile(rng, 0.0, 2 * math.pi, tile_px)
    ripple = np.sin(2 * math.pi * 3.0 * (v * np.cos(angle) + u * np.sin(angle)) + phase)
    return np.asarray(0.55 * ripple + 0.8 * _blotches(rng, tile_px, 3), dtype=np.float32)


def _slate(rng: np.random.Generator, tile_px: int) -> FloatImage:
    """Mottled stone with faint diagonal brushing and a few specks."""
    u, v = _local_uv(tile_px)
    phase = _per_tile(rng, 0.0, 2 * math.pi, tile_px)
    brush = np.sin(2 * math.pi * 5.0 * (u + v) + phase)
    specks = (rng.random((ROWS * tile_px, COLS * tile_px)) > 0.997).astype(np.float32)
    return np.asarray(
        0.8 * _blotches(rng, tile_px, 4) + 0.25 * brush + 2.5 * specks, dtype=np.float32
    )


_PATTERN_DRAWERS: Mapping[str, Callable[[np.random.Generator, int], FloatImage]] = (
    types.MappingProxyType({"waves": _waves, "sand": _sand, "slate": _slate})
)


@functools.lru_cache(maxsize=16)
def _tile_edges(theme: Theme, tile_px: int) -> tuple[FloatImage, FloatImage]:
    """Bevel levels to add (t, t, 1) and grid-line opacity (t, t, 1) of one tile."""
    idx = np.arange(tile_px, dtype=np.float32)
    x, y = idx[None, :], idx[:, None]
    near = np.minimum(x, y)  # distance to the top or left edge
    far = np.minimum(tile_px - 1 - x, tile_px - 1 - y)  # to the bottom or right edge
    line_px = max(1, tile_px // 40)
    bevel_px = max(2.0, tile_px / 14)
    light = np.clip(1.0 - (near - line_px) / bevel_px, 0.0, 1.0)
    dark = np.clip(1.0 - (far - line_px) / bevel_px, 0.0, 1.0)
    bevel = (theme.bevel_amp * (light - dark)).astype(np.float32)[..., None]
    line = (np.minimum(near, far) < line_px).astype(np.float32)[..., None]
    bevel.setflags(write=False)
    line.setflags(write=False)
    return bevel, line


@functools.lru_cache(maxsize=8)
def _field_background(theme: Theme, tile_px: int, seed: int) -> Pixels:
    """The empty field, (ROWS*tile_px, COLS*tile_px, 3) uint8, read-only (it is cached)."""
    rng = np.random.default_rng([seed, zlib.crc32(theme.name.encode())])
    parity = (np.add.outer(np.arange(ROWS), np.arange(COLS)) % 2).astype(np.float32)[..., None]
    base = np.asarray(theme.tile_bgr, np.float32)
    alt = np.asarray(theme.tile_alt_bgr, np.float32)
    tiles = base + (alt - base) * parity
    tiles = tiles * (1.0 + theme.tile_jitter * rng.standard_normal((ROWS, COLS, 1)))
    tiles = (tiles + rng.normal(0.0, 1.5, (ROWS, COLS, 3))).astype(np.float32)
    field = _expand(tiles, tile_px)
    texture = theme.pattern_amp * _PATTERN_DRAWERS[theme.pattern](rng, tile_px)
    grain = theme.grain_amp * rng.standard_normal(texture.shape, dtype=np.float32)
    field += (texture + grain)[..., None]
    bevel, line = _tile_edges(theme, tile_px)
    field += np.tile(bevel, (ROWS, COLS, 1))
    line_alpha = np.tile(line, (ROWS, COLS, 1))
    field += (np.asarray(theme.line_bgr, np.float32) - field) * line_alpha
    out = np.clip(np.rint(field), 0, 255).astype(np.uint8)
    out.setflags(write=False)
    return out


# ---------------------------------------------------------------- balls


def _disc(dist_px: FloatImage, radius_px: float) -> FloatImage:
    """Anti-aliased coverage (0..1) of a disc, given each pixel's distance to its centre."""
    return np.asarray(np.clip(radius_px - dist_px + 0.5, 0.0, 1.0), dtype=np.float32)


def _blend(under: FloatImage, bgr: tuple[int, int, int], cover: FloatImage) -> FloatImage:
    """Paint flat `bgr` over `under` (t, t, 3) with opacity `cover` (t, t)."""
    colour = np.asarray(bgr, np.float32)
    return (under + (colour - under) * cover[..., None]).astype(np.float32)


def _draw_eyes(
    colour: FloatImage, theme: Theme, direction: str, tile_px: int, radius: float
) -> FloatImage:
    """Two eyes offset towards `direction`, pupils further along; returns a new image."""
    idx = np.arange(tile_px, dtype=np.float32) + 0.5
    x, y = idx[None, :], idx[:, None]
    centre = tile_px / 2
    gaze_x, gaze_y = _GAZE_XY[direction]
    side_x, side_y = -gaze_y, gaze_x
    eye_r = _EYE_RADIUS * radius
    pupil_r = _PUPIL_RADIUS * eye_r
    lid_px = max(1.0, tile_px / 48)
    for side in (-1.0, 1.0):
        ex = centre + radius * (_EYE_AHEAD * gaze_x + side * _EYE_SPREAD * side_x)
        ey = centre + radius * (_EYE_AHEAD * gaze_y + side * _EYE_SPREAD * side_y)
        eye_dist = np.hypot(x - ex, y - ey)
        colour = _blend(colour, theme.outline_bgr, _disc(eye_dist, eye_r + lid_px))
        colour = _blend(colour, theme.eye_white_bgr, _disc(eye_dist, eye_r))
        px = ex + _PUPIL_AHEAD * eye_r * gaze_x
        py = ey + _PUPIL_AHEAD * eye_r * gaze_y
        colour = _blend(colour, theme.pupil_bgr, _disc(np.hypot(x - px, y - py), pupil_r))
        if tile_px >= 48:
            gx, gy = px - 0.35 * pupil_r, py - 0.35 * pupil_r
            glint = _disc(np.hypot(x - gx, y - gy), 0.3 * pupil_r)
            colour = _blend(colour, theme.eye_white_bgr, glint)
    return colour


@functools.lru_cache(maxsize=512)
def _ball_sprite(
    theme: Theme, tile_px: int, colour: str, direction: str
) -> tuple[FloatImage, FloatImage]:
    """One ball with its drop shadow: premultiplied BGR (t, t, 3) and opacity (t, t, 1).

    float32, read-only (cached). The shadow is black, so it adds nothing premultiplied.
    """
    idx = np.arange(tile_px, dtype=np.float32) + 0.5
    x, y = idx[None, :], idx[:, None]
    centre = tile_px / 2
    radius = _BALL_RADIUS * tile_px
    nx, ny = (x - centre) / radius, (y - centre) / radius
    d2 = nx * nx + ny * ny
    dist_px = np.sqrt(d2) * radius
    cover = _disc(dist_px, radius)
    nz = np.sqrt(np.clip(1.0 - d2, 0.0, 1.0))
    lit = np.clip(nx * _LIGHT[0] + ny * _LIGHT[1] + nz * _LIGHT[2], 0.0, 1.0)
    gloss = np.clip(nx * _HALFWAY[0] + ny * _HALFWAY[1] + nz * _HALFWAY[2], 0.0, 1.0)
    shade = (theme.ambient + theme.diffuse * lit) * (1.0 - theme.rim * np.clip(d2, 0.0, 1.0) ** 3)
    base = np.asarray(theme.ball_colour(colour), np.float32)
    highlight = 255.0 * theme.specular * gloss**theme.shininess
    body = (base * shade[..., None] + highlight[..., None]).astype(np.float32)
    outline_px = max(1.0, tile_px / 40)
    ring = np.clip(dist_px - (radius - outline_px) + 0.5, 0.0, 1.0).astype(np.float32)
    body = _blend(body, theme.outline_bgr, 0.85 * ring)
    body = np.clip(_draw_eyes(body, theme, direction, tile_px, radius), 0.0, 255.0)

    # A soft elliptical drop shadow down and to the right, kept inside the tile.
    sx = (x - (centre + 0.05 * tile_px)) / (0.98 * radius)
    sy = (y - (centre + 0.07 * tile_px)) / (0.90 * radius)
    shadow = theme.shadow_alpha * np.clip((1.0 - np.sqrt(sx * sx + sy * sy)) / 0.3, 0.0, 1.0)
    alpha = (cover + shadow * (1.0 - cover)).astype(np.float32)[..., None]
    premultiplied = (body * cover[..., None]).astype(np.float32)
    premultiplied.setflags(write=False)
    alpha.setflags(write=False)
    return premultiplied, alpha


def _composite(dst: Pixels, theme: Theme, tile_px: int, ball: tuple[str, str, int, int]) -> None:
    """Draw one ball (colour, direction, x, y of its tile's top-left) onto `dst` in place."""
    colour, direction, x0, y0 = ball
    premultiplied, alpha = _ball_sprite(theme, tile_px, colour, direction)
    height, width = dst.shape[:2]
    xa, ya = max(x0, 0), max(y0, 0)
    xb, yb = min(x0 + tile_px, width), min(y0 + tile_px, height)
    if xa >= xb or ya >= yb:
        return
    sprite = (slice(ya - y0, yb - y0), slice(xa - x0, xb - x0))
    under = dst[ya:yb, xa:xb].astype(np.float32)
    over = under * (1.0 - alpha[sprite]) + premultiplied[sprite]
    dst[ya:yb, xa:xb] = np.clip(np.rint(over), 0, 255).astype(np.uint8)


def _draw_field(
    theme: Theme, tile_px: int, seed: int, balls: Sequence[tuple[str, str, int, int]]
) -> Pixels:
    field = _field_background(theme, tile_px, seed).copy()
    for ball in balls:
        _composite(field, theme, tile_px, ball)
    return field


def _pixel(position: float, tile_px: int) -> int:
    return math.floor(position * tile_px + 0.5)


# ---------------------------------------------------------------- public drawing


def render_scene(
    balls: Sequence[tuple[str, float, float]],
    theme: Theme | str,
    tile_px: int = 64,
    seed: int = 0,
) -> Pixels:
    """Draw the field with balls at fractional (row, col) positions, in the order given.

    balls: (label, row_f, col_f) each; a ball at (1.5, 2.0) sits halfway between tiles
    (1, 2) and (2, 2), snapped to the nearest pixel. Balls partly or wholly off the field
    are clipped; "empty" entries draw nothing. theme: a Theme or a name in THEMES.
    Returns (ROWS*tile_px, COLS*tile_px, 3) uint8 BGR, a new array. `seed` picks the tile
    texture only. Raises TilebotError on an unknown label, theme, bad position or size.
    """
    chosen = theme_named(theme)
    tile_px = _check_tile_px(tile_px)
    seed = _check_seed(seed)
    placed = []
    for i, item in enumerate(balls):
        try:
            label, row_f, col_f = item
            row_f, col_f = float(row_f), float(col_f)
        except (TypeError, ValueError):
            raise TilebotError(
                f"balls[{i}]: expected (label, row, col), got {item!r:.80}"
            ) from None
        if not (math.isfinite(row_f) and math.isfinite(col_f)):
            raise TilebotError(f"balls[{i}]: position ({row_f}, {col_f}) is not finite")
        parts = _ball_parts(label, f"balls[{i}] at ({row_f:g}, {col_f:g})")
        if parts is not None:
            placed.append((*parts, _pixel(col_f, tile_px), _pixel(row_f, tile_px)))
    return _draw_field(chosen, tile_px, seed, placed)


def render_board(
    labels: Sequence[Sequence[str]], theme: Theme | str, tile_px: int = 64, seed: int = 0
) -> Pixels:
    """Draw a field of ROWS x COLS labelled tiles, tile (r, c) at x=c*tile_px, y=r*tile_px.

    labels: ROWS sequences of COLS labels from LABELS. theme: a Theme or a name in THEMES.
    Returns (ROWS*tile_px, COLS*tile_px, 3) uint8 BGR, a new array; `seed` picks the tile
    texture only. Raises TilebotError naming the first bad label and its (row, col).
    """
    chosen = theme_named(theme)
    tile_px = _check_tile_px(tile_px)
    seed = _check_seed(seed)
    placed = []
    for r, row in enumerate(_check_labels(labels)):
        for c, label in enumerate(row):
            parts = split_label(label)
            if parts is not None:
                placed.append((*parts, c * tile_px, r * tile_px))
    return _draw_field(chosen, tile_px, seed, placed)


def tile_sprite(label: str, theme: Theme | str, tile_px: int = 64) -> Pixels:
    """One tile as render_board draws it at (0, 0) with seed 0: (tile_px, tile_px, 3) uint8 BGR.

    Raises TilebotError on an unknown label, theme or size.
    """
    chosen = theme_named(theme)
    tile_px = _check_tile_px(tile_px)
    parts = _ball_parts(label, "tile_sprite")
    tile = _field_background(chosen, tile_px, 0)[:tile_px, :tile_px].copy()
    if parts is not None:
        _composite(tile, chosen, tile_px, (*parts, 0, 0))
    return tile


# ---------------------------------------------------------------- desktop and window


def _draw_icons(canvas: Pixels, rng: np.random.Generator) -> None:
    height = canvas.shape[0]
    for i in range(max(0, (height - _TASKBAR_PX - 24) // 96)):
        top = 24 + 96 * i
        colour = tuple(int(v) for v in rng.integers(40, 230, 3))
        cv2.rectangle(canvas, (28, top), (76, top + 48), colour, -1, cv2.LINE_AA)
        inner = tuple(min(255, v + 60) for v in colour)
        cv2.rectangle(canvas, (38, top + 10), (66, top + 30), inner, -1, cv2.LINE_AA)
        cv2.rectangle(canvas, (22, top + 56), (82, top + 63), (225, 225, 225), -1)


def _draw_spreadsheet(canvas: Pixels, rng: np.random.Generator) -> None:
    """A decoy window full of regular lines, for grid finders to be fooled by."""
    height, width = canvas.shape[:2]
    w, h = min(640, width * 2 // 5), min(460, height // 2)
    x0 = int(rng.integers(width // 2, max(width // 2 + 1, width - w - 20)))
    y0 = int(rng.integers(20, max(21, height - h - _TASKBAR_PX - 20)))
    cv2.rectangle(canvas, (x0, y0), (x0 + w, y0 + h), (250, 250, 250), -1)
    cv2.rectangle(canvas, (x0, y0), (x0 + w, y0 + 28), (120, 84, 40), -1)
    for y in range(y0 + 50, y0 + h, 22):
        cv2.line(canvas, (x0, y), (x0 + w, y), (210, 210, 210), 1)
    for x in range(x0 + 40, x0 + w, 84):
        cv2.line(canvas, (x, y0 + 28), (x, y0 + h), (200, 200, 200), 1)
    for y in range(y0 + 50, y0 + h - 22, 22):
        for x in range(x0 + 40, x0 + w - 84, 84):
            if rng.random() < 0.55:
                length = int(rng.integers(16, 70))
                cv2.line(canvas, (x + 6, y + 11), (x + 6 + length, y + 11), (90, 90, 90), 2)
    cv2.rectangle(canvas, (x0, y0), (x0 + w, y0 + h), (90, 90, 90), 1)


def _draw_taskbar(canvas: Pixels) -> None:
    height, width = canvas.shape[:2]
    top = height - _TASKBAR_PX
    canvas[top:] = (44, 40, 38)
    canvas[top : top + 1] = (96, 92, 90)
    for i in range(6):
        x = 12 + 52 * i
        cv2.rectangle(canvas, (x, top + 8), (x + 40, top + 36), (84, 78, 74), -1)
    cv2.putText(
        canvas, "12:34", (width - 80, top + 28), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
        (230, 230, 230), 1, cv2.LINE_AA,
    )  # fmt: skip


@functools.lru_cache(maxsize=4)
def _desktop(width: int, height: int, variant: int) -> Pixels:
    """A wallpaper with icons, a decoy window and a taskbar: (height, width, 3) uint8, read-only."""
    rng = np.random.default_rng([variant, 0xDE5C])
    tops = ((110, 70, 60), (96, 80, 30), (70, 96, 88))
    bottoms = ((60, 120, 200), (60, 40, 20), (40, 60, 50))
    top = np.asarray(tops[variant % len(tops)], np.float32)
    bottom = np.asarray(bottoms[variant % len(bottoms)], np.float32)
    gy = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    gx = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    ramp = 0.7 * gy + 0.3 * gx
    low = rng.standard_normal((height // 96 + 2, width // 96 + 2, 3)).astype(np.float32)
    blobs = cv2.resize(low, (width, height), interpolation=cv2.INTER_CUBIC)
    stripes = np.sin((np.arange(width)[None, :] + np.arange(height)[:, None]) * (math.pi / 20))
    grain = np.tile(rng.normal(0.0, 2.0, (64, 64)), (height // 64 + 1, width // 64 + 1))
    shade = (3.0 * stripes + grain[:height, :width]).astype(np.float32)
    image = top + (bottom - top) * ramp[..., None] + 14.0 * blobs + shade[..., None]
    canvas: Pixels = np.asarray(np.clip(np.rint(image), 0, 255), dtype=np.uint8)
    _draw_icons(canvas, rng)
    _draw_spreadsheet(canvas, rng)
    _draw_taskbar(canvas)
    canvas.setflags(write=False)
    return canvas


def _draw_window(
    canvas: Pixels, theme: Theme, origin_xy: tuple[int, int], field_wh: tuple[int, int]
) -> None:
    """The game window's frame, title bar and status strip around the field, in place."""
    (ox, oy), (fw, fh) = origin_xy, field_wh
    x0, y0 = ox - WINDOW_BORDER_PX, oy - WINDOW_TOP_PX
    x1, y1 = ox + fw + WINDOW_BORDER_PX, oy + fh + WINDOW_BORDER_PX
    shade = canvas[max(0, y0 + 8) : max(0, y1 + 8), max(0, x0 + 8) : max(0, x1 + 8)]
    shade[...] = (shade * 0.55).astype(np.uint8)
    chrome = theme.chrome_bgr
    title = tuple(max(0, v - 18) for v in chrome)
    cv2.rectangle(canvas, (x0, y0), (x1 - 1, y1 - 1), chrome, -1)
    cv2.rectangle(canvas, (x0, y0), (x1 - 1, y0 + _TITLE_PX - 1), title, -1)
    cv2.rectangle(canvas, (x0, y0), (x1 - 1, y1 - 1), (20, 20, 20), 1)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(canvas, "Fling", (x0 + 12, y0 + 21), font, 0.6, theme.text_bgr, 1, cv2.LINE_AA)
    for i, button in enumerate(((80, 80, 230), (60, 200, 240), (90, 200, 90))):
        cv2.circle(canvas, (x1 - 20 - 22 * i, y0 + 15), 7, button, -1, cv2.LINE_AA)
    status = f"level 1   theme {theme.name}"
    cv2.putText(canvas, status, (x0 + 12, oy - 8), font, 0.5, theme.text_bgr, 1, cv2.LINE_AA)
    cv2.rectangle(canvas, (ox - 2, oy - 2), (ox + fw + 1, oy + fh + 1), (16, 16, 16), 2)


def render_frame(
    labels: Sequence[Sequence[str]],
    theme: Theme | str,
    canvas_wh: tuple[int, int] = (1920, 1080),
    origin_xy: tuple[int, int] | None = None,
    tile_px: int = 64,
    seed: int = 0,
) -> Pixels:
    """Draw a whole screen: the field at `origin_xy` (x, y) inside a game window on a desktop.

    canvas_wh: (width, height) of the screen in pixels; origin_xy: where the field's
    top-left pixel goes (None centres it). The field pixels are exactly render_board's.
    The desktop (wallpaper, icons, a decoy window full of lines, taskbar) is one of a few
    variants chosen by `seed`. Returns (height, width, 3) uint8 BGR, a new array.
    Raises FrameError when the field does not fit inside the canvas at that origin.
    """
    chosen = theme_named(theme)
    field = render_board(labels, chosen, tile_px, seed)
    fh, fw = field.shape[:2]
    try:
        width, height = (int(v) for v in canvas_wh)
    except (TypeError, ValueError):
        raise FrameError(f"canvas_wh {canvas_wh!r}: expected (width, height) ints") from None
    if origin_xy is None:
        origin_xy = ((width - fw) // 2, (height - fh + WINDOW_TOP_PX) // 2)
    ox, oy = (int(v) for v in origin_xy)
    if ox < 0 or oy < 0 or ox + fw > width or oy + fh > height:
        raise FrameError(
            f"field {fw}x{fh} at origin ({ox}, {oy}) does not fit inside canvas {width}x{height}"
        )
    canvas = _desktop(width, height, seed % _DESKTOP_VARIANTS).copy()
    _draw_window(canvas, chosen, (ox, oy), (fw, fh))
    canvas[oy : oy + fh, ox : ox + fw] = field
    return canvas
