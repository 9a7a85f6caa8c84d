"""Guess static overlays over the board (a logo, a badge) from discovered clusters.

A logo drawn over a cell changes that cell's look in every frame, so discovery puts the
cell's tiles in a cluster of their own: a cluster whose tiles all sit on one cell, in at
least FRAMES_SHARE of the chosen frames (and FRAMES_MIN). When its typical tile (the
per-pixel median) differs from the bare background's (the empty cluster's) only in part
of the tile (at most AREA_MAX of it by more than DIFF_MIN levels, and on average by at
most REST_MAX levels elsewhere), that part is an overlay: its bounding box, one pixel
wider each way, becomes an overlay region (frame pixels), and boxes that touch are
joined. A cluster that differs from the background over the whole tile is a kind of its
own (a piece that never moves), never an overlay.

The guess errs on the side of none: a cell whose overlaid look is close enough to the
background to join the empty cluster is not found (its tiles read as they would without
a guess), and a cluster seen on two cells or in few frames is never taken. A wrong
overlay would hide what tells kinds apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.tuning.discover import Discovery, TileSet

FRAMES_SHARE = 0.5
"""Least share of the chosen frames a cluster must show on its one cell."""

FRAMES_MIN = 3
"""Fewest frames a cluster must show on its one cell."""

DIFF_MIN = 24.0
"""Levels (largest channel) by which an overlaid pixel's typical value differs from the
background's."""

AREA_MAX = 0.5
"""Largest share of a tile an overlay may cover."""

REST_MAX = 8.0
"""Largest mean difference (levels) from the background outside the overlay."""

Box = tuple[int, int, int, int]
"""(x, y, width, height) in frame pixels."""


@dataclass(frozen=True, slots=True)
class OverlayGuess:
    """An overlay region and the cells it was seen over."""

    box: Box
    cells: tuple[tuple[int, int], ...]


def guess_overlays(discovery: Discovery, empty: str | None) -> tuple[OverlayGuess, ...]:
    """The overlays over the board (see the module docstring); () without an empty cluster."""
    if empty is None or empty not in discovery.names:
        return ()
    tiles = discovery.tiles
    labels = discovery.clustering.labels
    cells = np.asarray(tiles.cells, dtype=np.int64).reshape(-1, 3)
    frames = len(np.unique(cells[:, 0]))
    background = _typical(tiles.tiles[labels == discovery.names.index(empty)])
    found: list[OverlayGuess] = []
    for k, name in enumerate(discovery.names):
        members = np.flatnonzero(labels == k)
        if name == empty or members.size == 0:
            continue
        where = {(int(r), int(c)) for _, r, c in cells[members]}
        shown = len(np.unique(cells[members, 0]))
        if len(where) != 1 or shown < max(FRAMES_MIN, FRAMES_SHARE * frames):
            continue
        box = _overlay_box(_typical(tiles.tiles[members]), background)
        if box is not None:
            cell = where.pop()
            x0, y0, _, _ = tiles.grid.cell_box(*cell)
            found.append(OverlayGuess((x0 + box[0], y0 + box[1], box[2], box[3]), (cell,)))
    return _join(found)


def without_cells(tiles: TileSet, skip: frozenset[tuple[int, int]]) -> TileSet:
    """`tiles` with every tile on a cell of `skip` left out."""
    keep = np.asarray([(r, c) not in skip for _, r, c in tiles.cells], dtype=np.bool_)
    cells = tuple(cell for cell, kept in zip(tiles.cells, keep.tolist(), strict=True) if kept)
    return TileSet(tiles.grid, cells, tiles.tiles[keep], tiles.posterized[keep])


def _typical(tiles: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """Per-pixel median of (M, t, t, 3) uint8 tiles: (t, t, 3) float32."""
    out: npt.NDArray[np.float32] = np.median(tiles, axis=0).astype(np.float32)
    return out


def _overlay_box(look: npt.NDArray[np.float32], background: npt.NDArray[np.float32]) -> Box | None:
    """The tile-pixel box where `look` is `background` with an overlay on part of it."""
    diff = np.abs(look - background)
    region = (diff.max(axis=-1) > DIFF_MIN).astype(np.uint8)
    region = cv2.morphologyEx(region, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    if not region.any() or float(region.mean()) > AREA_MAX:
        return None
    near = cv2.dilate(region, np.ones((5, 5), np.uint8)).astype(np.bool_)
    if float(diff[~near].mean()) > REST_MAX:
        return None
    t = region.shape[0]
    ys, xs = np.nonzero(region)
    x0, y0 = max(int(xs.min()) - 1, 0), max(int(ys.min()) - 1, 0)
    x1, y1 = min(int(xs.max()) + 2, t), min(int(ys.max()) + 2, t)
    return x0, y0, x1 - x0, y1 - y0


def _join(guesses: Sequence[OverlayGuess]) -> tuple[OverlayGuess, ...]:
    """Guesses whose boxes touch or overlap joined into one, in order of first cell."""
    out = list(guesses)
    joined = True
    while joined:
        joined = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                if _touch(out[i].box, out[j].box):
                    a, b = out[i], out[j]
                    x0, y0 = min(a.box[0], b.box[0]), min(a.box[1], b.box[1])
                    x1 = max(a.box[0] + a.box[2], b.box[0] + b.box[2])
                    y1 = max(a.box[1] + a.box[3], b.box[1] + b.box[3])
                    out[i] = OverlayGuess((x0, y0, x1 - x0, y1 - y0), a.cells + b.cells)
                    del out[j]
                    joined = True
                    break
            if joined:
                break
    return tuple(sorted(out, key=lambda g: min(g.cells)))


def _touch(a: Box, b: Box) -> bool:
    """True when boxes a and b overlap or share an edge (one pixel apart at most)."""
    return (
        a[0] <= b[0] + b[2] and b[0] <= a[0] + a[2] and a[1] <= b[1] + b[3] and b[1] <= a[1] + a[3]
    )
