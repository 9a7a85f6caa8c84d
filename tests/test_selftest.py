"""The self-test: passes on a real game window, names the miss when the input mapping is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from bot.capture import ScreenSource
from bot.clock import VirtualClock
from bot.errors import Stopped
from bot.frame import Region
from bot.profile import GridSpec
from bot.pyautogui_actuator import PyAutoGuiActuator
from bot.selftest import (
    CheckResult,
    Landing,
    SelfTestFailed,
    SelfTestReport,
    check_grid,
    count_differing,
    judge_landings,
    run_self_test,
    target_points,
)
from bot.window import X11Locator, open_x11
from tests.live import LaunchGame

FLIP_GRID = GridSpec(origin_x_px=24, origin_y_px=49, tile_px=48, rows=5, cols=5)
"""sgt-flip 5x5 at its default tile size: a 288x350 window, the board at (24, 49)."""
WINDOW_AT = (100, 100)
SCREEN = Region(0, 0, 1280, 800)
PARKED = (700, 500)
"""Where the pointer is before each live self-test; it must be there again afterwards."""


# Pure parts: no display needed.


def test_target_points_are_just_inside_the_corners_and_at_the_centre() -> None:
    points = dict(target_points(Region(100, 100, 288, 350)))
    assert points == {
        "top-left corner": (102, 102),
        "top-right corner": (385, 102),
        "bottom-left corner": (102, 447),
        "bottom-right corner": (385, 447),
        "centre": (244, 275),
    }
    # A window too small for the inset still gets points inside it.
    tiny = Region(10, 10, 2, 1)
    assert all(tiny.contains(*p) for _, p in target_points(tiny))


def landings_of(scale: float, offset: tuple[int, int]) -> list[Landing]:
    """Where a plain screen puts the pointer when input = capture * scale + offset."""
    return [
        Landing(name, p, (round(p[0] * scale + offset[0]), round(p[1] * scale + offset[1])))
        for name, p in target_points(Region(100, 100, 288, 350))
    ]


def test_exact_landings_pass() -> None:
    result = judge_landings(landings_of(1.0, (0, 0)), 1.0, (0, 0), SCREEN)
    assert result == CheckResult("pointer", True, "5 points hit exactly (scale 1, offset (0, 0))")


@pytest.mark.parametrize(
    ("scale", "offset"), [(1.25, (0, 0)), (1.5, (0, 0)), (1.0, (7, 0)), (1.0, (-3, 12))]
)
def test_wrong_mapping_names_the_misses_and_the_mapping_that_hits(
    scale: float, offset: tuple[int, int]
) -> None:
    result = judge_landings(landings_of(scale, offset), scale, offset, SCREEN)
    assert not result.passed
    first = landings_of(scale, offset)[0]
    assert f"top-left corner aimed at (102, 102) landed at {first.landed}" in result.message
    assert "scale 1 and offset (0, 0) would hit" in result.message


def test_a_scaled_screen_under_a_plain_actuator_asks_for_the_inverse_scale() -> None:
    # The screen doubles input coordinates (a scaled desktop): half the scale hits.
    result = judge_landings(landings_of(2.0, (0, 0)), 1.0, (0, 0), SCREEN)
    assert "landed = capture x 2 + (0, 0)" in result.message
    assert "scale 0.5 and offset (0, 0) would hit" in result.message


def test_a_pointer_that_never_moves_is_named() -> None:
    stuck = [Landing(name, p, (640, 400)) for name, p in target_points(Region(100, 100, 50, 50))]
    result = judge_landings(stuck, 1.0, (0, 0), SCREEN)
    assert "the pointer did not follow the moves" in result.message


def test_a_landing_in_a_corner_says_the_rest_was_not_tried() -> None:
    landings = [Landing("top-left corner", (102, 102), (0, 0))]
    result = judge_landings(landings, 1.0, (-500, -500), SCREEN)
    assert "top-left corner aimed at (102, 102) landed at (0, 0)" in result.message
    assert "screen corner (the fail-safe): the points after it were not tried" in result.message


def test_count_differing_compares_the_on_screen_part_only() -> None:
    screen = np.zeros((10, 20, 3), dtype=np.uint8)
    screen[2:4, 3:5] = 9
    frame = np.zeros((4, 4, 3), dtype=np.uint8)
    frame[0:2, 1:3] = 9
    assert count_differing(frame, screen, Region(2, 2, 4, 4), Region(0, 0, 20, 10)) == 0
    frame[3, 3] = 1
    assert count_differing(frame, screen, Region(2, 2, 4, 4), Region(0, 0, 20, 10)) == 1
    # Hanging off the right edge: only the 2 visible columns count.
    edge = np.zeros((4, 4, 3), dtype=np.uint8)
    edge[:, 2:] = 5
    assert count_differing(edge, screen, Region(18, 0, 4, 4), Region(0, 0, 20, 10)) == 0
    assert count_differing(edge, screen, Region(30, 0, 4, 4), Region(0, 0, 20, 10)) == 16


def test_grid_check_names_the_overflow() -> None:
    assert check_grid(FLIP_GRID, (288, 350)).passed
    too_tall = FLIP_GRID.model_copy(update={"rows": 7})
    result = check_grid(too_tall, (288, 350))
    assert result == CheckResult(
        "grid",
        False,
        "the 7x5 grid of 48 px tiles at (24, 49) spans to (264, 385), "
        "past the 288x350 frame by 0x35 px",
    )


def test_report_raises_every_failed_message() -> None:
    report = SelfTestReport(
        (
            CheckResult("pointer", False, "missed A"),
            CheckResult("frame", True, "fine"),
            CheckResult("grid", False, "too big"),
        )
    )
    assert not report.ok
    with pytest.raises(SelfTestFailed, match="pointer: missed A\ngrid: too big") as caught:
        report.raise_for_failure()
    assert "fine" not in str(caught.value)
    SelfTestReport((CheckResult("frame", True, "fine"),)).raise_for_failure()


# Live: a real sgt-flip window on a real Xvfb display.


@pytest.fixture
def xlib(xvfb: str) -> Iterator[Any]:
    """A python-xlib connection of the test's own, to park and read the pointer."""
    conn = open_x11(xvfb)
    try:
        yield conn
    finally:
        conn.close()


def park_pointer(xlib: Any, at: tuple[int, int] = PARKED) -> None:
    """Put the pointer at `at`."""
    xlib.screen().root.warp_pointer(*at)
    xlib.sync()


def pointer_at(xlib: Any) -> tuple[int, int]:
    """The pointer's screen position now."""
    reply = xlib.screen().root.query_pointer()
    return int(reply.root_x), int(reply.root_y)


def self_test(
    launch_game: LaunchGame,
    locator: X11Locator,
    xlib: Any,
    actuator: PyAutoGuiActuator,
    *,
    grid: GridSpec | None = FLIP_GRID,
    source_region: Region | None = None,
    part: Region | None = None,
) -> SelfTestReport:
    """Run the self-test on a fresh flip window at WINDOW_AT; the pointer must come home.

    The source follows the window (or its `part`), or grabs `source_region` when given.
    """
    game = launch_game("flip", "5x5#1", at=WINDOW_AT)
    park_pointer(xlib)
    clock = VirtualClock()
    source = (
        ScreenSource.of_window(game.window, locator, clock, part=part)
        if source_region is None
        else ScreenSource.of_region(source_region, clock)
    )
    with source:
        report = run_self_test(source, locator, game.window, actuator, grid, part=part)
    assert pointer_at(xlib) == PARKED, "the self-test did not put the pointer back"
    return report


def check(report: SelfTestReport, name: str) -> CheckResult:
    """The report's check called `name`."""
    (found,) = [c for c in report.checks if c.name == name]
    return found


@pytest.mark.live
def test_passes_on_a_real_flip_window(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator())
    assert [c.name for c in report.checks] == ["pointer", "frame", "grid"]
    assert report.ok, report
    assert check(report, "frame").message == "288x350+100+100 matches the screen"
    report.raise_for_failure()


@pytest.mark.live
def test_wrong_scale_fails_naming_where_each_corner_landed(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator(scale=1.25))
    pointer = check(report, "pointer")
    assert not pointer.passed
    for where in (
        "top-left corner aimed at (102, 102) landed at (128, 128)",
        "top-right corner aimed at (385, 102) landed at (481, 128)",
        "bottom-left corner aimed at (102, 447) landed at (128, 559)",
        "bottom-right corner aimed at (385, 447) landed at (481, 559)",
        "centre aimed at (244, 275) landed at (305, 344)",
        "with the actuator's scale 1.25 and offset (0, 0)",
        "scale 1 and offset (0, 0) would hit",
    ):
        assert where in pointer.message
    assert check(report, "frame").passed and check(report, "grid").passed
    with pytest.raises(SelfTestFailed, match=r"pointer: the pointer missed: top-left corner"):
        report.raise_for_failure()


@pytest.mark.live
def test_wrong_offset_fails_naming_the_offset(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator(offset=(7, 0)))
    pointer = check(report, "pointer")
    assert not pointer.passed
    assert "top-left corner aimed at (102, 102) landed at (109, 102)" in pointer.message
    assert "landed = capture x 1 + (7, 0)" in pointer.message
    assert "scale 1 and offset (0, 0) would hit" in pointer.message
    assert [c.name for c in report.failures] == ["pointer"]


@pytest.mark.live
def test_a_source_grabbing_elsewhere_fails_the_frame_check(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    elsewhere = Region(500, 100, 288, 350)
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator(), source_region=elsewhere)
    assert [c.name for c in report.failures] == ["frame"]
    assert check(report, "frame").message.startswith(
        "the frame covers 288x350+500+100 but the window is at 288x350+100+100"
    )


@pytest.mark.live
def test_a_grid_past_the_window_fails_the_grid_check(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    too_wide = FLIP_GRID.model_copy(update={"cols": 6})
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator(), grid=too_wide)
    assert [c.name for c in report.failures] == ["grid"]
    assert "past the 288x350 frame by 24x0 px" in check(report, "grid").message


@pytest.mark.live
def test_a_source_of_the_window_below_its_menu_passes(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    below_menu = Region(0, 25, 288, 325)
    board = FLIP_GRID.model_copy(update={"origin_y_px": 49 - 25})
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator(), grid=board, part=below_menu)
    assert report.ok, report
    assert check(report, "frame").message == "288x325+100+125 matches the screen"


@pytest.mark.live
def test_a_mapping_into_the_fail_safe_corner_is_reported_not_stopped(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    report = self_test(launch_game, locator, xlib, PyAutoGuiActuator(offset=(-600, -600)))
    message = check(report, "pointer").message
    assert "top-left corner aimed at (102, 102) landed at (0, 0)" in message
    assert "the points after it were not tried" in message


@pytest.mark.live
def test_the_users_fail_safe_stops_the_self_test(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    game = launch_game("flip", "5x5#1", at=WINDOW_AT)
    park_pointer(xlib, (0, 0))
    try:
        with (
            ScreenSource.of_window(game.window, locator, VirtualClock()) as source,
            pytest.raises(Stopped, match="fail-safe"),
        ):
            run_self_test(source, locator, game.window, PyAutoGuiActuator(), FLIP_GRID)
        assert pointer_at(xlib) == (0, 0)
    finally:
        park_pointer(xlib)  # out of the corner, for whatever runs next
