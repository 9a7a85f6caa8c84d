"""Read and validate recordings; replay their frames as a frame source.

Every problem names the file and, where there is one, the frame: a missing or unreadable
manifest, an unknown format version, a bad or truncated events line, a missing or corrupt
frame file, a frame whose size differs from its event. With `skip_damaged=True` damaged
events and frames are left out with a warning (collected in `Recording.warnings` and logged)
and the rest replays.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loguru import logger
from pydantic import ValidationError

from bot.clock import VirtualClock
from bot.errors import RecordingError, SourceExhausted
from bot.frame import Frame, Pixels
from bot.recording.format import (
    EVENTS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    Event,
    Manifest,
    decode,
    undo_difference,
)


@dataclass(frozen=True, slots=True)
class Recording:
    """An opened, validated recording: its manifest and its events in frame order."""

    path: Path
    manifest: Manifest
    events: tuple[Event, ...]
    warnings: tuple[str, ...]
    skip_damaged: bool
    _bases: dict[str, str | None] = field(default_factory=dict, repr=False, compare=False)
    _cache: dict[str, Pixels] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def open(cls, path: str | Path, *, skip_damaged: bool = False) -> Recording:
        """Validate `path`'s manifest, events and frame files; raise RecordingError if damaged."""
        path = Path(path)
        if not path.is_dir():
            raise RecordingError(f"{path}: not a recording directory (no such folder)")
        manifest = _read_manifest(path)
        warnings: list[str] = []

        def damaged(message: str) -> None:
            if not skip_damaged:
                raise RecordingError(message + " (use --skip-damaged to replay the rest)")
            warnings.append(message)
            logger.warning("skipping damage: {}", message)

        events = _read_events(path, damaged)
        kept: list[Event] = []
        bases: dict[str, str | None] = {}
        for event in events:
            file = path / event.frame
            if not file.is_file():
                damaged(f"{file} (frame {event.i}): frame file is missing")
                continue
            if event.base is not None and event.base not in bases:
                damaged(f"{file} (frame {event.i}): its base {event.base} is not in the recording")
                continue
            bases.setdefault(event.frame, event.base)
            kept.append(event)
        return cls(path, manifest, tuple(kept), tuple(warnings), skip_damaged, bases)

    def __len__(self) -> int:
        return len(self.events)

    @property
    def is_playing(self) -> bool:
        """True when the events carry the bot's boards and actions (a golden run)."""
        return self.manifest.playing

    def load(self, event: Event, clock_time: float | None = None) -> Frame:
        """Decode `event`'s frame; RecordingError naming file and frame if it is damaged."""
        where = f"{self.path / event.frame} (frame {event.i})"
        pixels = self._pixels(event.frame, where)
        h, w = pixels.shape[:2]
        if (w, h) != tuple(event.size):
            raise RecordingError(
                f"{where}: image is {w}x{h} but the event says {event.size[0]}x{event.size[1]}"
            )
        t = event.t if clock_time is None else clock_time
        return Frame(pixels, event.i, t, tuple(event.origin))  # type: ignore[arg-type]

    def _pixels(self, name: str, where: str) -> Pixels:
        """Decode file `name`, applying its chain of bases; keeps the last one decoded."""
        if name in self._cache:
            return self._cache[name]
        try:
            data = (self.path / name).read_bytes()
        except OSError as exc:
            raise RecordingError(f"{where}: cannot read: {exc.strerror}") from None
        try:
            pixels = decode(data, self.manifest.codec)
        except ValueError as exc:
            raise RecordingError(f"{where}: {exc}") from None
        base = self._bases.get(name)
        if base is not None:
            try:
                under = self._pixels(base, f"{self.path / base}")
            except RecordingError as exc:
                raise RecordingError(f"{where}: its base is damaged: {exc}") from None
            if under.shape != pixels.shape:
                raise RecordingError(f"{where}: size differs from its base {base}")
            pixels = undo_difference(pixels, under)
        self._cache.clear()
        self._cache[name] = pixels
        return pixels

    def frames(self) -> Iterator[Frame]:
        """Every frame in order, timestamps as recorded; damaged ones skipped if asked."""
        for event in self.events:
            try:
                yield self.load(event)
            except RecordingError as exc:
                if not self.skip_damaged:
                    raise RecordingError(f"{exc} (use --skip-damaged to replay the rest)") from None
                logger.warning("skipping damaged frame: {}", exc)


class ReplaySource:
    """A frame source over a recording: frames in order, the clock set to their timestamps.

    The clock (a VirtualClock the loop also reads) moves to each frame's recorded time `t`
    as the frame is grabbed, so waits and rate limits replay exactly as they happened.
    """

    def __init__(self, recording: Recording, clock: VirtualClock) -> None:
        self.recording = recording
        self.clock = clock
        self._frames = recording.frames()
        self.current: Event | None = None
        self._by_index = {e.i: e for e in recording.events}

    def grab(self) -> Frame:
        """The next frame; SourceExhausted at the end of the recording."""
        try:
            frame = next(self._frames)
        except StopIteration:
            raise SourceExhausted(f"{self.recording.path}: end of recording") from None
        self.current = self._by_index[frame.index]
        self.clock.advance_to(frame.timestamp)
        return frame

    def close(self) -> None:
        """Nothing to release."""


def _read_manifest(path: Path) -> Manifest:
    file = path / MANIFEST
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordingError(f"{file}: missing manifest; is this a recording?") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordingError(f"{file}: unreadable manifest: {exc}") from None
    if not isinstance(raw, dict):
        raise RecordingError(f"{file}: manifest must be a JSON object")
    if raw.get("format") != FORMAT_NAME:
        raise RecordingError(f"{file}: format is {raw.get('format')!r}, expected {FORMAT_NAME!r}")
    if raw.get("version") != FORMAT_VERSION:
        raise RecordingError(
            f"{file}: unknown format version {raw.get('version')!r}; "
            f"this Tilebot reads version {FORMAT_VERSION}"
        )
    try:
        return Manifest.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise RecordingError(f"{file}: {loc}: {first['msg']}") from None


def _read_events(path: Path, damaged: Callable[[str], None]) -> list[Event]:
    file = path / EVENTS
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RecordingError(f"{file}: missing events file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordingError(f"{file}: unreadable: {exc}") from None
    lines = text.split("\n")
    truncated_tail = lines[-1] != ""
    events: list[Event] = []
    last_index = -1
    for n, line in enumerate(lines, start=1):
        if not line:
            continue
        if n == len(lines) and truncated_tail:
            damaged(f"{file}:{n}: last line is truncated (the recording was cut short)")
            continue
        try:
            event = Event.model_validate_json(line)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            damaged(f"{file}:{n}: bad event: {loc + ': ' if loc else ''}{first['msg']}")
            continue
        if event.i <= last_index:
            damaged(f"{file}:{n}: frame {event.i} is out of order (after frame {last_index})")
            continue
        last_index = event.i
        events.append(event)
    return events
