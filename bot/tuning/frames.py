"""Choose frames of a recording: a `--frames` SPEC, parsed and resolved against the recording.

SPEC is either a keyword or a comma-separated list of items:

- ``N``: frame N (the recording's frame index, as in its events);
- ``A-B``: frames A to B inclusive; ``A-B:S``: every S-th of them, starting at A;
- ``settled``: one frame per still period, the first frame at which the board has not
  changed for the level's settle quiet time (the settler the loop uses, over the grid,
  with the level's ignore and overlay regions not counting);
- ``all``: every frame.

Named frames must be in the recording; a range's ends must lie within the recording's
first and last index (frames a damaged recording lacks inside a range are left out).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.errors import TilebotError
from bot.frame import Frame
from bot.profile import GridSpec, LevelProfile
from bot.recording import Event, Recording
from bot.settle import SettleState, regions_mask, settle_step

SETTLED = "settled"
ALL = "all"

_ITEM = re.compile(r"^(?P<start>\d+)(?:-(?P<stop>\d+)(?::(?P<step>\d+))?)?$")


class FrameSelectionError(TilebotError):
    """A --frames SPEC is malformed or names frames the recording does not have."""


@dataclass(frozen=True, slots=True)
class FrameSpec:
    """A parsed --frames SPEC.

    keyword: "settled", "all" or None; ranges: (start, stop inclusive, step) per item
    (a single frame N is (N, N, 1)); text: the SPEC as written, for messages.
    """

    text: str
    keyword: str | None
    ranges: tuple[tuple[int, int, int], ...]


def parse_frame_spec(text: str) -> FrameSpec:
    """Parse a --frames SPEC such as "0,10,20-30:5" or "settled"; FrameSelectionError if bad."""
    spec = text.strip()
    if spec in (SETTLED, ALL):
        return FrameSpec(text, spec, ())
    ranges: list[tuple[int, int, int]] = []
    for item in spec.split(","):
        match = _ITEM.match(item.strip())
        if match is None:
            raise FrameSelectionError(
                f"--frames {text!r}: bad item {item.strip()!r} (expected N, A-B, A-B:STEP, "
                f"'{SETTLED}' or '{ALL}')"
            )
        start = int(match.group("start"))
        stop = int(match.group("stop") or start)
        step = int(match.group("step") or 1)
        if stop < start:
            raise FrameSelectionError(f"--frames {text!r}: range {start}-{stop} runs backwards")
        if step < 1:
            raise FrameSelectionError(f"--frames {text!r}: step must be at least 1")
        ranges.append((start, stop, step))
    return FrameSpec(text, None, tuple(ranges))


def events_by_index(recording: Recording) -> Mapping[int, Event]:
    """The recording's events keyed by frame index."""
    return {event.i: event for event in recording.events}


def select_frames(
    recording: Recording, spec: FrameSpec, level: LevelProfile | None = None
) -> tuple[int, ...]:
    """The frame indices `spec` names in `recording`, ascending, each once.

    level: needed for "settled" (its grid and settle options); FrameSelectionError when
    missing then, when a frame is not in the recording, or when nothing is selected.
    """
    events = events_by_index(recording)
    if not events:
        raise FrameSelectionError(f"{recording.path}: the recording has no frames")
    first, last = min(events), max(events)
    if spec.keyword == ALL:
        chosen: Iterable[int] = events
    elif spec.keyword == SETTLED:
        if level is None:
            raise FrameSelectionError(
                f"--frames {SETTLED}: needs a grid to watch (a profile, or a detected grid)"
            )
        chosen = settled_frames(recording.frames(), level)
    else:
        picked: set[int] = set()
        for start, stop, step in spec.ranges:
            if start == stop:
                if start not in events:
                    raise FrameSelectionError(
                        f"{recording.path}: frame {start} is not in the recording "
                        f"(frames {first}..{last})"
                    )
                picked.add(start)
                continue
            if start < first or stop > last:
                raise FrameSelectionError(
                    f"{recording.path}: frames {start}-{stop} are outside the recording "
                    f"(frames {first}..{last})"
                )
            picked.update(i for i in range(start, stop + 1, step) if i in events)
        chosen = picked
    result = tuple(sorted(chosen))
    if not result:
        raise FrameSelectionError(f"{recording.path}: --frames {spec.text!r} selects no frame")
    return result


def settled_frames(frames: Iterable[Frame], level: LevelProfile) -> tuple[int, ...]:
    """The first frame of each still period: indices where the settler turns settled.

    frames: in time order, timestamps in seconds. Uses level.grid and level.settle; the
    level's settle ignore regions and overlay regions do not count as change.
    """
    grid: GridSpec = level.grid
    regions = [*level.settle.ignore_regions, *level.overlay_regions]
    state = SettleState()
    was_settled = False
    found: list[int] = []
    for frame in frames:
        ignore = regions_mask(frame.height, frame.width, regions) if regions else None
        state, verdict = settle_step(
            state,
            frame,
            grid,
            level.settle,
            frame.timestamp,
            ignore=ignore,
            min_changed_px=level.settle.min_changed_px,
        )
        if verdict.settled and not was_settled:
            found.append(frame.index)
        was_settled = verdict.settled
    return tuple(found)
