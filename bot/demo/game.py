"""The Fling demo game: a Tk window played with mouse drags, like any third-party game.

Window layout (window pixels, x right, y down; see `make_layout`, tile_px t, margin
m = t // 8, HUD height h = 3t // 4; at t = 64: m = 8, h = 48):
- HUD strip (0, 0, W, h): level name, moves, a timer mm:ss ticking every second.
- field (m, h + m, 7t, 8t): tile (row, col) at x = m + col*t, y = h + m + row*t; its
  pixels are bot.demo.render.render_board's, except under the overlays below.
- logo: a semi-opaque badge in the field's bottom-right corner, over tiles (7, 5) and
  (7, 6); each covered tile stays at least 60% uncovered.
- night theme only: a translucent cloud (opacity <= CLOUD_ALPHA) drifting across the
  field, redrawn every CLOUD_INTERVAL_S.
- window size (7t + 2m, h + 8t + 2m): 464 x 576 at t = 64.

Input: press on a ball, drag at least a third of a tile, release; the dominant axis of the
drag is the direction. Moves follow bot.games.fling_rules.apply_move; rolls play in chain
order at `speed_cells_per_s`, ~60 frames a second; input is ignored while anything moves.
With one ball left the game shows "SOLVED" for BANNER_S, prints `WIN level=<name>
moves=<n>` and starts the next level; after the last it shows "ALL LEVELS DONE" and
prints `ALL DONE`.

State log (JSON lines, flushed): {"t": time.monotonic(), "event", "level" (name),
"theme", "texture" (render_board's seed), "labels" (8 rows of 7, the true board),
"moves"}. "t" is taken once what the record describes is on screen (update_idletasks,
then an X round trip). Events:
- "level": a level's first frame is shown;
- "settled": a move's last frame is shown; adds "frames" (drawn, the last included) and
  "draw_ms" (mean ms to draw one);
- "rejected": a drag on the field that moves nothing (after the shake, if the ball shook);
  adds "reason";
- "win": the "SOLVED" banner is shown; "all_done": "ALL LEVELS DONE" is shown;
- {"t", "event": "anim_start", "kind": "roll" | "shake", "cell": [row, col],
  "direction"}: written as an animation starts, before its first frame.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import signal
import socket
import sys
import time
import tkinter
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

import cv2
import numpy as np

from bot.actions import Direction
from bot.demo.levels import Labels, Level
from bot.demo.render import render_board, render_scene
from bot.demo.themes import COLS, EMPTY, ROWS, Theme, theme_named
from bot.errors import TilebotError
from bot.frame import Pixels, Region
from bot.games.fling_rules import (
    IllegalMove,
    Move,
    MoveResult,
    Pos,
    apply_move,
    balls_from_labels,
    is_solved,
)

TITLE = "Tilebot Fling"
"""The window title."""

MIN_TILE_PX = 32
"""Smallest tile the game draws (eye directions need it)."""

MAX_TILE_PX = 128
"""Largest tile the game draws."""

FRAME_INTERVAL_S = 1 / 60
"""Time between animation frames."""

CLOUD_INTERVAL_S = 0.1
"""Time between cloud redraws while nothing else moves."""

CLOUD_ALPHA = 0.25
"""Peak opacity of the night cloud."""

CLOUD_SPEED_TILES_PER_S = 0.6
"""How fast the cloud drifts to the right."""

LOGO_ALPHA = 0.6
"""Opacity of the logo badge (its lettering is more opaque)."""

BANNER_S = 1.0
"""How long "SOLVED" shows before the next level starts."""

SHAKE_S = 0.24
"""Length of the shake of a ball flung illegally."""

MIN_DRAG_TILES = 1 / 3
"""Shortest drag, along its dominant axis, that counts as a fling."""

Placed = tuple[str, float, float]
"""A ball to draw: (label, row, col), row and col possibly fractional."""


# ---------------------------------------------------------------- layout


@dataclass(frozen=True, slots=True)
class Layout:
    """Where everything sits in the window, in window pixels (x, y from its top-left)."""

    tile_px: int
    width: int
    height: int
    hud: Region
    field: Region
    logo: Region

    def cell_at(self, x: float, y: float) -> Pos | None:
        """The (row, col) of the tile under window pixel (x, y), or None off the field."""
        if not self.field.contains(x, y):
            return None
        return int((y - self.field.y) // self.tile_px), int((x - self.field.x) // self.tile_px)

    def tile_box(self, row: int, col: int) -> Region:
        """The window rectangle of tile (row, col)."""
        t = self.tile_px
        return Region(self.field.x + col * t, self.field.y + row * t, t, t)

    def logo_cover(self, row: int, col: int) -> float:
        """The fraction (0..1) of tile (row, col)'s area under the logo's rectangle."""
        overlap = self.tile_box(row, col).intersect(self.logo)
        if overlap is None:
            return 0.0
        return overlap.width * overlap.height / self.tile_px**2


def make_layout(tile_px: int = 64) -> Layout:
    """The window layout for `tile_px` tiles; raise TilebotError outside [32, 128]."""
    if isinstance(tile_px, bool) or not isinstance(tile_px, int):
        raise TilebotError(f"tile_px {tile_px!r} must be an int")
    if not MIN_TILE_PX <= tile_px <= MAX_TILE_PX:
        raise TilebotError(f"tile_px {tile_px} must be in [{MIN_TILE_PX}, {MAX_TILE_PX}]")
    margin = tile_px // 8
    hud_px = tile_px * 3 // 4
    field_w, field_h = COLS * tile_px, ROWS * tile_px
    width, height = field_w + 2 * margin, hud_px + field_h + 2 * margin
    fld = Region(margin, hud_px + margin, field_w, field_h)
    logo_w, logo_h = round(1.6 * tile_px), round(0.34 * tile_px)
    logo = Region(fld.right - logo_w, fld.bottom - logo_h, logo_w, logo_h)
    return Layout(tile_px, width, height, Region(0, 0, width, hud_px), fld, logo)


# ---------------------------------------------------------------- pictures


def _over(dst: Pixels, premultiplied: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    """Paint a premultiplied sprite (h, w, 3) with opacity (h, w, 1) onto dst at (x, y),
    clipped, in place. dst: (H, W, 3) uint8."""
    height, width = dst.shape[:2]
    h, w = alpha.shape[:2]
    xa, ya, xb, yb = max(x, 0), max(y, 0), min(x + w, width), min(y + h, height)
    if xa >= xb or ya >= yb:
        return
    part = (slice(ya - y, yb - y), slice(xa - x, xb - x))
    under = dst[ya:yb, xa:xb].astype(np.float32)
    out = under * (1.0 - alpha[part]) + premultiplied[part]
    dst[ya:yb, xa:xb] = np.clip(np.rint(out), 0, 255).astype(np.uint8)


def _rounded_mask(width: int, height: int, radius: int) -> np.ndarray:
    """A (height, width) float32 mask, 1 inside a rectangle with rounded corners."""
    mask = np.zeros((height, width), np.uint8)
    r = max(1, min(radius, width // 2, height // 2))
    cv2.rectangle(mask, (r, 0), (width - 1 - r, height - 1), 255, -1)
    cv2.rectangle(mask, (0, r), (width - 1, height - 1 - r), 255, -1)
    for cx in (r, width - 1 - r):
        for cy in (r, height - 1 - r):
            cv2.circle(mask, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return mask.astype(np.float32) / 255.0


def _text_fit(text: str, font: int, width: int, height: int, thickness: int) -> float:
    """The largest font scale at which `text` fits in width x height pixels."""
    (tw, th), base = cv2.getTextSize(text, font, 1.0, thickness)
    return min(width / tw, height / (th + base))


@functools.lru_cache(maxsize=8)
def logo_sprite(theme: Theme, tile_px: int) -> tuple[np.ndarray, np.ndarray]:
    """The logo badge: premultiplied BGR (h, w, 3) and opacity (h, w, 1), float32, read-only.

    Size is make_layout(tile_px).logo's; opacity LOGO_ALPHA, lettering 0.9.
    """
    box = make_layout(tile_px).logo
    w, h = box.width, box.height
    font = cv2.FONT_HERSHEY_DUPLEX
    scale = 0.8 * _text_fit("FLING", font, w - h, h, 1)
    (tw, th), _ = cv2.getTextSize("FLING", font, scale, 1)
    letters = np.zeros((h, w), np.uint8)
    origin = ((w - tw) // 2, (h + th) // 2)
    cv2.putText(letters, "FLING", origin, font, scale, 255, 1, cv2.LINE_AA)
    ink = (letters.astype(np.float32) / 255.0)[..., None]
    badge = np.asarray([max(0, v - 30) for v in theme.chrome_bgr], np.float32)
    colour = badge + (np.asarray(theme.text_bgr, np.float32) - badge) * ink
    alpha = _rounded_mask(w, h, h // 3)[..., None] * (LOGO_ALPHA + (0.9 - LOGO_ALPHA) * ink)
    premultiplied = (colour * alpha).astype(np.float32)
    alpha = alpha.astype(np.float32)
    premultiplied.setflags(write=False)
    alpha.setflags(write=False)
    return premultiplied, alpha


@functools.lru_cache(maxsize=4)
def cloud_sprite(tile_px: int) -> tuple[np.ndarray, np.ndarray]:
    """The night cloud: premultiplied BGR (h, w, 3) and opacity (h, w, 1), float32, read-only.

    About 3 x 1.75 tiles, soft-edged, opacity at most CLOUD_ALPHA and 0 on its border.
    """
    w, h = 3 * tile_px, round(1.75 * tile_px)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    puffs = ((0.30, 0.58, 0.20), (0.50, 0.42, 0.24), (0.70, 0.58, 0.19), (0.50, 0.66, 0.22))
    shape = np.zeros((h, w), np.float32)
    for cx, cy, sigma in puffs:
        d2 = ((x - cx * w) / (sigma * w)) ** 2 + ((y - cy * h) / (sigma * w)) ** 2
        shape = np.maximum(shape, np.exp(-d2))
    edge = np.minimum.reduce([x, y, w - 1 - x, h - 1 - y]) / (0.15 * tile_px)
    shape *= np.clip(edge, 0.0, 1.0)
    alpha = (CLOUD_ALPHA * shape / shape.max())[..., None].astype(np.float32)
    premultiplied = (np.asarray((244, 238, 232), np.float32) * alpha).astype(np.float32)
    premultiplied.setflags(write=False)
    alpha.setflags(write=False)
    return premultiplied, alpha


def cloud_position(tile_px: int, elapsed_s: float) -> tuple[int, int]:
    """Field pixel (x, y) of the cloud's top-left `elapsed_s` seconds into a level.

    It drifts right at CLOUD_SPEED_TILES_PER_S, wrapping round once wholly off the field,
    and bobs slowly up and down; it starts with its right half over the field's left edge.
    """
    _, alpha = cloud_sprite(tile_px)
    h, w = alpha.shape[:2]
    span = COLS * tile_px + w
    x = (w / 2 + elapsed_s * CLOUD_SPEED_TILES_PER_S * tile_px) % span - w
    y = (ROWS * tile_px - h) * (0.35 + 0.25 * math.sin(2 * math.pi * elapsed_s / 23.0))
    return math.floor(x), math.floor(y)


@functools.lru_cache(maxsize=8)
def banner_sprite(text: str, tile_px: int) -> tuple[np.ndarray, np.ndarray]:
    """A band across the field with `text` centred: premultiplied (h, w, 3), opacity (h, w, 1)."""
    w, h = COLS * tile_px, round(1.2 * tile_px)
    font = cv2.FONT_HERSHEY_DUPLEX
    thickness = max(2, tile_px // 24)
    scale = min(tile_px / 40, 0.9 * _text_fit(text, font, w, h, thickness))
    (tw, th), _ = cv2.getTextSize(text, font, scale, thickness)
    letters = np.zeros((h, w), np.uint8)
    cv2.putText(
        letters, text, ((w - tw) // 2, (h + th) // 2), font, scale, 255, thickness, cv2.LINE_AA
    )
    ink = (letters.astype(np.float32) / 255.0)[..., None]
    alpha = (0.7 + 0.3 * ink).astype(np.float32)
    colour = (
        np.asarray((20, 20, 20), np.float32) * (1 - ink)
        + np.asarray((90, 235, 255), np.float32) * ink
    )
    premultiplied = (colour * alpha).astype(np.float32)
    premultiplied.setflags(write=False)
    alpha.setflags(write=False)
    return premultiplied, alpha


def draw_background(layout: Layout, theme: Theme) -> Pixels:
    """The whole window without field and HUD text: (height, width, 3) uint8 BGR."""
    image = np.empty((layout.height, layout.width, 3), np.uint8)
    image[...] = theme.chrome_bgr
    f = layout.field
    cv2.rectangle(image, (f.x - 2, f.y - 2), (f.right + 1, f.bottom + 1), (16, 16, 16), 2)
    hud = layout.hud
    image[hud.y : hud.bottom, hud.x : hud.right] = [max(0, v - 18) for v in theme.chrome_bgr]
    image[hud.bottom - 2 : hud.bottom] = (16, 16, 16)
    return image


def format_clock(seconds: float) -> str:
    """mm:ss of whole seconds elapsed (minutes keep counting past 59)."""
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def draw_hud(layout: Layout, theme: Theme, level: str, moves: int, seconds: float) -> Pixels:
    """The HUD strip: level name left, moves centre, timer right; (h, W, 3) uint8 BGR."""
    hud = layout.hud
    image = np.empty((hud.height, hud.width, 3), np.uint8)
    image[...] = [max(0, v - 18) for v in theme.chrome_bgr]
    image[hud.height - 2 :] = (16, 16, 16)
    font = cv2.FONT_HERSHEY_SIMPLEX
    scale = hud.height / 80
    baseline = hud.height * 2 // 3
    pad = layout.field.x + layout.tile_px // 8
    texts = (level, f"moves {moves}", format_clock(seconds))
    widths = [cv2.getTextSize(t, font, scale, 1)[0][0] for t in texts]
    xs = (pad, (hud.width - widths[1]) // 2, hud.width - pad - widths[2])
    for text, x in zip(texts, xs, strict=True):
        cv2.putText(image, text, (x, baseline), font, scale, theme.text_bgr, 1, cv2.LINE_AA)
    return image


def paint_field(
    field_image: Pixels,
    theme: Theme,
    tile_px: int,
    cloud_at: tuple[int, int] | None = None,
    banner: str | None = None,
) -> Pixels:
    """The field as shown: `field_image` ((8t, 7t, 3) uint8, never modified) under the
    cloud at field pixel `cloud_at` (None: no cloud), the logo and the banner text."""
    out = field_image.copy()
    if cloud_at is not None:
        _over(out, *cloud_sprite(tile_px), *cloud_at)
    layout = make_layout(tile_px)
    _over(
        out,
        *logo_sprite(theme, tile_px),
        layout.logo.x - layout.field.x,
        layout.logo.y - layout.field.y,
    )
    if banner is not None:
        premultiplied, alpha = banner_sprite(banner, tile_px)
        _over(out, premultiplied, alpha, 0, (ROWS * tile_px - alpha.shape[0]) // 2)
    return out


def window_at_rest(
    labels: Labels,
    theme: Theme,
    tile_px: int,
    texture_seed: int,
    hud: tuple[str, int, float],
    cloud_at: tuple[int, int] | None = None,
) -> Pixels:
    """The whole window with `labels` at rest, as the game draws it: background, the HUD
    (level name, moves, seconds) and the field with its texture, the cloud at field pixel
    `cloud_at` (None: none) and the logo. (height, width, 3) uint8 BGR."""
    layout = make_layout(tile_px)
    image = draw_background(layout, theme)
    h, f = layout.hud, layout.field
    image[h.y : h.bottom, h.x : h.right] = draw_hud(layout, theme, *hud)
    board = render_board(labels, theme, tile_px, texture_seed)
    image[f.y : f.bottom, f.x : f.right] = paint_field(board, theme, tile_px, cloud_at)
    return image


def to_ppm(image: Pixels) -> bytes:
    """Binary PPM (P6) bytes of a (H, W, 3) uint8 BGR image, for a Tk PhotoImage."""
    height, width = image.shape[:2]
    rgb = np.ascontiguousarray(image[..., ::-1])
    return b"P6 %d %d 255 " % (width, height) + rgb.tobytes()


# ---------------------------------------------------------------- boards and animation


def placed_balls(labels: Labels) -> tuple[Placed, ...]:
    """Every ball of `labels` as (label, row, col), row by row."""
    return tuple(
        (label, float(r), float(c))
        for r, row in enumerate(labels)
        for c, label in enumerate(row)
        if label != EMPTY
    )


def labels_after(labels: Labels, result: MoveResult) -> Labels:
    """The labels once `result`'s rolls are done: each ball keeps its label as it rolls."""
    grid = [list(row) for row in labels]
    moving = [(roll, grid[roll.start[0]][roll.start[1]]) for roll in result.rolls]
    for roll, _ in moving:
        grid[roll.start[0]][roll.start[1]] = EMPTY
    for roll, label in moving:
        if roll.end is not None:
            grid[roll.end[0]][roll.end[1]] = label
    return tuple(tuple(row) for row in grid)


class Animation(Protocol):
    """Ball positions over time; the last frame (at duration_s) is the position at rest."""

    @property
    def duration_s(self) -> float: ...

    def balls_at(self, elapsed_s: float) -> tuple[Placed, ...]: ...


@dataclass(frozen=True, slots=True)
class Glide:
    """One ball rolling from `start` to `end` (row, col) between times t0_s and t1_s."""

    label: str
    start: tuple[float, float]
    end: tuple[float, float]
    t0_s: float
    t1_s: float

    def at(self, elapsed_s: float) -> Placed:
        """Where the ball is at `elapsed_s`: at start before t0_s, at end after t1_s."""
        f = min(1.0, max(0.0, (elapsed_s - self.t0_s) / (self.t1_s - self.t0_s)))
        row = self.start[0] + (self.end[0] - self.start[0]) * f
        col = self.start[1] + (self.end[1] - self.start[1]) * f
        return self.label, row, col


@dataclass(frozen=True, slots=True)
class RollAnimation:
    """A move's rolls one after another (chain order), the other balls still."""

    still: tuple[Placed, ...]
    glides: tuple[Glide, ...]
    duration_s: float

    def balls_at(self, elapsed_s: float) -> tuple[Placed, ...]:
        """Every ball at `elapsed_s`; a ball that rolled off is dropped once its roll ends."""
        moving = tuple(
            g.at(elapsed_s) for g in self.glides if not (elapsed_s >= g.t1_s and _off_field(g.end))
        )
        return self.still + moving


def _off_field(cell: tuple[float, float]) -> bool:
    return not (0 <= cell[0] < ROWS and 0 <= cell[1] < COLS)


def plan_rolls(
    labels: Labels, result: MoveResult, direction: Direction, speed_cells_per_s: float
) -> RollAnimation:
    """The animation of `result` on `labels`: each roll at `speed_cells_per_s`, in chain
    order; the ball that leaves rolls until it is wholly off the field."""
    dr, dc = direction.delta
    starts = {roll.start for roll in result.rolls}
    still = tuple(b for b in placed_balls(labels) if (int(b[1]), int(b[2])) not in starts)
    glides = []
    t = 0.0
    for roll in result.rolls:
        r, c = roll.start
        if roll.end is not None:
            end = roll.end
        else:
            steps = {(1, 0): ROWS - r, (-1, 0): r + 1, (0, 1): COLS - c, (0, -1): c + 1}
            n = steps[(dr, dc)]
            end = (r + dr * n, c + dc * n)
        cells = abs(end[0] - r) + abs(end[1] - c)
        t1 = t + cells / speed_cells_per_s
        glides.append(
            Glide(labels[r][c], (float(r), float(c)), (float(end[0]), float(end[1])), t, t1)
        )
        t = t1
    return RollAnimation(still, tuple(glides), t)


@dataclass(frozen=True, slots=True)
class ShakeAnimation:
    """The ball on `cell` wobbles along the axis of an illegal fling and comes back."""

    labels: Labels
    cell: Pos
    direction: Direction
    duration_s: float = SHAKE_S
    amplitude_tiles: float = 0.08

    def balls_at(self, elapsed_s: float) -> tuple[Placed, ...]:
        """Every ball, the shaken one offset by a damped sine (zero at start and end)."""
        f = min(1.0, max(0.0, elapsed_s / self.duration_s))
        offset = self.amplitude_tiles * math.sin(2 * math.pi * 3 * f) * (1.0 - f)
        dr, dc = self.direction.delta
        return tuple(
            (label, r + dr * offset, c + dc * offset)
            if (int(r), int(c)) == self.cell
            else (label, r, c)
            for label, r, c in placed_balls(self.labels)
        )


# ---------------------------------------------------------------- input


@dataclass(frozen=True, slots=True)
class DragRead:
    """What a drag asks for: a fling of the ball on `cell` (direction None: no fling, see
    `reason`)."""

    cell: Pos
    direction: Direction | None
    reason: str = ""


def read_drag(
    layout: Layout, press_xy: tuple[float, float], release_xy: tuple[float, float]
) -> DragRead | None:
    """The fling a drag from press to release (window pixels) asks for; None when it
    started off the field (not a drag on the game)."""
    cell = layout.cell_at(*press_xy)
    if cell is None:
        return None
    dx, dy = release_xy[0] - press_xy[0], release_xy[1] - press_xy[1]
    if max(abs(dx), abs(dy)) < MIN_DRAG_TILES * layout.tile_px:
        return DragRead(cell, None, "drag shorter than a third of a tile")
    if abs(dx) == abs(dy):
        return DragRead(cell, None, "diagonal drag")
    if abs(dx) > abs(dy):
        return DragRead(cell, Direction.RIGHT if dx > 0 else Direction.LEFT)
    return DragRead(cell, Direction.DOWN if dy > 0 else Direction.UP)


# ---------------------------------------------------------------- the window


@dataclass(frozen=True, slots=True)
class GameOptions:
    """How to run the game: tile size, roll speed, first level (0-based), window place."""

    tile_px: int = 64
    speed_cells_per_s: float = 20.0
    first_level: int = 0
    position: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        make_layout(self.tile_px)
        if not (math.isfinite(self.speed_cells_per_s) and self.speed_cells_per_s > 0):
            raise TilebotError(f"speed {self.speed_cells_per_s!r} cells/s must be positive")


class StateLog:
    """Writes the game's ground truth as JSON lines, flushing each; None writes nothing."""

    def __init__(self, stream: IO[str] | None) -> None:
        self._stream = stream

    def write(self, record: Mapping[str, Any]) -> None:
        """Append `record` as one JSON line."""
        if self._stream is not None:
            self._stream.write(json.dumps(record) + "\n")
            self._stream.flush()


@dataclass(slots=True)
class _Play:
    """The game's changing state (one level at a time)."""

    index: int
    level: Level
    labels: Labels
    moves: int = 0
    started: float = 0.0
    mode: str = "idle"  # idle | animating | banner | done
    press: tuple[float, float] | None = None
    banner: str | None = None
    frozen_s: float | None = None  # the timer's reading once solved
    jobs: dict[str, str] = field(default_factory=dict)


_ANIMATING, _IDLE, _BANNER, _DONE = "animating", "idle", "banner", "done"


class FlingGame:
    """The game window on an existing Tk root: call `start()` once, then run the mainloop."""

    def __init__(
        self,
        root: tkinter.Tk,
        levels: Sequence[Level],
        options: GameOptions,
        log: StateLog,
        out: IO[str],
    ) -> None:
        if not levels:
            raise TilebotError("no levels to play")
        if not 0 <= options.first_level < len(levels):
            raise TilebotError(f"level {options.first_level + 1} does not exist (1..{len(levels)})")
        self._root = root
        self._levels = tuple(levels)
        self._options = options
        self._log = log
        self._out = out
        self._layout = layout = make_layout(options.tile_px)
        first = levels[options.first_level]
        self._play = _Play(options.first_level, first, first.labels)
        self._rest: Pixels = np.zeros((0, 0, 3), np.uint8)  # drawn by _begin_level
        root.title(TITLE)
        root.resizable(width=False, height=False)
        if options.position is not None:
            root.geometry(f"+{options.position[0]}+{options.position[1]}")
        self._canvas = canvas = tkinter.Canvas(
            root, width=layout.width, height=layout.height, highlightthickness=0, borderwidth=0
        )
        canvas.pack()
        blank = np.zeros((1, 1, 3), np.uint8)
        self._images = {
            name: tkinter.PhotoImage(master=root, data=to_ppm(blank), format="PPM")
            for name in ("background", "hud", "field")
        }
        canvas.create_image(0, 0, anchor="nw", image=self._images["background"])
        canvas.create_image(layout.hud.x, layout.hud.y, anchor="nw", image=self._images["hud"])
        canvas.create_image(
            layout.field.x, layout.field.y, anchor="nw", image=self._images["field"]
        )
        canvas.bind("<ButtonPress-1>", self._on_press)
        canvas.bind("<ButtonRelease-1>", self._on_release)
        root.protocol("WM_DELETE_WINDOW", self.close)
        self._frames = 0
        self._draw_s = 0.0
        self._closed = False

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Show the first level, wait until the window is visible, log it, print "ready"."""
        self._begin_level(self._play.index, announce=False)
        self._root.wait_visibility(self._root)
        self._sync()
        self._record("level")
        self._say("ready")

    @property
    def closed(self) -> bool:
        """True once the window was closed."""
        return self._closed

    def close(self) -> None:
        """Close the window; the mainloop returns. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        for job in self._play.jobs.values():
            self._root.after_cancel(job)
        self._play.jobs.clear()
        self._root.destroy()

    def _begin_level(self, index: int, *, announce: bool = True) -> None:
        for job in self._play.jobs.values():
            self._root.after_cancel(job)
        level = self._levels[index]
        self._play = _Play(index, level, level.labels, started=time.monotonic())
        theme = theme_named(level.theme)
        self._set_image("background", draw_background(self._layout, theme))
        self._rest = render_board(level.labels, theme, self._layout.tile_px, level.texture_seed)
        self._show_hud()
        self._show_field(None)
        self._schedule_clock()
        if theme.name == "night":
            self._schedule("cloud", CLOUD_INTERVAL_S, self._cloud_tick)
        if announce:
            self._sync()
            self._record("level")

    # ------------------------------------------------------------ drawing

    def _set_image(self, name: str, image: Pixels) -> None:
        self._images[name].configure(data=to_ppm(image))

    def _show_hud(self) -> None:
        play = self._play
        theme = theme_named(play.level.theme)
        elapsed = play.frozen_s if play.frozen_s is not None else time.monotonic() - play.started
        hud = draw_hud(self._layout, theme, play.level.name, play.moves, elapsed)
        self._set_image("hud", hud)

    def _show_field(self, balls: Sequence[Placed] | None) -> None:
        """Draw the field with `balls` (None: the board at rest) and every overlay."""
        play = self._play
        level, tile_px = play.level, self._layout.tile_px
        theme = theme_named(level.theme)
        if balls is None:
            base = self._rest
        else:
            base = render_scene(balls, theme, tile_px, level.texture_seed)
        cloud = None
        if theme.name == "night":
            cloud = cloud_position(tile_px, time.monotonic() - play.started)
        self._set_image("field", paint_field(base, theme, tile_px, cloud, play.banner))
        self._root.update_idletasks()

    def _sync(self) -> None:
        """Return once the X server has drawn everything asked for so far."""
        self._root.update_idletasks()
        self._root.winfo_pointerxy()  # a round trip: every request before it is done

    # ------------------------------------------------------------ timers

    def _schedule(self, name: str, delay_s: float, callback: Callable[[], None]) -> None:
        self._play.jobs[name] = self._root.after(max(1, math.ceil(delay_s * 1000)), callback)

    def _schedule_clock(self) -> None:
        elapsed = time.monotonic() - self._play.started
        self._schedule("clock", math.floor(elapsed) + 1 - elapsed + 0.001, self._clock_tick)

    def _clock_tick(self) -> None:
        self._play.jobs.pop("clock", None)
        if self._play.mode in (_BANNER, _DONE):
            return
        self._show_hud()
        self._schedule_clock()

    def _cloud_tick(self) -> None:
        if self._play.mode != _ANIMATING:
            self._show_field(None)
        self._schedule("cloud", CLOUD_INTERVAL_S, self._cloud_tick)

    # ------------------------------------------------------------ input

    def _on_press(self, event: Any) -> None:
        self._play.press = (float(event.x), float(event.y)) if self._play.mode == _IDLE else None

    def _on_release(self, event: Any) -> None:
        play = self._play
        press, play.press = play.press, None
        if press is None or play.mode != _IDLE:
            return
        read = read_drag(self._layout, press, (float(event.x), float(event.y)))
        if read is None:
            return
        if play.labels[read.cell[0]][read.cell[1]] == EMPTY:
            self._record("rejected", reason="no ball on that tile")
            return
        if read.direction is None:
            self._record("rejected", reason=read.reason)
            return
        move = Move(read.cell, read.direction)
        try:
            result = apply_move(balls_from_labels(play.labels), move)
        except IllegalMove as exc:
            reason = str(exc)
            shake = ShakeAnimation(play.labels, read.cell, read.direction)
            self._animate(shake, "shake", move, lambda: self._reject(reason))
            return
        after = labels_after(play.labels, result)
        rolls = plan_rolls(play.labels, result, read.direction, self._options.speed_cells_per_s)
        play.moves += 1
        self._show_hud()
        self._animate(rolls, "roll", move, lambda: self._settle(after))

    # ------------------------------------------------------------ animation

    def _animate(
        self, animation: Animation, kind: str, move: Move, done: Callable[[], None]
    ) -> None:
        self._play.mode = _ANIMATING
        self._frames, self._draw_s = 0, 0.0
        begun = time.monotonic()
        self._log.write({"t": begun, "event": "anim_start", "kind": kind, **_move_fields(move)})
        self._frame(animation, begun, done)

    def _frame(self, animation: Animation, begun: float, done: Callable[[], None]) -> None:
        self._play.jobs.pop("frame", None)
        elapsed = time.monotonic() - begun
        if elapsed >= animation.duration_s:
            done()
            return
        drawing = time.perf_counter()
        self._show_field(animation.balls_at(elapsed))
        self._draw_s += time.perf_counter() - drawing
        self._frames += 1
        due = (math.floor(elapsed / FRAME_INTERVAL_S) + 1) * FRAME_INTERVAL_S
        wait = min(due, animation.duration_s) - (time.monotonic() - begun)
        self._schedule("frame", max(wait, 0.001), lambda: self._frame(animation, begun, done))

    def _final_frame(self, labels: Labels) -> None:
        """Put the board at rest on screen, then wait until the server has drawn it."""
        level = self._play.level
        self._play.labels = labels
        self._rest = render_board(labels, level.theme, self._layout.tile_px, level.texture_seed)
        drawing = time.perf_counter()
        self._show_field(None)
        self._draw_s += time.perf_counter() - drawing
        self._frames += 1
        self._sync()

    def _reject(self, reason: str) -> None:
        self._final_frame(self._play.labels)
        self._play.mode = _IDLE
        self._record("rejected", reason=reason)

    def _settle(self, labels: Labels) -> None:
        self._final_frame(labels)
        frames = self._frames
        self._record("settled", frames=frames, draw_ms=round(1000 * self._draw_s / frames, 3))
        if is_solved(balls_from_labels(labels)):
            self._win()
        else:
            self._play.mode = _IDLE

    def _win(self) -> None:
        play = self._play
        play.mode = _BANNER
        play.frozen_s = time.monotonic() - play.started
        clock = play.jobs.pop("clock", None)
        if clock is not None:
            self._root.after_cancel(clock)
        play.banner = "SOLVED"
        self._show_field(None)
        self._sync()
        self._record("win")
        self._say(f"WIN level={play.level.name} moves={play.moves}")
        self._schedule("advance", BANNER_S, self._advance)

    def _advance(self) -> None:
        self._play.jobs.pop("advance", None)
        if self._play.index + 1 < len(self._levels):
            self._begin_level(self._play.index + 1)
            return
        self._play.mode = _DONE
        self._play.banner = "ALL LEVELS DONE"
        self._show_field(None)
        self._sync()
        self._record("all_done")
        self._say("ALL DONE")

    # ------------------------------------------------------------ output

    def _record(self, event: str, **extra: Any) -> None:
        play = self._play
        self._log.write(
            {
                "t": time.monotonic(),
                "event": event,
                "level": play.level.name,
                "theme": play.level.theme,
                "texture": play.level.texture_seed,
                "labels": [list(row) for row in play.labels],
                "moves": play.moves,
                **extra,
            }
        )

    def _say(self, line: str) -> None:
        try:
            self._out.write(line + "\n")
            self._out.flush()
        except (BrokenPipeError, ValueError):
            pass  # nobody listens any more; the game plays on


def _move_fields(move: Move) -> dict[str, Any]:
    return {"cell": list(move.cell), "direction": move.direction.value}


# ---------------------------------------------------------------- running


def run_game(
    levels: Sequence[Level],
    options: GameOptions,
    state_log: IO[str] | None = None,
    out: IO[str] | None = None,
) -> int:
    """Open the window and play `levels` until it is closed, SIGTERM or SIGINT; return 0.

    out: where "ready", WIN and ALL DONE lines go (None: stdout). Raise TilebotError when
    the display cannot be opened.
    """
    try:
        root = tkinter.Tk(className="TilebotFling")
    except tkinter.TclError as exc:
        raise TilebotError(f"cannot open the game window: {exc}") from None
    game = FlingGame(root, levels, options, StateLog(state_log), out or sys.stdout)
    with _SignalCloser(root, game.close):
        try:
            game.start()
        except tkinter.TclError:
            if not game.closed:  # else a signal closed the window while it opened
                raise
            return 0
        root.mainloop()
    return 0


class _SignalCloser:
    """While active, SIGTERM and SIGINT close the game at once, even when Tk is idle.

    The signal's wakeup byte goes to a socket Tk watches, so Tk's event loop wakes up
    and the Python handler runs promptly.
    """

    def __init__(self, root: tkinter.Tk, close: Callable[[], None]) -> None:
        self._root = root
        self._close = close
        self._reader, self._writer = socket.socketpair()
        self._saved: dict[int, Any] = {}
        self._old_fd = -1
        self._closing = False

    def __enter__(self) -> None:
        for sock in (self._reader, self._writer):
            sock.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._writer.fileno())
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._saved[signum] = signal.signal(signum, self._on_signal)
        self._root.tk.createfilehandler(self._reader, tkinter.READABLE, self._drain)

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(tkinter.TclError):
            self._root.tk.deletefilehandler(self._reader)
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        signal.set_wakeup_fd(self._old_fd)
        self._reader.close()
        self._writer.close()

    def _on_signal(self, signum: int, frame: types.FrameType | None) -> None:
        if not self._closing:
            self._closing = True
            self._root.after_idle(self._close)

    def _drain(self, fd: Any, mask: int) -> None:
        with contextlib.suppress(BlockingIOError):
            self._reader.recv(64)
