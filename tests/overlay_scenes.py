"""Synthetic overlay sequences with ground truth, and compression noise to spoil them.

A sequence is a game field that changes entirely every frame (random tiles at a random
offset, plus moving balls) under a fixed overlay: an opaque HUD strip across the top
covering 8% of the frame, with a score and icons, a timer in the HUD that ticks every
frame, and an opaque round logo over part of the field. The truth is per pixel: static
where the clean frames are identical throughout the sequence.

Noise: `jpeg` (OpenCV's encoder at a quality) and `blocky` (H.264-like: each 8x8 block of
each channel DCT-quantised with a step that varies per frame, so static blocks flicker).

Demo sessions (`demo_session`): the Fling demo game's window as the game draws it while
the bot plays several levels of one theme: a HUD strip whose level name, move count and
timer change, a semi-opaque logo over the two bottom-right tiles, balls rolling, and the
renderer's own masks as truth.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.demo.game import (
    cloud_position,
    draw_background,
    draw_hud,
    labels_after,
    logo_sprite,
    make_layout,
    paint_field,
    plan_rolls,
)
from bot.demo.levels import Labels, puzzle_labels
from bot.demo.render import render_board, render_scene
from bot.demo.themes import COLOURS, theme_named
from bot.frame import Pixels
from bot.games.fling_rules import Balls, Move, apply_move, balls_from_labels, legal_moves
from bot.games.fling_solver import solve

Mask = npt.NDArray[np.bool_]

HUD_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class OverlayScene:
    """Clean frames (each (H, W, 3) uint8 BGR) and the truth: (H, W) bool, True = static.

    timer: (H, W) bool, the pixels the ticking timer changes.
    """

    frames: tuple[Pixels, ...]
    truth: Mask
    timer: Mask


def _field(width: int, height: int, rng: np.random.Generator) -> Pixels:
    """A field of random tiles at a random offset, textured, with two balls."""
    tile = max(8, round(height / 24 * rng.uniform(0.8, 1.3)))
    colours = rng.integers(30, 230, (height // tile + 2, width // tile + 2, 3), dtype=np.uint8)
    big = cv2.resize(colours, None, fx=tile, fy=tile, interpolation=cv2.INTER_NEAREST)
    ox, oy = (int(v) for v in rng.integers(0, tile, 2))
    img = np.ascontiguousarray(big[oy : oy + height, ox : ox + width])
    img = cv2.add(img, rng.integers(0, 24, img.shape, dtype=np.uint8))
    for _ in range(2):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.circle(img, centre, max(4, height // 14), colour, -1, cv2.LINE_AA)
    return np.asarray(img, dtype=np.uint8)


def _hud(width: int, hud_px: int) -> Pixels:
    """The HUD strip: a gradient, a score and three icons (identical every frame)."""
    ramp = np.linspace(20, 90, width, dtype=np.float32)
    strip = np.zeros((hud_px, width, 3), np.uint8)
    strip[..., 0] = (ramp * 1.4).astype(np.uint8)
    strip[..., 1] = ramp.astype(np.uint8)
    strip[..., 2] = 25
    scale = hud_px / 40
    base = int(hud_px * 0.7)
    cv2.putText(strip, "SCORE 012345", (hud_px // 3, base), cv2.FONT_HERSHEY_SIMPLEX, scale,
                (235, 235, 235), max(1, hud_px // 20), cv2.LINE_AA)  # fmt: skip
    for k in range(3):
        centre = (int(width * 0.42) + k * hud_px, hud_px // 2)
        cv2.circle(strip, centre, hud_px // 3, (40, 200, 240), -1, cv2.LINE_AA)
    return strip


def _timer(strip: Pixels, index: int) -> Pixels:
    """The HUD with its timer (centiseconds, 3.3 a frame at 30 fps) drawn at the right."""
    out = strip.copy()
    hud_px, width = strip.shape[:2]
    cs = 1234 + index * 10 // 3
    text = f"TIME {cs // 100:02d}.{cs % 100:02d}"
    scale = hud_px / 40
    cv2.putText(out, text, (int(width * 0.70), int(hud_px * 0.7)), cv2.FONT_HERSHEY_SIMPLEX,
                scale, (255, 255, 255), max(1, hud_px // 20), cv2.LINE_AA)  # fmt: skip
    return out


def _logo(width: int, height: int) -> tuple[Pixels, Mask]:
    """An opaque round logo near the bottom-right of the field: its image and its mask."""
    img = np.zeros((height, width, 3), np.uint8)
    mask = np.zeros((height, width), np.uint8)
    r = max(6, height // 10)
    centre = (width - int(2.2 * r), height - int(1.8 * r))
    cv2.circle(mask, centre, r, 255, -1)
    cv2.circle(img, centre, r, (200, 60, 160), -1)
    cv2.circle(img, centre, int(r * 0.6), (250, 250, 250), max(1, r // 8))
    cv2.putText(img, "TB", (centre[0] - r // 2, centre[1] + r // 4), cv2.FONT_HERSHEY_SIMPLEX,
                r / 40, (20, 20, 20), max(1, r // 12))  # fmt: skip
    return img, mask > 0


def overlay_sequence(count: int, width: int, height: int, seed: int = 0) -> OverlayScene:
    """`count` frames of width x height with a fixed HUD and logo over a changing field."""
    rng = np.random.default_rng(seed)
    hud_px = round(height * HUD_SHARE)
    strip = _hud(width, hud_px)
    logo, logo_mask = _logo(width, height)
    frames = []
    for i in range(count):
        img = _field(width, height, rng)
        img[:hud_px] = _timer(strip, i)
        img[logo_mask] = logo[logo_mask]
        img.flags.writeable = False
        frames.append(img)
    stack = np.stack(frames)
    truth = np.all(stack == stack[0], axis=(0, 3))
    hud_rows = stack[:, :hud_px]
    timer = np.zeros((height, width), bool)
    timer[:hud_px] = ~np.all(hud_rows == hud_rows[0], axis=(0, 3))
    return OverlayScene(tuple(frames), truth, timer)


def jpeg(pixels: Pixels, quality: int) -> Pixels:
    """`pixels` through OpenCV's JPEG encoder at `quality` (4:2:0) and back."""
    ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), dtype=np.uint8)


def _dct_matrix() -> npt.NDArray[np.float32]:
    k = np.arange(8)
    d = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / 16) * np.sqrt(2 / 8)
    d[0] /= np.sqrt(2)
    return np.asarray(d, dtype=np.float32)


DCT8 = _dct_matrix()


def blocky(pixels: Pixels, step: float) -> Pixels:
    """H.264-like blocking: every 8x8 block of each channel DCT-quantised with `step`.

    Vary `step` from frame to frame (as rate control does) and static blocks flicker.
    """
    h, w = pixels.shape[:2]
    ph, pw = -h % 8, -w % 8
    padded = cv2.copyMakeBorder(pixels, 0, ph, 0, pw, cv2.BORDER_REPLICATE).astype(np.float32)
    hh, ww = padded.shape[:2]
    # (rows, 8, cols, 8, 3) -> (rows, cols, 3, 8, 8): one 8x8 block per trailing pair
    blocks = padded.reshape(hh // 8, 8, ww // 8, 8, 3).transpose(0, 2, 4, 1, 3)
    coeffs = DCT8 @ blocks @ DCT8.T
    coeffs = np.round(coeffs / step) * step
    back = (DCT8.T @ coeffs @ DCT8).transpose(0, 3, 1, 4, 2)
    out = np.clip(np.round(back), 0, 255).astype(np.uint8).reshape(hh, ww, 3)
    return np.ascontiguousarray(out[:h, :w])


# ---------------------------------------------------------------- Fling demo sessions

LOGO_CELLS = ((7, 5), (7, 6))
"""The tiles the demo's logo lies over (bottom row, two rightmost columns)."""

FRAME_S = 1 / 60
"""Time between two frames of a demo session (the game redraws at ~60 Hz)."""

SPEED_CELLS_PER_S = 20.0
"""How fast balls roll (the game's default)."""

INK_LEVELS = 16
"""A HUD pixel whose readings differ by more than this (any channel) belongs to the ink
of a changing text; fainter differences are anti-aliasing, below compression noise."""


@dataclass(frozen=True, slots=True)
class DemoTruth:
    """What the renderer knows of a demo session's window, each (H, W) bool.

    hud: the HUD strip but the boxes of its changing texts (level name, moves, timer).
    logo: the badge's pixels (any opacity). timer: the box of the timer's changing digits.
    field: the board. labels: the true board of the last frame (8 rows of 7 labels).
    """

    hud: Mask
    logo: Mask
    timer: Mask
    field: Mask
    labels: Labels


@dataclass(frozen=True, slots=True)
class _Shot:
    """One frame: a level, its balls (None: at rest on `labels`), the HUD's moves and
    clock, and the banner shown (if any)."""

    level: int
    balls: tuple[tuple[str, float, float], ...] | None
    labels: Labels
    moves: int
    seconds: float
    banner: str | None = None


@dataclass(frozen=True, slots=True)
class DemoSession:
    """A Fling demo session in one theme, frame by frame (see `demo_session`)."""

    theme: str
    shots: tuple[_Shot, ...]
    names: tuple[str, ...]
    textures: tuple[int, ...]
    tile_px: int = 64

    def __len__(self) -> int:
        return len(self.shots)

    def frames(self) -> Iterator[Pixels]:
        """Every frame in order, (H, W, 3) uint8 BGR read-only, drawn as they are asked for."""
        layout = make_layout(self.tile_px)
        theme = theme_named(self.theme)
        background = draw_background(layout, theme)
        f = layout.field
        at_rest: dict[tuple[int, Labels], Pixels] = {}
        for shot in self.shots:
            image = background.copy()
            image[: layout.hud.height] = draw_hud(
                layout, theme, self.names[shot.level], shot.moves, shot.seconds
            )
            texture = self.textures[shot.level]
            if shot.balls is None:
                key = (shot.level, shot.labels)
                if key not in at_rest:
                    at_rest[key] = render_board(shot.labels, theme, self.tile_px, texture)
                field = at_rest[key]
            else:
                field = render_scene(shot.balls, theme, self.tile_px, texture)
            cloud = None
            if theme.name == "night":  # redrawn every 0.1 s, as the game does
                cloud = cloud_position(self.tile_px, math.floor(shot.seconds * 10) / 10)
            image[f.y : f.bottom, f.x : f.right] = paint_field(
                field, theme, self.tile_px, cloud, shot.banner
            )
            image.flags.writeable = False
            yield image

    def truth(self) -> DemoTruth:
        """The renderer's masks for this session's window (see DemoTruth)."""
        layout = make_layout(self.tile_px)
        theme = theme_named(self.theme)
        readings = {(s.level, s.moves, int(s.seconds)) for s in self.shots}
        huds = [draw_hud(layout, theme, self.names[k], m, t) for k, m, t in sorted(readings)]
        hud, timer = hud_masks(huds, layout.height)
        _, alpha = logo_sprite(theme, self.tile_px)
        logo = np.zeros_like(hud)
        lg = layout.logo
        logo[lg.y : lg.bottom, lg.x : lg.right] = alpha[..., 0] > 0
        field = np.zeros_like(hud)
        f = layout.field
        field[f.y : f.bottom, f.x : f.right] = True
        return DemoTruth(hud, logo, timer, field, self.shots[-1].labels)


def hud_masks(huds: list[Pixels], height: int) -> tuple[Mask, Mask]:
    """The HUD strip but its changing texts, and the box of the timer's changing digits.

    huds: the strip as shown at each reading, (h, W, 3) uint8 BGR; the demo's three
    texts are the level name (left third), moves (centre) and timer (right third); a text
    changes where some two readings differ by more than INK_LEVELS. Returns two
    (height, W) bool masks of the window (the strip on top).
    """
    strip_height, width = huds[0].shape[:2]
    spread = np.max(huds, axis=0).astype(int) - np.min(huds, axis=0)
    ink = spread.max(axis=2) > INK_LEVELS
    hud = np.zeros((height, width), bool)
    hud[:strip_height] = True
    timer = np.zeros_like(hud)
    thirds = np.linspace(0, width, 4).astype(int)
    for k in range(3):
        rows, cols = np.nonzero(ink[:, thirds[k] : thirds[k + 1]])
        if len(rows):
            box = np.s_[rows.min() : rows.max() + 1,
                        thirds[k] + cols.min() : thirds[k] + cols.max() + 1]  # fmt: skip
            hud[box] = False
            if k == 2:
                timer[box] = True
    return hud, timer


def demo_session(theme: str, levels: int, seed: int = 0, pause_frames: int = 20) -> DemoSession:
    """`levels` levels of `theme` played as the bot plays them, all drawn from `seed`.

    Each level is a solvable puzzle (6 to 8 balls, its own tile texture) whose solution is
    played: every roll animated at 60 frames a second, `pause_frames` at rest after each
    move while the timer runs, then the "SOLVED" banner for a second. Every other level,
    and the last, has balls put on the logo's two tiles; there random legal moves that
    leave those balls be are played instead (five at most), so the session ends with balls
    under the logo.
    """
    rng = np.random.default_rng(seed)
    shots: list[_Shot] = []
    for k in range(levels):
        labels = puzzle_labels(seed * 100 + k, 6 + k % 3)
        forced = k % 2 == 1 or k == levels - 1
        if forced:
            grid = [list(row) for row in labels]
            for r, c in LOGO_CELLS:
                grid[r][c] = f"{COLOURS[(k + c) % len(COLOURS)]}-up"
            labels = tuple(tuple(row) for row in grid)
        shots += _play_level(k, labels, forced, rng, pause_frames)
    names = tuple(f"{theme}-{seed}-{k + 1}" for k in range(levels))
    textures = tuple(seed * 10 + k for k in range(levels))
    return DemoSession(theme, tuple(shots), names, textures)


def _play_level(
    level: int, labels: Labels, forced: bool, rng: np.random.Generator, pause_frames: int
) -> list[_Shot]:
    balls = balls_from_labels(labels)
    plan = None if forced else solve(balls)
    shots: list[_Shot] = []
    clock, moves = 0.0, 0

    def rest(count: int, banner: str | None = None) -> None:
        nonlocal clock
        for _ in range(count):
            shots.append(_Shot(level, None, labels, moves, clock, banner))
            clock += FRAME_S

    rest(pause_frames)
    for step in range(len(plan) if plan is not None else 5):
        move = plan[step] if plan is not None else _move_beside_logo(balls, rng)
        if move is None:
            break
        result = apply_move(balls, move)
        moves += 1
        roll = plan_rolls(labels, result, move.direction, SPEED_CELLS_PER_S)
        elapsed = 0.0
        while elapsed < roll.duration_s:
            shots.append(_Shot(level, roll.balls_at(elapsed), labels, moves, clock))
            elapsed += FRAME_S
            clock += FRAME_S
        labels, balls = labels_after(labels, result), result.balls
        rest(pause_frames)
    if plan is not None:
        rest(60, "SOLVED")
    return shots


def _move_beside_logo(balls: Balls, rng: np.random.Generator) -> Move | None:
    """A random legal move that leaves the balls on the logo's tiles where they are."""
    keep = [
        m for m in legal_moves(balls)
        if m.cell not in LOGO_CELLS and set(LOGO_CELLS) <= apply_move(balls, m).balls
    ]  # fmt: skip
    return keep[int(rng.integers(len(keep)))] if keep else None
