"""Choose a level's border-statistics setting (occupancy) from hand-labelled frames.

The reader asks border statistics (bot.vision.border) about one kind of tile only: one
the veil fit names empty without clearing the veil's stricter bars (a tile partly under
a cloud, a tint, a shadow). It reads empty when nothing is found on it, so the setting
must tell every labelled empty tile from every labelled occupied one, with room to spare.

For each (z_limit, inset_px) of a small grid, every labelled cell's largest foreground
blob is measured (overlay pixels never count): E, the largest blob on an empty tile, and
O, the smallest on an occupied one. The pair with the widest gap (O + 1) / (E + 1) is
chosen, if that gap is at least GAP_MIN, with min_blob_px at its geometric middle; the
stage is then turned on (reads_empty). With no gap that wide it is turned off, and with
no labelled empty or occupied cell the level's setting stays as it is: nothing shows
either way. ring_px is the level's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from bot.frame import Pixels
from bot.profile import LevelProfile, OccupancySpec
from bot.settle import regions_mask
from bot.tuning.labels import UNLABELLED
from bot.vision.border import occupancy
from bot.vision.grid import tile_views

Z_LIMITS = (2.5, 3.0, 3.5, 4.0, 5.0, 6.0)
"""z_limit values tried."""

INSETS = (0, 1, 2, 3, 4)
"""inset_px values tried (those whose ring does not fit the tile are left out)."""

GAP_MIN = 2.0
"""Smallest (O + 1) / (E + 1) accepted: the smallest occupied tile's blob must be at least
about twice the largest empty tile's, or the stage stays off."""


@dataclass(frozen=True, slots=True, order=True)
class Border:
    """The occupancy fields tuning changes (see OccupancySpec)."""

    reads_empty: bool
    z_limit: float
    inset_px: int
    min_blob_px: int

    @classmethod
    def of(cls, level: LevelProfile) -> Border:
        """The setting `level` reads with now."""
        o = level.occupancy
        return cls(o.reads_empty, o.z_limit, o.inset_px, o.min_blob_px)

    def apply(self, level: LevelProfile) -> LevelProfile:
        """`level` with this setting's values."""
        spec = level.occupancy.model_copy(update=self.fields(prefix=""))
        return level.model_copy(update={"occupancy": spec})

    def fields(self, prefix: str = "occupancy.") -> dict[str, float | int | bool]:
        """Profile field path ("occupancy.z_limit", ...) -> value."""
        return {
            f"{prefix}reads_empty": self.reads_empty,
            f"{prefix}z_limit": self.z_limit,
            f"{prefix}inset_px": self.inset_px,
            f"{prefix}min_blob_px": self.min_blob_px,
        }

    def describe(self) -> str:
        """One line: "border z 4 inset 2 blob 105", or "border off"."""
        if not self.reads_empty:
            return "border off"
        return f"border z {self.z_limit:.3g} inset {self.inset_px} blob {self.min_blob_px}"


def candidate_specs(level: LevelProfile) -> tuple[OccupancySpec, ...]:
    """The (z_limit, inset_px) pairs tried, as specs (Z_LIMITS outer, INSETS inner)."""
    o, t = level.occupancy, level.grid.tile_px
    insets = [i for i in INSETS if 2 * (i + o.ring_px) + 1 <= t]
    return tuple(
        o.model_copy(update={"z_limit": z, "inset_px": i}) for z in Z_LIMITS for i in insets
    )


def blob_sizes(pixels: Pixels, level: LevelProfile) -> npt.NDArray[np.int32]:
    """Largest foreground blob of every cell for each candidate spec: (C, N) int32.

    pixels: (H, W, 3) uint8 BGR frame; C = len(candidate_specs(level)); N cells in
    row-major order. The level's overlay regions weigh nothing.
    """
    grid = level.grid
    tiles = np.ascontiguousarray(tile_views(pixels, grid))
    ignore = None
    if level.overlay_regions:
        height, width = pixels.shape[:2]
        mask = regions_mask(height, width, level.overlay_regions)
        ignore = np.ascontiguousarray(tile_views(mask, grid))
    specs = candidate_specs(level)
    return np.stack([occupancy(tiles, spec, ignore).blob_px.reshape(-1) for spec in specs])


def choose_border(
    blobs: Sequence[npt.NDArray[np.int32]], truths: Sequence[Sequence[str]], level: LevelProfile
) -> Border:
    """The setting for `level` from frames' blob_sizes and their row-major true labels
    (see the module docstring)."""
    empty = level.occupancy.empty_label
    specs = candidate_specs(level)
    largest_empty = np.full(len(specs), -1, np.int64)
    smallest_full = np.full(len(specs), np.iinfo(np.int64).max, np.int64)
    for sizes, truth in zip(blobs, truths, strict=True):
        labels = np.asarray(truth, dtype=object)
        is_empty = labels == empty
        is_full = ~is_empty & (labels != UNLABELLED)
        if is_empty.any():
            largest_empty = np.maximum(largest_empty, sizes[:, is_empty].max(axis=1))
        if is_full.any():
            smallest_full = np.minimum(smallest_full, sizes[:, is_full].min(axis=1))
    if largest_empty[0] < 0 or smallest_full[0] == np.iinfo(np.int64).max:
        return Border.of(level)
    gaps = (smallest_full + 1) / (largest_empty + 1)
    best = int(np.argmax(gaps))  # the first of equals: the smaller z_limit, then inset
    if gaps[best] < GAP_MIN:
        return replace(Border.of(level), reads_empty=False)
    e, o = int(largest_empty[best]), int(smallest_full[best])
    middle = round(math.sqrt((e + 1) * (o + 1)))
    spec = specs[best]
    return Border(True, spec.z_limit, spec.inset_px, min(max(middle, e + 1), o))
