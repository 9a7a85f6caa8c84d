"""`tilebot inspect`: what the reader makes of chosen frames, as PNGs and one HTML report.

    tilebot inspect (RECORDING | IMAGE) --profile FILE [--level L] [--frames SPEC]
                    [--out DIR] [--html OUT.html]

SPEC is as for the other commands (bot.tuning.frames): frame indices (`12`), ranges
(`10-20`, `10-20:5`), `settled` (the first frame of each still period, by the level's
settle options) or `all`. Default: `settled`. An IMAGE (a PNG file) is frame 0.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bot.errors import FrameError, ProfileError
from bot.frame import Frame
from bot.profile import LevelProfile, Profile, load_profile
from bot.recording import Recording
from bot.settle import Mask, regions_mask
from bot.tuning.frames import SETTLED, FrameSelectionError, parse_frame_spec, select_frames
from bot.tuning.report import FrameReport, annotate, caption_for, encode_png, render_html
from bot.vision.read import load_bank, read_cells
from bot.vision.templates import TemplateBank

BASE_LEVEL = "base"
"""The name that picks a profile's base level."""

DEFAULT_OUT = Path("inspect-report")


@dataclass(frozen=True, slots=True)
class FrameSet:
    """The frames of a recording folder or of one PNG image (frame 0), by index."""

    path: Path
    recording: Recording | None = None
    image: Frame | None = None

    @property
    def indices(self) -> tuple[int, ...]:
        """Every frame index, in order."""
        if self.recording is None:
            return (0,)
        return tuple(e.i for e in self.recording.events)

    def level_of(self, index: int | None) -> str | None:
        """The level the recording says frame `index` (None: its first frame that says
        one) was played at, else the manifest's; None when nothing says."""
        if self.recording is None:
            return None
        for event in self.recording.events:
            if (index is None and event.level) or event.i == index:
                return event.level or self.recording.manifest.level
        return self.recording.manifest.level

    def load(self, index: int) -> Frame:
        """Frame `index`; FrameSelectionError when there is none, RecordingError when damaged."""
        if self.recording is None:
            if index != 0 or self.image is None:
                raise FrameSelectionError(f"{self.path}: an image has only frame 0, not {index}")
            return self.image
        for event in self.recording.events:
            if event.i == index:
                return self.recording.load(event)
        raise FrameSelectionError(f"{self.path}: frame {index} is not in the recording")


def open_frames(path: Path) -> FrameSet:
    """Open a recording folder or a PNG image; TilebotError naming `path` when neither."""
    if path.is_dir():
        return FrameSet(path, recording=Recording.open(path))
    if not path.exists():
        raise FrameError(f"{path}: no such recording folder or image")
    if path.suffix.lower() != ".png":
        raise FrameError(f"{path}: expected a recording folder or a PNG image")
    read = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if read is None:
        raise FrameError(f"{path}: not a readable PNG image")
    pixels = np.ascontiguousarray(read, dtype=np.uint8)
    pixels.setflags(write=False)
    return FrameSet(path, image=Frame(pixels, 0, 0.0))


def choose_frames(spec: str | None, frames: FrameSet, level: LevelProfile) -> tuple[int, ...]:
    """The frame indices `spec` names (default "settled", judged with `level`'s grid and
    settle options); an image has only frame 0. FrameSelectionError when bad."""
    parsed = parse_frame_spec(spec or SETTLED)
    if frames.recording is None:
        if parsed.keyword is None and any(r != (0, 0, 1) for r in parsed.ranges):
            raise FrameSelectionError(f"{frames.path}: an image has only frame 0")
        return (0,)
    return select_frames(frames.recording, parsed, level)


def level_named(profile: Profile, name: str | None, source: Path) -> LevelProfile:
    """`profile`'s level `name` (None or "base": the base level); ProfileError if unknown."""
    if name is None or name == BASE_LEVEL:
        return profile.base
    try:
        return profile.level(name)
    except KeyError:
        known = ", ".join(profile.level_names()) or "none"
        raise ProfileError([f"{source}: levels.{name}: no such level (levels: {known})"]) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `tilebot inspect`."""
    parser.add_argument("source", type=Path, metavar="RECORDING|IMAGE")
    parser.add_argument("--profile", type=Path, required=True, metavar="FILE")
    parser.add_argument(
        "--level", metavar="L", help="level to read with (default: as recorded, else base)"
    )
    parser.add_argument(
        "--frames", metavar="SPEC", help="'0,10,20-30:5', 'settled' or 'all' (default settled)"
    )
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help=f"annotated PNGs go here (default {DEFAULT_OUT}/)"
    )
    parser.add_argument(
        "--html", type=Path, metavar="OUT.html", help="report file (default DIR/report.html)"
    )


def inspect_command(args: argparse.Namespace) -> int:
    """Read the chosen frames, write annotated PNGs and the HTML report; print a line each."""
    profile = load_profile(args.profile)
    frames = open_frames(args.source)
    first_level = level_named(profile, args.level or frames.level_of(None), args.profile)
    indices = choose_frames(args.frames, frames, first_level)
    out: Path = args.out or DEFAULT_OUT
    html_path: Path = args.html or out / "report.html"
    banks: dict[str, TemplateBank] = {}
    masks: dict[tuple[int, int, str], Mask | None] = {}
    reports: list[FrameReport] = []
    out.mkdir(parents=True, exist_ok=True)
    for index in indices:
        name = args.level or frames.level_of(index) or BASE_LEVEL
        level = level_named(profile, name, args.profile)
        started = time.perf_counter()
        frame = frames.load(index)
        grabbed = time.perf_counter()
        if name not in banks:
            banks[name] = load_bank(args.profile, level)
        key = (frame.height, frame.width, name)
        if key not in masks:
            masks[key] = (
                regions_mask(frame.height, frame.width, level.overlay_regions)
                if level.overlay_regions
                else None
            )
        mask = masks[key]
        before_read = time.perf_counter()
        board, reads = read_cells(frame, level, banks[name], mask)
        done = time.perf_counter()
        stage_ms = {"grab": (grabbed - started) * 1000, "read": (done - before_read) * 1000}
        caption = caption_for(index, name, stage_ms, board)
        image = annotate(frame.pixels, level.grid, board, mask, caption, reads)
        (out / f"frame-{index:06d}.png").write_bytes(encode_png(image))
        reports.append(FrameReport(index, name, stage_ms, board, reads, image))
        print(caption)
    unknown = sum(r.board.unknown_count for r in reports)
    read_ms = statistics.median(r.stage_ms["read"] for r in reports)
    summary = [
        f"source {frames.path}; profile {args.profile}",
        f"{len(reports)} frame{'s' * (len(reports) != 1)}; {unknown} unknown cells in all; "
        f"median read {read_ms:.2f} ms",
    ]
    html_path.parent.mkdir(parents=True, exist_ok=True)
    title = f"tilebot inspect: {frames.path.name}"
    html_path.write_text(render_html(title, summary, reports), encoding="utf-8")
    print(f"wrote {len(reports)} PNGs to {out} and the report {html_path}")
    return 0
