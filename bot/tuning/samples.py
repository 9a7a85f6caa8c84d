"""Labelled tiles: the tiles of a recording's labelled frames, paired with their labels.

A label file's frames are checked against the recording and the grid first: every frame
must be in the recording and have the grid's rows and columns of labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.frame import Pixels
from bot.profile import GridSpec, LevelProfile, PosterizeSpec
from bot.recording import Recording
from bot.tuning.frames import events_by_index
from bot.tuning.labels import UNLABELLED, LabelError, LabelFile
from bot.vision.grid import check_grid_fits, tile_views
from bot.vision.posterize import posterize
from bot.vision.templates import best_matches, build_bank, shrink_tiles

FAST_PX_MOST = 16
"""Side of the shrunk tiles a bank compares, at most (a divisor of the tile size)."""

FAST_PX_LEAST = 8
"""Below this the shrunk tiles lose the shapes; a larger divisor (or the tile) is used."""

FAST_PX_LARGEST = 32
"""choose_fast_px tries shrunk sides up to this (thin strokes need more than 16 px)."""

SEPARATED_SHARE = 0.99
"""choose_fast_px settles for the first side that tells this share of samples apart."""

POSTERIZE_PAD_PX = 8
"""Context around the board posterized with it: a tile's edge sees its neighbours as it
does when the reader posterizes a doubtful tile's neighbourhood."""


@dataclass(frozen=True, slots=True, eq=False)
class TileSample:
    """One labelled tile: where it is, its label and pixels.

    tile, posterized: (t, t, 3) uint8 BGR copies (posterized is the tile's part of the
    posterized board, or the tile itself when posterizing was not asked for).
    """

    frame: int
    row: int
    col: int
    label: str
    tile: Pixels
    posterized: Pixels


def check_labels_fit(labels: LabelFile, source: Path, recording: Recording, grid: GridSpec) -> None:
    """LabelError naming `source` and the frame when a labelled frame is not in the
    recording or its rows and columns are not the grid's."""
    events = events_by_index(recording)
    for index, rows in labels.frames.items():
        if index not in events:
            first, last = (min(events), max(events)) if events else (0, -1)
            raise LabelError(
                f"{source}: [frame {index}] is not in {recording.path} (frames {first}..{last})"
            )
        shape = (len(rows), len(rows[0]) if rows else 0)
        if shape != (grid.rows, grid.cols):
            raise LabelError(
                f"{source}: [frame {index}] has {shape[0]}x{shape[1]} labels (rows x cols) "
                f"but the grid has {grid.rows}x{grid.cols} tiles"
            )


def touches_overlay(
    grid: GridSpec, regions: list[tuple[int, int, int, int]]
) -> set[tuple[int, int]]:
    """The cells (row, col) whose tile overlaps any region (x, y, w, h in frame pixels)."""
    hit: set[tuple[int, int]] = set()
    for r in range(grid.rows):
        for c in range(grid.cols):
            x, y, w, h = grid.cell_box(r, c)
            for rx, ry, rw, rh in regions:
                if x < rx + rw and rx < x + w and y < ry + rh and ry < y + h:
                    hit.add((r, c))
    return hit


def labelled_tiles(
    recording: Recording,
    labels: LabelFile,
    level: LevelProfile,
    source: Path,
    *,
    posterized: bool = True,
    skip_overlays: bool = True,
) -> list[TileSample]:
    """Every tile of the labelled frames whose label is not UNLABELLED, frame by frame.

    posterized: also posterize each board with level.posterize (mean shift: ~0.3 s a
    board). skip_overlays: leave out tiles under the level's overlay regions (a logo's
    pixels would teach the template the logo). Raises LabelError (see check_labels_fit)
    and FrameError when the grid does not fit a frame.
    """
    grid = level.grid
    check_labels_fit(labels, source, recording, grid)
    events = events_by_index(recording)
    covered = touches_overlay(grid, level.overlay_regions) if skip_overlays else set()
    out: list[TileSample] = []
    for index, rows in labels.frames.items():
        frame = recording.load(events[index])
        check_grid_fits(frame.pixels.shape, grid, f"{recording.path} frame {index}")
        tiles = tile_views(frame.pixels, grid)
        flat = posterized_tiles(frame.pixels, grid, level.posterize) if posterized else tiles
        for r, row in enumerate(rows):
            for c, label in enumerate(row):
                if label == UNLABELLED or (r, c) in covered:
                    continue
                out.append(
                    TileSample(
                        index,
                        r,
                        c,
                        label,
                        np.ascontiguousarray(tiles[r, c]),
                        np.ascontiguousarray(flat[r, c]),
                    )
                )
    return out


def posterized_tiles(pixels: Pixels, grid: GridSpec, spec: PosterizeSpec) -> Pixels:
    """The grid's tiles of `pixels` ((H, W, 3) uint8 BGR), posterized with POSTERIZE_PAD_PX
    of context around the board: (rows, cols, t, t, 3) uint8, a new array's view."""
    pad = POSTERIZE_PAD_PX
    height, width = pixels.shape[:2]
    x0, y0 = max(0, grid.origin_x_px - pad), max(0, grid.origin_y_px - pad)
    x1 = min(width, grid.origin_x_px + grid.width_px + pad)
    y1 = min(height, grid.origin_y_px + grid.height_px + pad)
    flat = posterize(pixels[y0:y1, x0:x1], spec)
    shifted = grid.model_copy(
        update={"origin_x_px": grid.origin_x_px - x0, "origin_y_px": grid.origin_y_px - y0}
    )
    return tile_views(flat, shifted)


def fast_px_for(tile_px: int) -> int:
    """The bank's shrunk side for `tile_px` tiles: the largest divisor <= FAST_PX_MOST,
    or, when that is below FAST_PX_LEAST, the smallest divisor >= FAST_PX_LEAST."""
    divisors = [d for d in range(1, tile_px + 1) if tile_px % d == 0]
    below = max(d for d in divisors if d <= FAST_PX_MOST)
    return below if below >= FAST_PX_LEAST else min(d for d in divisors if d >= FAST_PX_LEAST)


def choose_fast_px(
    tiles: Sequence[Pixels], labels: Sequence[str], tile_px: int, margin_min: float
) -> int:
    """The smallest workable shrunk side for a bank of these samples.

    tiles: (t, t, 3) uint8 BGR, labels: one per tile (at least two distinct). From
    fast_px_for(tile_px) up through the divisors of tile_px to FAST_PX_LARGEST, a bank is
    built at each side and scores its own samples: the first side at which at least
    SEPARATED_SHARE of them match their own label by `margin_min` or more is chosen, else
    the side that separated most (thin strokes, such as digits, blur together at 16 px).
    """
    first = fast_px_for(tile_px)
    sides = [first] + [d for d in range(first + 1, FAST_PX_LARGEST + 1) if tile_px % d == 0]
    stacked = np.stack(list(tiles))
    best_side, best_share = first, -1.0
    for side in sides:
        bank = build_bank(zip(tiles, labels, strict=True), fast_px=side)
        scores = bank.fast.scores(shrink_tiles(stacked, side).reshape(len(stacked), -1))
        index, _, margin = best_matches(scores, bank.labels)
        own = np.array([bank.labels.index(label) for label in labels])
        share = float(np.mean((index == own) & (margin >= margin_min)))
        if share >= SEPARATED_SHARE:
            return side
        if share > best_share:
            best_side, best_share = side, share
    return best_side
