"""Crash-safe recording writer: frames are encoded off the loop's critical path.

`write()` only queues the frame (the frame's pixels are read-only, so no copy is needed);
one background thread encodes, writes each frame file under a temporary name, renames it
into place, and only then appends the frame's event line with a single write on an
O_APPEND descriptor. A process killed at any moment leaves a recording whose every event
line is whole and whose frames all exist: the reader replays every completed frame.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from bot.errors import RecordingError
from bot.frame import Frame, Pixels, Region
from bot.recording.format import (
    EVENTS,
    EXTENSIONS,
    FORMAT_VERSION,
    FRAMES,
    MANIFEST,
    Codec,
    Manifest,
    RegionModel,
    difference,
    encode,
)


@dataclass(frozen=True, slots=True)
class _Item:
    frame: Frame
    t: float
    extra: dict[str, Any]


_STOP = object()


class RecordingWriter:
    """Write a recording directory; use as a context manager so it always closes.

    path: a new or empty directory. codec: "qoi" (fast) or "png" (viewable anywhere).
    keyframe_interval: with QOI, every n-th stored frame is whole and the others hold the
    difference to the frame stored before them (25x smaller when little moves); PNG
    frames are always whole.
    start_time: the loop clock's time of the recording's t = 0 (defaults to the first frame).
    max_queued: frames waiting for the encoder before `write` blocks (bounds memory).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        region: Region | None = None,
        source: str = "",
        profile: str | None = None,
        level: str | None = None,
        game_id: str | None = None,
        playing: bool = False,
        codec: Codec = "qoi",
        keyframe_interval: int = 30,
        start_time: float | None = None,
        max_queued: int = 64,
    ) -> None:
        self.path = Path(path)
        if self.path.exists() and (not self.path.is_dir() or any(self.path.iterdir())):
            raise RecordingError(f"{self.path}: already exists and is not empty; choose a new one")
        try:
            (self.path / FRAMES).mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RecordingError(f"{self.path}: cannot create recording: {exc}") from None
        self.codec: Codec = codec
        self.manifest = Manifest(
            version=FORMAT_VERSION,
            started_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
            codec=codec,
            keyframe_interval=keyframe_interval if codec == "qoi" else 1,
            region=RegionModel(**region.as_dict()) if region else None,
            source=source,
            profile=profile,
            level=level,
            game_id=game_id,
            playing=playing,
        )
        _write_atomically(self.path / MANIFEST, self.manifest.model_dump_json(indent=2).encode())
        self._events_fd = os.open(self.path / EVENTS, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._start = start_time
        self._queue: queue.Queue[_Item | object] = queue.Queue(maxsize=max_queued)
        self._error: BaseException | None = None
        self._closed = False
        self.frames_written = 0
        self.files_written = 0
        self._thread = threading.Thread(target=self._run, name="recording-writer", daemon=True)
        self._thread.start()

    def write(self, frame: Frame, **extra: Any) -> None:
        """Queue `frame` and its event fields (board, action, stage_ms, ...: JSON-ready).

        Raises RecordingError if the writer has failed (disk full, ...) or was closed.
        """
        self._raise_if_failed()
        if self._closed:
            raise RecordingError(f"{self.path}: recording already closed")
        if self._start is None:
            self._start = frame.timestamp
        self._queue.put(_Item(frame, max(0.0, frame.timestamp - self._start), extra))

    def close(self) -> None:
        """Finish writing every queued frame, then close; idempotent."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()
        os.close(self._events_fd)
        self._raise_if_failed()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise RecordingError(f"{self.path}: writing failed: {self._error}") from self._error

    def _run(self) -> None:
        previous: Pixels | None = None
        previous_name, previous_base = "", None
        since_key = 0
        ext = EXTENSIONS[self.codec]
        interval = self.manifest.keyframe_interval
        while True:
            item = self._queue.get()
            if not isinstance(item, _Item):
                return
            if self._error is not None:
                continue  # keep draining so write() never blocks forever
            try:
                pixels = item.frame.pixels
                if previous is not None and np.array_equal(previous, pixels):
                    name, base = previous_name, previous_base
                else:
                    name = f"{FRAMES}/{item.frame.index:06d}{ext}"
                    if (
                        previous is None
                        or previous.shape != pixels.shape
                        or since_key + 1 >= interval
                    ):
                        data, base, since_key = encode(pixels, self.codec), None, 0
                    else:
                        data = encode(difference(pixels, previous), self.codec)
                        base, since_key = previous_name, since_key + 1
                    _write_atomically(self.path / name, data)
                    previous, previous_name, previous_base = pixels, name, base
                    self.files_written += 1
                event: dict[str, Any] = {
                    "i": item.frame.index,
                    "t": round(item.t, 6),
                    "frame": name,
                }
                if base is not None:
                    event["base"] = base
                event.update(
                    size=[item.frame.width, item.frame.height],
                    origin=list(item.frame.origin),
                    **item.extra,
                )
                line = json.dumps(event, separators=(",", ":")) + "\n"
                os.write(self._events_fd, line.encode())
                self.frames_written += 1
            except (OSError, ValueError, TypeError) as exc:
                self._error = exc


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
