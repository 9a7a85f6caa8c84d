"""The exception tree, drawn in one place.

Every error Tilebot raises on purpose derives from `TilebotError`; the CLI prints its
message (one line, naming the file, field or frame at fault) instead of a traceback.
"""

from __future__ import annotations


class TilebotError(Exception):
    """Root of every error raised on purpose."""


class ProfileError(TilebotError):
    """A profile file is invalid; `problems` holds one `file: field.path: message` each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class RecordingError(TilebotError):
    """A recording is missing, damaged or of an unknown format; says which file and frame."""


class FrameError(TilebotError):
    """An image has the wrong shape, dtype or size for what was asked of it."""


class CaptureError(TilebotError):
    """The screen or window could not be grabbed (no display, region off-screen)."""


class WindowLost(CaptureError):
    """The game window that was being followed has vanished."""


class UnsafeAction(TilebotError):
    """An action would leave the game window, or was asked for on an uncertain read."""


class SourceExhausted(TilebotError):
    """A frame source has no more frames (the end of a replay)."""


class Stopped(TilebotError):
    """The user stopped the bot: the fail-safe corner or the kill key."""
