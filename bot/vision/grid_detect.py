"""Grid detection without a profile: from the lines between tiles, a frame round the board,
or marks in the cells.

Coordinates: frame pixels are (x, y); arrays are indexed [row, col] = [y, x].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError
from bot.frame import check_pixels
from bot.profile import GridSpec
from bot.vision.grid import check_grid_fits

_EDGE_LEVEL = 24
"""A neighbouring-pixel difference (largest over channels) above this counts as an edge."""

_SHRINK = 4
"""Block size of the lattice density maps."""

_CANDIDATES = 6
"""How many of the strongest recurrence lags seed the candidate pitches."""

_SEED_SHARE = 0.25
"""Lags recurring less than this share of the best one are not tried."""

_MULTIPLE_SHARE = 0.8
"""A lag repeating at least this share of the best one's lines is taken over its multiples."""

_BOUNDARY_SHARE = 0.35
"""An edge phase present on at least this share of the strongest one's lines is part of
every boundary (a bevel's or a band's other edge); weaker ones are the tiles' content."""

_SAME_COLOUR = 12
"""Largest channel difference (levels) between a band's colour and the board's surround
for the band to count as background showing between tiles."""

_HOLE_PX = 3
"""Holes up to twice this long in a board's outline are bridged (corners of bevels)."""

_FRAME_RUNS = 24
"""How many of the longest lines each way are tried as the sides of a frame."""

_FRAME_BAND = 7
"""Widest step (px) between parallel lines of one frame band (tiles are wider apart)."""

_FRAME_TRIES = 8
"""How many of the largest rectangles of lines are checked for being a frame."""

_MIN_MARKS = 4
"""Fewest marks a board without lines must show to be read from them."""

_MAX_MARKS = 400
"""More blobs than this are texture, not a board's marks."""

_MARK_SLACK = 2.0
"""How far (px) centres of marks in one row or column may stray from each other."""


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
    other lines) is ignored unless it forms such a lattice too. Bevels (a light and a dark
    edge either side of each boundary) and thin drawn lines are the tiles' own borders
    (gap 0); a band between tiles is a gap when it is wider than `max_shared_line_px` or
    shows the colour around the board (the background between the tiles). The board's
    extent is where the lattice's lines run (a frame around the board counts), so empty
    cells inside a frame are part of it. A board with no lines at all, whose cells hold
    marks centred in them (numbers on a plain face), is found from the marks. Raises
    FrameError when there is neither.
    """
    check_pixels(pixels, what="detect_grid")
    if min_tile_px < 4 or max_tile_px < min_tile_px:
        raise FrameError(f"detect_grid: bad tile range {min_tile_px}..{max_tile_px} px")
    mag_x, mag_y = _edge_magnitudes(pixels)
    # Odd: an even-sized opening shifts what it keeps by a pixel.
    run = max(5, (min_tile_px * 3 // 4 - 1) | 1)
    line_v = _opened(mag_x > _EDGE_LEVEL, run, 1)
    line_h = _opened(mag_y > _EDGE_LEVEL, 1, run)
    tile_range = (min_tile_px, max_tile_px)
    try:
        lattice = _grid_from_lines(pixels, (line_v, line_h), run, tile_range, max_shared_line_px)
    except FrameError:
        # Few tiles left inside a frame repeat too little to show a lattice: the frame
        # gives it. Failing that, a board without lines may be read from its marks.
        grid = _grid_from_frame(line_v, line_h, tile_range, None) or _grid_from_marks(
            pixels, min_tile_px, max_tile_px
        )
        if grid is None:
            raise
        return grid
    # Sparse tiles drawn apart can also mislead the lattice (into a multiple of the
    # pitch): a frame that fits them exactly overrules its pitch. Only for tiles drawn
    # apart, whose model (blocks on a background, empty cells show no lines) it is.
    framed = _grid_from_frame(line_v, line_h, tile_range, lattice)
    if framed is not None and framed.gap_px > 0 and framed.pitch_px != lattice.pitch_px:
        return framed
    return lattice


@dataclass(frozen=True, slots=True)
class _Boundary:
    """How the tile boundaries look along one axis, as edge indices modulo the pitch.

    offsets: edge phases that repeat at every boundary, relative to `main` (the strongest).
    shared_start: phase of a tile's first pixel when the boundary belongs to the tiles.
    band: width in px of a band between two edges with none inside (0: no such band);
    gap_start: phase of a tile's first pixel when that band is a gap.
    """

    main: int
    offsets: tuple[int, ...]
    shared_start: int
    band: int
    gap_start: int


def _edge_magnitudes(
    pixels: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    """Largest channel difference of neighbours: across (H, W-1) and down (H-1, W), uint8.

    mag_x[y, i] compares pixels (i, y) and (i + 1, y): edge index i lies between them.
    """
    across = np.asarray(cv2.absdiff(pixels[:, 1:], pixels[:, :-1]), np.uint8)
    down = np.asarray(cv2.absdiff(pixels[1:], pixels[:-1]), np.uint8)
    return _channel_max(across), _channel_max(down)


def _channel_max(diff: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    return np.maximum(np.maximum(diff[..., 0], diff[..., 1]), diff[..., 2])


def _opened(edges: npt.NDArray[np.bool_], rows: int, cols: int) -> npt.NDArray[np.bool_]:
    """Keep only edge pixels in runs that hold a rows x cols block (morphological opening)."""
    kernel = np.ones((rows, cols), np.uint8)
    out = cv2.morphologyEx(edges.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    return np.asarray(out, dtype=bool)


def _grid_from_lines(
    pixels: npt.NDArray[np.uint8],
    lines: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]],
    run: int,
    tile_range: tuple[int, int],
    max_shared_line_px: int,
) -> GridSpec:
    """The grid of the strongest lattice of straight lines; FrameError when there is none."""
    line_v, line_h = lines
    height, width = pixels.shape[:2]
    pitch, (bx0, by0, bx1, by1) = _find_lattice(line_v, line_h, run, tile_range)
    x0, y0 = max(bx0 - pitch, 0), max(by0 - pitch, 0)
    x1, y1 = min(bx1 + pitch, width - 1), min(by1 + pitch, height - 1)
    across = _boundary(line_v[y0:y1].mean(axis=0), x0, x1, pitch)
    down = _boundary(line_h[:, x0:x1].mean(axis=1), y0, y1, pitch)
    seed = (bx0, by0, bx1, by1)
    box = _outline(line_v, line_h, (across, down), seed, pitch)
    if box is None:
        raise FrameError(f"detect_grid: the lattice of pitch {pitch} px has no extent")
    gap = 0
    if across.band > 0 and across.band == down.band:
        shared = _layout(box, (across.shared_start, down.shared_start), pitch, 0)
        if across.band > max_shared_line_px or _bands_show_background(pixels, shared, across.band):
            gap = across.band
    starts = (across.gap_start, down.gap_start) if gap else (across.shared_start, down.shared_start)
    grid = _layout(box, starts, pitch, gap)
    # Rounding may count a tile past the frame's edge: keep whole tiles only.
    rows = min(grid.rows, (height - grid.origin_y_px + gap) // pitch)
    cols = min(grid.cols, (width - grid.origin_x_px + gap) // pitch)
    grid = grid.model_copy(update={"rows": max(rows, 0), "cols": max(cols, 0)})
    if grid.rows < 2 or grid.cols < 2:
        raise FrameError(
            f"detect_grid: the lattice of pitch {pitch} px holds {grid.rows}x{grid.cols} "
            "tiles; a board repeats both ways"
        )
    return grid


def _find_lattice(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    run: int,
    tile_range: tuple[int, int],
) -> tuple[int, tuple[int, int, int, int]]:
    """The pitch of the strongest square lattice of lines and its box (x0, y0, x1, y1).

    Candidate pitches are the lags at which lines recur exactly, across and down alike,
    over the whole frame (and their divisors); each is then judged where its lattice
    lies, so lines that repeat one way only (ruled windows, a column of icons) or
    elsewhere than the board weigh nothing. Multiples of the pitch recur too: the
    smallest candidate nearly as strong as the best wins.
    """
    min_tile, max_tile = tile_range
    height, width = line_v.shape[0], line_h.shape[1]
    max_lag = min(max_tile, (width - 1) // 2, (height - 1) // 2)
    if max_lag <= min_tile:
        raise FrameError(f"detect_grid: frame {width}x{height} too small for a grid")
    # A line is at least `run` px long: sampling every run-th row still meets every one.
    step = run
    score = _lag_share(line_v[::step], max_lag) * _lag_share(line_h[:, ::step].T, max_lag)
    score[:min_tile] = 0
    padded = np.concatenate((score, [0.0]))
    mid = padded[1:-1]
    peaks = np.flatnonzero((mid > 0) & (mid >= padded[:-2]) & (mid >= padded[2:])) + 1
    seeds = peaks[np.argsort(-score[peaks], kind="stable")][:_CANDIDATES]
    seeds = seeds[score[seeds] >= _SEED_SHARE * score[seeds[0]]] if len(seeds) else seeds
    found: dict[int, tuple[float, tuple[int, int, int, int]]] = {}
    _judge(line_v, line_h, [int(s) for s in seeds], found)
    if not found:
        raise FrameError(f"detect_grid: no square lattice of tiles in the {width}x{height} frame")
    best = max(found, key=lambda p: found[p][0])
    top, best_box = found[best]
    # The pitch may be a divisor of the strongest lag (every other line of it recurring
    # too); a divisor's own box can miss part of the board, so it is judged in both.
    divisors = [best // k for k in (2, 3, 4) if best % k == 0 and best // k >= min_tile]
    _judge(line_v, line_h, divisors, found)
    for pitch in divisors:
        if pitch in found:
            strength = _lattice_strength(line_v, line_h, pitch, best_box)
            found[pitch] = max(found[pitch], (strength, best_box))
    pitch = min(p for p in found if found[p][0] >= _MULTIPLE_SHARE * top)
    return pitch, found[pitch][1]


def _judge(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    pitches: list[int],
    found: dict[int, tuple[float, tuple[int, int, int, int]]],
) -> None:
    """Add each pitch's lattice strength and box to `found` (pitches without one are left out)."""
    for pitch in pitches:
        if pitch in found:
            continue
        box = _lattice_box(line_v, line_h, pitch)
        if box is not None:
            strength = _lattice_strength(line_v, line_h, pitch, box)
            if strength > 0:
                found[pitch] = (strength, box)


def _lattice_strength(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    pitch: int,
    box: tuple[int, int, int, int],
) -> float:
    """Line pixels in `box` that recur exactly a pitch on, times the shares that do so
    across and down: large for a big, clean square lattice of this pitch."""
    x0, y0, x1, y1 = box
    vert = line_v[y0:y1, x0:x1]
    horiz = line_h[y0:y1, x0:x1]
    across = int(np.count_nonzero(vert[:, :-pitch] & vert[:, pitch:]))
    down = int(np.count_nonzero(horiz[:-pitch] & horiz[pitch:]))
    total_v, total_h = int(np.count_nonzero(vert)), int(np.count_nonzero(horiz))
    if not (across and down):
        return 0.0
    return (across + down) * (across / total_v) * (down / total_h)


def _lag_share(lines: npt.NDArray[np.bool_], max_lag: int) -> npt.NDArray[np.float64]:
    """Per lag 0..max_lag, the share of True pixels whose row has another True that far on."""
    busy = lines[lines.any(axis=1)]
    out = np.zeros(max_lag + 1)
    if busy.size == 0:
        return out
    # Zero padding of max_lag keeps the correlation from wrapping round at those lags.
    size = 1 << int(np.ceil(np.log2(busy.shape[1] + max_lag)))
    spec = np.fft.rfft(busy.astype(np.float32), size, axis=1)
    power = (spec.real**2 + spec.imag**2).sum(axis=0)
    corr = np.fft.irfft(power, size)[: max_lag + 1]
    out[: len(corr)] = corr / corr[0]
    return out


def _lattice_box(
    line_v: npt.NDArray[np.bool_], line_h: npt.NDArray[np.bool_], pitch: int
) -> tuple[int, int, int, int] | None:
    """The box (x0, y0, x1, y1) where vertical lines repeat a pitch across while horizontal
    ones repeat a pitch down, or None when they never do so in one place."""
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
        return None
    mask = (both > 0.3 * peak).astype(np.uint8)
    # Patches of one lattice a pitch apart (a board with sparse lines) belong together.
    merged = cv2.dilate(mask, np.ones((k, k), np.uint8))
    count, labels = cv2.connectedComponents(merged, connectivity=8)
    sums = np.bincount(labels.ravel(), weights=both.ravel(), minlength=count)
    biggest = int(np.argmax(sums[1:])) + 1
    ys, xs = np.nonzero((labels == biggest) & (mask > 0))
    x, y = int(xs.min()) * _SHRINK, int(ys.min()) * _SHRINK
    return x, y, (int(xs.max()) + 1) * _SHRINK, (int(ys.max()) + 1) * _SHRINK


def _boundary(cover: npt.NDArray[np.floating], lo: int, hi: int, pitch: int) -> _Boundary:
    """The edge pattern every boundary repeats, from line coverage per edge index.

    cover[i]: share of the board's rows (or columns) with a line at edge index i; only
    [lo, hi) is looked at. A thin line shows two edges a pixel apart, a bevel a dark and a
    light edge either side of the boundary, a gap two edges with flat colour between.
    """
    idx = np.arange(lo, hi)
    sums = np.bincount(idx % pitch, weights=cover[lo:hi], minlength=pitch)
    teeth = np.bincount(idx % pitch, minlength=pitch)
    folded = sums / np.maximum(teeth, 1)
    main = int(np.argmax(folded))
    if folded[main] <= 0:
        raise FrameError(f"detect_grid: the lattice of pitch {pitch} px has no boundary lines")
    offsets = (np.arange(pitch) - main + pitch // 2) % pitch - pitch // 2
    near = (folded >= _BOUNDARY_SHARE * folded[main]) & (4 * np.abs(offsets) < pitch)
    found = np.sort(offsets[near])
    first, last = int(found[0]), int(found[-1])
    inner = found[(found > first) & (found < last)]
    if len(inner) > 0:
        # A bevel: the boundary is the edge in the middle (the strongest if none is there).
        middle = [int(d) for d in inner if abs(2 * int(d) - first - last) <= 2]
        edge = middle[0] if middle else int(inner[np.argmax(folded[(main + inner) % pitch])])
        shared_start, band = edge + 1, 0
    else:
        shared_start, band = first + 1 + (last - first) // 2, last - first
    return _Boundary(
        main=main,
        offsets=tuple(int(d) for d in found),
        shared_start=(main + shared_start) % pitch,
        band=band,
        gap_start=(main + last + 1) % pitch,
    )


def _outline(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    bounds: tuple[_Boundary, _Boundary],
    seed: tuple[int, int, int, int],
    pitch: int,
) -> tuple[int, int, int, int] | None:
    """The largest box around the seed's centre whose four sides are unbroken lattice lines.

    Returns (x0, y0, x1, y1), edge indices of its sides, or None. The outermost tiles'
    edges, or a frame drawn round the board, make such a box even when the cells next to
    it are empty and show no lines of their own.
    """
    across, down = bounds
    cols = _boundary_runs(line_v.T, across, pitch, (seed[1], seed[3]))
    rows = _boundary_runs(line_h, down, pitch, (seed[0], seed[2]))
    if len(cols) < 2 or len(rows) < 2:
        return None
    cx, cy = (seed[0] + seed[2]) // 2, (seed[1] + seed[3]) // 2
    # Sides meet a frame's corner a frame's width (up to a sixth of a pitch) apart.
    slack = max(4, pitch // 5)
    ys = np.array([r[0] for r in rows])
    row_from = np.array([r[1] for r in rows])
    row_to = np.array([r[2] for r in rows])
    best: tuple[int, tuple[int, int, int, int]] | None = None
    for xa, fa, ta in cols:
        if xa > cx:
            break
        for xb, fb, tb in cols:
            if xb < cx:
                continue
            lo, hi = max(fa, fb) - slack, min(ta, tb) + slack
            ok = (ys >= lo) & (ys <= hi) & (row_from <= xa + slack) & (row_to >= xb - slack)
            if not ok.any():
                continue
            top, bottom = int(ys[ok].min()), int(ys[ok].max())
            if not top <= cy <= bottom:
                continue
            area = (xb - xa) * (bottom - top)
            if best is None or area > best[0]:
                best = (area, (xa, top, xb, bottom))
    return None if best is None else best[1]


def _boundary_runs(
    lines: npt.NDArray[np.bool_], bound: _Boundary, pitch: int, window: tuple[int, int]
) -> list[tuple[int, int, int]]:
    """(position, run start, run end) of every lattice boundary's unbroken line by the board.

    lines: (positions, length) bool. A boundary's line is the union of its edge phases,
    each widened by a pixel (a bevel loses an edge where a sunken tile meets a raised one,
    never all of them); holes of up to 2 * _HOLE_PX px are bridged. Boundaries whose line is
    shorter than a pitch are left out; of a boundary's runs, the one overlapping `window`
    (the seed's extent along the line) most is kept.
    """
    count = lines.shape[0]
    near = sorted({d + e for d in bound.offsets for e in (-1, 0, 1)})
    bases = list(range(bound.main % pitch, count, pitch))
    # Zero padding wider than the closing keeps runs that touch the image's border as they are.
    pad = 2 * _HOLE_PX + 2
    union = np.zeros((len(bases), lines.shape[1] + 2 * pad), np.uint8)
    for i, base in enumerate(bases):
        picked = [base + d for d in near if 0 <= base + d < count]
        if picked:
            union[i, pad:-pad] = lines[picked].any(axis=0)
    kernel = np.ones((1, 2 * _HOLE_PX + 1), np.uint8)
    closed = cv2.morphologyEx(union, cv2.MORPH_CLOSE, kernel)[:, pad - 1 : 1 - pad]
    edges = np.diff(closed.astype(np.int8), axis=1)
    out = []
    for base, row in zip(bases, edges, strict=True):
        starts, ends = np.flatnonzero(row > 0), np.flatnonzero(row < 0) - 1
        if len(starts) == 0:
            continue
        overlap = np.minimum(ends, window[1]) - np.maximum(starts, window[0])
        best = int(np.argmax(overlap))
        if overlap[best] >= 0 and ends[best] - starts[best] >= pitch:
            out.append((base, int(starts[best]), int(ends[best])))
    return out


def _layout(
    box: tuple[int, int, int, int], starts: tuple[int, int], pitch: int, gap: int
) -> GridSpec:
    """The grid whose tiles start at phases `starts` (x, y) and fill the pixel box."""
    x0, y0, x1, y1 = box
    first_x, cols = _axis(x0, x1, starts[0], pitch, gap)
    first_y, rows = _axis(y0, y1, starts[1], pitch, gap)
    return GridSpec(
        origin_x_px=first_x,
        origin_y_px=first_y,
        tile_px=pitch - gap,
        gap_px=gap,
        rows=max(rows, 0),
        cols=max(cols, 0),
    )


def _axis(first: int, last: int, start_phase: int, pitch: int, gap: int) -> tuple[int, int]:
    """The board's first tile pixel, snapped to the lattice phase, and its whole tiles."""
    start = first + ((start_phase - first + pitch // 2) % pitch) - pitch // 2
    if start < 0:
        start += pitch
    count = (last + 1 - start + gap + pitch // 2) // pitch
    return start, int(count)


def _bands_show_background(pixels: npt.NDArray[np.uint8], grid: GridSpec, band: int) -> bool:
    """True when the bands between the tiles of `grid` have the colour around the board.

    grid: the gap-0 reading, whose boundaries lie in the middle of the bands. The
    surround is a strip from a quarter to half a pitch outside the board on each side.
    """
    height, width = pixels.shape[:2]
    pitch = grid.pitch_px
    x, y = grid.origin_x_px, grid.origin_y_px
    right, bottom = x + grid.cols * pitch, y + grid.rows * pitch
    first = -(band // 2)  # the gap-0 reading starts tiles mid-band
    xs = [x + c * pitch + first + i for c in range(1, grid.cols) for i in range(band)]
    ys = [y + r * pitch + first + i for r in range(1, grid.rows) for i in range(band)]
    inside = np.concatenate(
        (
            pixels[y:bottom:2][:, [v for v in xs if 0 <= v < width]].reshape(-1, 3),
            pixels[[v for v in ys if 0 <= v < height], x:right:2].reshape(-1, 3),
        )
    )
    near, far = max(pitch // 4, band + 1), max(pitch // 2, band + 2)
    strips = [
        pixels[max(y - far, 0) : max(y - near, 0), x:right:2],
        pixels[bottom + near : bottom + far, x:right:2],
        pixels[y:bottom:2, max(x - far, 0) : max(x - near, 0)],
        pixels[y:bottom:2, right + near : right + far],
    ]
    around = np.concatenate([strip.reshape(-1, 3) for strip in strips])
    if len(inside) == 0 or len(around) == 0:
        return False
    diff = np.abs(np.median(inside, axis=0) - np.median(around, axis=0))
    return bool(diff.max() <= _SAME_COLOUR)


def _grid_from_frame(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    tile_range: tuple[int, int],
    within: GridSpec | None,
) -> GridSpec | None:
    """The grid that exactly fills a frame drawn round the board, or None.

    The frame is the largest rectangle of unbroken lines drawn as a band (covering at
    least half of `within`, when given); its inner edges bound the tiles, so its inside
    is cols * pitch - gap wide and rows * pitch - gap high. Of the (pitch, gap) that fit
    both, the largest pitch whose lattice puts every straight line inside the frame on a
    tile's first or last edge is taken. Bevelled boards, and tiles with long lines of
    their own, have lines elsewhere and get None here.
    """
    min_tile, max_tile = tile_range
    inner = _frame_inside(line_v, line_h, min_tile, within)
    if inner is None:
        return None
    left, top, right, bottom = inner  # edge indices of the frame's inner edges
    width, height = right - left, bottom - top
    xs = _inner_lines(line_v.T, left, right, (top, bottom), min_tile)
    ys = _inner_lines(line_h, top, bottom, (left, right), min_tile)
    if len(xs) + len(ys) == 0:
        return None
    fits = sorted(
        (
            (pitch, -gap)
            for gap in range(0, max_tile // 4 + 1)
            for pitch in _divisors(math.gcd(width + gap, height + gap))
            if min_tile <= pitch <= max_tile and 4 * gap <= pitch
        ),
        reverse=True,
    )
    for pitch, minus_gap in fits:
        gap = -minus_gap
        if _on_tile_edges(xs, pitch, gap) and _on_tile_edges(ys, pitch, gap):
            return GridSpec(
                origin_x_px=left + 1,
                origin_y_px=top + 1,
                tile_px=pitch - gap,
                gap_px=gap,
                rows=(height + gap) // pitch,
                cols=(width + gap) // pitch,
            )
    return None


def _divisors(n: int) -> list[int]:
    """Every positive divisor of n > 0."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return small + [n // d for d in reversed(small) if d * d != n]


def _on_tile_edges(offsets: npt.NDArray[np.int64], pitch: int, gap: int) -> bool:
    """True when every offset (px from the frame's inner edge) is a tile's first or last
    edge, give or take a pixel."""
    phase = offsets % pitch
    near_start = np.minimum(phase, pitch - phase) <= 1
    near_end = np.abs(phase - (pitch - gap) % pitch) <= 1
    return bool(np.all(near_start | near_end))


def _frame_inside(
    line_v: npt.NDArray[np.bool_],
    line_h: npt.NDArray[np.bool_],
    min_tile: int,
    within: GridSpec | None,
) -> tuple[int, int, int, int] | None:
    """Edge indices (left, top, right, bottom) of the inner edges of the largest frame."""
    cols = _long_runs(line_v.T, 2 * min_tile)
    rows = _long_runs(line_h, 2 * min_tile)
    if len(cols) < 2 or len(rows) < 2:
        return None
    slack = 4
    ys, row_from, row_to = rows[:, 0], rows[:, 1], rows[:, 2]
    found: list[npt.NDArray[np.int64]] = []
    for xa, fa, ta in cols:
        right = cols[cols[:, 0] - xa >= 2 * min_tile]
        xb = right[:, 0:1]
        lo = np.maximum(fa, right[:, 1:2]) - slack
        hi = np.minimum(ta, right[:, 2:3]) + slack
        # ok[i, j]: row line j joins side xa to side right[i] within both sides' runs.
        ok = (ys >= lo) & (ys <= hi) & (row_from <= xa + slack) & (row_to >= xb - slack)
        closed = np.count_nonzero(ok, axis=1) >= 2
        if closed.any():
            top = np.where(ok, ys, np.iinfo(np.int64).max).min(axis=1)
            bottom = np.where(ok, ys, -1).max(axis=1)
            found.append(np.stack((np.full_like(top, xa), top, xb[:, 0], bottom), axis=1)[closed])
    if not found:
        return None
    boxes = np.concatenate(found)
    if within is not None:
        boxes = boxes[_covers(boxes, within)]
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    # A frame is a band: each side's inner edge is a long line just inside its outer one.
    # (The edge of a screenshot pasted on a desktop is a rectangle too, but a bare one.)
    band = min(_FRAME_BAND, min_tile - 1)
    for x0, y0, x1, y1 in boxes[np.argsort(-areas, kind="stable")][:_FRAME_TRIES].tolist():
        left = _innermost(cols, x0, 1, (y0, y1), band)
        top_edge = _innermost(rows, y0, 1, (x0, x1), band)
        right_edge = _innermost(cols, x1, -1, (y0, y1), band)
        bottom_edge = _innermost(rows, y1, -1, (x0, x1), band)
        if not (left is None or top_edge is None or right_edge is None or bottom_edge is None):
            return left, top_edge, right_edge, bottom_edge
    return None


def _covers(boxes: npt.NDArray[np.int64], grid: GridSpec) -> npt.NDArray[np.bool_]:
    """Per box (x0, y0, x1, y1), whether it covers at least half of `grid`'s board."""
    gx, gy = grid.origin_x_px, grid.origin_y_px
    gw, gh = grid.width_px, grid.height_px
    across = np.minimum(boxes[:, 2], gx + gw) - np.maximum(boxes[:, 0], gx)
    down = np.minimum(boxes[:, 3], gy + gh) - np.maximum(boxes[:, 1], gy)
    shared = np.maximum(across, 0) * np.maximum(down, 0)
    return np.asarray(2 * shared >= gw * gh)


def _innermost(
    runs: npt.NDArray[np.int64], side: int, step: int, span: tuple[int, int], band: int
) -> int | None:
    """The frame's inner edge from its side at `side`, stepping inwards by `step` (+-1).

    Follows long lines covering most of `span` while the next lies within `band` px
    further in: a pasted screenshot's edge leads to the frame's outer edge, that to its
    inner one. Returns None when the side has no parallel line just inside (no band).
    """
    need = 0.8 * (span[1] - span[0])
    cover = np.minimum(runs[:, 2], span[1]) - np.maximum(runs[:, 1], span[0])
    lines = runs[cover >= need, 0] * step
    here, found = side * step, False
    while True:
        ahead = lines[(lines > here) & (lines <= here + band)]
        if len(ahead) == 0:
            return here * step if found else None
        here, found = int(ahead.max()), True


def _long_runs(lines: npt.NDArray[np.bool_], min_len: int) -> npt.NDArray[np.int64]:
    """(position, start, end) rows of the _FRAME_RUNS longest runs of at least min_len.

    lines: (positions, length) bool; only positions holding min_len pixels are searched.
    """
    busy = np.flatnonzero(np.count_nonzero(lines, axis=1) >= min_len)
    padded = np.pad(lines[busy].astype(np.int8), ((0, 0), (1, 1)))
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps > 0)
    _, ends = np.nonzero(steps < 0)
    keep = ends - starts >= min_len
    runs = np.stack((busy[rows[keep]], starts[keep], ends[keep] - 1), axis=1).astype(np.int64)
    order = np.argsort(runs[:, 1] - runs[:, 2], kind="stable")[:_FRAME_RUNS]
    return runs[np.sort(order)]


def _inner_lines(
    lines: npt.NDArray[np.bool_], lo: int, hi: int, span: tuple[int, int], min_tile: int
) -> npt.NDArray[np.int64]:
    """Offsets from `lo` of the line positions strictly inside (lo, hi) that hold a line
    of at least half a tile within `span`."""
    inside = lines[lo + 2 : hi - 1, max(span[0], 0) : span[1] + 1]
    if inside.size == 0:
        return np.zeros(0, np.int64)
    longest = _longest_run(inside)
    return np.flatnonzero(longest >= max(min_tile // 2, 4)).astype(np.int64) + 2


def _longest_run(lines: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per row, the length of its longest run of True."""
    padded = np.pad(lines.astype(np.int8), ((0, 0), (1, 1)))
    steps = np.diff(padded, axis=1)
    rows, starts = np.nonzero(steps > 0)
    _, ends = np.nonzero(steps < 0)
    out = np.zeros(lines.shape[0], np.int64)
    np.maximum.at(out, rows, ends - starts)
    return out


def _grid_from_marks(
    pixels: npt.NDArray[np.uint8], min_tile: int, max_tile: int
) -> GridSpec | None:
    """The grid of marks (numbers, symbols) centred in cells on a plain face, or None.

    Marks are the blobs of pixels unlike the image's commonest colour; their centres must
    sit on a square lattice, one mark per cell, that fills at least half its cells.
    """
    small = pixels[::2, ::2].reshape(-1, 3).astype(np.int32)
    packed = (small[:, 0] << 16) | (small[:, 1] << 8) | small[:, 2]
    colours, counts = np.unique(packed, return_counts=True)
    commonest = int(colours[np.argmax(counts)])
    face = np.array([commonest >> 16, (commonest >> 8) & 255, commonest & 255], np.int16)
    ink = (np.abs(pixels.astype(np.int16) - face).max(axis=2) > _EDGE_LEVEL).astype(np.uint8)
    # Glyphs of one mark lie a stroke apart: join them before counting blobs.
    joined = cv2.dilate(ink, np.ones((3, max(3, min_tile // 4) | 1), np.uint8))
    _, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    boxes = stats[1:, :4]
    sizes = np.maximum(boxes[:, 2], boxes[:, 3])
    usable = (sizes >= 3) & (sizes < max_tile)
    boxes, sizes = boxes[usable], sizes[usable]
    if not _MIN_MARKS <= len(boxes) <= _MAX_MARKS:
        return None
    # A board's marks are alike in size; far bigger blobs are something else.
    boxes = boxes[sizes <= 3 * np.median(sizes)]
    centre_x = boxes[:, 0] + boxes[:, 2] / 2
    centre_y = boxes[:, 1] + boxes[:, 3] / 2
    group = _mark_group(centre_x, centre_y, min_tile, max_tile)
    if len(group) < _MIN_MARKS:
        return None
    boxes, centre_x, centre_y = boxes[group], centre_x[group], centre_y[group]
    across = _mark_lattice(centre_x, min_tile, max_tile)
    down = _mark_lattice(centre_y, min_tile, max_tile)
    if across is None or down is None or abs(across[1] - down[1]) > 1:
        return None
    pitch = round((across[1] + down[1]) / 2)
    cols, rows = across[2], down[2]
    if len(boxes) * 2 < rows * cols or len(boxes) > rows * cols:
        return None
    grid = GridSpec(
        origin_x_px=round(across[0] - pitch / 2),
        origin_y_px=round(down[0] - pitch / 2),
        tile_px=pitch,
        gap_px=0,
        rows=rows,
        cols=cols,
    )
    if grid.origin_x_px < 0 or grid.origin_y_px < 0:
        return None
    try:
        check_grid_fits(pixels.shape, grid)
    except FrameError:
        return None
    return grid


def _mark_group(
    centre_x: npt.NDArray[np.floating],
    centre_y: npt.NDArray[np.floating],
    min_tile: int,
    max_tile: int,
) -> npt.NDArray[np.intp]:
    """Indices of the largest set of marks chained by steps of one pitch across or down.

    The pitch is the commonest distance from a mark to its nearest neighbour in line with
    it; marks elsewhere (text in a menu bar, icons) join no chain of the board's.
    """
    dx = np.abs(centre_x[:, None] - centre_x[None, :])
    dy = np.abs(centre_y[:, None] - centre_y[None, :])
    across = (dy <= _MARK_SLACK) & (dx >= min_tile) & (dx <= max_tile)
    down = (dx <= _MARK_SLACK) & (dy >= min_tile) & (dy <= max_tile)
    nearest = np.minimum(
        np.where(across, dx, np.inf).min(axis=1), np.where(down, dy, np.inf).min(axis=1)
    )
    nearest = nearest[np.isfinite(nearest)]
    if len(nearest) == 0:
        return np.zeros(0, np.intp)
    pitch = float(np.median(nearest))
    linked = (across & (np.abs(dx - pitch) <= _MARK_SLACK)) | (
        down & (np.abs(dy - pitch) <= _MARK_SLACK)
    )
    unseen = np.ones(len(centre_x), bool)
    best = np.zeros(0, np.intp)
    for seed in range(len(centre_x)):
        if not unseen[seed]:
            continue
        members = np.zeros(len(centre_x), bool)
        members[seed] = True
        frontier = members.copy()
        while frontier.any():
            frontier = linked[frontier].any(axis=0) & ~members
            members |= frontier
        unseen &= ~members
        if np.count_nonzero(members) > len(best):
            best = np.flatnonzero(members)
    return best


def _mark_lattice(
    centres: npt.NDArray[np.floating], min_tile: int, max_tile: int
) -> tuple[float, float, int] | None:
    """(first centre, pitch, count) of positions that cluster on a regular lattice, or None."""
    order = np.sort(centres)
    splits = np.flatnonzero(np.diff(order) > _MARK_SLACK) + 1
    clusters = [float(np.mean(c)) for c in np.split(order, splits)]
    if len(clusters) < 2:
        return None
    steps = np.diff(clusters)
    pitch = float(steps.min())
    if not min_tile <= pitch <= max_tile:
        return None
    multiples = steps / pitch
    if np.abs(multiples - np.round(multiples)).max() * pitch > _MARK_SLACK:
        return None
    span = clusters[-1] - clusters[0]
    pitch = span / round(span / pitch)
    return clusters[0], pitch, round(span / pitch) + 1
