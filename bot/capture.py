"""Live frames from the screen: a fixed region, or a window followed as it moves.

`ScreenSource` grabs with mss (MIT-SHM on X11) and hands out `Frame`s numbered 0, 1, 2, ...
stamped by the clock it was given. A fixed region is clipped to the screen once, when the
source is made. A followed window is located again before every grab (one X round trip,
0.05-0.15 ms measured on Xvfb), so a move shows in the very next frame's origin and in `moved`.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import cv2
import mss
import numpy as np
from mss.exception import ScreenShotError

from bot.clock import Clock
from bot.errors import CaptureError
from bot.frame import Frame, FrameSource, Pixels, Region
from bot.window import WindowId, WindowLocator

__all__ = ["FixedRegion", "FollowedWindow", "FrameSource", "ScreenSource", "Target"]


@dataclass(frozen=True, slots=True)
class FixedRegion:
    """Capture this rectangle of the screen (absolute pixels), clipped to the screen."""

    region: Region


@dataclass(frozen=True, slots=True)
class FollowedWindow:
    """Capture a window wherever it is; `part` (window-relative) narrows it, e.g. below a menu."""

    window: WindowId
    locator: WindowLocator
    part: Region | None = None


Target = FixedRegion | FollowedWindow


def clip_region(region: Region, screen: Region) -> Region:
    """The part of `region` that lies on `screen`; raise CaptureError when nothing does."""
    visible = region.intersect(screen)
    if visible is None:
        raise CaptureError(
            f"region {region.geometry} lies entirely off the screen {screen.geometry}"
        )
    return visible


def window_capture_region(window: Region, part: Region | None) -> Region:
    """The screen rectangle to capture for a window at `window`, narrowed to `part`.

    part: window-relative (x, y from the window's top-left); it is cut to the window.
    Raise CaptureError when `part` does not overlap the window at all.
    """
    if part is None:
        return window
    moved = Region(window.x + part.x, window.y + part.y, part.width, part.height)
    inside = moved.intersect(window)
    if inside is None:
        raise CaptureError(
            f"window part {part.geometry} lies outside the window's {window.width}x{window.height}"
        )
    return inside


def paste_visible(visible: Pixels, wanted: Region, visible_at: Region) -> Pixels:
    """A `wanted`-sized image holding `visible` at its place and black elsewhere.

    visible: (h, w, 3) uint8 BGR, the on-screen part, grabbed at screen rect `visible_at`
    (which lies inside `wanted`). Returns a new (wanted.height, wanted.width, 3) uint8 array.
    """
    canvas = np.zeros((wanted.height, wanted.width, 3), dtype=np.uint8)
    x0, y0 = visible_at.x - wanted.x, visible_at.y - wanted.y
    canvas[y0 : y0 + visible_at.height, x0 : x0 + visible_at.width] = visible
    return canvas


class ScreenSource:
    """Frames grabbed live from the screen, of a fixed region or of a followed window.

    Fixed region: clipped to the screen when the source is made (a region partly past the
    edge gives smaller frames; origin is the clipped top-left).
    Followed window: the window is located before each grab; a frame always has the
    window's (or part's) size and its origin is the window's (or part's) screen position,
    so frame pixels stay window pixels; any part off the screen reads black.
    `moved` tells whether the last grab found the window at another place or size than
    the grab before. A vanished window makes `grab` raise WindowLost.

    The locator of a followed window stays the caller's to close.
    """

    def __init__(self, target: Target, clock: Clock, *, display: str | None = None) -> None:
        """Open the screen; raise CaptureError when there is no display or it is refused.

        display: X11 display name (":99"); None uses $DISPLAY. Ignored off X11.
        """
        self._clock = clock
        self._mss = _open_mss(display)
        self._screen = _screen_region(self._mss)
        self._index = 0
        self._moved = False
        self._last_window: Region | None = None
        self._fixed: Region | None = None
        self._follow: FollowedWindow | None = None
        if isinstance(target, FollowedWindow):
            self._follow = target
            return
        try:
            self._fixed = clip_region(target.region, self._screen)
        except CaptureError:
            self._mss.close()
            raise

    @classmethod
    def of_region(cls, region: Region, clock: Clock, *, display: str | None = None) -> Self:
        """A source of `region` (absolute screen pixels), clipped to the screen."""
        return cls(FixedRegion(region), clock, display=display)

    @classmethod
    def of_window(
        cls,
        window: WindowId,
        locator: WindowLocator,
        clock: Clock,
        *,
        part: Region | None = None,
        display: str | None = None,
    ) -> Self:
        """A source that follows `window` (found with `locator`); `part` is window-relative."""
        return cls(FollowedWindow(window, locator, part), clock, display=display)

    @property
    def screen(self) -> Region:
        """The whole screen (all monitors' bounding box) in absolute pixels."""
        return self._screen

    @property
    def moved(self) -> bool:
        """True when the last grab found the followed window moved or resized since the one
        before; always False for a fixed region and for the first frame."""
        return self._moved

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the screen connection. Safe to call more than once."""
        self._mss.close()

    def grab(self) -> Frame:
        """Grab the next frame: (H, W, 3) uint8 BGR, index counting from 0.

        Raise WindowLost when the followed window has vanished, CaptureError when the
        window is entirely off the screen or the grab fails.
        """
        if self._follow is not None:
            wanted = self._locate(self._follow)
            visible = wanted.intersect(self._screen)
            if visible is None:
                raise CaptureError(
                    f"window {self._follow.window:#x} at {wanted.geometry} lies entirely off "
                    f"the screen {self._screen.geometry}"
                )
        else:
            assert self._fixed is not None  # one of the two is set in __init__
            wanted = visible = self._fixed
        pixels, timestamp = self._grab_bgr(visible)
        if visible != wanted:
            pixels = paste_visible(pixels, wanted, visible)
        frame = Frame(pixels, self._index, timestamp, (wanted.x, wanted.y))
        self._index += 1
        return frame

    def _locate(self, target: FollowedWindow) -> Region:
        """The followed window's capture rectangle now; updates `moved`."""
        window = target.locator.geometry(target.window)
        self._moved = self._last_window is not None and window != self._last_window
        self._last_window = window
        return window_capture_region(window, target.part)

    def _grab_bgr(self, region: Region) -> tuple[Pixels, float]:
        """Grab `region` (on screen) as a new BGR array, and the clock time of the grab."""
        box = {"left": region.x, "top": region.y, "width": region.width, "height": region.height}
        try:
            shot = self._mss.grab(box)
        except ScreenShotError as exc:
            raise CaptureError(f"cannot grab region {region.geometry}: {exc}") from None
        timestamp = self._clock.now()
        height, width = int(shot.height), int(shot.width)
        bgra = np.frombuffer(shot.raw, dtype=np.uint8).reshape(height, width, 4)
        bgr = np.asarray(cv2.cvtColor(bgra, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
        return bgr, timestamp


def _open_mss(display: str | None) -> Any:
    """An mss screen grabber for `display`; raise CaptureError when there is none."""
    on_x11 = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))
    if on_x11 and display is None and not os.environ.get("DISPLAY"):
        raise CaptureError(
            "no X display: DISPLAY is not set (start an X server or Xvfb and export DISPLAY)"
        )
    try:
        return mss.MSS(display=display) if on_x11 and display is not None else mss.MSS()
    except ScreenShotError as exc:
        shown = display or os.environ.get("DISPLAY", "")
        raise CaptureError(f"cannot open the screen {shown!r} for capture: {exc}") from None


def _screen_region(grabber: Any) -> Region:
    """The bounding box of all monitors, from mss's monitor list."""
    every = grabber.monitors[0]
    return Region(int(every["left"]), int(every["top"]), int(every["width"]), int(every["height"]))
