"""Read a board: every cell of the level's grid a label and a confidence, or "unknown".

Fast path: all tiles shrunk at once and scored against every template of the bank in a
few matrix products (weighted NCC, see templates). Tiles it doubts (score below
`score_min` or margin to the runner-up below `margin_min`) go down the slow path: the
same score over every shift within `search_px` (which finds content a few pixels off the
grid), then, if still doubtful and the profile asks for it, over the mean-shift
posterized neighbourhood against the posterized templates. A tile still in doubt is last
scored through a fitted veil (a semi-transparent overlay of one colour, see
templates.veiled_scores), which must clear stricter bars (VEIL_SCORE_MIN,
VEIL_MARGIN_MIN). When the level has colour classes, a tile the fast path doubts that
is one flat colour (largest channel deviation <= colour.flat_std_max) skips those stages
and is named by its mean chromaticity: weighted NCC cannot score a flat tile and is
blind to the gain and offset that tell flat colours apart (sgt samegame's palette,
fifteen's empty gap). A cell still in doubt reads UNKNOWN: the reader never guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from bot.board import UNKNOWN, Board, Cell
from bot.errors import FrameError
from bot.frame import Frame, Pixels
from bot.profile import ColourSpec, GridSpec, LevelProfile, resolve
from bot.vision.color import classify_colour, mean_chromaticity
from bot.vision.grid import check_grid_fits, tile_views
from bot.vision.posterize import posterize
from bot.vision.templates import (
    BankError,
    FloatArray,
    Matcher,
    TemplateBank,
    best_matches,
    load_bank_file,
    shrink_masked,
    shrink_region,
    shrink_tiles,
    veiled_scores,
)

PATH_FAST = "fast"
PATH_SHIFT = "shift"
PATH_POSTERIZED = "posterized"
PATH_VEILED = "veiled"
PATH_COLOUR = "colour"

VEIL_SCORE_MIN = 0.95
"""Lowest veiled score accepted (never below the profile's score_min). Veiled templates
fit better than plain ones, wrong labels too, so the bar is higher than the plain one's."""

VEIL_MARGIN_MIN = 0.06
"""Lowest veiled best-minus-runner-up accepted (never below the profile's margin_min)."""

VEIL_CONFIRM_BELOW = 0.95
"""A tile named other than the profile's empty label with a score below this must be
confirmed by the veil fit, or it reads UNKNOWN: a coloured veil can turn one ball's hue
into another's, which the plain score accepts at 0.90-0.94; clean balls score >= 0.98."""


@dataclass(frozen=True, slots=True)
class CellRead:
    """How one cell was read, for inspection.

    best: the best-scoring label (even when the cell reads UNKNOWN); score: its weighted
    NCC in [-1, 1]; margin: score minus the runner-up's; path: "fast", "shift" or
    "posterized"; offset_xy: where the content was found relative to the grid, pixels.
    """

    best: str
    score: float
    margin: float
    path: str
    offset_xy: tuple[int, int]
    accepted: bool


def load_bank(profile_path: str | Path, level: LevelProfile) -> TemplateBank:
    """Load the bank named by `level.templates.bank`, relative to the profile file.

    Raises BankError when the level names no bank, or the files are missing or bad.
    """
    name = level.templates.bank
    if name is None:
        raise BankError(f"{profile_path}: the level names no templates.bank")
    return load_bank_file(resolve(profile_path, name))


def read_board(
    frame: Frame,
    level: LevelProfile,
    bank: TemplateBank,
    mask: npt.NDArray[np.bool_] | None = None,
) -> Board:
    """Label every cell of `level.grid` in `frame`; UNKNOWN where the evidence is weak.

    frame.pixels: (H, W, 3) uint8 BGR, never modified. mask: optional (H, W) bool, True
    for pixels of a static overlay: they weigh nothing in any score. Confidence is the
    margin of the best template over the runner-up, clipped to [0, 1]. Raises FrameError
    when the mask's shape or dtype is wrong or the grid does not fit in the frame, and
    BankError when the bank's tile size is not the grid's.
    """
    return read_cells(frame, level, bank, mask)[0]


def read_cells(
    frame: Frame,
    level: LevelProfile,
    bank: TemplateBank,
    mask: npt.NDArray[np.bool_] | None = None,
) -> tuple[Board, tuple[tuple[CellRead, ...], ...]]:
    """read_board plus, per cell, the best label, score, margin and path used."""
    grid = level.grid
    pixels = frame.pixels
    _check_inputs(frame, grid, bank, mask)
    spec = level.templates
    rows, cols, n = grid.rows, grid.cols, grid.rows * grid.cols
    ignore = None if mask is None or not _touches(mask, grid) else mask
    tiles_small, keep = _shrink_grid(pixels, grid, bank, ignore)
    scores = bank.fast.scores(tiles_small, keep)
    idx, best, margin = best_matches(scores, bank.labels)
    path = np.full(n, PATH_FAST, dtype=object)
    offsets = np.zeros((n, 2), np.int32)

    # Flat tiles the fast path doubts are named by colour at once: no template stage can
    # score them, and each would cost milliseconds per tile.
    by_colour = _read_flat(
        pixels,
        grid,
        level.colour,
        np.flatnonzero((best < spec.score_min) | (margin < spec.margin_min)),
        ignore,
    )
    flat = np.zeros(n, np.bool_)
    for i, (_, conf) in by_colour.items():
        best[i], margin[i], path[i], flat[i] = conf, conf, PATH_COLOUR, True

    def doubtful() -> npt.NDArray[np.bool_]:
        result: npt.NDArray[np.bool_] = (
            (best < spec.score_min) | (margin < spec.margin_min)
        ) & ~flat
        return result

    stages: list[tuple[str, Matcher, bool]] = []
    if spec.search_px > 0:
        stages.append((PATH_SHIFT, bank.fast, False))
    if level.posterize.on_doubtful_tiles:
        stages.append((PATH_POSTERIZED, bank.fast_posterized, True))
    for name, matcher, posterized in stages:
        for i in (int(j) for j in np.flatnonzero(doubtful())):
            r, c = divmod(i, cols)
            found = _search(pixels, grid, (r, c), bank, matcher, spec.search_px, ignore,
                            level if posterized else None)  # fmt: skip
            if found is None:
                continue
            k, s, m, off = found
            if s > best[i] or (s >= spec.score_min and m > margin[i]):
                idx[i], best[i], margin[i], path[i], offsets[i] = k, s, m, name, off

    accepted = ((best >= spec.score_min) & (margin >= spec.margin_min)) | flat
    veil_bars = (max(spec.score_min, VEIL_SCORE_MIN), max(spec.margin_min, VEIL_MARGIN_MIN))
    named = np.array([label != level.occupancy.empty_label for label in bank.labels])[idx]
    confirm = accepted & named & (best < VEIL_CONFIRM_BELOW) & ~flat
    for i in (int(j) for j in np.flatnonzero(~accepted | confirm)):
        here = (int(offsets[i, 0]), int(offsets[i, 1]))
        if confirm[i]:
            # Named from a low score: the veil fit, where the tile was read, must agree.
            seen = _read_veiled(pixels, grid, divmod(i, cols), bank, (here,), ignore, veil_bars)
            accepted[i] = seen is not None and seen[0] == idx[i]
            continue
        # A doubtful tile's shift is doubtful too: the grid position is tried first.
        tries = tuple(dict.fromkeys([(0, 0), here]))
        veiled = _read_veiled(pixels, grid, divmod(i, cols), bank, tries, ignore, veil_bars)
        if veiled is not None and veiled[4]:
            idx[i], best[i], margin[i], path[i] = veiled[0], veiled[1], veiled[2], PATH_VEILED
            offsets[i], accepted[i] = veiled[3], True
    cells: list[tuple[Cell, ...]] = []
    reads: list[tuple[CellRead, ...]] = []
    for r in range(rows):
        row_cells: list[Cell] = []
        row_reads: list[CellRead] = []
        for c in range(cols):
            i = r * cols + c
            label = by_colour[i][0] if i in by_colour else bank.labels[int(idx[i])]
            conf = float(np.clip(margin[i], 0.0, 1.0))
            ok = bool(accepted[i])
            row_cells.append(Cell(label if ok else UNKNOWN, conf))
            row_reads.append(
                CellRead(label, float(best[i]), float(margin[i]), str(path[i]),
                         (int(offsets[i, 0]), int(offsets[i, 1])), ok)
            )  # fmt: skip
        cells.append(tuple(row_cells))
        reads.append(tuple(row_reads))
    return Board(tuple(cells)), tuple(reads)


def _check_inputs(
    frame: Frame, grid: GridSpec, bank: TemplateBank, mask: npt.NDArray[np.bool_] | None
) -> None:
    what = f"frame {frame.index}"
    check_grid_fits(frame.pixels.shape, grid, what)
    if grid.tile_px != bank.tile_px:
        raise BankError(
            f"{what}: the grid's tiles are {grid.tile_px} px but the bank was built "
            f"from {bank.tile_px} px tiles"
        )
    if mask is not None:
        if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
            kind = getattr(mask, "dtype", type(mask).__name__)
            raise FrameError(f"{what}: overlay mask must be a bool array, got {kind}")
        if mask.shape != frame.pixels.shape[:2]:
            raise FrameError(
                f"{what}: overlay mask {mask.shape} does not match the frame "
                f"{frame.pixels.shape[:2]} (H, W)"
            )


def _read_flat(
    pixels: Pixels,
    grid: GridSpec,
    spec: ColourSpec,
    cells: npt.NDArray[np.intp],
    ignore: npt.NDArray[np.bool_] | None,
) -> dict[int, tuple[str, float]]:
    """Cell index -> (colour class, confidence) for the flat tiles among `cells`.

    A tile is flat when the largest per-channel standard deviation of its unmasked pixels
    is at most spec.flat_std_max (levels); it is named by the nearest class of `spec` by
    mean chromaticity, confidence 1 - distance / max_distance. Tiles that are not flat,
    wholly masked or near no class are left out.
    """
    found: dict[int, tuple[str, float]] = {}
    if not spec.classes:
        return found
    for i in (int(j) for j in cells):
        x, y, w, h = grid.cell_box(*divmod(i, grid.cols))
        tile = pixels[y : y + h, x : x + w].reshape(-1, 3)
        if ignore is not None:
            tile = tile[~ignore[y : y + h, x : x + w].reshape(-1)]
        if tile.shape[0] == 0 or float(tile.std(axis=0).max()) > spec.flat_std_max:
            continue
        match = classify_colour(mean_chromaticity(tile), spec)
        if match.name:
            found[i] = (match.name, 1.0 - match.distance / spec.max_distance)
    return found


def _touches(mask: npt.NDArray[np.bool_], grid: GridSpec) -> bool:
    y, x = grid.origin_y_px, grid.origin_x_px
    return bool(mask[y : y + grid.height_px, x : x + grid.width_px].any())


def _shrink_grid(
    pixels: Pixels,
    grid: GridSpec,
    bank: TemplateBank,
    ignore: npt.NDArray[np.bool_] | None,
) -> tuple[FloatArray, FloatArray | None]:
    """Shrunk tiles (N, D) and kept fractions (N, D) or None when nothing is masked."""
    f = bank.fast_px
    if ignore is not None:
        n = grid.rows * grid.cols
        tiles = tile_views(pixels, grid).reshape(n, grid.tile_px, grid.tile_px, 3)
        skip = tile_views(ignore, grid).reshape(n, grid.tile_px, grid.tile_px)
        return shrink_masked(tiles, skip, f)
    if grid.gap_px == 0:
        y, x = grid.origin_y_px, grid.origin_x_px
        region = pixels[y : y + grid.height_px, x : x + grid.width_px]
        return shrink_region(region, grid.rows, grid.cols, grid.tile_px, f), None
    tiles = tile_views(pixels, grid)
    return shrink_tiles(tiles, f).reshape(grid.rows * grid.cols, -1), None


def _read_veiled(
    pixels: Pixels,
    grid: GridSpec,
    cell: tuple[int, int],
    bank: TemplateBank,
    tries: tuple[tuple[int, int], ...],
    ignore: npt.NDArray[np.bool_] | None,
    bars: tuple[float, float],
) -> tuple[int, float, float, tuple[int, int], bool] | None:
    """(template index, score, margin, offset, cleared) of a tile's veiled scores.

    The tile is tried at each offset (x, y) of `tries` in turn; the first whose best
    clears bars (lowest score, lowest margin) is returned with cleared True, else the
    best-scoring try with cleared False. None when every try leaves the frame.
    """
    found = None
    for off in tries:
        tile, keep = _tile_at(pixels, grid, cell, bank, off, ignore)
        if tile is None:
            continue
        idx, best, margin = best_matches(veiled_scores(bank.fast, tile, keep)[None, :], bank.labels)
        cleared = bool(best[0] >= bars[0] and margin[0] >= bars[1])
        if cleared or found is None or best[0] > found[1]:
            found = (int(idx[0]), float(best[0]), float(margin[0]), off, cleared)
        if cleared:
            break
    return found


def _tile_at(
    pixels: Pixels,
    grid: GridSpec,
    cell: tuple[int, int],
    bank: TemplateBank,
    offset_xy: tuple[int, int],
    ignore: npt.NDArray[np.bool_] | None,
) -> tuple[FloatArray | None, FloatArray | None]:
    """One shrunk tile (D,) at its cell moved by offset_xy, and its kept fractions or None.

    (None, None) when the moved tile leaves the frame.
    """
    t = grid.tile_px
    x0, y0, _, _ = grid.cell_box(*cell)
    x, y = x0 + offset_xy[0], y0 + offset_xy[1]
    height, width = pixels.shape[:2]
    if x < 0 or y < 0 or x + t > width or y + t > height:
        return None, None
    tile = pixels[y : y + t, x : x + t]
    if ignore is None:
        return shrink_tiles(tile, bank.fast_px).reshape(-1), None
    means, keep = shrink_masked(tile[None], ignore[None, y : y + t, x : x + t], bank.fast_px)
    return means[0], keep[0]


def _search(
    pixels: Pixels,
    grid: GridSpec,
    cell: tuple[int, int],
    bank: TemplateBank,
    matcher: Matcher,
    search_px: int,
    ignore: npt.NDArray[np.bool_] | None,
    posterize_level: LevelProfile | None,
) -> tuple[int, float, float, tuple[int, int]] | None:
    """Best (template index, score, margin, offset) over shifts within search_px of a tile.

    Each template takes its best shift. When posterize_level is given the neighbourhood
    is posterized first. None when no shift keeps the tile inside the frame.
    """
    t, f = grid.tile_px, bank.fast_px
    k = t // f
    x0, y0, _, _ = grid.cell_box(*cell)
    height, width = pixels.shape[:2]
    wx0, wy0 = max(x0 - search_px, 0), max(y0 - search_px, 0)
    wx1, wy1 = min(x0 + t + search_px, width), min(y0 + t + search_px, height)
    window = pixels[wy0:wy1, wx0:wx1]
    if posterize_level is not None:
        window = posterize(window, posterize_level.posterize)
    dys = np.arange(wy0 - y0, wy1 - y0 - t + 1)
    dxs = np.arange(wx0 - x0, wx1 - x0 - t + 1)
    if len(dys) == 0 or len(dxs) == 0:
        return None
    keep_win = None if ignore is None else ~ignore[wy0:wy1, wx0:wx1]
    blocks, keep = _shifted_blocks(window, keep_win, dys + (y0 - wy0), dxs + (x0 - wx0), k, f)
    scores = matcher.scores(blocks, keep)  # (shifts, K)
    per_template = scores.max(axis=0)
    where = scores.argmax(axis=0)
    idx, best, margin = best_matches(per_template[None, :], bank.labels)
    j = int(idx[0])
    sy, sx = divmod(int(where[j]), len(dxs))
    return j, float(best[0]), float(margin[0]), (int(dxs[sx]), int(dys[sy]))


def _shifted_blocks(
    window: Pixels,
    keep: npt.NDArray[np.bool_] | None,
    starts_y: npt.NDArray[np.int_],
    starts_x: npt.NDArray[np.int_],
    k: int,
    f: int,
) -> tuple[FloatArray, FloatArray | None]:
    """Block means of the f x f blocks of side k of a tile at every start, via integrals.

    Returns (len(starts_y) * len(starts_x), f * f * 3) means and, with `keep`, the kept
    fractions of the same shape (means then over kept pixels alone).
    """
    steps = k * np.arange(f)
    r0 = (starts_y[:, None] + steps[None, :])[:, None, :, None]
    c0 = (starts_x[:, None] + steps[None, :])[None, :, None, :]

    def box(integral: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        out: npt.NDArray[np.float64] = (
            integral[r0 + k, c0 + k]
            - integral[r0, c0 + k]
            - integral[r0 + k, c0]
            + integral[r0, c0]
        )
        return out

    src = np.ascontiguousarray(window)
    if keep is None:
        sums = box(np.asarray(cv2.integral(src, sdepth=cv2.CV_64F)))
        means = (sums / (k * k)).astype(np.float32)
        return means.reshape(len(starts_y) * len(starts_x), -1), None
    kept = keep.astype(np.float64)
    masked = src.astype(np.float64) * kept[..., None]
    sums = box(np.asarray(cv2.integral(masked, sdepth=cv2.CV_64F)))
    counts = box(np.asarray(cv2.integral(kept, sdepth=cv2.CV_64F)))[..., None]
    means = np.where(counts > 0, sums / np.maximum(counts, 1.0), 0.0).astype(np.float32)
    frac = np.broadcast_to(counts / (k * k), means.shape).astype(np.float32)
    n = len(starts_y) * len(starts_x)
    return means.reshape(n, -1), frac.reshape(n, -1)
