"""`tilebot templates`: a template bank from the hand-labelled tiles of a recording.

    tilebot templates RECORDING --labels FILE --profile FILE [--level L] --out DIR

The labelled tiles (every cell not `?`, tiles under the level's overlay regions left
out) are averaged per label into a bank (bot.vision.templates.build_bank), with the same
tiles posterized for the reader's slow path. The bank is written as DIR/NAME.npz and
DIR/NAME.json (NAME: the level, or "base"), and the command prints the line that points
the profile's `templates.bank` at it.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from pathlib import Path

from bot.commands.label import recorded_level
from bot.commands.replay import pick_level
from bot.profile import load_profile
from bot.recording import Recording
from bot.tuning.labels import LabelError, read_labels
from bot.tuning.samples import choose_fast_px, labelled_tiles
from bot.vision.templates import build_bank, save_bank


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `tilebot templates`' arguments to `parser`."""
    parser.add_argument("recording", type=Path, metavar="RECORDING")
    parser.add_argument(
        "--labels", type=Path, metavar="FILE", help="label file (default RECORDING/labels.txt)"
    )
    parser.add_argument(
        "--profile", type=Path, metavar="FILE", help="profile (default: the label file's)"
    )
    parser.add_argument(
        "--level", metavar="L", help="level of the profile (default: the label file's)"
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="bank folder")


def bank_reference(bank_base: Path, profile_path: Path) -> str:
    """How the profile at `profile_path` names the bank at `bank_base` (no suffix)."""
    relative = os.path.relpath(bank_base.resolve(), profile_path.resolve().parent)
    return Path(relative).as_posix()


def templates_command(args: argparse.Namespace) -> int:
    """Build and save the bank; print where it went and how to use it. Returns 0."""
    labels_path: Path = args.labels if args.labels is not None else args.recording / "labels.txt"
    labels = read_labels(labels_path)
    profile_path = args.profile
    if profile_path is None:
        if labels.profile is None:
            raise LabelError(f"{labels_path}: names no profile; give --profile")
        profile_path = Path(labels.profile)
    recording = Recording.open(args.recording)
    profile = load_profile(profile_path)
    level_name = args.level if args.level is not None else labels.level
    if level_name is None:
        recorded = recorded_level(recording)
        level_name = recorded if recorded in profile.levels else None
    level = pick_level(profile, level_name, profile_path)
    if not labels.frames:
        raise LabelError(f"{labels_path}: no [frame N] sections")
    samples = labelled_tiles(recording, labels, level, labels_path)
    counts = Counter(sample.label for sample in samples)
    if len(counts) < 2:
        raise LabelError(
            f"{labels_path}: a bank needs at least two labels, the labelled tiles show "
            f"{len(counts)} ({', '.join(counts) or 'none'})"
        )
    name = level_name or "base"
    meta = {
        "builder": "tilebot templates",
        "recording": str(args.recording),
        "labels": str(labels_path),
        "frames": sorted(labels.frames),
        "profile": str(profile_path),
        "level": name,
        "posterize": level.posterize.model_dump(),
    }
    bank = build_bank(
        [(s.tile, s.label) for s in samples],
        fast_px=choose_fast_px(
            [s.tile for s in samples],
            [s.label for s in samples],
            level.grid.tile_px,
            level.templates.margin_min,
        ),
        posterized=[s.posterized for s in samples],
        meta=meta,
    )
    npz, sidecar = save_bank(bank, args.out / name)
    print(f"wrote {npz} and {sidecar}: {bank.size} labels from {len(samples)} tiles")
    for label, count in sorted(counts.items()):
        print(f"  {label}: {count}")
    unknown = sorted(set(counts) - set(level.labels)) if level.labels else []
    if unknown:
        print(f"note: not in the level's labels list: {', '.join(unknown)}")
    missing = sorted(set(level.labels) - set(counts))
    if missing:
        print(f"note: no labelled tile of: {', '.join(missing)} (the bank cannot read them)")
    table = "base" if level_name is None else f"levels.{level_name}"
    empty = level.occupancy.empty_label
    if empty not in counts:
        print(
            f"note: the level's empty label {empty!r} is not in the bank; name the bare "
            f"background's label in [{table}.occupancy] empty_label (labels other than it "
            "read below 0.95 need the veil fit to confirm them)"
        )
    print(f"to use it, set in {profile_path}:")
    print(f"  [{table}.templates]")
    print(f'  bank = "{bank_reference(args.out / name, profile_path)}"')
    return 0
