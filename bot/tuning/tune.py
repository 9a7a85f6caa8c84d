"""Tune a level's reading thresholds on hand-labelled frames: most cells right, none wrong.

The searched settings (`Setting`) are templates.score_min, templates.margin_min,
templates.search_px and, when the level has colour classes, colour.max_distance, over
the grid of a `Space`. The occupancy setting (border statistics: whether they may name a
tile empty, z_limit, inset_px, min_blob_px) is chosen first, from every labelled cell's
blob sizes (bot.tuning.occupancy), and the search runs with it; each fold of the
held-out check chooses its own from its training frames.

How a search stays cheap. Each frame is read once per search_px value (a "probe", at the
level's current score_min/margin_min and the widest max_distance), keeping every cell's
best label, score, margin and path (read_cells). Whether a cell is accepted under other
thresholds is then predicted from those numbers alone (`_tabulate`): a template read when
score >= score_min and margin >= margin_min (a border read too: its occupancy is fixed),
a veiled one when it also clears the veil bars, a colour read when its distance is within
max_distance. Counting right and wrong
cells for every threshold pair is a cumulative 2-D histogram per frame, so a fold's whole
grid costs a few array sums. The prediction is close, not exact (thresholds also decide
which tiles take the slow path), so every figure reported comes from real reads: the
chosen setting is read exactly and must read no labelled cell wrong.

Choice (`_rank`): among the settings predicted to read no cell wrong even with their
thresholds loosened by `safety` grid steps, those reading the most cells right; of
these, per search_px, those with the fewest "rivals" (right template reads whose
runner-up, a wrong label, clears score_min: the scores wrong labels reach on these
frames) form the plateau. The choice keeps the level's search_px if it can (else the
nearest, the smaller on a tie) and then sits in the middle of the plateau: the most
room, in grid steps, to its edge along the tightest threshold axis, then along all of
them together; then the strictest thresholds. So score_min lands halfway between the
scores wrong labels reach and the lowest right read (at that read when wrong labels
score as high), and margin_min halfway between zero (or the margins of wrong reads) and
the smallest right margin.

Held-out check (`cross_check`): frames are dealt into k folds in order (frame i to fold
i mod k); each fold is read with the setting chosen on the others. The smallest safety in
SAFETY_STEPS whose held-out frames read no cell wrong is the one used for the final
choice over all frames.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from types import MappingProxyType, TracebackType
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from bot.board import UNKNOWN
from bot.errors import TilebotError
from bot.frame import Frame, Pixels
from bot.profile import LevelProfile
from bot.settle import regions_mask
from bot.tuning.labels import UNLABELLED, Rows
from bot.tuning.occupancy import Border, blob_sizes, choose_border
from bot.vision.read import (
    PATH_BORDER,
    PATH_COLOUR,
    PATH_VEILED,
    VEIL_MARGIN_MIN,
    VEIL_SCORE_MIN,
    CellRead,
    read_cells,
)
from bot.vision.templates import TemplateBank

SEARCH_PX = (0, 1, 2, 3, 4, 5, 6)
"""search_px values tried (those above a quarter tile are left out)."""

SCORE_MINS = tuple(round(0.50 + 0.01 * i, 2) for i in range(50))
"""score_min values tried: 0.50 to 0.99."""

MARGIN_MINS = tuple(round(0.01 * i, 2) for i in range(31))
"""margin_min values tried: 0.00 to 0.30."""

MAX_DISTANCES = (0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.15)
"""colour.max_distance values tried when the level has colour classes."""

SAFETY_STEPS = (0, 1, 2, 4)
"""Grid steps by which a chosen setting's thresholds may loosen and still read nothing
wrong, tried in turn by the held-out check."""

VERIFY_TRIES = 6
"""How many ranked settings are read exactly, in turn, before giving up."""

_T = TypeVar("_T")


class TuneError(TilebotError):
    """Tuning cannot run on these frames and labels; says which frame, cell or label."""


@dataclass(frozen=True, slots=True)
class Sample:
    """One hand-labelled frame.

    name: where it came from, for messages ("labels.txt [frame 12]"). pixels: (H, W, 3)
    uint8 BGR. truth: rows x cols labels, UNLABELLED where unknown.
    """

    name: str
    pixels: Pixels
    truth: Rows


@dataclass(frozen=True, slots=True, order=True)
class Setting:
    """The reading thresholds tuning changes (see LevelProfile: templates, colour,
    occupancy)."""

    score_min: float
    margin_min: float
    search_px: int
    max_distance: float
    border: Border

    @classmethod
    def of(cls, level: LevelProfile) -> Setting:
        """The setting `level` reads with now."""
        t = level.templates
        return cls(
            t.score_min, t.margin_min, t.search_px, level.colour.max_distance, Border.of(level)
        )

    def apply(self, level: LevelProfile) -> LevelProfile:
        """`level` with this setting's values."""
        templates = level.templates.model_copy(
            update={
                "score_min": self.score_min,
                "margin_min": self.margin_min,
                "search_px": self.search_px,
            }
        )
        colour = level.colour.model_copy(update={"max_distance": self.max_distance})
        changed = level.model_copy(update={"templates": templates, "colour": colour})
        return self.border.apply(changed)

    def fields(self) -> dict[str, float | int | bool]:
        """Profile field path ("templates.score_min", ...) -> value."""
        return {
            "templates.score_min": self.score_min,
            "templates.margin_min": self.margin_min,
            "templates.search_px": self.search_px,
            "colour.max_distance": self.max_distance,
            **self.border.fields(),
        }

    def changes(self, level: LevelProfile) -> dict[str, float | int | bool]:
        """The fields whose value differs from `level`'s, field path -> new value."""
        now = Setting.of(level).fields()
        return {k: v for k, v in self.fields().items() if now[k] != v}

    def describe(self) -> str:
        """One line: score_min 0.90 margin_min 0.06 search_px 3 max_distance 0.05 border off."""
        return (
            f"score_min {self.score_min:.3g} margin_min {self.margin_min:.3g} "
            f"search_px {self.search_px} max_distance {self.max_distance:.3g} "
            f"{self.border.describe()}"
        )


@dataclass(frozen=True, slots=True)
class Space:
    """The values tried for each field of a Setting, each tuple ascending."""

    search_px: tuple[int, ...]
    score_min: tuple[float, ...]
    margin_min: tuple[float, ...]
    max_distance: tuple[float, ...]

    def __post_init__(self) -> None:
        for name in ("search_px", "score_min", "margin_min", "max_distance"):
            values = getattr(self, name)
            if not values or list(values) != sorted(set(values)):
                raise TuneError(f"search space {name}: {values!r} must be ascending and non-empty")

    def setting(self, p: int, s: int, m: int, d: int, border: Border) -> Setting:
        """The setting at grid position (search_px, score_min, margin_min, max_distance)
        with occupancy `border`."""
        return Setting(
            self.score_min[s], self.margin_min[m], self.search_px[p], self.max_distance[d], border
        )


def default_space(level: LevelProfile) -> Space:
    """The search grid for `level`: max_distance is searched only with colour classes."""
    limit = level.grid.tile_px // 4
    distances = MAX_DISTANCES if level.colour.classes else (level.colour.max_distance,)
    return Space(
        tuple(p for p in SEARCH_PX if p <= limit), SCORE_MINS, MARGIN_MINS, tuple(distances)
    )


@dataclass(frozen=True, slots=True)
class Score:
    """How a read compares with the truth over the labelled cells.

    confusion: (true label, read label) -> cells, the read label UNKNOWN when declined.
    """

    cells: int
    correct: int
    wrong: int
    unknown: int
    confusion: Mapping[tuple[str, str], int]

    @property
    def accuracy(self) -> float:
        """Right cells over labelled cells (1.0 when none is labelled)."""
        return self.correct / self.cells if self.cells else 1.0


def score_reads(truths: Sequence[Rows], reads: Sequence[Rows]) -> Score:
    """Compare read labels with true ones, frame by frame; UNLABELLED truth is skipped."""
    confusion: dict[tuple[str, str], int] = {}
    for truth, read in zip(truths, reads, strict=True):
        for truth_row, read_row in zip(truth, read, strict=True):
            for want, got in zip(truth_row, read_row, strict=True):
                if want != UNLABELLED:
                    confusion[want, got] = confusion.get((want, got), 0) + 1
    cells = sum(confusion.values())
    correct = sum(n for (want, got), n in confusion.items() if want == got)
    unknown = sum(n for (_, got), n in confusion.items() if got == UNKNOWN)
    frozen = MappingProxyType(dict(sorted(confusion.items())))
    return Score(cells, correct, cells - correct - unknown, unknown, frozen)


def format_confusion(score: Score) -> str:
    """The confusion matrix as text: a row per true label, a column per read label.

    Columns are numbered as the rows are (labels sorted), "unk" last; "." is zero.
    """
    labels = sorted({k[0] for k in score.confusion} | {k[1] for k in score.confusion} - {UNKNOWN})
    if not labels:
        return "(no labelled cells)"
    width = max(4, *(len(str(n)) + 1 for n in score.confusion.values()))
    corner = "truth \\ read"
    name_w = max(len(corner), 3 + max(len(label) for label in labels)) + 1
    head = corner.ljust(name_w) + "".join(str(i + 1).rjust(width) for i in range(len(labels)))
    lines = [head + "unk".rjust(width)]
    truths = sorted({k[0] for k in score.confusion})
    for label in truths:
        number = labels.index(label) + 1
        row = f"{number:>2} {label}".ljust(name_w)
        for got in [*labels, UNKNOWN]:
            n = score.confusion.get((label, got), 0)
            row += (str(n) if n else ".").rjust(width)
        lines.append(row)
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Fold:
    """One fold of the held-out check: the setting chosen without it, and its read."""

    index: int
    frames: int
    setting: Setting
    held_out: Score


@dataclass(frozen=True, slots=True)
class CrossCheck:
    """The held-out check at the safety it settled on."""

    safety: int
    folds: tuple[Fold, ...]
    held_out: Score


@dataclass(frozen=True, slots=True)
class TuneResult:
    """What tuning found.

    before/after: the level's setting and the chosen one; score_before/score_after:
    their exact reads of every labelled frame. cross_check: None with fewer than 2
    frames or folds. kept: the current setting read better, so it stays (after == before).
    unreadable: true labels the level's bank cannot read (such cells never read right).
    """

    before: Setting
    after: Setting
    score_before: Score
    score_after: Score
    cross_check: CrossCheck | None
    kept: bool
    unreadable: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the chosen setting reads no labelled cell wrong."""
        return self.score_after.wrong == 0


# ---------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class _Job:
    """Read one frame with each of `levels`; run in a worker process."""

    pixels: Pixels
    levels: tuple[LevelProfile, ...]
    bank: TemplateBank


def _blob_job(job: _Job) -> npt.NDArray[np.int32]:
    """The frame's blob_sizes at the job's first level: (C, N) int32."""
    return blob_sizes(job.pixels, job.levels[0])


def _run_job(job: _Job) -> tuple[tuple[CellRead, ...], ...]:
    """Per level of the job, the frame's CellReads in row-major order."""
    frame = Frame(job.pixels, 0, 0.0)
    out = []
    for level in job.levels:
        mask = None
        if level.overlay_regions:
            mask = regions_mask(frame.height, frame.width, level.overlay_regions)
        _, reads = read_cells(frame, level, job.bank, mask)
        out.append(tuple(read for row in reads for read in row))
    return tuple(out)


class _Reader:
    """Runs read jobs in order, on `jobs` worker processes (in this one when 1)."""

    def __init__(self, jobs: int, progress: bool) -> None:
        if jobs < 1:
            raise TuneError(f"--jobs {jobs}: need at least 1")
        self.jobs = jobs
        self.progress = progress
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Reader:
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run(self, jobs: Sequence[_Job], what: str) -> list[tuple[tuple[CellRead, ...], ...]]:
        """Each job's reads, in the order given, with a progress bar named `what`."""
        return self._map(_run_job, jobs, what)

    def blobs(self, jobs: Sequence[_Job], what: str) -> list[npt.NDArray[np.int32]]:
        """Each job's blob sizes (see _blob_job), in the order given."""
        return self._map(_blob_job, jobs, what)

    def _map(self, work: Callable[[_Job], _T], jobs: Sequence[_Job], what: str) -> list[_T]:
        results: Iterator[_T]
        if self._pool is None or len(jobs) < 2:
            results = map(work, jobs)
        else:
            results = self._pool.map(work, jobs)
        bar = tqdm(results, total=len(jobs), desc=what, unit="frame", disable=not self.progress)
        return list(bar)


def default_jobs() -> int:
    """The number of cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _labels_of(reads: Sequence[CellRead], cols: int) -> Rows:
    """Rows of read labels (UNKNOWN where not accepted) from row-major CellReads."""
    flat = [r.best if r.accepted else UNKNOWN for r in reads]
    return tuple(tuple(flat[i : i + cols]) for i in range(0, len(flat), cols))


# ---------------------------------------------------------------- prediction


@dataclass(frozen=True, slots=True, eq=False)
class _Table:
    """Predicted right and wrong cells of one frame at one search_px, over the grid.

    right_tv, wrong_tv: (S, M) int32, template and veiled reads accepted at
    (score_min[s], margin_min[m]). right_c, wrong_c: (D,) int32, colour reads accepted
    at max_distance[d]. rivals: (S,) int32, right template reads whose runner-up (a
    wrong label) scores at least score_min[s].
    """

    right_tv: npt.NDArray[np.int32]
    wrong_tv: npt.NDArray[np.int32]
    right_c: npt.NDArray[np.int32]
    wrong_c: npt.NDArray[np.int32]
    rivals: npt.NDArray[np.int32]


def _tabulate(
    reads: Sequence[CellRead],
    truth: Sequence[str],
    probe: Setting,
    space: Space,
    empty: str,
    confirm_below: float,
) -> _Table:
    """Predict which labelled cells are accepted, right or wrong, at every grid setting.

    reads: one frame's CellReads (row-major) from a read at `probe`; truth: the same
    cells' true labels. See the module docstring for the rules.
    """
    s_grid = np.asarray(space.score_min, np.float32)
    m_grid = np.asarray(space.margin_min, np.float32)
    d_grid = np.asarray(space.max_distance, np.float64)
    hist = np.zeros((2, len(s_grid), len(m_grid)), np.int32)
    colour = np.zeros((2, len(d_grid)), np.int32)
    rivals = np.zeros(len(s_grid), np.int32)
    for read, want in zip(reads, truth, strict=True):
        if want == UNLABELLED:
            continue
        wrong = int(read.best != want)
        score, margin = np.float32(read.score), np.float32(read.margin)
        if read.path == PATH_COLOUR:
            distance = (1.0 - read.score) * probe.max_distance
            d = int(np.searchsorted(d_grid, distance - 1e-12, side="left"))
            if d < len(d_grid):
                colour[wrong, d] += 1
            continue
        if read.path == PATH_VEILED:
            if score < VEIL_SCORE_MIN or margin < VEIL_MARGIN_MIN:
                continue
        elif read.path != PATH_BORDER:
            if not wrong:
                r = int(np.searchsorted(s_grid, score - margin, side="right")) - 1
                if r >= 0:
                    rivals[r] += 1
            if (
                not read.accepted
                and read.best != empty
                and score < confirm_below
                and score >= probe.score_min
                and margin >= probe.margin_min
            ):
                continue  # cleared the thresholds but the veil fit disagreed: never accepted
        s = int(np.searchsorted(s_grid, score, side="right")) - 1
        m = int(np.searchsorted(m_grid, margin, side="right")) - 1
        if s >= 0 and m >= 0:
            hist[wrong, s, m] += 1
    accepted = hist[:, ::-1, ::-1].cumsum(axis=1).cumsum(axis=2)[:, ::-1, ::-1]
    colour_accepted = colour.cumsum(axis=1)
    return _Table(
        np.ascontiguousarray(accepted[0]),
        np.ascontiguousarray(accepted[1]),
        colour_accepted[0],
        colour_accepted[1],
        rivals[::-1].cumsum()[::-1].astype(np.int32),
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Totals:
    """Predicted counts over a set of frames, each (P, S, M, D) int64 over the grid.

    right, wrong: accepted cells read right and wrong; rivals: right template reads
    whose runner-up clears score_min.
    """

    right: npt.NDArray[np.int64]
    wrong: npt.NDArray[np.int64]
    rivals: npt.NDArray[np.int64]


def _totals(tables: Sequence[Sequence[_Table]]) -> _Totals:
    """Sum the frames' tables (per frame, one _Table per search_px value)."""

    def total(field: str) -> npt.NDArray[np.int64]:
        stacked = np.asarray([[getattr(t, field) for t in per_p] for per_p in tables], np.int64)
        out: npt.NDArray[np.int64] = stacked.sum(axis=0)
        return out

    right_c, wrong_c = total("right_c"), total("wrong_c")
    right = total("right_tv")[:, :, :, None] + right_c[:, None, None, :]
    wrong = total("wrong_tv")[:, :, :, None] + wrong_c[:, None, None, :]
    rivals = np.broadcast_to(total("rivals")[:, :, None, None], right.shape)
    return _Totals(right, wrong, rivals)


def _room(plateau: npt.NDArray[np.bool_]) -> tuple[npt.NDArray[np.int64], ...]:
    """Per threshold axis (1-3) of more than one value, the steps from each grid point of
    `plateau` to its edge along that axis: the shorter way of the run of plateau points
    it is in (1 at an edge), 0 off the plateau. plateau: (P, S, M, D) bool; each result
    the same shape, int64."""
    rooms = []
    for axis in (1, 2, 3):
        n = plateau.shape[axis]
        if n < 2:
            continue
        k = np.moveaxis(plateau, axis, 0).astype(np.int64)
        up = np.zeros(k.shape, np.int64)
        down = np.zeros(k.shape, np.int64)
        up[0] = k[0]
        for i in range(1, n):
            up[i] = (up[i - 1] + 1) * k[i]
        down[n - 1] = k[n - 1]
        for i in range(n - 2, -1, -1):
            down[i] = (down[i + 1] + 1) * k[i]
        rooms.append(np.moveaxis(np.minimum(up, down), 0, axis))
    return tuple(rooms) or (plateau.astype(np.int64),)


def _rank(
    tables: Sequence[Sequence[_Table]],
    space: Space,
    safety: int,
    limit: int,
    search_px: int,
    border: Border,
) -> list[tuple[Setting, int]]:
    """Up to `limit` settings with occupancy `border` predicted to read nothing wrong,
    best first, with their predicted right cells (see the module docstring for the
    order); `search_px` is the level's current value, preferred among equals."""
    totals = _totals(tables)
    right = totals.right
    _, n_s, n_m, n_d = right.shape
    s_idx = np.maximum(np.arange(n_s) - safety, 0)
    m_idx = np.maximum(np.arange(n_m) - safety, 0)
    d_idx = np.minimum(np.arange(n_d) + safety, n_d - 1)
    loosened = totals.wrong[:, s_idx][:, :, m_idx][:, :, :, d_idx]
    keep = loosened == 0
    if not keep.any():
        return []
    most = keep & (right == right[keep].max())
    plateau = np.zeros_like(most)
    for q in range(len(space.search_px)):
        if most[q].any():
            fewest = totals.rivals[q][most[q]].min()
            plateau[q] = most[q] & (totals.rivals[q] == fewest)
    rooms = _room(plateau)
    least, total = np.minimum.reduce(rooms), np.sum(rooms, axis=0)
    p, s, m, d = np.meshgrid(*(np.arange(n) for n in right.shape), indexing="ij")
    away = np.abs(np.asarray(space.search_px)[p] - search_px)
    keys = (d, -m, -s, -total, -least, p, away, -plateau.astype(np.int64), -right)
    order = np.lexsort(tuple(np.ravel(k).astype(np.int64) for k in keys))
    picked = order[keep.ravel()[order]][:limit]
    out = []
    for flat in picked:
        pi, si, mi, di = np.unravel_index(int(flat), right.shape)
        setting = space.setting(int(pi), int(si), int(mi), int(di), border)
        out.append((setting, int(right.ravel()[flat])))
    return out


# ---------------------------------------------------------------- tuning


def tune_level(
    samples: Sequence[Sample],
    level: LevelProfile,
    bank: TemplateBank,
    *,
    folds: int = 5,
    jobs: int = 1,
    progress: bool = False,
    space: Space | None = None,
) -> TuneResult:
    """Choose `level`'s reading setting from hand-labelled frames (see the module docstring).

    samples: the labelled frames, in a fixed order (the folds follow it); bank: the
    level's template bank. Deterministic for given inputs, whatever `jobs`. Raises
    TuneError when there is no sample, a sample's labels do not fit the grid or name a
    label that is neither the level's nor its bank's (a typo), or folds < 1.
    """
    if not samples:
        raise TuneError("no labelled frames to tune on")
    if folds < 1:
        raise TuneError(f"--folds {folds}: need at least 1")
    _check_samples(samples, level, bank)
    space = space or default_space(level)
    before = Setting.of(level)
    with _Reader(jobs, progress) as reader:
        tuner = _Tuner(samples, level, bank, space, reader)
        border = tuner.border(range(len(samples)))
        tables = tuner.probe(replace(before, border=border))
        check, safety = tuner.cross_check(tables, folds)
        score_before = tuner.score(before)
        after, score_after = tuner.choose(tables, safety, border)
    readable = set(bank.labels) | set(level.colour.classes)
    shown = {label for sample in samples for row in sample.truth for label in row}
    unreadable = tuple(sorted(shown - readable - {UNLABELLED}))
    if after is None or (
        score_after.wrong == 0
        and score_before.wrong == 0
        and score_before.correct > score_after.correct
    ):
        return TuneResult(before, before, score_before, score_before, check, True, unreadable)
    return TuneResult(before, after, score_before, score_after, check, False, unreadable)


def _check_samples(samples: Sequence[Sample], level: LevelProfile, bank: TemplateBank) -> None:
    """TuneError naming the sample, cell and label of the first problem."""
    grid = level.grid
    if bank.tile_px != grid.tile_px:
        raise TuneError(
            f"the level's grid has {grid.tile_px} px tiles but its bank was built from "
            f"{bank.tile_px} px tiles"
        )
    known = set(bank.labels) | set(level.colour.classes) | set(level.labels)
    for sample in samples:
        rows = len(sample.truth)
        cols = len(sample.truth[0]) if rows else 0
        if (rows, cols) != (grid.rows, grid.cols) or any(len(r) != cols for r in sample.truth):
            raise TuneError(
                f"{sample.name}: labels are {rows}x{cols} cells but the level's grid is "
                f"{grid.rows}x{grid.cols} (rows x cols)"
            )
        height, width = sample.pixels.shape[:2]
        x1, y1 = grid.origin_x_px + grid.width_px, grid.origin_y_px + grid.height_px
        if x1 > width or y1 > height:
            raise TuneError(
                f"{sample.name}: the level's grid reaches ({x1}, {y1}) but the frame is "
                f"{width}x{height}"
            )
        for r, row in enumerate(sample.truth):
            for c, label in enumerate(row):
                if label != UNLABELLED and label not in known:
                    raise TuneError(
                        f"{sample.name}: cell ({r}, {c}) is labelled {label!r}, which is "
                        f"neither a label of the level nor of its bank: {', '.join(sorted(known))}"
                    )


class _Tuner:
    """The reads of one tuning run, each frame read at most once per setting."""

    def __init__(
        self,
        samples: Sequence[Sample],
        level: LevelProfile,
        bank: TemplateBank,
        space: Space,
        reader: _Reader,
    ) -> None:
        self.samples = samples
        self.level = level
        self.bank = bank
        self.space = space
        self.reader = reader
        self.truths = [tuple(label for row in s.truth for label in row) for s in samples]
        self._exact: dict[tuple[int, Setting], Rows] = {}
        self._blobs: list[npt.NDArray[np.int32]] | None = None

    def border(self, indices: Sequence[int]) -> Border:
        """The occupancy setting chosen from frames `indices` (bot.tuning.occupancy)."""
        if self._blobs is None:
            jobs = [_Job(s.pixels, (self.level,), self.bank) for s in self.samples]
            self._blobs = self.reader.blobs(jobs, "blob sizes")
        chosen = [self._blobs[i] for i in indices]
        return choose_border(chosen, [self.truths[i] for i in indices], self.level)

    def probe(self, at: Setting) -> list[list[_Table]]:
        """Per frame, a _Table per search_px: read at `at`'s score and margin bars and
        occupancy."""
        widest = max(self.space.max_distance)
        probes = [
            Setting(at.score_min, at.margin_min, p, widest, at.border) for p in self.space.search_px
        ]
        levels = tuple(s.apply(self.level) for s in probes)
        jobs = [_Job(s.pixels, levels, self.bank) for s in self.samples]
        empty = self.level.occupancy.empty_label
        confirm = self.level.templates.confirm_below
        tables = []
        for truth, per_level in zip(self.truths, self.reader.run(jobs, "probe reads"), strict=True):
            tables.append(
                [
                    _tabulate(reads, truth, probe, self.space, empty, confirm)
                    for probe, reads in zip(probes, per_level, strict=True)
                ]
            )
        return tables

    def read_exact(self, wanted: Sequence[tuple[int, Setting]], what: str) -> None:
        """Read each (frame, setting) not read yet, one job per frame."""
        missing: dict[int, list[Setting]] = {}
        for i, setting in wanted:
            if (i, setting) not in self._exact and setting not in missing.get(i, []):
                missing.setdefault(i, []).append(setting)
        if not missing:
            return
        order = sorted(missing)
        jobs = [
            _Job(self.samples[i].pixels, tuple(s.apply(self.level) for s in missing[i]), self.bank)
            for i in order
        ]
        cols = self.level.grid.cols
        for i, per_level in zip(order, self.reader.run(jobs, what), strict=True):
            for setting, reads in zip(missing[i], per_level, strict=True):
                self._exact[i, setting] = _labels_of(reads, cols)

    def score(self, setting: Setting, indices: Sequence[int] | None = None) -> Score:
        """The exact score of `setting` over frames `indices` (default all)."""
        chosen = range(len(self.samples)) if indices is None else indices
        self.read_exact([(i, setting) for i in chosen], "exact reads")
        return score_reads(
            [self.samples[i].truth for i in chosen], [self._exact[i, setting] for i in chosen]
        )

    def cross_check(
        self, tables: Sequence[Sequence[_Table]], folds: int
    ) -> tuple[CrossCheck | None, int]:
        """The held-out check and the safety it settles on (see the module docstring)."""
        n = len(self.samples)
        k = min(folds, n)
        if k < 2:
            return None, SAFETY_STEPS[0]
        fold_of = [i % k for i in range(n)]
        best: CrossCheck | None = None
        for safety in SAFETY_STEPS:
            chosen: list[Setting] = []
            for f in range(k):
                training = [i for i in range(n) if fold_of[i] != f]
                train = [tables[i] for i in training]
                border = self.border(training)
                search_px = self.level.templates.search_px
                ranked = _rank(train, self.space, safety, 1, search_px, border)
                chosen.append(ranked[0][0] if ranked else Setting.of(self.level))
            self.read_exact([(i, chosen[fold_of[i]]) for i in range(n)], "held-out reads")
            results = []
            for f in range(k):
                members = [i for i in range(n) if fold_of[i] == f]
                results.append(Fold(f, len(members), chosen[f], self.score(chosen[f], members)))
            held_out = score_reads(
                [self.samples[i].truth for i in range(n)],
                [self._exact[i, chosen[fold_of[i]]] for i in range(n)],
            )
            check = CrossCheck(safety, tuple(results), held_out)
            if best is None or held_out.wrong < best.held_out.wrong:
                best = check
            if held_out.wrong == 0:
                break
        assert best is not None  # SAFETY_STEPS is not empty
        return best, best.safety

    def choose(
        self, tables: Sequence[Sequence[_Table]], safety: int, border: Border
    ) -> tuple[Setting | None, Score]:
        """The first of the ranked settings (occupancy `border`) whose exact read has
        nothing wrong, else the tried one with the fewest wrong cells; (None, empty score)
        when none is ranked."""
        search_px = self.level.templates.search_px
        ranked = _rank(tables, self.space, safety, VERIFY_TRIES, search_px, border)
        tried: list[tuple[Setting, Score]] = []
        for setting, _ in ranked:
            score = self.score(setting)
            if score.wrong == 0:
                return setting, score
            tried.append((setting, score))
        if not tried:
            return None, score_reads([], [])
        return min(tried, key=lambda t: (t[1].wrong, -t[1].correct))
