"""`tilebot discover`: a starter profile for a game nobody has profiled yet.

    tilebot discover RECORDING [--profile FILE [--level L]] --frames SPEC --out DIR
                     [--clusters K] [--game NAME] [--force]

Without a profile the grid is detected in the chosen frames (the grid most of them
agree on); with one, its level's grid, settle options and overlay regions are used (a
profile that has a grid but no templates yet). The tiles of the chosen frames are
clustered by appearance (bot.tuning.cluster). When the level has no overlay regions, a
cluster that stays on one cell and differs from the bare background in part of the tile
only is taken for a static overlay (a logo, a badge: bot.tuning.overlays): its box becomes
an overlay region, and the tiles are clustered again without the cells it touches
(--no-overlays turns this off). DIR receives:

- profile.toml: grid, labels c0..cK, templates.bank = "bank", colour classes for
  clusters of flat tiles, the bare background's cluster as occupancy.empty_label, and
  the given level's settle, posterize and overlay options (defaults without one), plus
  the overlay regions guessed;
- bank.npz, bank.json: a template bank with one template per cluster;
- labels.txt: the chosen frames labelled with cluster names (cells under overlays `?`);
- clusters.png: one row per cluster, example tiles from typical to atypical.

Without a profile, 'settled' uses the default settle options (60 ms of quiet) over a
grid detected in frames spread over the recording; a game that never rests that long
(a drifting cloud, a timer on the board) yields few settled frames: name frames instead.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import cv2

from bot.commands.label import recorded_level
from bot.commands.replay import pick_level
from bot.errors import TilebotError
from bot.frame import Frame
from bot.profile import LevelProfile, TemplateSpec, load_profile
from bot.recording import Recording
from bot.tuning.discover import (
    Discovery,
    collect_tiles,
    contact_sheet,
    detect_board_grid,
    discover_kinds,
    empty_cluster,
    flat_colour_classes,
    label_rows,
    starter_profile,
)
from bot.tuning.files import write_text_atomically
from bot.tuning.frames import SETTLED, events_by_index, parse_frame_spec, select_frames
from bot.tuning.labels import LabelFile, write_labels
from bot.tuning.overlays import OverlayGuess, guess_overlays, without_cells
from bot.tuning.samples import choose_fast_px, touches_overlay
from bot.vision.templates import build_bank, save_bank

OUTPUTS = ("profile.toml", "bank.npz", "bank.json", "labels.txt", "clusters.png")
"""The files discover writes into DIR."""

GRID_SAMPLE_FRAMES = 8
"""Frames (evenly spread) the grid is detected in before 'settled' frames are chosen."""


class DiscoverError(TilebotError):
    """The output folder already holds a discovery (without --force) or cannot be written."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `tilebot discover`'s arguments to `parser`."""
    parser.add_argument("recording", type=Path, metavar="RECORDING")
    parser.add_argument(
        "--profile", type=Path, metavar="FILE", help="use this profile's grid (default: detect)"
    )
    parser.add_argument("--level", metavar="L", help="level of --profile (default: base)")
    parser.add_argument(
        "--frames",
        required=True,
        metavar="SPEC",
        help="frames whose tiles are clustered: '0,10,20-30:5', 'settled' or 'all'",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--clusters", type=int, metavar="K", help="make exactly K clusters (default: chosen)"
    )
    parser.add_argument("--game", help="game name in the profile (default: the recording's)")
    parser.add_argument("--force", action="store_true", help="replace an earlier discovery")
    parser.add_argument(
        "--no-overlays", action="store_true", help="do not guess overlay regions (a logo)"
    )


def discover_command(args: argparse.Namespace) -> int:
    """Cluster the chosen frames' tiles and write DIR's files; print a summary. Returns 0."""
    out: Path = args.out
    taken = [name for name in OUTPUTS if (out / name).exists()]
    if taken and not args.force:
        raise DiscoverError(
            f"{out}: already holds {', '.join(taken)} (use --force to replace them)"
        )
    if args.clusters is not None and args.clusters < 2:
        raise DiscoverError(f"--clusters {args.clusters}: a bank needs at least 2 clusters")
    if args.level is not None and args.profile is None:
        raise DiscoverError("--level needs --profile")
    recording = Recording.open(args.recording)
    spec = parse_frame_spec(args.frames)
    game, given = _given_level(args, recording)
    settle_level = given
    if given is None and spec.keyword == SETTLED:
        settle_level = LevelProfile(grid=detect_board_grid(_spread(recording)))
    indices = select_frames(recording, spec, settle_level)
    events = events_by_index(recording)
    frames = [recording.load(events[i]) for i in indices]
    level = given if given is not None else LevelProfile(grid=detect_board_grid(frames))
    skip = frozenset(touches_overlay(level.grid, level.overlay_regions))
    tiles = collect_tiles(frames, level.grid, level.posterize, skip)
    discovery = discover_kinds(tiles, args.clusters)
    guesses: tuple[OverlayGuess, ...] = ()
    if not level.overlay_regions and not args.no_overlays:
        guesses = guess_overlays(discovery, empty_cluster(discovery, level.occupancy))
    if guesses:
        level = level.model_copy(update={"overlay_regions": [g.box for g in guesses]})
        skip = frozenset(touches_overlay(level.grid, level.overlay_regions))
        discovery = discover_kinds(without_cells(tiles, skip), args.clusters)
        given = level
    _write(args, game, discovery, given, indices)
    _summarise(out, discovery, indices, guesses)
    return 0


def _given_level(args: argparse.Namespace, recording: Recording) -> tuple[str, LevelProfile | None]:
    """The game's name and the --profile level (None without --profile).

    Without --level the recorded level is used when the profile has it, else base.
    """
    folder = Path(args.recording).resolve().name
    if args.profile is None:
        return args.game or folder, None
    profile = load_profile(args.profile)
    name = args.level
    if name is None:
        recorded = recorded_level(recording)
        name = recorded if recorded in profile.levels else None
    return args.game or profile.game, pick_level(profile, name, args.profile)


def _spread(recording: Recording) -> list[Frame]:
    """Up to GRID_SAMPLE_FRAMES frames spread evenly over the recording."""
    events = recording.events
    if not events:
        raise DiscoverError(f"{recording.path}: the recording has no frames")
    step = max(1, -(-len(events) // GRID_SAMPLE_FRAMES))
    return [recording.load(event) for event in events[::step]]


def _write(
    args: argparse.Namespace,
    game: str,
    discovery: Discovery,
    base: LevelProfile | None,
    indices: tuple[int, ...],
) -> None:
    """Write the bank, starter profile, label file and contact sheet into args.out."""
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    tiles = discovery.tiles
    names = [discovery.label_of(i) for i in range(len(tiles.cells))]
    meta = {
        "builder": "tilebot discover",
        "recording": str(args.recording),
        "frames": list(indices),
        "clusters": discovery.clustering.count,
    }
    margin_min = (base.templates if base is not None else TemplateSpec()).margin_min
    bank = build_bank(
        list(zip(tiles.tiles, names, strict=True)),
        fast_px=choose_fast_px(list(tiles.tiles), names, tiles.grid.tile_px, margin_min),
        posterized=list(tiles.posterized),
        meta=meta,
    )
    save_bank(bank, out / "bank")
    description = f"discovered from {args.recording}, frames {_ranges(indices)}"
    level = base if base is not None else LevelProfile(grid=tiles.grid)
    classes = flat_colour_classes(discovery, level.colour)
    empty = empty_cluster(discovery, level.occupancy)
    text = starter_profile(
        game, description, discovery.names, tiles.grid, "bank", base, classes, empty
    )
    write_text_atomically(out / "profile.toml", text)
    write_labels(
        out / "labels.txt", LabelFile(str(out / "profile.toml"), None, label_rows(discovery))
    )
    if not cv2.imwrite(str(out / "clusters.png"), contact_sheet(discovery)):
        raise DiscoverError(f"{out / 'clusters.png'}: cannot write the contact sheet")


def _ranges(indices: tuple[int, ...]) -> str:
    """Frame indices as a compact SPEC: 1-5,9,12-13."""
    parts: list[str] = []
    start = prev = indices[0]
    for i in (*indices[1:], None):
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    return ",".join(parts)


def _summarise(
    out: Path, discovery: Discovery, indices: tuple[int, ...], guesses: tuple[OverlayGuess, ...]
) -> None:
    """Print what was found and what to do next."""
    grid = discovery.tiles.grid
    sizes = Counter(discovery.label_of(i) for i in range(len(discovery.tiles.cells)))
    how = (
        f"largest jump in merge height x{discovery.clustering.jump:.2f}"
        if discovery.clustering.jump
        else "count given"
    )
    print(
        f"grid: {grid.rows}x{grid.cols} tiles of {grid.tile_px} px (gap {grid.gap_px}) "
        f"at ({grid.origin_x_px}, {grid.origin_y_px})"
    )
    for guess in guesses:
        cells = ", ".join(f"({r}, {c})" for r, c in guess.cells)
        print(
            f"overlay: {list(guess.box)} (x, y, w, h) over cells {cells}: one look stays "
            "there in most frames (a logo?); its pixels weigh nothing and those cells are "
            "not clustered. Delete it from overlay_regions in profile.toml if it is part "
            "of the board, and run discover again with --no-overlays"
        )
    print(
        f"{discovery.clustering.count} clusters of {len(discovery.tiles.cells)} tiles "
        f"from {len(indices)} frame(s) ({how}):"
    )
    print("  " + ", ".join(f"{name} x{sizes[name]}" for name in discovery.names))
    print(f"wrote {', '.join(str(out / name) for name in OUTPUTS)}")
    print(
        "next: look at clusters.png, rename c0.. in labels.txt and profile.toml (one name "
        "for clusters of one kind), then rebuild the bank with tilebot templates"
    )
