"""Window lookup on a real X display: visible windows only, by title or pid, and lost windows."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.errors import CaptureError, WindowLost
from bot.frame import Region
from bot.window import X11Locator, default_locator, open_x11
from tests.live import LaunchGame

FLIP_ID = (
    "5x5:c400007100001c4000071000018400043100011c400047100011c400046100010c400047100011c40"
    "00471000118400043100011c400047100011c400046100010c000047000011c0000470000118,40521a0"
)
"""`sgt-flip --generate 1 '5x5c#7'`: a fixed 5x5 board."""
FLIP_48 = {"FLIP_TILESIZE": "48"}
FLIP_WINDOW_PX = (288, 350)
MAX_POLLS = 500
"""Bound, in attempts POLL_S apart, for waiting on the X server to see a client die."""
POLL_S = 0.01


@pytest.fixture
def xlib(xvfb: str) -> Iterator[Any]:
    """A python-xlib connection of the test's own, to act on windows as another client."""
    conn = open_x11(xvfb)
    try:
        yield conn
    finally:
        conn.close()


def test_no_display_is_a_clear_capture_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(CaptureError, match="no X display: DISPLAY is not set"):
        default_locator()


def test_unreachable_display_is_named() -> None:
    with pytest.raises(CaptureError, match="cannot connect to X display ':7919'"):
        default_locator(":7919")


@pytest.mark.live
def test_find_by_pid_gives_the_visible_game_window(
    launch_game: LaunchGame, locator: X11Locator
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48, at=(100, 100))
    window = locator.find_by_pid(game.process.pid)
    assert window == game.window
    assert locator.geometry(window) == Region(100, 100, *FLIP_WINDOW_PX)
    assert locator.title(window) == "Flip"


@pytest.mark.live
def test_find_by_title_ignores_case_and_hidden_helper_windows(
    launch_game: LaunchGame, locator: X11Locator, xlib: Any
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48)
    assert locator.find_by_title("fLIP") == game.window
    # GTK's hidden leader window is titled "sgt-flip"; it must not be found.
    hidden = [
        child.id
        for child in xlib.screen().root.query_tree().children
        if locator.title(child.id) == "sgt-flip"
    ]
    assert hidden, "the game should own an unmapped window titled sgt-flip"
    with pytest.raises(CaptureError, match="no visible window with 'sgt-flip' in its title"):
        locator.find_by_title("sgt-flip")


@pytest.mark.live
def test_pid_from_x_resource_agrees_with_net_wm_pid(
    launch_game: LaunchGame, locator: X11Locator
) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48)
    assert locator.client_pid(game.window) == game.process.pid
    assert locator.window_pid(game.window) == game.process.pid


@pytest.mark.live
def test_no_window_of_a_pid_names_the_pid(locator: X11Locator) -> None:
    with pytest.raises(CaptureError, match=f"no visible window of process {os.getpid()} "):
        locator.find_by_pid(os.getpid())


@pytest.mark.live
def test_geometry_follows_a_move(launch_game: LaunchGame, locator: X11Locator, xlib: Any) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48, at=(100, 100))
    xlib.create_resource_object("window", game.window).configure(x=333, y=222)
    xlib.sync()
    assert locator.geometry(game.window) == Region(333, 222, *FLIP_WINDOW_PX)


@pytest.mark.live
def test_unmapped_window_is_lost(launch_game: LaunchGame, locator: X11Locator, xlib: Any) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48)
    xlib.create_resource_object("window", game.window).unmap()
    xlib.sync()
    with pytest.raises(WindowLost, match=f"window {game.window:#x} .* no longer shown"):
        locator.geometry(game.window)


@pytest.mark.live
def test_killed_game_window_is_lost(launch_game: LaunchGame, locator: X11Locator) -> None:
    game = launch_game("flip", FLIP_ID, env=FLIP_48)
    game.process.send_signal(signal.SIGKILL)
    game.process.wait()
    with pytest.raises(WindowLost, match=f"window {game.window:#x} .* no longer exists"):
        for _ in range(MAX_POLLS):
            locator.geometry(game.window)  # until the server has seen the client go
            time.sleep(POLL_S)


@pytest.mark.live
def test_missing_authority_file_still_connects_quietly(
    xvfb: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-Xauthority"
    monkeypatch.setenv("XAUTHORITY", str(missing))
    with X11Locator(xvfb) as located:
        assert located.display_name == xvfb
        with pytest.raises(CaptureError, match="'no such title at all'"):
            located.find_by_title("no such title at all")
    assert os.environ["XAUTHORITY"] == str(missing)
    assert capsys.readouterr().out == ""
