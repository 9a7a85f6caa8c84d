"""Tuning benchmark: from nothing but a recording of the Fling demo to a tuned profile,
per theme, then read many settled frames of other sessions. Prints one JSON line.

    python benchmarks/tune.py            # 10 labelled frames, 200 test frames per theme
    python benchmarks/tune.py --quick    # 4 labelled frames, 12 test frames per theme

Frames are the demo game's window at rest (bot.demo.game.window_at_rest: background, HUD
with level name, moves and clock, the field with the logo, and the night cloud wherever
its drift puts it), composed without a display; `render_matches_recording` checks that
this composition equals, pixel for pixel, the first settled frame of the golden session
recordings/fling-ocean. The truth is the board each frame was drawn from, as the game's
state log would give it. A "session" is a texture seed: the labelled frames share
TRAIN_SESSIONS of them and show every ball kind 4 times, off the logo (as a person picks
frames to label); every test frame has its own texture and random board (2-14 balls,
over the logo too).

Per theme, each step the real command or the function it calls, no profile given:
1. the labelled frames are written as a recording; `tilebot discover` on all of them
   detects the grid, guesses the logo's overlay region and clusters the tiles
   (clusters_found against kinds_true, the distinct true labels of the clustered tiles);
2. the person names the clusters (each gets the true kind most of its tiles have) and
   labels the frames (the truth written into labels.txt);
3. `tilebot templates` builds the bank from them and the profile points at it; the test
   frames are read (accuracy_before);
4. the level is tuned on the labelled frames (`tune_s`: bot.tuning.tune.tune_level, what
   `tilebot tune` runs, with its held-out check) and written back into the profile;
   the test frames are read again (accuracy_after).

Figures: frames (test frames, all themes), accuracy_before, accuracy_after and
wrong_labels_after over them; per theme the same plus the discovered grid and overlay
regions and the chosen setting. Acceptance: accuracy_after 1.0 with wrong_labels_after 0.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._workflow import (  # noqa: E402
    name_clusters,
    rename_profile,
    run,
    set_bank,
)
from bot.board import UNKNOWN  # noqa: E402
from bot.commands import discover, templates  # noqa: E402
from bot.demo.boards import random_labels  # noqa: E402
from bot.demo.game import cloud_position, make_layout, window_at_rest  # noqa: E402
from bot.demo.levels import DEFAULT_LEVELS, load_levels  # noqa: E402
from bot.demo.themes import COLS, EMPTY, LABELS, ROWS, theme_named  # noqa: E402
from bot.frame import Frame, Pixels  # noqa: E402
from bot.profile import LevelProfile, load_profile  # noqa: E402
from bot.recording import Recording, RecordingWriter  # noqa: E402
from bot.settle import regions_mask  # noqa: E402
from bot.tuning.labels import LabelFile, read_labels, write_labels  # noqa: E402
from bot.tuning.tune import Sample, Score, default_jobs, score_reads, tune_level  # noqa: E402
from bot.tuning.writeback import write_level_values  # noqa: E402
from bot.vision.read import load_bank, read_board  # noqa: E402
from bot.vision.templates import TemplateBank  # noqa: E402

THEMES = ("ocean", "desert", "night")
TILE_PX = 64
TRAIN_SEED0 = 0
TEST_SEED0 = 100_000
TRAIN_SESSIONS = 3
"""Texture seeds the labelled frames share (a few sessions of play)."""

BALLS_PER_LABELLED = 8
"""Balls on each labelled board: 10 boards show each of the 20 ball kinds 4 times."""

Rows = tuple[tuple[str, ...], ...]


def game_frame(labels: Rows, theme: str, texture: int, rng: np.random.Generator) -> Pixels:
    """The demo window at rest showing `labels`: HUD text, clock and night cloud from `rng`."""
    chosen = theme_named(theme)
    moves, seconds = int(rng.integers(0, 40)), float(rng.uniform(0, 900))
    hud = (f"level {int(rng.integers(1, 60))}", moves, seconds)
    cloud = None
    if chosen.name == "night":
        cloud = cloud_position(TILE_PX, float(rng.uniform(0, 600)))
    return window_at_rest(labels, chosen, TILE_PX, texture, hud, cloud)


def make_frames(theme: str, seed0: int, count: int) -> list[tuple[Pixels, Rows]]:
    """`count` settled frames of random boards (2-14 balls), each its own session."""
    out = []
    for k in range(count):
        rng = np.random.default_rng([seed0 + k, THEMES.index(theme)])
        labels = random_labels(rng, (2, 14))
        out.append((game_frame(labels, theme, seed0 + k + 1, rng), labels))
    return out


def make_labelled(theme: str, count: int) -> list[tuple[Pixels, Rows]]:
    """`count` frames whose balls, BALLS_PER_LABELLED per board on cells the logo leaves
    alone, show every ball kind in turn (as a person picks frames to label);
    TRAIN_SESSIONS textures."""
    layout = make_layout(TILE_PX)
    free = [(r, c) for r in range(ROWS) for c in range(COLS) if layout.logo_cover(r, c) == 0]
    rng = np.random.default_rng([TRAIN_SEED0, THEMES.index(theme)])
    kinds = [label for label in LABELS if label != EMPTY]
    dealt = [kinds[i % len(kinds)] for i in range(count * BALLS_PER_LABELLED)]
    rng.shuffle(dealt)
    out = []
    for k in range(count):
        board = [[EMPTY] * COLS for _ in range(ROWS)]
        spots = rng.choice(len(free), size=BALLS_PER_LABELLED, replace=False)
        for spot, label in zip(spots, dealt[k * BALLS_PER_LABELLED :], strict=False):
            r, c = free[int(spot)]
            board[r][c] = label
        rows = tuple(tuple(row) for row in board)
        out.append((game_frame(rows, theme, TRAIN_SEED0 + k % TRAIN_SESSIONS + 1, rng), rows))
    return out


def render_matches_recording() -> bool:
    """True when the composition equals the golden session's first settled frame."""
    level = load_levels(DEFAULT_LEVELS)[0]
    chosen = theme_named(level.theme)
    hud = (level.name, 0, 0.0)
    image = window_at_rest(level.labels, chosen, TILE_PX, level.texture_seed, hud)
    recording = Recording.open(ROOT / "recordings" / f"fling-{level.theme}")
    settled = next(e for e in recording.events if e.settled)
    return bool(np.array_equal(recording.load(settled).pixels, image))


def write_training(folder: Path, frames: Sequence[tuple[Pixels, Rows]]) -> Path:
    """A recording of `frames` (index 0..n-1); returns its folder."""
    path = folder / "train"
    with RecordingWriter(path, codec="png", source="benchmarks/tune.py") as writer:
        for i, (pixels, _) in enumerate(frames):
            writer.write(Frame(pixels, i, float(i)))
    return path


def _read_one(job: tuple[Pixels, LevelProfile, TemplateBank]) -> Rows:
    pixels, level, bank = job
    frame = Frame(pixels, 0, 0.0)
    mask = None
    if level.overlay_regions:
        mask = regions_mask(frame.height, frame.width, level.overlay_regions)
    return read_board(frame, level, bank, mask).labels()


def read_score(
    pool: ProcessPoolExecutor, profile: Path, frames: Sequence[tuple[Pixels, Rows]]
) -> Score:
    """The profile's base level's reads of `frames` against their boards."""
    level = load_profile(profile).level(None)
    bank = load_bank(profile, level)
    reads = list(pool.map(_read_one, [(p, level, bank) for p, _ in frames], chunksize=4))
    return score_reads([rows for _, rows in frames], reads)


def discover_and_name(recording: Path, out: Path, truth: dict[int, Rows]) -> dict[str, Any]:
    """Steps 1-3 (see the module docstring) into `out`; discovery's figures."""
    run(
        discover.add_arguments,
        discover.discover_command,
        [str(recording), "--frames", "all", "--out", str(out), "--game", "fling"],
    )
    profile, labels_path = out / "profile.toml", out / "labels.txt"
    found = read_labels(labels_path)
    names, mixed, kinds = name_clusters(found, truth)
    rename_profile(profile, names)
    write_labels(labels_path, LabelFile(str(profile), None, dict(truth)))
    argv = [str(recording), "--labels", str(labels_path), "--profile", str(profile)]
    run(templates.add_arguments, templates.templates_command, [*argv, "--out", str(out)])
    set_bank(profile, "base")
    level = load_profile(profile).level(None)
    return {
        "grid": level.grid.model_dump(),
        "overlay_regions": [list(box) for box in level.overlay_regions],
        "clusters_found": len(names),
        "kinds_true": kinds,
        "mixed_clusters": mixed,
    }


def run_theme(
    pool: ProcessPoolExecutor, work: Path, theme: str, train: int, test: int, jobs: int
) -> dict[str, Any]:
    """Every figure of one theme (see the module docstring)."""
    labelled = make_labelled(theme, train)
    others = make_frames(theme, TEST_SEED0, test)
    recording = write_training(work, labelled)
    truth = {i: rows for i, (_, rows) in enumerate(labelled)}
    profile = work / "profile" / "profile.toml"
    found = discover_and_name(recording, profile.parent, truth)
    before = read_score(pool, profile, others)
    level = load_profile(profile).level(None)
    bank = load_bank(profile, level)
    samples = [Sample(f"train {i}", p, rows) for i, (p, rows) in enumerate(labelled)]
    started = time.perf_counter()
    result = tune_level(samples, level, bank, folds=5, jobs=jobs)
    tune_s = time.perf_counter() - started
    changes = result.after.changes(level) if result.ok else {}
    if changes:
        write_level_values(profile, None, changes)
    after = read_score(pool, profile, others)
    check = result.cross_check
    return {
        **found,
        "train_frames": train,
        "test_frames": test,
        "tune_s": round(tune_s, 2),
        "setting_before": result.before.describe(),
        "setting_after": result.after.describe(),
        "tuned_ok": result.ok,
        "held_out_accuracy": round(check.held_out.accuracy, 5) if check else None,
        "held_out_wrong": check.held_out.wrong if check else None,
        "accuracy_before": round(before.accuracy, 5),
        "wrong_labels_before": before.wrong,
        "accuracy_after": round(after.accuracy, 5),
        "wrong_labels_after": after.wrong,
        "unknown_after": after.unknown,
        "unknown_after_by_label": {
            want: n for (want, got), n in after.confusion.items() if got == UNKNOWN
        },
        "wrong_after": {
            f"{w} as {g}": n for (w, g), n in after.confusion.items() if g not in (w, UNKNOWN)
        },
        "_before": before,
        "_after": after,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--train", type=int, default=10, help="labelled frames per theme")
    parser.add_argument("--test", type=int, default=200, help="test frames per theme")
    parser.add_argument("--themes", default=",".join(THEMES), help="comma-separated themes")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="worker processes")
    args = parser.parse_args(argv)
    train, test = (4, 12) if args.quick else (args.train, args.test)
    themes = [t.strip() for t in args.themes.split(",") if t.strip()]
    figures: dict[str, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="tune-bench-") as tmp,
        ProcessPoolExecutor(max_workers=args.jobs) as pool,
    ):
        for theme in themes:
            work = Path(tmp) / theme
            work.mkdir()
            figures[theme] = run_theme(pool, work, theme, train, test, args.jobs)
    before = [f.pop("_before") for f in figures.values()]
    after = [f.pop("_after") for f in figures.values()]
    cells_before = sum(s.cells for s in before)
    cells_after = sum(s.cells for s in after)
    print(
        json.dumps(
            {
                "frames": test * len(themes),
                "train_frames_per_theme": train,
                "tune_s": round(sum(f["tune_s"] for f in figures.values()), 2),
                "clusters_found": {t: f["clusters_found"] for t, f in figures.items()},
                "kinds_true": {t: f["kinds_true"] for t, f in figures.items()},
                "accuracy_before": round(sum(s.correct for s in before) / cells_before, 5),
                "accuracy_after": round(sum(s.correct for s in after) / cells_after, 5),
                "wrong_labels_before": sum(s.wrong for s in before),
                "wrong_labels_after": sum(s.wrong for s in after),
                "render_matches_recording": render_matches_recording(),
                "themes": figures,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
