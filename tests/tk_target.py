"""A bare Tk window that logs every input it receives, one JSON line each: a target for input tests.

    python tests/tk_target.py --geometry 300x240+200+150 --log events.jsonl [--title T]

Opens a window of that size at that screen place (without a window manager the X server
honours the position) and appends to the log, flushed after each line:
- {"event": "press" | "release", "button": N, "x": X, "y": Y, "time": MS}
- {"event": "motion", "buttons": [N, ...], "x": X, "y": Y, "time": MS} while a button is held,
  so a drag shows its path;
- {"event": "key", "keysym": NAME, "x": X, "y": Y, "time": MS} for a key press.
x, y are window-relative pixels; time is the X server's event time in milliseconds.
Prints "ready" on stdout once the window is mapped and visible.

Runs with the standard library alone, as a separate process; tests start it through
`tests.live.running_tk_target`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tkinter
from typing import IO, Any

BUTTON_MASKS = ((1, 0x100), (2, 0x200), (3, 0x400), (4, 0x800), (5, 0x1000))
"""(button, X11 state mask bit) pairs: which buttons an event's `state` says are held."""
GEOMETRY = re.compile(r"(\d+)x(\d+)\+(\d+)\+(\d+)")
TITLE = "tilebot input target"


def held_buttons(state: int) -> list[int]:
    """The mouse buttons held down according to an X11 event `state` mask."""
    return [button for button, mask in BUTTON_MASKS if state & mask]


class EventLog:
    """Appends one JSON line per event to an open text file, flushing each line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, record: dict[str, Any]) -> None:
        """Append `record` as one JSON line and flush it to the file."""
        self._stream.write(json.dumps(record) + "\n")
        self._stream.flush()

    def press(self, event: Any) -> None:
        """Log a button press."""
        self.write(_pointer("press", event, button=int(event.num)))

    def release(self, event: Any) -> None:
        """Log a button release."""
        self.write(_pointer("release", event, button=int(event.num)))

    def motion(self, event: Any) -> None:
        """Log pointer motion while at least one button is held; ignore the rest."""
        buttons = held_buttons(int(event.state))
        if buttons:
            self.write(_pointer("motion", event, buttons=buttons))

    def key(self, event: Any) -> None:
        """Log a key press by its keysym."""
        self.write(_pointer("key", event, keysym=str(event.keysym)))


def _pointer(kind: str, event: Any, **extra: Any) -> dict[str, Any]:
    return {"event": kind, **extra, "x": int(event.x), "y": int(event.y), "time": int(event.time)}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line: --geometry WxH+X+Y, --log FILE, optional --title."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--geometry", required=True, help="WxH+X+Y in screen pixels")
    parser.add_argument("--log", required=True, help="file the JSON lines are appended to")
    parser.add_argument("--title", default=TITLE, help="window title")
    args = parser.parse_args(argv)
    if GEOMETRY.fullmatch(args.geometry) is None:
        parser.error(f"--geometry {args.geometry!r}: expected WxH+X+Y, e.g. 300x240+200+150")
    return args


def main(argv: list[str] | None = None) -> int:
    """Show the window and log its input until the process is terminated."""
    args = parse_args(argv)
    with open(args.log, "a", encoding="utf-8") as stream:
        log = EventLog(stream)
        root = tkinter.Tk()
        root.title(args.title)
        root.geometry(args.geometry)
        root.resizable(width=False, height=False)
        root.configure(background="#3a6ea5", cursor="crosshair")
        root.bind("<ButtonPress>", log.press)
        root.bind("<ButtonRelease>", log.release)
        root.bind("<Motion>", log.motion)
        root.bind("<KeyPress>", log.key)
        root.wait_visibility(root)
        root.update()
        print("ready", flush=True)
        root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
