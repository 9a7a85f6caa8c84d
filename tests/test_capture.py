"""Live capture: grabbed windows match what the game draws; moves, loss and clipping."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from bot.capture import ScreenSource, clip_region, paste_visible, window_capture_region
from bot.clock import VirtualClock
from bot.errors import CaptureError, WindowLost
from bot.frame import Frame, Pixels, Region
from bot.window import X11Locator, open_x11
from tests.live import GAMES_DIR, LaunchGame

FLIP_ID = (
    "5x5:c400007100001c4000071000018400043100011c400047100011c400046100010c400047100011c40"
    "00471000118400043100011c400047100011c400046100010c000047000011c0000470000118,40521a0"
)
"""`sgt-flip --generate 1 '5x5c#7'`: a fixed 5x5 board."""
FLIP_48 = {"FLIP_TILESIZE": "48"}
FLIP_WINDOW_PX = (288, 350)
MENU_BAR_PX = 25
"""sgt windows draw the board below a 25 px menu bar."""
BOARD_ORIGIN_PX = (24, 49)
"""Top-left of flip's first tile in the window at tile 48 (border = tile / 2)."""
TILE_PX = 48
SCREEN = Region(0, 0, 1280, 800)
MAX_FRAMES = 200
"""Bound, in frames FRAME_GAP_S apart, for waiting on a game to (re)draw or to die."""
FRAME_GAP_S = 0.02


def screenshot(tmp_path: Path) -> Pixels:
    """The board as `sgt-flip --screenshot` draws it without a display: (288, 288, 3) BGR."""
    out = tmp_path / "flip.png"
    subprocess.run(
        [str(GAMES_DIR / "sgt-flip"), "--screenshot", str(out), FLIP_ID],
        env={"FLIP_TILESIZE": "48", "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )
    image = cv2.imread(str(out), cv2.IMREAD_COLOR)
    assert image is not None, f"{out} could not be read"
    return np.asarray(image, dtype=np.uint8)


def differing(a: Pixels, b: Pixels) -> int:
    """How many pixels differ between two images of one shape (all of them if shapes differ)."""
    if a.shape != b.shape:
        return int(max(a.shape[0] * a.shape[1], b.shape[0] * b.shape[1]))
    return int(np.count_nonzero(np.any(a != b, axis=2)))


def grab_until(source: ScreenSource, expected: Pixels, clock: VirtualClock) -> Frame:
    """Grab until a frame equals `expected` (the game may still be drawing), at most
    MAX_FRAMES frames; return the last frame either way."""
    frame = source.grab()
    for _ in range(MAX_FRAMES):
        if differing(frame.pixels, expected) == 0:
            break
        time.sleep(FRAME_GAP_S)
        clock.advance_to(clock.now() + FRAME_GAP_S)
        frame = source.grab()
    return frame


@pytest.fixture
def xlib(xvfb: str) -> Iterator[Any]:
    """A python-xlib connection of the test's own, to move windows as another client."""
    conn = open_x11(xvfb)
    try:
        yield conn
    finally:
        conn.close()


def move(xlib: Any, window: int, x: int, y: int) -> None:
    """Move `window` to screen (x, y); the server has done it when this returns."""
    xlib.create_resource_object("window", window).configure(x=x, y=y)
    xlib.sync()


# Pure parts: no display needed.


def test_clip_region_cuts_at_every_edge() -> None:
    assert clip_region(Region(1200, 700, 200, 200), SCREEN) == Region(1200, 700, 80, 100)
    assert clip_region(Region(-50, -20, 100, 100), SCREEN) == Region(0, 0, 50, 80)
    assert clip_region(Region(10, 20, 30, 40), SCREEN) == Region(10, 20, 30, 40)


def test_clip_region_off_screen_names_the_region() -> None:
    with pytest.raises(CaptureError, match=r"region 10x10\+1300\+0 lies entirely off the screen"):
        clip_region(Region(1300, 0, 10, 10), SCREEN)


def test_window_part_is_window_relative_and_cut_to_the_window() -> None:
    window = Region(100, 100, 288, 350)
    assert window_capture_region(window, None) == window
    below_menu = Region(0, MENU_BAR_PX, 288, 288)
    assert window_capture_region(window, below_menu) == Region(100, 125, 288, 288)
    assert window_capture_region(window, Region(200, 300, 500, 500)) == Region(300, 400, 88, 50)
    with pytest.raises(CaptureError, match="window part 10x10\\+400\\+0 lies outside"):
        window_capture_region(window, Region(400, 0, 10, 10))


def test_paste_visible_fills_the_rest_black_and_keeps_the_input() -> None:
    visible = np.full((3, 2, 3), 7, dtype=np.uint8)
    before = visible.copy()
    out = paste_visible(visible, Region(-2, 5, 4, 3), Region(0, 5, 2, 3))
    assert out.shape == (3, 4, 3)
    assert not out[:, :2].any()
    assert (out[:, 2:] == 7).all()
    assert np.array_equal(visible, before)


def test_no_display_is_a_clear_capture_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(CaptureError, match="no X display: DISPLAY is not set"):
        ScreenSource.of_region(Region(0, 0, 10, 10), VirtualClock())


# Live: a real game on a real Xvfb display.


@pytest.mark.live
def test_window_board_equals_the_games_own_screenshot(
    launch_game: LaunchGame, locator: X11Locator, tmp_path: Path
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48, at=(100, 100))
    expected = screenshot(tmp_path)
    assert expected.shape == (288, 288, 3)
    clock = VirtualClock()
    below_menu = Region(0, MENU_BAR_PX, expected.shape[1], expected.shape[0])
    with ScreenSource.of_window(game.window, locator, clock, part=below_menu) as source:
        frame = grab_until(source, expected, clock)
    assert differing(frame.pixels, expected) == 0
    assert frame.origin == (100, 100 + MENU_BAR_PX)
    # The first tile starts at BOARD_ORIGIN_PX of the whole window.
    with ScreenSource.of_window(game.window, locator, clock) as whole:
        window = whole.grab()
    assert (window.width, window.height) == FLIP_WINDOW_PX
    x, y = BOARD_ORIGIN_PX
    board = 5 * TILE_PX
    border = TILE_PX // 2
    assert (
        differing(
            window.pixels[y : y + board, x : x + board],
            expected[border : border + board, border : border + board],
        )
        == 0
    )


@pytest.mark.live
def test_frames_are_numbered_and_stamped_by_the_given_clock(xvfb: str) -> None:
    clock = VirtualClock(start=5.0)
    with ScreenSource.of_region(Region(10, 10, 50, 40), clock) as source:
        first = source.grab()
        clock.advance_to(6.25)
        second = source.grab()
        third = source.grab()
    assert [f.index for f in (first, second, third)] == [0, 1, 2]
    assert [f.timestamp for f in (first, second, third)] == [5.0, 6.25, 6.25]
    assert first.origin == (10, 10)
    assert first.pixels.shape == (40, 50, 3)


@pytest.mark.live
def test_window_move_shows_in_the_next_origin_and_is_reported(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48, at=(100, 100))
    with ScreenSource.of_window(game.window, locator, VirtualClock()) as source:
        before = source.grab()
        assert (before.origin, source.moved) == ((100, 100), False)
        move(xlib, game.window, 437, 211)
        after = source.grab()
        assert (after.origin, source.moved) == ((437, 211), True)
        still = source.grab()
        assert (still.origin, source.moved) == ((437, 211), False)
    assert after.pixels.shape == before.pixels.shape


@pytest.mark.live
def test_window_partly_off_screen_keeps_window_coordinates(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48, at=(100, 100))
    clock = VirtualClock()
    with ScreenSource.of_window(game.window, locator, clock) as source:
        whole = source.grab()
        move(xlib, game.window, -100, 50)
        # The game may redraw after the move; its right part must come back unchanged.
        expected = whole.pixels.copy()
        expected[:, :100] = 0
        frame = grab_until(source, expected, clock)
    assert frame.origin == (-100, 50)
    assert differing(frame.pixels, expected) == 0


@pytest.mark.live
def test_window_entirely_off_screen_is_a_capture_error(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48)
    move(xlib, game.window, 1500, 100)
    with (
        ScreenSource.of_window(game.window, locator, VirtualClock()) as source,
        pytest.raises(CaptureError, match=f"window {game.window:#x} at 288x350\\+1500\\+100"),
    ):
        source.grab()


@pytest.mark.live
def test_killed_window_raises_window_lost(launch_game: LaunchGame, locator: X11Locator) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48)
    with ScreenSource.of_window(game.window, locator, VirtualClock()) as source:
        source.grab()
        game.process.send_signal(signal.SIGKILL)
        game.process.wait()
        with pytest.raises(WindowLost, match=f"window {game.window:#x}"):
            for _ in range(MAX_FRAMES):  # until the server has seen the client go
                source.grab()
                time.sleep(FRAME_GAP_S)


@pytest.mark.live
def test_region_past_the_screen_edge_is_clipped(xvfb: str) -> None:
    clock = VirtualClock()
    with ScreenSource.of_region(SCREEN, clock) as full:
        screen = full.grab().pixels
    with ScreenSource.of_region(Region(1200, 700, 200, 200), clock) as corner:
        frame = corner.grab()
    assert frame.origin == (1200, 700)
    assert np.array_equal(frame.pixels, screen[700:, 1200:])
    with ScreenSource.of_region(Region(-50, -20, 100, 100), clock) as top_left:
        frame = top_left.grab()
    assert frame.origin == (0, 0)
    assert np.array_equal(frame.pixels, screen[:80, :50])


@pytest.mark.live
def test_region_off_the_screen_is_a_capture_error(xvfb: str) -> None:
    with pytest.raises(CaptureError, match=r"region 100x100\+1280\+0 lies entirely off"):
        ScreenSource.of_region(Region(1280, 0, 100, 100), VirtualClock())
