"""Tile discovery: clusters found against true tile kinds, on Fling and sgt-puzzles boards.

Fling: the settled frames of recordings/fling-{ocean,desert,night} (as the Fling profile's
settler picks them); the grid is detected (no profile); the true kind of a tile is the
profile's reading of it (cells it reads "unknown" are left out).

sgt-puzzles: boards drawn by the real games (start positions and positions after random
moves) recorded as frames of a small recording; true kinds from the game IDs. Each game
is clustered twice: on the grid detect_grid finds, and on the true grid.

Each run is the `tilebot discover` command. Figures per set: kinds (distinct true labels),
clusters, mixed (clusters holding two or more kinds: the failures a person cannot fix by
renaming), split (kinds spread over several clusters: fixed by giving them one name),
purity (tiles in their cluster's majority kind), reads_back (share of clustered cells the
starter profile's reader labels with their cluster's name), colour_classes (flat
clusters named by colour), grid_ok (the detected grid within 1 px of the true one).

    python benchmarks/discover.py [--quick]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.board import UNKNOWN
from bot.commands.discover import add_arguments, discover_command
from bot.errors import TilebotError
from bot.games.sgt.ids import Game, Labels
from bot.profile import GridSpec, load_profile
from bot.reading import make_reader
from bot.recording import Recording
from bot.tuning.discover import starter_profile
from bot.tuning.frames import events_by_index, parse_frame_spec, select_frames
from bot.tuning.labels import UNLABELLED, read_labels
from tests.tuning.boards import agreement, record_boards

ROOT = Path(__file__).resolve().parents[1]
FLING_PROFILE = ROOT / "profiles" / "fling.toml"
SGT_SETS: tuple[tuple[Game, str, int], ...] = (
    ("flip", "5x5c", 48),
    ("flip", "4x4r", 48),
    ("samegame", "8x8c6s2", 32),
    ("samegame", "10x10c9s2", 32),
    ("fifteen", "4x4", 48),
    ("mines", "9x9n35", 32),
)
"""(game, parameters, tile px) of the sgt sets; flip 4x4r draws each tile's own pattern."""


def _discover(recording: Path, frames: str, out: Path, profile: Path | None = None) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    argv = [str(recording), "--frames", frames, "--out", str(out), "--force"]
    if profile is not None:
        argv += ["--profile", str(profile)]
    with contextlib.redirect_stdout(io.StringIO()):
        discover_command(parser.parse_args(argv))


def _figures(out: Path, recording: Path, truth: Mapping[int, Labels]) -> dict[str, Any]:
    """Clusters of out/labels.txt against `truth`, and how the starter profile reads."""
    labels = read_labels(out / "labels.txt")
    profile = load_profile(out / "profile.toml")
    level = profile.level(None)
    read = make_reader(out / "profile.toml")
    opened = Recording.open(recording)
    events = events_by_index(opened)
    pairs: list[tuple[str, str]] = []
    agree = total = 0
    for index, rows in labels.frames.items():
        board = read(opened.load(events[index]), level)
        for r, row in enumerate(rows):
            for c, name in enumerate(row):
                if name == UNLABELLED:
                    continue
                total += 1
                agree += board.cells[r][c].label == name
                if truth[index][r][c] != UNKNOWN:
                    pairs.append((truth[index][r][c], name))
    fig: dict[str, Any] = asdict(agreement(pairs))
    fig["purity"] = round(fig["purity"], 4)
    fig["reads_back"] = round(agree / max(1, total), 4)
    fig["colour_classes"] = len(level.colour.classes)
    return fig


def _within_1px(found: GridSpec, want: GridSpec) -> bool:
    return (found.rows, found.cols) == (want.rows, want.cols) and all(
        abs(a - b) <= 1
        for a, b in zip(
            (found.origin_x_px, found.origin_y_px, found.tile_px, found.pitch_px),
            (want.origin_x_px, want.origin_y_px, want.tile_px, want.pitch_px),
            strict=True,
        )
    )


def fling(theme: str, tmp: Path) -> dict[str, Any]:
    """Figures of one Fling recording (grid detected, the profile's settled frames)."""
    path = ROOT / "recordings" / f"fling-{theme}"
    recording = Recording.open(path)
    level = load_profile(FLING_PROFILE).level(theme)
    indices = select_frames(recording, parse_frame_spec("settled"), level)
    events = events_by_index(recording)
    read = make_reader(FLING_PROFILE)
    truth = {
        i: tuple(
            tuple(c.label for c in row) for row in read(recording.load(events[i]), level).cells
        )
        for i in indices
    }
    out = tmp / f"fling-{theme}"
    _discover(path, ",".join(map(str, indices)), out)
    grid = load_profile(out / "profile.toml").base.grid
    return {
        "frames": len(indices),
        "grid_ok": _within_1px(grid, level.grid),
        **_figures(out, path, truth),
    }


def sgt(game: Game, params: str, tile_px: int, boards: int, tmp: Path) -> dict[str, Any]:
    """Figures of one sgt set, on the detected grid and on the true grid."""
    made = record_boards(game, params, boards, tile_px, tmp / f"{game}-{params}")
    result: dict[str, Any] = {"frames": boards}
    given = tmp / f"{game}-{params}.toml"
    text = starter_profile(game, "true grid", ["a", "b"], made.grid, "none")
    given.write_text(text, encoding="utf-8")
    out = tmp / f"{game}-{params}-true"
    _discover(made.path, "all", out, given)
    result["true_grid"] = _figures(out, made.path, made.truth)
    out = tmp / f"{game}-{params}-detected"
    try:
        _discover(made.path, "all", out)
    except TilebotError as exc:
        result["grid_ok"] = False
        result["detected_grid"] = str(exc)
        return result
    grid = load_profile(out / "profile.toml").base.grid
    result["grid_ok"] = _within_1px(grid, made.grid)
    if (grid.rows, grid.cols) == (made.grid.rows, made.grid.cols):
        result["detected_grid"] = _figures(out, made.path, made.truth)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Print one JSON line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one Fling set, small sgt sets")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {}
    themes = ("ocean",) if args.quick else ("ocean", "desert", "night")
    boards = 2 if args.quick else 6
    sets = SGT_SETS[::2] if args.quick else SGT_SETS
    with tempfile.TemporaryDirectory(prefix="discover-") as folder:
        for theme in themes:
            figures[f"fling-{theme}"] = fling(theme, Path(folder))
        for game, params, tile_px in sets:
            figures[f"{game}-{params}-t{tile_px}"] = sgt(
                game, params, tile_px, boards, Path(folder)
            )
    print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
