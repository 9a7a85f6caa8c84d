"""`tilebot label`: a label file for chosen frames of a recording, pre-filled by the reader.

    tilebot label RECORDING --profile FILE [--level L] --frames SPEC [--out FILE] [--force]

Every chosen frame is read with the profile's level; cells the reader is sure of get its
label, the rest `?`. A person then corrects the file (see bot.tuning.labels for the
format). When the file exists, its frames are kept as they are (they may hold corrections)
and only new frames are added; --force starts the file afresh.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.board import UNKNOWN
from bot.commands.replay import pick_level
from bot.profile import LevelProfile, load_profile
from bot.reading import make_reader
from bot.recording import Recording
from bot.tuning.frames import events_by_index, parse_frame_spec, select_frames
from bot.tuning.labels import UNLABELLED, LabelError, LabelFile, Rows, read_labels, write_labels

LABELS_NAME = "labels.txt"
"""The label file's name inside a recording folder, when no --out is given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `tilebot label`'s arguments to `parser`."""
    parser.add_argument("recording", type=Path, metavar="RECORDING")
    parser.add_argument("--profile", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--level", metavar="L", help="level of the profile (default: the recorded one, or base)"
    )
    parser.add_argument(
        "--frames",
        required=True,
        metavar="SPEC",
        help="frames to label: '0,10,20-30:5', 'settled' (one per still period) or 'all'",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help=f"label file (default RECORDING/{LABELS_NAME})"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace an existing label file instead of adding"
    )


def recorded_level(recording: Recording) -> str | None:
    """The level the recording was made with: the one all its events name, else the
    manifest's, else None (base)."""
    names = {event.level for event in recording.events if event.level is not None}
    if len(names) == 1:
        return names.pop()
    return recording.manifest.level


def prefill(
    recording: Recording, indices: tuple[int, ...], profile_path: Path, level: LevelProfile
) -> dict[int, Rows]:
    """The reader's labels of each chosen frame; UNLABELLED where it reads UNKNOWN."""
    read = make_reader(profile_path)
    events = events_by_index(recording)
    frames: dict[int, Rows] = {}
    for index in indices:
        board = read(recording.load(events[index]), level)
        frames[index] = tuple(
            tuple(UNLABELLED if cell.label == UNKNOWN else cell.label for cell in row)
            for row in board.cells
        )
    return frames


def label_command(args: argparse.Namespace) -> int:
    """Write (or extend) the label file; print what was written. Returns 0."""
    recording = Recording.open(args.recording)
    profile = load_profile(args.profile)
    level_name = args.level if args.level is not None else recorded_level(recording)
    if level_name is not None and args.level is None and level_name not in profile.levels:
        level_name = None
    level = pick_level(profile, level_name, args.profile)
    out: Path = args.out if args.out is not None else args.recording / LABELS_NAME
    existing = None
    if out.exists() and not args.force:
        existing = read_labels(out)
        _check_same_source(out, existing, str(args.profile), level_name)
    indices = select_frames(recording, parse_frame_spec(args.frames), level)
    kept = dict(existing.frames) if existing is not None else {}
    new = tuple(i for i in indices if i not in kept)
    frames = {**kept, **prefill(recording, new, args.profile, level)}
    write_labels(out, LabelFile(str(args.profile), level_name, frames))
    cells = [cell for i in new for row in frames[i] for cell in row]
    unknown = sum(cell == UNLABELLED for cell in cells)
    print(
        f"{out}: {len(new)} frame(s) added ({len(cells) - unknown} cells read, {unknown} '?'), "
        f"{len(kept)} kept; level {level_name or 'base'}"
    )
    if new:
        print("correct the labels by hand; '?' marks a cell that is neither trained nor scored")
    return 0


def _check_same_source(out: Path, existing: LabelFile, profile: str, level: str | None) -> None:
    """LabelError when an existing label file was made for another profile or level."""
    if existing.profile is not None and Path(existing.profile) != Path(profile):
        raise LabelError(
            f"{out}: made with profile {existing.profile}, not {profile} "
            "(use --force to start afresh, or --out for another file)"
        )
    if existing.level != level:
        raise LabelError(
            f"{out}: made for level {existing.level or 'base'}, not {level or 'base'} "
            "(use --force to start afresh, or --out for another file)"
        )
