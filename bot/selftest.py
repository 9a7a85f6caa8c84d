"""The live self-test: before playing, prove that input and capture agree on the screen.

Three checks, each reported with a message a person can act on:
- pointer: the actuator moves the pointer to points just inside the window's four corners
  and its centre (`move_to`, which applies its scale and offset); the X server's own idea
  of the pointer (python-xlib `query_pointer` on the root window) must equal each intended
  capture pixel exactly (tolerance 0 px). On a miss the message says which point landed
  where, the scale and offset the landings fit, and the scale and offset that would hit.
- frame: the source's frame has the window's size and screen origin (or those of the
  window part it was made with), and its pixels equal a full-screen mss grab cropped
  there: 0 differing pixels. The pair of grabs is retried a few times, so a window that is
  redrawing between the two grabs does not fail it.
- grid (when given): every tile of the grid lies inside the frame.

The pointer is put back where it was (through python-xlib, so a wrong mapping cannot
misplace it). Only the fail-safe (`Stopped`) escapes `run_self_test`; every other failure
becomes a failed check.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import mss
import numpy as np
from mss.exception import ScreenShotError

from bot.capture import window_capture_region
from bot.errors import Stopped, TilebotError
from bot.frame import Frame, Pixels, Region
from bot.profile import GridSpec
from bot.window import WindowId, WindowLocator, open_x11

Point = tuple[int, int]

INSET_PX = 2
"""How far inside the window's corners the pointer is sent."""
FRAME_TRIES = 5
"""Pairs of grabs (source, full screen) tried before the frame check fails."""
FIT_LIMIT_PX = 2.0
"""Largest miss (per axis) a scale-and-offset fit may leave and still explain the landings:
landings are whole pixels and the fitted scale is rounded to 2 decimals."""


class SelfTestFailed(TilebotError):
    """The self-test found input and capture disagreeing; the message lists every failure."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check of the self-test: its name ("pointer", "frame", "grid"), outcome and why."""

    name: str
    passed: bool
    message: str


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    """Every check that ran, in order; `ok` when all passed."""

    checks: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """The checks that failed, in order."""
        return tuple(check for check in self.checks if not check.passed)

    def raise_for_failure(self) -> None:
        """Raise SelfTestFailed listing every failed check's message; return when all passed."""
        if self.ok:
            return
        lines = [f"{check.name}: {check.message}" for check in self.failures]
        raise SelfTestFailed("self-test failed:\n" + "\n".join(lines))


class FrameGrabber(Protocol):
    """Anything that grabs frames of the game window (a ScreenSource)."""

    def grab(self) -> Frame:
        """The next frame."""
        ...


class PointerDriver(Protocol):
    """The input side under test (a PyAutoGuiActuator): its mapping and its pointer moves."""

    @property
    def scale(self) -> float:
        """input = capture * scale + offset."""
        ...

    @property
    def offset(self) -> tuple[int, int]:
        """input = capture * scale + offset."""
        ...

    @property
    def screen(self) -> Region:
        """The whole screen in capture pixels."""
        ...

    def move_to(self, point: Point) -> None:
        """Move the pointer to capture pixel `point`; Stopped on the fail-safe."""
        ...


@dataclass(frozen=True, slots=True)
class Landing:
    """Where the pointer was sent (capture pixel) and where the X server put it."""

    name: str
    aimed: Point
    landed: Point

    @property
    def hit(self) -> bool:
        """True when it landed exactly where it was aimed."""
        return self.aimed == self.landed


def run_self_test(
    source: FrameGrabber,
    locator: WindowLocator,
    window_id: WindowId,
    actuator: PointerDriver,
    grid: GridSpec | None,
    *,
    part: Region | None = None,
    display: str | None = None,
) -> SelfTestReport:
    """Check pointer mapping, captured frame and grid against the live window `window_id`.

    source: grabs the window (whole, or `part` of it, window-relative, as it was made).
    grid: in frame pixels, or None to skip that check. display: the X display of all three
    (None: $DISPLAY). Moves the real pointer, then puts it back. Raise Stopped when the
    user trips the fail-safe; any other failure is a failed check in the report.
    """
    checks: list[CheckResult] = []
    try:
        window = locator.geometry(window_id)
    except TilebotError as exc:
        return SelfTestReport((CheckResult("window", False, str(exc)),))
    checks.append(check_pointer(window, actuator, display))
    frame_check, frame_size = check_frame(source, window_capture_region(window, part), display)
    checks.append(frame_check)
    if grid is not None:
        checks.append(check_grid(grid, frame_size))
    return SelfTestReport(tuple(checks))


def check_pointer(window: Region, actuator: PointerDriver, display: str | None) -> CheckResult:
    """Send the pointer near the window's corners and centre; read back where it went."""
    visible = window.intersect(actuator.screen)
    if visible is None:
        return CheckResult("pointer", False, f"window {window.geometry} is off the screen")
    try:
        conn = open_x11(display)
    except TilebotError as exc:
        return CheckResult("pointer", False, str(exc))
    try:
        root = conn.screen().root
        home = _pointer_at(root)
        try:
            landings = _send_pointer(target_points(visible), actuator, root)
        finally:
            root.warp_pointer(*home)
            conn.sync()
    finally:
        conn.close()
    return judge_landings(landings, actuator.scale, actuator.offset, actuator.screen)


def target_points(window: Region) -> tuple[tuple[str, Point], ...]:
    """(name, capture pixel) of INSET_PX inside each corner of `window`, and its centre."""
    inset_x = min(INSET_PX, (window.width - 1) // 2)
    inset_y = min(INSET_PX, (window.height - 1) // 2)
    left, top = window.x + inset_x, window.y + inset_y
    right, bottom = window.right - 1 - inset_x, window.bottom - 1 - inset_y
    return (
        ("top-left corner", (left, top)),
        ("top-right corner", (right, top)),
        ("bottom-left corner", (left, bottom)),
        ("bottom-right corner", (right, bottom)),
        ("centre", (window.x + window.width // 2, window.y + window.height // 2)),
    )


def _send_pointer(
    points: Sequence[tuple[str, Point]], actuator: PointerDriver, root: Any
) -> list[Landing]:
    """Move to each point in turn and read the pointer back; stop early at a screen corner.

    A move that lands in a corner trips pyautogui's fail-safe on the test's own doing: that
    is a landing to report. Stopped escapes only when the pointer was in a corner before
    the move (the user's stop).
    """
    corners = _screen_corners(actuator.screen)
    landings: list[Landing] = []
    for name, aimed in points:
        before = _pointer_at(root)
        try:
            actuator.move_to(aimed)
        except Stopped:
            if before in corners:
                raise
        landings.append(Landing(name, aimed, _pointer_at(root)))
        if landings[-1].landed in corners:
            break
    return landings


def judge_landings(
    landings: Sequence[Landing], scale: float, offset: tuple[int, int], screen: Region
) -> CheckResult:
    """The pointer check's verdict: pass when every landing hit; else say what went where,
    which mapping the landings fit and which scale and offset would hit."""
    mapping = f"scale {_number(scale)}, offset {offset}"
    if landings and all(landing.hit for landing in landings):
        return CheckResult("pointer", True, f"{len(landings)} points hit exactly ({mapping})")
    missed = "; ".join(
        f"{landing.name} aimed at {landing.aimed} landed at {landing.landed}"
        for landing in landings
        if not landing.hit
    )
    parts = [f"the pointer missed: {missed}", _explain(landings, scale, offset)]
    if landings and landings[-1].landed in _screen_corners(screen):
        parts.append(
            "it ended in a screen corner (the fail-safe): the points after it were not tried"
        )
    return CheckResult("pointer", False, "; ".join(p for p in parts if p))


def _explain(landings: Sequence[Landing], scale: float, offset: tuple[int, int]) -> str:
    """What mapping the landings fit, and the scale and offset that would make them hit."""
    fits = [
        _fit_axis([p.aimed[axis] for p in landings], [p.landed[axis] for p in landings])
        for axis in (0, 1)
    ]
    if any(fit is None for fit in fits):
        return "too few distinct landings to tell a scale and offset"
    (sx, ox), (sy, oy) = (fit for fit in fits if fit is not None)
    if sx == 0 or sy == 0:
        return "the pointer did not follow the moves (is it grabbed, or another screen's?)"
    worst = max(
        max(abs(sx * p.aimed[0] + ox - p.landed[0]), abs(sy * p.aimed[1] + oy - p.landed[1]))
        for p in landings
    )
    if worst > FIT_LIMIT_PX:
        return (
            f"the landings fit no scale and offset (off by up to {worst:.0f} px): "
            "clamped at a screen edge, or the pointer was moved meanwhile"
        )
    # landed = a * input + b, input = capture * scale + offset; the mapping that hits
    # is capture * (scale / s) + (offset - o * scale / s) for the fitted s, o per axis.
    need_x, need_y = scale / sx, scale / sy
    need_offset = (round(offset[0] - ox * need_x), round(offset[1] - oy * need_y))
    return (
        f"the landings fit landed = capture x {_pair(sx, sy)} + ({round(ox)}, {round(oy)}) "
        f"with the actuator's scale {_number(scale)} and offset {offset}; "
        f"scale {_pair(need_x, need_y)} and offset {need_offset} would hit"
    )


def _fit_axis(aimed: Sequence[int], landed: Sequence[int]) -> tuple[float, float] | None:
    """Least-squares (slope, intercept) of landed over aimed on one axis, the slope rounded
    to 2 decimals (a 1 px rounding over a window is ~0.005); None when aimed is constant."""
    if len(set(aimed)) < 2:
        return None
    a = np.asarray(aimed, dtype=np.float64)
    b = np.asarray(landed, dtype=np.float64)
    slope = float(np.sum((a - a.mean()) * (b - b.mean())) / np.sum((a - a.mean()) ** 2))
    slope = round(slope, 2)
    intercept = statistics.median(float(y - slope * x) for x, y in zip(a, b, strict=True))
    return slope, intercept


def check_frame(
    source: FrameGrabber, expected: Region, display: str | None
) -> tuple[CheckResult, tuple[int, int]]:
    """Grab from `source` and the whole screen; the frame must sit at `expected` and equal
    the screen there. Also returns the frame's (width, height) (expected's, when no grab)."""
    size = (expected.width, expected.height)
    try:
        with _open_screen(display) as screen:
            best: int | None = None
            for _ in range(FRAME_TRIES):
                frame = source.grab()
                size = (frame.width, frame.height)
                if frame.region != expected:
                    return (
                        CheckResult(
                            "frame",
                            False,
                            f"the frame covers {frame.region.geometry} but the window "
                            f"is at {expected.geometry}: the source follows another window "
                            "or region",
                        ),
                        size,
                    )
                full, at = _grab_screen(screen)
                differing = count_differing(frame.pixels, full, expected, at)
                if differing == 0:
                    return (
                        CheckResult("frame", True, f"{expected.geometry} matches the screen"),
                        size,
                    )
                best = differing if best is None else min(best, differing)
    except (TilebotError, ScreenShotError) as exc:
        return CheckResult("frame", False, f"cannot grab: {exc}"), size
    return (
        CheckResult(
            "frame",
            False,
            f"the frame at {expected.geometry} differs from the screen there in {best} of "
            f"{expected.width * expected.height} pixels (best of {FRAME_TRIES} grabs)",
        ),
        size,
    )


def count_differing(frame: Pixels, screen: Pixels, region: Region, screen_at: Region) -> int:
    """Pixels of `frame` (grabbed at `region`) that differ from `screen` (grabbed at
    `screen_at`), over the part of `region` on the screen. Both (H, W, 3) uint8 BGR.

    A frame with no part on the screen counts as entirely different.
    """
    visible = region.intersect(screen_at)
    if visible is None:
        return region.width * region.height
    fx, fy = visible.x - region.x, visible.y - region.y
    sx, sy = visible.x - screen_at.x, visible.y - screen_at.y
    ours = frame[fy : fy + visible.height, fx : fx + visible.width]
    theirs = screen[sy : sy + visible.height, sx : sx + visible.width]
    return int(np.count_nonzero(np.any(ours != theirs, axis=2)))


def check_grid(grid: GridSpec, frame_size: tuple[int, int]) -> CheckResult:
    """Every tile of `grid` (frame pixels) must lie inside a frame of `frame_size` (w, h)."""
    width, height = frame_size
    right = grid.origin_x_px + grid.width_px
    bottom = grid.origin_y_px + grid.height_px
    shown = (
        f"the {grid.rows}x{grid.cols} grid of {grid.tile_px} px tiles at "
        f"({grid.origin_x_px}, {grid.origin_y_px}) spans to ({right}, {bottom})"
    )
    if right <= width and bottom <= height:
        return CheckResult("grid", True, f"{shown}, inside the {width}x{height} frame")
    over = (max(0, right - width), max(0, bottom - height))
    return CheckResult(
        "grid", False, f"{shown}, past the {width}x{height} frame by {over[0]}x{over[1]} px"
    )


def _open_screen(display: str | None) -> Any:
    """An mss grabber of the display (None: $DISPLAY), independent of the source's."""
    return mss.MSS(display=display) if display is not None else mss.MSS()


def _grab_screen(screen: Any) -> tuple[Pixels, Region]:
    """The whole screen as (H, W, 3) uint8 BGR, and where it sits."""
    every = screen.monitors[0]
    shot = screen.grab(every)
    height, width = int(shot.height), int(shot.width)
    bgra = np.frombuffer(shot.raw, dtype=np.uint8).reshape(height, width, 4)
    at = Region(int(every["left"]), int(every["top"]), width, height)
    return bgra[:, :, :3], at


def _pointer_at(root: Any) -> Point:
    reply = root.query_pointer()
    return int(reply.root_x), int(reply.root_y)


def _screen_corners(screen: Region) -> frozenset[Point]:
    """The screen's corner pixels, where pyautogui's fail-safe fires."""
    x0, y0, x1, y1 = screen.x, screen.y, screen.right - 1, screen.bottom - 1
    return frozenset({(x0, y0), (x1, y0), (x0, y1), (x1, y1)})


def _number(value: float) -> str:
    """A scale for a message: at most 2 decimals, no trailing zeros (1, 1.25)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _pair(x: float, y: float) -> str:
    """One scale when both axes agree (to 2 decimals), else both."""
    return _number(x) if _number(x) == _number(y) else f"({_number(x)}, {_number(y)})"
