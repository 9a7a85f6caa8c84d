"""Read a board: every cell of the level's grid a label and a confidence, or "unknown".

Fast path: all tiles shrunk at once and scored against every template of the bank in a
few matrix products (weighted NCC, see templates); only the tiles a static overlay
touches pay for masked means. Tiles it doubts (score below `score_min` or margin to the
runner-up below `margin_min`) go down the slow path, cheapest stage first:
- when the level has colour classes, a tile that is one flat colour (largest channel
  deviation <= colour.flat_std_max) is named by its mean chromaticity at once: weighted
  NCC cannot score a flat tile and is blind to the gain and offset that tell flat
  colours apart (sgt samegame's palette, fifteen's empty gap);
- the same score over every shift within `search_px` (content a few pixels off the
  grid), all doubtful tiles in one batch (~0.1 ms a tile);
- the costly stages, for the tiles still in doubt and those named from a low score
  (templates.confirm_below): a fitted veil (a semi-transparent overlay of one colour, see
  templates.veiled_scores, ~1 ms a tile) that must clear stricter bars (VEIL_SCORE_MIN,
  VEIL_MARGIN_MIN); where the veil fit names the empty label clearing only the profile's
  bars and the profile asks for it (occupancy.reads_empty), border statistics decide:
  nothing on the tile (bot.vision.border, ~0.05 ms) and it reads empty; and only where
  these do not decide and the profile asks for it, the mean-shift posterized
  neighbourhood against the posterized templates (~7 ms).
A frame with more than SLOW_TILES_MAX tiles for the costly stages is mostly hidden (a
banner, a transition): they are skipped, and the shift search stops early (PROBE_TILES).
A cell still in doubt reads UNKNOWN: the reader never guesses, and a bot waits for
another frame rather than act on a board with an UNKNOWN cell.
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
from bot.profile import ColourSpec, GridSpec, LevelProfile, OccupancySpec, TemplateSpec, resolve
from bot.vision.border import occupancy
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
PATH_BORDER = "border"
PATH_COLOUR = "colour"

VEIL_SCORE_MIN = 0.95
"""Lowest veiled score accepted (never below the profile's score_min). Veiled templates
fit better than plain ones, wrong labels too, so the bar is higher than the plain one's."""

VEIL_MARGIN_MIN = 0.06
"""Lowest veiled best-minus-runner-up accepted (never below the profile's margin_min)."""

VEIL_CONFIRM_BELOW = 0.95
"""The default of templates.confirm_below: a tile named other than the profile's empty
label with a score below it must be confirmed by the veil fit, or it reads UNKNOWN: a
coloured veil can turn one ball's hue into another's, which the plain score accepts at
0.90-0.94; clean Fling balls score >= 0.98. Games drawn without veils turn it off."""


SLOW_TILES_MAX = 10
"""Most tiles of one frame the costly stages (veil fit ~1 ms, posterize ~7 ms a tile)
take on. A frame with more tiles left in doubt after the shift search is mostly hidden
(a banner, a transition, a tool window): those tiles read UNKNOWN at once. A board with
an UNKNOWN cell is never acted on, so the bot loses nothing: it reads the next frame.
The Fling night cloud leaves at most 8 tiles in doubt, the SOLVED banner 14."""


PROBE_TILES = 1
"""When more than SLOW_TILES_MAX tiles are doubtful after the fast path, the most
promising of them are shift-searched first, this many: if they stay in doubt the frame is
mostly hidden and the rest read UNKNOWN unsearched. Content merely off the grid (what the
shift search is for) is found in them at once, and the rest is then searched in full."""


Hit = tuple[int, float, float, tuple[int, int]]
"""A slow stage's find for one cell: template index, score, margin, offset (x, y)."""


@dataclass(frozen=True, slots=True)
class Masked:
    """The tiles an overlay touches: rows (M,) of the shrunk tiles, keep (M, D) float32
    kept fractions."""

    rows: npt.NDArray[np.intp]
    keep: FloatArray


@dataclass(frozen=True, slots=True)
class CellRead:
    """How one cell was read, for inspection.

    best: the best-scoring label (even when the cell reads UNKNOWN); score: its weighted
    NCC in [-1, 1]; margin: score minus the runner-up's; path: the stage that named it
    (PATH_FAST, PATH_SHIFT, PATH_COLOUR, PATH_VEILED, PATH_BORDER, PATH_POSTERIZED): for
    colour reads score and margin are 1 - distance / max_distance, for border reads the
    veil fit's; offset_xy: where the content was found relative to the grid, pixels.
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
    labels, accepted, work = _read(frame, level, bank, mask)
    return _board(labels, accepted, work.margin, level.grid.cols)


def read_cells(
    frame: Frame,
    level: LevelProfile,
    bank: TemplateBank,
    mask: npt.NDArray[np.bool_] | None = None,
) -> tuple[Board, tuple[tuple[CellRead, ...], ...]]:
    """read_board plus, per cell, the best label, score, margin and path used."""
    labels, accepted, work = _read(frame, level, bank, mask)
    cols = level.grid.cols
    offsets = [(int(dx), int(dy)) for dx, dy in work.offsets.tolist()]
    fields = zip(labels, work.best.tolist(), work.margin.tolist(), work.path.tolist(), offsets,
                 accepted.tolist(), strict=True)  # fmt: skip
    reads = [CellRead(*cell) for cell in fields]
    return _board(labels, accepted, work.margin, cols), tuple(
        tuple(reads[r : r + cols]) for r in range(0, len(reads), cols)
    )


def _board(
    labels: list[str], accepted: npt.NDArray[np.bool_], margin: FloatArray, cols: int
) -> Board:
    """The Board of N labels, UNKNOWN where not accepted, confidence the clipped margin."""
    confs = np.clip(margin, 0.0, 1.0).tolist()
    cells = [
        Cell(lab if ok else UNKNOWN, conf)
        for lab, ok, conf in zip(labels, accepted.tolist(), confs, strict=True)
    ]
    return Board(tuple(tuple(cells[r : r + cols]) for r in range(0, len(cells), cols)))


def _read(
    frame: Frame,
    level: LevelProfile,
    bank: TemplateBank,
    mask: npt.NDArray[np.bool_] | None,
) -> tuple[list[str], npt.NDArray[np.bool_], _Work]:
    """Every cell's best label, whether it is accepted, and the stages' findings."""
    grid = level.grid
    pixels = frame.pixels
    _check_inputs(frame, grid, bank, mask)
    spec = level.templates
    n = grid.rows * grid.cols
    tiles_small, keep = _shrink_grid(pixels, grid, bank, mask)
    idx, best, margin = best_matches(_scores(bank.fast, tiles_small, keep), bank.labels)
    work = _Work(idx, best, margin, np.full(n, PATH_FAST, dtype=object), np.zeros((n, 2), np.int32))
    # Flat tiles the fast path doubts are named by colour at once: no template stage can
    # score them, and each would cost milliseconds per tile.
    by_colour = _read_flat(pixels, grid, level.colour, np.flatnonzero(~work.clears(spec)), mask)
    flat = np.zeros(n, np.bool_)
    for i, (_, conf) in by_colour.items():
        best[i], margin[i], work.path[i], flat[i] = conf, conf, PATH_COLOUR, True
    unsearched = _shift_stage(
        work, pixels, grid, bank, spec, mask, np.flatnonzero(~work.clears(spec) & ~flat)
    )
    accepted = (work.clears(spec) | flat) & ~unsearched
    named = np.array([label != level.occupancy.empty_label for label in bank.labels])
    confirm = accepted & named[idx] & (best < spec.confirm_below) & ~flat
    costly = np.flatnonzero(~accepted | confirm)
    if unsearched.any() or len(costly) > SLOW_TILES_MAX:
        # Mostly hidden (a banner, a transition): no read of this frame can be acted on.
        accepted &= ~confirm
    else:
        for i in (int(j) for j in costly):
            accepted[i] = _costly_stages(work, i, bool(confirm[i]), pixels, level, bank, named,
                                         mask)  # fmt: skip
    labels = [by_colour[i][0] if i in by_colour else bank.labels[k] for i, k in enumerate(idx)]
    return labels, accepted, work


@dataclass(frozen=True, slots=True)
class _Work:
    """The arrays one read fills in stage by stage (N cells): best template index, its
    score and margin, the path that found it and the content's offset (x, y)."""

    idx: npt.NDArray[np.intp]
    best: FloatArray
    margin: FloatArray
    path: npt.NDArray[np.object_]
    offsets: npt.NDArray[np.int32]

    def clears(self, spec: TemplateSpec) -> npt.NDArray[np.bool_]:
        """(N,) bool: the cells whose score and margin clear the profile's bars."""
        result: npt.NDArray[np.bool_] = (self.best >= spec.score_min) & (
            self.margin >= spec.margin_min
        )
        return result

    def offer(self, i: int, hit: Hit, path: str, score_min: float) -> bool:
        """Take a slow stage's find for cell i when it beats what the cell has: a higher
        score, or an acceptable one with a wider margin. True when taken."""
        if not (hit[1] > self.best[i] or (hit[1] >= score_min and hit[2] > self.margin[i])):
            return False
        self.idx[i], self.best[i], self.margin[i] = hit[0], hit[1], hit[2]
        self.path[i], self.offsets[i] = path, hit[3]
        return True


def _shift_stage(
    work: _Work,
    pixels: Pixels,
    grid: GridSpec,
    bank: TemplateBank,
    spec: TemplateSpec,
    ignore: npt.NDArray[np.bool_] | None,
    doubtful: npt.NDArray[np.intp],
) -> npt.NDArray[np.bool_]:
    """Search the doubtful cells' shifts; (N,) bool of the cells left unsearched.

    With more than SLOW_TILES_MAX doubtful, the PROBE_TILES best-scoring go first and
    the rest only when they come out clear (see PROBE_TILES).
    """
    unsearched = np.zeros(len(work.idx), np.bool_)
    if spec.search_px <= 0 or len(doubtful) == 0:
        return unsearched
    order = doubtful[np.argsort(-work.best[doubtful], kind="stable")]
    parts = [order]
    if len(order) > SLOW_TILES_MAX:
        parts = [order[:PROBE_TILES], order[PROBE_TILES:]]
    for k, part in enumerate(parts):
        found = _search_cells(pixels, grid, part, bank, spec.search_px, ignore)
        for i, hit in zip((int(j) for j in part), found, strict=True):
            if hit is not None:
                work.offer(i, hit, PATH_SHIFT, spec.score_min)
        if k < len(parts) - 1 and not work.clears(spec)[part].all():
            unsearched[order[PROBE_TILES:]] = True
            break
    return unsearched


def _costly_stages(
    work: _Work,
    i: int,
    confirm: bool,
    pixels: Pixels,
    level: LevelProfile,
    bank: TemplateBank,
    named: npt.NDArray[np.bool_],
    ignore: npt.NDArray[np.bool_] | None,
) -> bool:
    """Whether cell i reads after the veil fit (then border statistics and posterizing,
    when the profile asks for them).

    confirm: the cell is named from a low score and only needs the veil fit to agree.
    named: (K,) bool, True for the bank's labels other than the empty one.
    """
    grid, spec = level.grid, level.templates
    cell = divmod(i, grid.cols)
    bars = (max(spec.score_min, VEIL_SCORE_MIN), max(spec.margin_min, VEIL_MARGIN_MIN))
    here = (int(work.offsets[i, 0]), int(work.offsets[i, 1]))
    if confirm:
        # Named from a low score: the veil fit, where the tile was read, must agree.
        seen = _read_veiled(pixels, grid, cell, bank, (here,), ignore, bars)
        return seen is not None and seen[0] == work.idx[i]
    # A doubtful tile's shift is doubtful too: the grid position is tried first.
    tries = tuple(dict.fromkeys([(0, 0), here]))
    veiled = _read_veiled(pixels, grid, cell, bank, tries, ignore, bars)
    if veiled is not None and veiled[4]:
        work.idx[i], work.best[i], work.margin[i] = veiled[0], veiled[1], veiled[2]
        work.path[i], work.offsets[i] = PATH_VEILED, veiled[3]
        return True
    if (
        veiled is not None
        and level.occupancy.reads_empty
        and not named[veiled[0]]
        and veiled[1] >= spec.score_min
        and veiled[2] >= spec.margin_min
        and _unoccupied(pixels, grid, cell, level.occupancy, ignore)
    ):
        work.idx[i], work.best[i], work.margin[i] = veiled[0], veiled[1], veiled[2]
        work.path[i], work.offsets[i] = PATH_BORDER, veiled[3]
        return True
    if not level.posterize.on_doubtful_tiles:
        return False
    hit = _search(pixels, grid, cell, bank, bank.fast_posterized, spec.search_px, ignore, level)
    if hit is None or not work.offer(i, hit, PATH_POSTERIZED, spec.score_min):
        return False
    if not work.clears(spec)[i]:
        return False
    if named[work.idx[i]] and work.best[i] < spec.confirm_below:
        seen = _read_veiled(pixels, grid, cell, bank, (hit[3],), ignore, bars)
        return seen is not None and seen[0] == work.idx[i]
    return True


def _unoccupied(
    pixels: Pixels,
    grid: GridSpec,
    cell: tuple[int, int],
    spec: OccupancySpec,
    ignore: npt.NDArray[np.bool_] | None,
) -> bool:
    """True when border statistics find nothing on the cell's tile at its grid position
    (largest foreground blob below spec.min_blob_px; overlay pixels never count)."""
    x, y, w, h = grid.cell_box(*cell)
    tile = pixels[y : y + h, x : x + w][None, None]
    skip = None if ignore is None else ignore[y : y + h, x : x + w][None, None]
    return not bool(occupancy(tile, spec, skip).occupied[0, 0])


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


def _shrink_grid(
    pixels: Pixels,
    grid: GridSpec,
    bank: TemplateBank,
    ignore: npt.NDArray[np.bool_] | None,
) -> tuple[FloatArray, Masked | None]:
    """Shrunk tiles (N, D), and for the tiles an overlay touches their rows and kept
    fractions (None when it touches none): only those pay for the masked means."""
    f, n, t = bank.fast_px, grid.rows * grid.cols, grid.tile_px
    if grid.gap_px == 0:
        y, x = grid.origin_y_px, grid.origin_x_px
        region = pixels[y : y + grid.height_px, x : x + grid.width_px]
        tiles = shrink_region(region, grid.rows, grid.cols, t, f)
    else:
        tiles = shrink_tiles(tile_views(pixels, grid), f).reshape(n, -1)
    if ignore is None:
        return tiles, None
    rows = _touched_tiles(ignore, grid)
    if len(rows) == 0:
        return tiles, None
    skip = tile_views(ignore, grid).reshape(n, t, t)[rows]
    views = tile_views(pixels, grid).reshape(n, t, t, 3)[rows]
    means, keep = shrink_masked(views, skip, f)
    tiles[rows] = means
    return tiles, Masked(rows, keep)


def _touched_tiles(ignore: npt.NDArray[np.bool_], grid: GridSpec) -> npt.NDArray[np.intp]:
    """Flat indices of the tiles with a pixel under `ignore` ((H, W) bool), ascending.

    The mask's row and column profiles narrow the candidates first: an overlay is
    usually a box over a few tiles, and testing all of them pixel by pixel costs more
    than the rest of a read.
    """
    y, x, p, t = grid.origin_y_px, grid.origin_x_px, grid.pitch_px, grid.tile_px
    region = ignore[y : y + grid.height_px, x : x + grid.width_px]
    by_row: npt.NDArray[np.bool_] = np.any(region, axis=1)
    by_col: npt.NDArray[np.bool_] = np.any(region, axis=0)
    rows = [r for r in range(grid.rows) if by_row[r * p : r * p + t].any()]
    cols = [c for c in range(grid.cols) if by_col[c * p : c * p + t].any()]
    hits = [
        r * grid.cols + c
        for r in rows
        for c in cols
        if region[r * p : r * p + t, c * p : c * p + t].any()
    ]
    return np.asarray(hits, dtype=np.intp)


def _scores(matcher: Matcher, tiles: FloatArray, masked: Masked | None) -> FloatArray:
    """matcher.scores of (N, D) tiles, the masked rows scored with their kept fractions."""
    scores = matcher.scores(tiles)
    if masked is not None:
        scores[masked.rows] = matcher.scores(tiles[masked.rows], masked.keep)
    return scores


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
    skip = None if ignore is None else ignore[y : y + t, x : x + t]
    if skip is None or not skip.any():
        return shrink_tiles(tile, bank.fast_px).reshape(-1), None
    means, keep = shrink_masked(tile[None], skip[None], bank.fast_px)
    return means[0], keep[0]


def _search_cells(
    pixels: Pixels,
    grid: GridSpec,
    cells: npt.NDArray[np.intp],
    bank: TemplateBank,
    search_px: int,
    ignore: npt.NDArray[np.bool_] | None,
) -> list[Hit | None]:
    """_search's finds for many cells (flat indices) at once, against the plain templates.

    The shifted tiles of every cell are scored together in one matrix product (two when
    an overlay touches some of them): a tile costs ~0.1 ms, not ~1 ms alone.
    """
    plain: list[FloatArray] = []
    masked: list[tuple[FloatArray, FloatArray]] = []
    plans: list[tuple[bool, int, npt.NDArray[np.int_], npt.NDArray[np.int_]] | None] = []
    for i in (int(j) for j in cells):
        shifts = _shifted_tiles(pixels, grid, divmod(i, grid.cols), bank, search_px, ignore)
        if shifts is None:
            plans.append(None)
            continue
        blocks, keep, dxs, dys = shifts
        if keep is None:
            plans.append((False, len(plain), dxs, dys))
            plain.append(blocks)
        else:
            plans.append((True, len(masked), dxs, dys))
            masked.append((blocks, keep))
    scored = {
        False: _split(bank.fast.scores(np.concatenate(plain)), plain) if plain else [],
        True: _split(
            bank.fast.scores(np.concatenate([b for b, _ in masked]),
                             np.concatenate([k for _, k in masked])),
            [b for b, _ in masked],
        ) if masked else [],
    }  # fmt: skip
    out: list[Hit | None] = []
    for plan in plans:
        if plan is None:
            out.append(None)
            continue
        is_masked, j, dxs, dys = plan
        out.append(_best_shift(scored[is_masked][j], bank, dxs, dys))
    return out


def _split(scores: FloatArray, parts: list[FloatArray]) -> list[FloatArray]:
    """Rows of `scores` cut back into the pieces whose blocks were concatenated."""
    ends = np.cumsum([len(p) for p in parts])[:-1]
    return list(np.split(scores, ends))


def _best_shift(
    scores: FloatArray, bank: TemplateBank, dxs: npt.NDArray[np.int_], dys: npt.NDArray[np.int_]
) -> Hit:
    """(template index, score, margin, offset) from (shifts, K) scores: each template
    takes its best shift."""
    per_template = scores.max(axis=0)
    where = scores.argmax(axis=0)
    idx, best, margin = best_matches(per_template[None, :], bank.labels)
    j = int(idx[0])
    sy, sx = divmod(int(where[j]), len(dxs))
    return j, float(best[0]), float(margin[0]), (int(dxs[sx]), int(dys[sy]))


def _shifted_tiles(
    pixels: Pixels,
    grid: GridSpec,
    cell: tuple[int, int],
    bank: TemplateBank,
    search_px: int,
    ignore: npt.NDArray[np.bool_] | None,
    posterize_level: LevelProfile | None = None,
) -> tuple[FloatArray, FloatArray | None, npt.NDArray[np.int_], npt.NDArray[np.int_]] | None:
    """A cell's tile shrunk at every shift within search_px: (shifts, D) means, kept
    fractions (None when no overlay touches the window), and the x and y offsets (the
    shifts run y-major). None when no shift keeps the tile inside the frame. With
    posterize_level the neighbourhood is posterized first."""
    t, f = grid.tile_px, bank.fast_px
    x0, y0, _, _ = grid.cell_box(*cell)
    height, width = pixels.shape[:2]
    wx0, wy0 = max(x0 - search_px, 0), max(y0 - search_px, 0)
    wx1, wy1 = min(x0 + t + search_px, width), min(y0 + t + search_px, height)
    window = pixels[wy0:wy1, wx0:wx1]
    dys = np.arange(wy0 - y0, wy1 - y0 - t + 1)
    dxs = np.arange(wx0 - x0, wx1 - x0 - t + 1)
    if len(dys) == 0 or len(dxs) == 0:
        return None
    if posterize_level is not None:
        window = posterize(window, posterize_level.posterize)
    keep_win = None if ignore is None else ~ignore[wy0:wy1, wx0:wx1]
    if keep_win is not None and keep_win.all():
        keep_win = None
    blocks, keep = _shifted_blocks(window, keep_win, dys + (y0 - wy0), dxs + (x0 - wx0), t // f, f)
    return blocks, keep, dxs, dys


def _search(
    pixels: Pixels,
    grid: GridSpec,
    cell: tuple[int, int],
    bank: TemplateBank,
    matcher: Matcher,
    search_px: int,
    ignore: npt.NDArray[np.bool_] | None,
    posterize_level: LevelProfile | None,
) -> Hit | None:
    """Best (template index, score, margin, offset) over shifts within search_px of a tile.

    Each template takes its best shift. When posterize_level is given the neighbourhood
    is posterized first. None when no shift keeps the tile inside the frame.
    """
    shifts = _shifted_tiles(pixels, grid, cell, bank, search_px, ignore, posterize_level)
    if shifts is None:
        return None
    blocks, keep, dxs, dys = shifts
    return _best_shift(matcher.scores(blocks, keep), bank, dxs, dys)


def _shifted_blocks(
    window: Pixels,
    keep: npt.NDArray[np.bool_] | None,
    starts_y: npt.NDArray[np.int_],
    starts_x: npt.NDArray[np.int_],
    k: int,
    f: int,
) -> tuple[FloatArray, FloatArray | None]:
    """Block means of the f x f blocks of side k of a tile at every start, via box sums.

    starts_y, starts_x: consecutive window rows and columns of the tile's top-left.
    Returns (len(starts_y) * len(starts_x), f * f * 3) means and, with `keep`, the kept
    fractions of the same shape (means then over kept pixels alone). Sums are exact
    (integers in float32) and divided as shrink_tiles divides, so a mean is its block
    mean to the last bit.
    """
    n = len(starts_y) * len(starts_x)
    shape = (len(starts_y), len(starts_x), f, f)

    def box(image: npt.NDArray[np.uint8] | FloatArray) -> FloatArray:
        # anchor (0, 0): each output pixel sums the k x k block below and right of it.
        sums = np.asarray(cv2.boxFilter(image, cv2.CV_32F, (k, k), anchor=(0, 0), normalize=False))
        rs, cs = sums.strides[:2]
        start = sums[int(starts_y[0]) :, int(starts_x[0]) :]
        view = np.lib.stride_tricks.as_strided(
            start, shape + sums.shape[2:], (rs, cs, k * rs, k * cs, *sums.strides[2:]),
            writeable=False,
        )  # fmt: skip
        return np.ascontiguousarray(view)

    src = np.ascontiguousarray(window)
    if keep is None:
        return _divide(box(src), k * k).reshape(n, -1), None
    kept = keep.astype(np.float32)
    sums = box(src.astype(np.float32) * kept[..., None]).astype(np.float64)
    counts = box(kept)[..., None].astype(np.float64)
    means = np.where(counts > 0, sums / np.maximum(counts, 1.0), 0.0).astype(np.float32)
    frac = np.broadcast_to(counts / (k * k), means.shape).astype(np.float32)
    return means.reshape(n, -1), frac.reshape(n, -1)


def _divide(sums: FloatArray, count: int) -> FloatArray:
    """sums / count as float32, rounded once (float32 arithmetic is exact for a power of 2)."""
    if count & (count - 1) == 0:
        out: FloatArray = sums * np.float32(1.0 / count)
        return out
    return (sums.astype(np.float64) / count).astype(np.float32)
