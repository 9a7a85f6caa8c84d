"""A game no profile covers (sgt Pegs), profiled with the tuning workflow end to end.

Per tile size, two recordings of real `sgt-pegs --screenshot` boards (7x7 cross, octagon
and random boards, every other one after 3-12 random jumps; truth from the game IDs,
bot.games.sgt.pegs): a training recording of TRAIN_BOARDS boards and a test recording of
other boards (other seeds; no test board equals a training board or another test board).
Then the workflow, each step the real command, twice: on the grid discover detects
("detected": the commands alone) and on the grid a person gives discover in a profile
("inset": each tile box inset by the bevel the game draws around the board,
bot.games.sgt.pegs.inset_grid_of; on the detected grid the off-board squares beside
the board show strips and corners of that bevel, a dozen looks of one label):

1. `discover` on the first DISCOVER_FRAMES training frames;
2. the person names the clusters: each cluster gets the true kind most of its tiles have
   (majority vote over those frames' truth only). A cluster holding two kinds cannot be
   fixed by naming, so discover is run again with one cluster more until none does (as a
   person would after looking at clusters.png); clusters with one kind get one name;
3. `templates` from the named discovery frames, then `label` pre-fills all training
   frames with that bank; the person's corrections (cells pre-filled wrong or '?') are
   counted and the truth written in;
4. `templates` from all TRAIN_BOARDS labelled frames; `tune` (k-fold threshold search)
   writes its setting into the profile;
5. the test boards are read with the profile before and after tuning.

Figures per tile size and grid: grid_ok (discover's grid is the true one), kinds (true
kinds in the discovery frames), clusters_auto and mixed_auto (discover's own count, clusters holding
two kinds), clusters_used, prefill_wrong / prefill_unknown (corrections over the cells
pre-filled), tune_exit and tune_wrote, then over the test boards: boards, accuracy,
wrong_labels, unknown_rate, unknown_by_kind, read_ms (per board), after tuning ("test")
and before ("test_untuned"); and per grid over all tile sizes. Acceptance: accuracy 1.0
with wrong_labels 0 at every tile size on the inset grid.

    python benchmarks/new_game.py            # tiles 32 and 20 px, 120 test boards each
    python benchmarks/new_game.py --quick    # tile 32 px, 12 test boards
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks._workflow import name_clusters, rename_profile, run, set_bank  # noqa: E402
from bot.board import UNKNOWN  # noqa: E402
from bot.commands import discover, label, templates, tune  # noqa: E402
from bot.frame import Frame  # noqa: E402
from bot.games.sgt import pegs  # noqa: E402
from bot.games.sgt.ids import Labels  # noqa: E402
from bot.profile import GridSpec, load_profile  # noqa: E402
from bot.reading import make_reader  # noqa: E402
from bot.recording import Recording, RecordingWriter  # noqa: E402
from bot.tuning.discover import starter_profile  # noqa: E402
from bot.tuning.frames import events_by_index  # noqa: E402
from bot.tuning.labels import UNLABELLED, LabelFile, read_labels, write_labels  # noqa: E402

BOARD_TYPES = ("7x7cross", "7x7octagon", "7x7random", "7x7random")
"""Board parameters drawn from (random boards twice as often: they vary the most)."""

TRAIN_BOARDS = 10
DISCOVER_FRAMES = 4
MAX_CLUSTERS = 12
"""Discover is not re-run with more clusters than this."""

Truth = Mapping[int, Labels]


# ------------------------------------------------------------------------ the boards


def plan_boards(rng: random.Random, count: int, taken: set[Labels]) -> list[tuple[str, list[str]]]:
    """`count` (game ID, jumps) pairs, odd ones mid-game, whose boards are not in `taken`.

    Adds the planned boards to `taken`.
    """
    planned: list[tuple[str, list[str]]] = []
    while len(planned) < count:
        params = rng.choice(BOARD_TYPES)
        game_id = pegs.generate_id(f"{params}#{rng.randrange(10**9)}")
        moves = pegs.random_jumps(game_id, rng.randint(3, 12), rng) if len(planned) % 2 else []
        labels = pegs.labels_after(game_id, moves)
        if labels in taken:
            continue
        taken.add(labels)
        planned.append((game_id, moves))
    return planned


def record(
    folder: Path, boards: Sequence[tuple[str, list[str]]], tile_px: int, scratch: Path
) -> dict[int, Labels]:
    """Draw `boards` at `tile_px` as frames 0.. (1 s apart) of a new recording; the truth."""
    truth: dict[int, Labels] = {}
    with RecordingWriter(folder, source="sgt-pegs screenshots", codec="png") as writer:
        for index, (game_id, moves) in enumerate(boards):
            source: str | Path = game_id
            if moves:
                source = pegs.write_save(game_id, moves, scratch / "board.sav")
            writer.write(Frame(pegs.render(source, tile_px, scratch), index, float(index)))
            truth[index] = pegs.labels_after(game_id, moves)
    return truth


# ---------------------------------------------------------------- running the commands


def score(profile: Path, recording: Path, truth: Truth) -> dict[str, Any]:
    """Read every frame of `recording` with the profile's base level; figures vs truth."""
    level = load_profile(profile).level(None)
    read = make_reader(profile)
    opened = Recording.open(recording)
    events = events_by_index(opened)
    cells = correct = unknown = 0
    confused: Counter[str] = Counter()
    unknown_kinds: Counter[str] = Counter()
    elapsed = 0.0
    for index, want in truth.items():
        frame = opened.load(events[index])
        start = time.perf_counter()
        board = read(frame, level)
        elapsed += time.perf_counter() - start
        for r, row in enumerate(want):
            for c, kind in enumerate(row):
                got = board.cells[r][c].label
                cells += 1
                correct += got == kind
                unknown += got == UNKNOWN
                if got == UNKNOWN:
                    unknown_kinds[kind] += 1
                if got not in (kind, UNKNOWN):
                    confused[f"{kind}->{got}"] += 1
    return {
        "boards": len(truth),
        "cells": cells,
        "accuracy": round(correct / cells, 4),
        "wrong_labels": sum(confused.values()),
        "unknown_rate": round(unknown / cells, 4),
        "confusions": dict(confused),
        "unknown_by_kind": dict(unknown_kinds),
        "read_ms": round(1000 * elapsed / max(1, len(truth)), 2),
    }


# --------------------------------------------------------------------------- workflow


@dataclass(frozen=True, slots=True)
class Boards:
    """The training and test recordings of one tile size, with their truth."""

    tile_px: int
    train: Path
    test: Path
    train_truth: Truth
    test_truth: Truth


def make_boards(tile_px: int, test_boards: int, seed: int, folder: Path) -> Boards:
    """Record TRAIN_BOARDS training boards and `test_boards` other ones under `folder`."""
    scratch = folder / "scratch"
    scratch.mkdir(parents=True)
    rng = random.Random(f"pegs-{seed}-{tile_px}")
    taken: set[Labels] = set()
    train_plan = plan_boards(rng, TRAIN_BOARDS, taken)
    test_plan = plan_boards(rng, test_boards, taken)
    train = record(folder / "train", train_plan, tile_px, scratch)
    test = record(folder / "test", test_plan, tile_px, scratch)
    return Boards(tile_px, folder / "train", folder / "test", train, test)


def workflow(boards: Boards, grid: GridSpec | None, folder: Path) -> dict[str, Any]:
    """The whole workflow on `boards`; its figures.

    grid: the grid the person gives discover in a profile; None: discover detects it.
    """
    train_rec, train = boards.train, boards.train_truth
    out = folder / "profile"
    out.mkdir(parents=True)
    profile, labels_path = out / "profile.toml", out / "labels.txt"
    fig: dict[str, Any] = {}

    # 1-2. discover, name the clusters; more clusters while one holds two kinds.
    frames = f"0-{DISCOVER_FRAMES - 1}"
    argv = [str(train_rec), "--frames", frames, "--out", str(out), "--game", "pegs", "--force"]
    if grid is not None:
        given = folder / "given.toml"
        given.write_text(starter_profile("pegs", "grid", ["a", "b"], grid, "none"), "utf-8")
        argv += ["--profile", str(given)]
    run(discover.add_arguments, discover.discover_command, argv)
    found = load_profile(profile).base.grid
    fig["grid_ok"] = found == (grid or pegs.grid_of(7, 7, boards.tile_px))
    if not fig["grid_ok"]:
        fig["grid_found"] = found.model_dump()
        return fig  # the clusters' cells are not the board's: a person starts over
    names, mixed, kinds = name_clusters(read_labels(labels_path), train)
    fig.update(kinds=kinds, clusters_auto=len(names), mixed_auto=mixed)
    count = len(names)
    while mixed and count < MAX_CLUSTERS:
        count += 1
        run(discover.add_arguments, discover.discover_command, [*argv, "--clusters", str(count)])
        names, mixed, kinds = name_clusters(read_labels(labels_path), train)
    fig.update(clusters_used=len(names), mixed_used=mixed, names=names)
    rename_profile(profile, names)
    fig["colour_classes"] = sorted(load_profile(profile).base.colour.classes)
    named = read_labels(labels_path)
    frames_named = {
        i: tuple(tuple(names.get(c, c) for c in row) for row in rows)
        for i, rows in named.frames.items()
    }
    write_labels(labels_path, LabelFile(named.profile, named.level, frames_named))

    # 3. a first bank from the named frames; pre-fill every training frame; correct.
    bank_argv = [str(train_rec), "--labels", str(labels_path), "--profile", str(profile)]
    run(templates.add_arguments, templates.templates_command, [*bank_argv, "--out", str(out)])
    set_bank(profile, "base")
    label_argv = [str(train_rec), "--profile", str(profile), "--frames", f"0-{TRAIN_BOARDS - 1}"]
    run(label.add_arguments, label.label_command, [*label_argv, "--out", str(labels_path)])
    filled = read_labels(labels_path)
    prefilled = [
        (cell, train[i][r][c])
        for i, rows in filled.frames.items()
        if i >= DISCOVER_FRAMES
        for r, row in enumerate(rows)
        for c, cell in enumerate(row)
    ]
    fig["prefill_cells"] = len(prefilled)
    fig["prefill_unknown"] = sum(cell == UNLABELLED for cell, _ in prefilled)
    fig["prefill_wrong"] = sum(cell not in (UNLABELLED, kind) for cell, kind in prefilled)
    write_labels(labels_path, LabelFile(filled.profile, filled.level, dict(train)))

    # 4. the bank from all labelled frames; tune.
    run(templates.add_arguments, templates.templates_command, [*bank_argv, "--out", str(out)])
    fig["test_untuned"] = score(profile, boards.test, boards.test_truth)
    tune_argv = [str(train_rec), "--labels", str(labels_path), "--profile", str(profile)]
    code, text = run(
        tune.add_arguments,
        tune.tune_command,
        [*tune_argv, "--level", "base", "--jobs", "1", "--no-progress"],
    )
    fig["tune_exit"] = code
    fig["tune_wrote"] = next(
        (line.split(" into ")[0] for line in text.splitlines() if line.startswith("wrote")),
        "nothing" if code == 0 else "refused",
    )

    # 5. the test boards.
    fig["test"] = score(profile, boards.test, boards.test_truth)
    return fig


GRIDS = ("inset", "detected")
"""The grid discover works on: inset by the relief (given by hand), or as detected."""


def main(argv: Sequence[str] | None = None) -> int:
    """Print one JSON line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one tile size, 12 test boards")
    parser.add_argument("--tiles", type=int, nargs="+", metavar="PX", help="tile sizes (32 20)")
    parser.add_argument("--test-boards", type=int, metavar="N", help="test boards (120)")
    parser.add_argument("--seed", type=int, default=1, help="board seed (1)")
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="work in DIR (new) and keep its files"
    )
    args = parser.parse_args(argv)
    tiles = args.tiles or ([32] if args.quick else [32, 20])
    boards = args.test_boards or (12 if args.quick else 120)
    figures: dict[str, Any] = {"game": "pegs", "train_boards": TRAIN_BOARDS}
    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for tile_px in tiles:
            made = make_boards(tile_px, boards, args.seed, folder / f"t{tile_px}")
            figures[f"t{tile_px}"] = {
                mode: workflow(
                    made,
                    pegs.inset_grid_of(7, 7, tile_px) if mode == "inset" else None,
                    folder / f"t{tile_px}" / mode,
                )
                for mode in GRIDS
            }
    for mode in GRIDS:
        runs = [figures[f"t{t}"][mode] for t in tiles]
        results = [r["test"] for r in runs if "test" in r]
        figures[mode] = {
            "tile_sizes_read": sum("test" in r for r in runs),
            "test_boards": sum(r["boards"] for r in results),
            "accuracy": min((r["accuracy"] for r in results), default=None),
            "wrong_labels": sum(r["wrong_labels"] for r in results),
            "unknown_rate": max((r["unknown_rate"] for r in results), default=None),
        }
    print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
