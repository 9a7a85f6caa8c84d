"""The kill switch on a real X display: a key held down (XTEST) is seen, a released one is not."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.errors import CaptureError
from bot.killswitch import KillSwitch
from bot.window import open_x11

pytestmark = pytest.mark.live

MAX_POLLS = 200
"""Bound, in reads POLL_S apart, for the server's keymap to show a faked key change."""
POLL_S = 0.005


class Keyboard:
    """Presses and releases keys through XTEST on a connection of the test's own."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._held: set[int] = set()

    def keycode(self, name: str) -> int:
        """The keycode of X11 key name `name` on this display."""
        from Xlib import XK

        code = int(self._conn.keysym_to_keycode(XK.string_to_keysym(name)))
        assert code != 0, f"key {name!r} is not on this display's keyboard"
        return code

    def press(self, name: str) -> None:
        """Press key `name` and leave it held."""
        code = self.keycode(name)
        self._fake("KeyPress", code)
        self._held.add(code)

    def release(self, name: str) -> None:
        """Release key `name`."""
        code = self.keycode(name)
        self._fake("KeyRelease", code)
        self._held.discard(code)

    def release_all(self) -> None:
        """Release every key this keyboard left held (so no test leaks a held key)."""
        for code in sorted(self._held):
            self._fake("KeyRelease", code)
        self._held.clear()

    def _fake(self, kind: str, code: int) -> None:
        from Xlib import X
        from Xlib.ext import xtest

        xtest.fake_input(self._conn, getattr(X, kind), code)
        self._conn.sync()


@pytest.fixture
def keyboard(xvfb: str) -> Iterator[Keyboard]:
    """XTEST key presses on the session's display; every held key is released afterwards."""
    conn = open_x11(xvfb)
    keys = Keyboard(conn)
    try:
        yield keys
    finally:
        keys.release_all()
        conn.close()


@pytest.fixture
def switch_for(xvfb: str) -> Iterator[Callable[[str], KillSwitch]]:
    """Opens kill switches on the session's display; all are closed afterwards."""
    opened: list[KillSwitch] = []

    def make(key: str) -> KillSwitch:
        switch = KillSwitch(key, display=xvfb)
        opened.append(switch)
        return switch

    try:
        yield make
    finally:
        for switch in opened:
            switch.close()


def poll(switch: KillSwitch, wanted: bool) -> list[bool]:
    """Readings of `switch.is_pressed()` until one equals `wanted` (at most MAX_POLLS)."""
    readings = [switch.is_pressed()]
    while readings[-1] != wanted and len(readings) < MAX_POLLS:
        time.sleep(POLL_S)
        readings.append(switch.is_pressed())
    return readings


@pytest.mark.parametrize("key", ["Escape", "Pause", "F12"])
def test_held_key_is_pressed_until_released(
    keyboard: Keyboard, switch_for: Callable[[str], KillSwitch], key: str
) -> None:
    switch = switch_for(key)
    assert switch.is_pressed() is False
    assert switch.reason() is None
    keyboard.press(key)
    assert poll(switch, True)[-1] is True
    # Held, not a one-off: it keeps reading pressed.
    assert [switch.is_pressed() for _ in range(5)] == [True] * 5
    assert switch.reason() == f"kill key {key} pressed"
    keyboard.release(key)
    assert poll(switch, False)[-1] is False
    assert switch.reason() is None


def test_another_key_held_does_not_trip_it(
    keyboard: Keyboard, switch_for: Callable[[str], KillSwitch]
) -> None:
    switch = switch_for("Escape")
    keyboard.press("a")
    # The faked key is down by the time its sync returns; Escape must still read up.
    held = switch_for("a")
    assert poll(held, True)[-1] is True
    assert switch.is_pressed() is False
    keyboard.release("a")
    assert poll(held, False)[-1] is False


def test_unknown_key_name_is_a_capture_error_naming_it(xvfb: str) -> None:
    with pytest.raises(CaptureError, match="kill key 'NoSuchKey' is not an X11 key name"):
        KillSwitch("NoSuchKey", display=xvfb)
