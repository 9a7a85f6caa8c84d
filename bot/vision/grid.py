"""Grid geometry: tiles as read-only views into a frame, and grid detection from edges.

Coordinates: frame pixels are (x, y); arrays are indexed [row, col] = [y, x].
"""

from __future__ import annotations

from typing import TypeVar

import cv2
import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from bot.errors import FrameError
from bot.frame import check_pixels
from bot.profile import GridSpec

_T = TypeVar("_T", bound=np.generic)

_EDGE_LEVEL = 24
"""A neighbouring-pixel difference (largest over channels) above this counts as an edge."""

_CANDIDATES = 6
"""How many autocorrelation peaks seed the candidate pitches checked in 2-D."""

_SHRINK = 4
"""Block size of the lattice density maps."""


def check_grid_fits(shape: tuple[int, ...], grid: GridSpec, what: str = "frame") -> None:
    """Raise FrameError unless every tile of `grid` lies inside an image of `shape` (H, W, ...)."""
    if len(shape) < 2:
        raise FrameError(f"{what}: expected an image of shape (H, W[, C]), got {shape}")
    height, width = int(shape[0]), int(shape[1])
    right = grid.origin_x_px + grid.width_px
    bottom = grid.origin_y_px + grid.height_px
    if right > width or bottom > height:
        raise FrameError(
            f"{what}: the {grid.rows}x{grid.cols} grid of {grid.tile_px} px tiles at "
            f"({grid.origin_x_px}, {grid.origin_y_px}) ends at ({right}, {bottom}), "
            f"outside the {width}x{height} image"
        )


def tile_views(pixels: npt.NDArray[_T], grid: GridSpec) -> npt.NDArray[_T]:
    """Every tile of `grid` as one read-only strided view into `pixels` (no copy).

    pixels: (H, W) or (H, W, C), any dtype. Returns (rows, cols, tile_px, tile_px[, C]),
    where [r, c] is the tile of cell (r, c). Raises FrameError when the grid does not fit.
    """
    check_grid_fits(pixels.shape, grid)
    pitch = grid.pitch_px
    base = pixels[grid.origin_y_px :, grid.origin_x_px :]
    s_row, s_col = pixels.strides[0], pixels.strides[1]
    shape = (grid.rows, grid.cols, grid.tile_px, grid.tile_px, *pixels.shape[2:])
    strides = (s_row * pitch, s_col * pitch, s_row, s_col, *pixels.strides[2:])
    return as_strided(base, shape=shape, strides=strides, writeable=False)


def board_view(pixels: npt.NDArray[_T], grid: GridSpec) -> npt.NDArray[_T]:
    """The board's bounding box in `pixels` as a read-only view: (height_px, width_px[, C])."""
    check_grid_fits(pixels.shape, grid)
    x, y = grid.origin_x_px, grid.origin_y_px
    view = pixels[y : y + grid.height_px, x : x + grid.width_px]
    view.flags.writeable = False
    return view


def detect_grid(
    pixels: npt.NDArray[np.uint8],
    *,
    min_tile_px: int = 8,
    max_tile_px: int = 256,
    max_shared_line_px: int = 4,
) -> GridSpec:
    """Find the board's grid in a frame from the straight lines between its tiles.

    pixels: (H, W, 3) uint8 BGR. The board is the square lattice of tiles (pitch between
    min_tile_px and max_tile_px) whose boundaries show as straight edges repeating at the
    same pitch across and down; whatever surrounds it (desktop, icons, windows full of
    other lines) is ignored unless it forms such a lattice too. A band between tiles at
    most `max_shared_line_px` wide is taken as the tiles' own border lines, split between
    the neighbours (gap 0); a wider one is a gap. Raises FrameError when no lattice is found.
    """
    check_pixels(pixels, what="detect_grid")
    if min_tile_px < 4 or max_tile_px < min_tile_px:
        raise FrameError(f"detect_grid: bad tile range {min_tile_px}..{max_tile_px} px")
    height, width = pixels.shape[:2]
    img = pixels.astype(np.int16)
    # mag_x[y, i]: how much pixels (y, i) and (y, i + 1) differ; mag_y[i, x] likewise down.
    mag_x = np.abs(np.diff(img, axis=1)).max(axis=2)
    mag_y = np.abs(np.diff(img, axis=0)).max(axis=2)
    # Straight lines only: edges running at least a short way along the line.
    run = max(4, min_tile_px // 2)
    line_v = _opened(mag_x > _EDGE_LEVEL, run, 1)
    line_h = _opened(mag_y > _EDGE_LEVEL, 1, run)
    pitch, (x0, y0, x1, y1) = _find_lattice(
        line_v, line_h, min_tile_px, max_tile_px, (width, height)
    )

    crop_v, crop_h = line_v[y0:y1, x0:x1], line_h[y0:y1, x0:x1]
    col_prof = _tophat(crop_v.sum(axis=0))
    row_prof = _tophat(crop_h.sum(axis=1))
    lines_x = _strong_lines(col_prof, _main_phase(col_prof, pitch), pitch)
    lines_y = _strong_lines(row_prof, _main_phase(row_prof, pitch), pitch)
    if len(lines_x) < 2 or len(lines_y) < 2:
        raise FrameError(
            f"detect_grid: no lattice of tiles in the {width}x{height} frame (pitch {pitch} "
            f"px, {len(lines_x)} vertical and {len(lines_y)} horizontal boundary lines)"
        )
    # Vertical boundary lines run over the board's rows, horizontal ones over its columns.
    top, bottom = _span(crop_v[:, lines_x].T, pitch)
    left, right = _span(crop_h[lines_y, :], pitch)
    if bottom < top or right < left:
        raise FrameError(f"detect_grid: the lattice of pitch {pitch} px has no extent")
    rows_x, cols_y = slice(top, bottom + 1), slice(left, right + 1)
    gap_x, start_x = _gap_and_start(
        crop_v[rows_x].mean(axis=0), mag_x[y0:y1, x0:x1][rows_x].mean(axis=0), left, right, pitch
    )
    gap_y, start_y = _gap_and_start(
        crop_h[:, cols_y].mean(axis=1), mag_y[y0:y1, x0:x1][:, cols_y].mean(axis=1),
        top, bottom, pitch,
    )  # fmt: skip
    gap = min(gap_x, gap_y)
    if gap <= max_shared_line_px:
        start_x, start_y = start_x - gap_x // 2, start_y - gap_y // 2
        gap = 0
    first_x, cols = _axis(left, right, start_x, pitch, gap)
    first_y, rows = _axis(top, bottom, start_y, pitch, gap)
    if cols < 1 or rows < 1:
        raise FrameError(f"detect_grid: the lattice of pitch {pitch} px holds no whole tile")
    return GridSpec(
        origin_x_px=x0 + first_x,
        origin_y_px=y0 + first_y,
        tile_px=pitch - gap,
        gap_px=gap,
        rows=rows,
        cols=cols,
    )


def _opened(edges: npt.NDArray[np.bool_], rows: int, cols: int) -> npt.NDArray[np.bool_]:
    """Keep only edge pixels in runs that hold a rows x cols block (morphological opening)."""
    kernel = np.ones((rows, cols), np.uint8)
    out = cv2.morphologyEx(edges.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    return np.asarray(out, dtype=bool)


def _find_lattice(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    min_tile: int,
    max_tile: int,
    size: tuple[int, int],
) -> tuple[int, tuple[int, int, int, int]]:
    """The pitch of the strongest square lattice and its box (x0, y0, x1, y1) with margin.

    Candidates come from the autocorrelations of the line projections across and down;
    each is checked in 2-D: where do vertical lines repeat `pitch` to the right while
    horizontal ones repeat `pitch` below? A window of ruled lines repeats only one way.
    """
    width, height = size
    max_lag = min(max_tile, (width - 1) // 2, (height - 1) // 2)
    if max_lag <= min_tile:
        raise FrameError(f"detect_grid: frame {width}x{height} too small for a grid")
    ac_x = _autocorr(_tophat(line_v.sum(axis=0)), max_lag)
    ac_y = _autocorr(_tophat(line_h.sum(axis=1)), max_lag)
    score = np.clip(ac_x, 0, None) * np.clip(ac_y, 0, None)
    seeds = {
        *_peaks(score, min_tile, max_lag, _CANDIDATES),
        *_peaks(ac_x, min_tile, max_lag, _CANDIDATES // 2 + 1),
        *_peaks(ac_y, min_tile, max_lag, _CANDIDATES // 2 + 1),
    }
    # A lattice also repeats at multiples of its pitch; try the divisors of every seed.
    candidates = sorted(
        {
            seed // k
            for seed in seeds
            for k in (1, 2, 3, 4)
            if seed % k == 0 and seed // k >= min_tile
        }
    )
    best: tuple[float, int, tuple[int, int, int, int]] | None = None
    found: list[tuple[float, int, tuple[int, int, int, int]]] = []
    for pitch in candidates:
        support, box = _lattice_support(line_v, line_h, int(pitch))
        found.append((support, int(pitch), box))
    if found:
        top = max(f[0] for f in found)
        if top > 0:
            # Multiples of the pitch repeat too: prefer the smallest nearly as strong.
            best = min((f for f in found if f[0] >= 0.7 * top), key=lambda f: f[1])
    if best is None:
        raise FrameError(f"detect_grid: no square lattice of tiles in the {width}x{height} frame")
    _, pitch, (bx0, by0, bx1, by1) = best
    margin = pitch
    box = (
        max(bx0 - margin, 0),
        max(by0 - margin, 0),
        min(bx1 + margin, width),
        min(by1 + margin, height),
    )
    return pitch, box


def _peaks(curve: npt.NDArray[np.float64], lo: int, hi: int, count: int) -> list[int]:
    """Lags in [lo, hi] of the `count` highest positive local maxima of `curve`."""
    lags = np.arange(lo, hi + 1)
    vals = curve[lags]
    left = curve[lags - 1]
    right = curve[np.minimum(lags + 1, len(curve) - 1)]
    is_peak = (vals > 0) & (vals >= left) & (vals >= right)
    order = np.argsort(-vals[is_peak], kind="stable")
    return [int(v) for v in lags[is_peak][order][:count]]


def _lattice_support(
    line_v: npt.NDArray[np.bool_], line_h: npt.NDArray[np.bool_], pitch: int
) -> tuple[float, tuple[int, int, int, int]]:
    """How much square lattice of this pitch there is, and the box (x0, y0, x1, y1) it fills."""
    height, width = line_v.shape[0], line_h.shape[1]
    rep_v = np.zeros((height, width), np.float32)
    rep_h = np.zeros((height, width), np.float32)
    wv = line_v.shape[1]
    rep_v[:, : wv - pitch] = line_v[:, : wv - pitch] & line_v[:, pitch:]
    hh = line_h.shape[0]
    rep_h[: hh - pitch, :] = line_h[: hh - pitch] & line_h[pitch:]
    # Densities need no full resolution: average 4x4 blocks, then smooth over a pitch.
    small = (width // _SHRINK, height // _SHRINK)
    dens_v = cv2.resize(rep_v, small, interpolation=cv2.INTER_AREA)
    dens_h = cv2.resize(rep_h, small, interpolation=cv2.INTER_AREA)
    k = 2 * max(pitch // _SHRINK, 1) + 1
    both = np.minimum(cv2.blur(dens_v, (k, k)), cv2.blur(dens_h, (k, k)))
    peak = float(both.max())
    if peak <= 0:
        return 0.0, (0, 0, 0, 0)
    mask = (both > 0.3 * peak).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 1:
        return 0.0, (0, 0, 0, 0)
    sums = np.bincount(labels.ravel(), weights=both.ravel(), minlength=count)
    biggest = int(np.argmax(sums[1:])) + 1
    x, y, w, h = (int(v) * _SHRINK for v in stats[biggest, :4])
    return float(sums[biggest]) * _SHRINK**2, (x, y, x + w + _SHRINK, y + h + _SHRINK)


def _tophat(profile: npt.NDArray[np.integer]) -> npt.NDArray[np.float32]:
    """Keep narrow peaks (lines), drop broad plateaus (the board's texture as a whole)."""
    row = profile.astype(np.float32).reshape(1, -1)
    kernel = np.ones((1, 9), np.uint8)
    out = cv2.morphologyEx(row, cv2.MORPH_TOPHAT, kernel)
    return np.asarray(out, dtype=np.float32).reshape(-1)


def _autocorr(profile: npt.NDArray[np.float32], max_lag: int) -> npt.NDArray[np.float64]:
    q = profile.astype(np.float64) - float(profile.mean())
    n = len(q)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(q, size)
    ac = np.fft.irfft(spec * np.conj(spec), size)[: max_lag + 1]
    return ac / ac[0] if ac[0] > 0 else np.zeros(max_lag + 1)


def _fold(profile: npt.NDArray[np.floating], pitch: int) -> npt.NDArray[np.float64]:
    n = (len(profile) + pitch - 1) // pitch * pitch
    padded = np.zeros(n, np.float64)
    padded[: len(profile)] = profile
    folded: npt.NDArray[np.float64] = padded.reshape(-1, pitch).sum(axis=0)
    return folded


def _main_phase(profile: npt.NDArray[np.float32], pitch: int) -> int:
    return int(np.argmax(_fold(profile, pitch)))


def _strong_lines(profile: npt.NDArray[np.float32], phase: int, pitch: int) -> list[int]:
    """Edge indices phase + k * pitch that hold a line at least a third of the strongest."""
    positions = np.arange(phase, len(profile), pitch)
    if len(positions) == 0:
        return []
    strength = profile[positions]
    top = float(strength.max())
    if top <= 0:
        return []
    return [int(p) for p in positions[strength >= top / 3]]


def _span(lines: npt.NDArray[np.bool_], pitch: int) -> tuple[int, int]:
    """Median first and last index of the longest run along each line (holes < pitch)."""
    starts: list[int] = []
    ends: list[int] = []
    for line in lines:
        idx = np.flatnonzero(line)
        if len(idx) == 0:
            continue
        breaks = np.flatnonzero(np.diff(idx) >= pitch)
        run_starts = np.concatenate(([0], breaks + 1))
        run_ends = np.concatenate((breaks, [len(idx) - 1]))
        longest = int(np.argmax(idx[run_ends] - idx[run_starts]))
        starts.append(int(idx[run_starts[longest]]))
        ends.append(int(idx[run_ends[longest]]))
    if not starts:
        return 0, -1
    return int(np.median(starts)), int(np.median(ends))


def _median_fold(
    values: npt.NDArray[np.floating], first: int, last: int, pitch: int
) -> npt.NDArray[np.float64]:
    """Per phase, the median of `values` over the lattice lines between first-1 and last."""
    lo = max(first - 1, 0)
    hi = min(last + 1, len(values))
    folded = np.zeros(pitch, np.float64)
    for phase in range(pitch):
        start = lo + (phase - lo) % pitch
        picked = values[start:hi:pitch]
        folded[phase] = float(np.median(picked)) if len(picked) else 0.0
    return folded


def _gap_and_start(
    coverage: npt.NDArray[np.floating],
    magnitude: npt.NDArray[np.floating],
    first: int,
    last: int,
    pitch: int,
) -> tuple[int, int]:
    """Gap width and the fold phase of each tile's first pixel.

    coverage, magnitude: per edge index along the axis, the fraction of the board's
    rows (or columns) holding an edge there and the mean edge magnitude; [first, last] is
    the board's pixel span along the axis. The median over the lattice's lines keeps the
    edges every tile has (its boundaries) and drops those of its content.
    """
    cover = _median_fold(coverage, first, last, pitch)
    strength = _median_fold(magnitude, first, last, pitch)
    best = int(np.argmax(cover))
    others = cover.copy()
    others[best] = 0
    second = int(np.argmax(others))
    if cover[second] < 0.5 * cover[best]:
        return 0, best + 1
    # One sharp edge can smear into its neighbour; two lines a pixel apart are alike.
    if abs(second - best) in (1, pitch - 1) and strength[second] < 0.6 * strength[best]:
        return 0, best + 1
    ahead = (second - best) % pitch
    # The short interval between the two edges is the gap; the tile starts after it.
    if ahead <= pitch - ahead:
        return ahead, second + 1
    return pitch - ahead, best + 1


def _axis(first: int, last: int, start_phase: int, pitch: int, gap: int) -> tuple[int, int]:
    """The board's first tile pixel, snapped to the lattice phase, and its whole tiles."""
    phase = start_phase % pitch
    start = first + ((phase - first + pitch // 2) % pitch) - pitch // 2
    start = max(start, 0)
    count = (last + 1 - start + gap + pitch // 2) // pitch
    return start, int(count)
