"""A keyboard kill switch: holding the kill key (Escape by default) stops the bot.

Polled once per frame from the X server's keyboard state (QueryKeymap), so it works
whichever window has the focus and needs no hook. A press shorter than one frame
interval may be missed: hold the key for a moment.
"""

from __future__ import annotations

from typing import Any

from bot.errors import CaptureError
from bot.window import open_x11


class KillSwitch:
    """Reports whether the kill key is held down right now."""

    def __init__(self, key: str = "Escape", display: str | None = None) -> None:
        from Xlib import XK

        self.key = key
        keysym = XK.string_to_keysym(key)
        if keysym == 0:
            raise CaptureError(f"kill key {key!r} is not an X11 key name (try Escape, Pause, F12)")
        self._display: Any = open_x11(display)
        self._keycode = int(self._display.keysym_to_keycode(keysym))
        if self._keycode == 0:
            self._display.close()
            raise CaptureError(f"kill key {key!r} is not on this keyboard")

    def is_pressed(self) -> bool:
        """True while the kill key is held down."""
        keymap = self._display.query_keymap()
        return bool(keymap[self._keycode // 8] & (1 << (self._keycode % 8)))

    def reason(self) -> str | None:
        """A stop message while the key is held, else None (the loop's stop check)."""
        return f"kill key {self.key} pressed" if self.is_pressed() else None

    def close(self) -> None:
        """Release the X connection."""
        self._display.close()
