"""Clocks: the loop reads time only from the clock it is given.

Live play uses `RealClock`; replay uses `VirtualClock`, which the replay source sets to
each frame's recorded timestamp, so waits and rate limits behave as they did live and a
replay is deterministic. Times are seconds as floats.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """A source of time for the loop."""

    def now(self) -> float:
        """Seconds since an arbitrary fixed point; never goes backwards."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` (or, on a virtual clock, do nothing: frames drive time)."""
        ...


class RealClock:
    """The machine's monotonic clock."""

    def now(self) -> float:
        """Seconds from time.monotonic()."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Sleep for real when `seconds` > 0."""
        if seconds > 0:
            time.sleep(seconds)


class VirtualClock:
    """A clock that only moves when told to: by recorded frame timestamps in replay."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start

    def now(self) -> float:
        """The last time this clock was set to."""
        return self._now

    def sleep(self, seconds: float) -> None:
        """Do nothing: in replay the next frame's timestamp says what time it is."""

    def advance_to(self, t: float) -> None:
        """Move to time `t`; a time earlier than now is ignored (time never goes back)."""
        self._now = max(self._now, t)
