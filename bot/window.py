"""Find a game window on the screen and follow where it is.

A `WindowLocator` finds a visible window by title or by process id and reports its
current geometry in absolute screen pixels. `default_locator` picks the backend for this
platform; only X11 exists so far (through python-xlib, no external programs), and another
platform adds a class with the same methods and one branch in `default_locator`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, Self

from bot.errors import CaptureError, WindowLost
from bot.frame import Region

WindowId = int
"""A window's identifier, as the windowing system numbers it (an X11 XID on X11)."""


class WindowLocator(Protocol):
    """Finds windows and reports where they are; one connection to the windowing system."""

    def find_by_title(self, title: str) -> WindowId:
        """The visible window whose title contains `title` (case-insensitive).

        Raise CaptureError naming `title` when no visible window matches.
        """
        ...

    def find_by_pid(self, pid: int) -> WindowId:
        """The visible window that process `pid` owns.

        Raise CaptureError naming `pid` when that process shows no visible window.
        """
        ...

    def geometry(self, window: WindowId) -> Region:
        """Where the window's contents sit now, in absolute screen pixels.

        Raise WindowLost when the window was destroyed or is no longer shown.
        """
        ...

    def close(self) -> None:
        """Release the connection; the locator is unusable afterwards. Safe to repeat."""
        ...


def default_locator(display: str | None = None) -> WindowLocator:
    """Open the window locator for this platform.

    display: the X11 display name (":99"); None uses the DISPLAY environment variable.
    Raise CaptureError when there is no display to connect to or no backend for the platform.
    """
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return X11Locator(display)
    raise CaptureError(f"no window locator for platform {sys.platform!r} yet (only X11)")


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A visible window that matched a search, with its area for ranking."""

    window: WindowId
    area: int


# Protocol constants of X11 and its X-Resource extension, spelled out so that the module
# does not need python-xlib at import time (it is imported when a locator is opened).
_IS_VIEWABLE = 2  # GetWindowAttributes map_state
_INPUT_ONLY = 2  # GetWindowAttributes win_class
_XRES_PID_MASK = 2  # XResClientIdMask: LocalClientPID
_XRES_QUERY_CLIENT_IDS = 4  # minor opcode, X-Resource 1.2


class X11Locator:
    """Window lookup on an X11 display through python-xlib.

    Searches consider only viewable windows (mapped, with every ancestor mapped) that can
    be drawn on (not InputOnly) and carry a title, so the hidden helper windows that GTK
    programs such as the sgt-puzzles games create are skipped. When several windows match,
    the largest wins (a game's main window rather than a small dialog).

    A window's process id comes from its `_NET_WM_PID` property; windows without it (some
    toolkits, no window manager) are asked through the X-Resource extension, which gets
    the pid from the server's socket credentials (local clients only). When the server
    lacks X-Resource, such windows cannot be matched by pid; find them by title instead.
    """

    def __init__(self, display: str | None = None) -> None:
        """Connect to `display` (None: $DISPLAY); raise CaptureError when that fails."""
        self._name = _display_name(display)
        self._display = _connect(self._name)
        self._root = self._display.screen().root
        self._atoms = {
            name: self._display.intern_atom(name)
            for name in ("_NET_WM_PID", "_NET_WM_NAME", "UTF8_STRING")
        }
        ext = self._display.query_extension("X-Resource")
        self._xres_opcode: int | None = int(ext.major_opcode) if ext is not None else None
        self._query_client_ids = _query_client_ids_class()
        self._closed = False

    @property
    def display_name(self) -> str:
        """The display this locator is connected to, e.g. ":99"."""
        return self._name

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
        """Close the X connection. Safe to call more than once."""
        if not self._closed:
            self._closed = True
            self._display.close()

    def find_by_title(self, title: str) -> WindowId:
        """The largest visible window whose title contains `title`, ignoring case.

        Raise CaptureError naming `title` when none matches.
        """
        wanted = title.casefold()
        found = [
            c for c in self._visible_titled() if wanted in (self.title(c.window) or "").casefold()
        ]
        if not found:
            raise CaptureError(f"no visible window with {title!r} in its title on {self._name}")
        return max(found, key=lambda c: c.area).window

    def find_by_pid(self, pid: int) -> WindowId:
        """The largest visible titled window owned by process `pid`.

        Raise CaptureError naming `pid` when that process shows no visible window.
        """
        found = [c for c in self._visible_titled() if self.window_pid(c.window) == pid]
        if not found:
            hint = "" if self._xres_opcode is not None else " (X-Resource missing: try the title)"
            raise CaptureError(f"no visible window of process {pid} on {self._name}{hint}")
        return max(found, key=lambda c: c.area).window

    def geometry(self, window: WindowId) -> Region:
        """Where the window's contents are now: absolute screen pixels, border excluded.

        Costs one round trip to the X server (three requests sent together).
        Raise WindowLost when the window was destroyed or is no longer viewable.
        """
        from Xlib import error
        from Xlib.protocol import request

        conn = self._display.display
        win = self._display.create_resource_object("window", window)
        try:
            attrs = request.GetWindowAttributes(display=conn, defer=1, window=win)
            geom = request.GetGeometry(display=conn, defer=1, drawable=win)
            pos = request.TranslateCoords(
                display=conn, defer=1, src_wid=win, dst_wid=self._root, src_x=0, src_y=0
            )
            attrs.reply()
            geom.reply()
            pos.reply()
        except (error.BadWindow, error.BadDrawable):
            raise WindowLost(f"window {window:#x} on {self._name} no longer exists") from None
        except error.ConnectionClosedError as exc:
            raise CaptureError(f"lost the connection to X display {self._name}: {exc}") from None
        if attrs.map_state != _IS_VIEWABLE:
            raise WindowLost(f"window {window:#x} on {self._name} is no longer shown (unmapped)")
        return Region(int(pos.x), int(pos.y), int(geom.width), int(geom.height))

    def title(self, window: WindowId) -> str | None:
        """The window's title (`_NET_WM_NAME`, else `WM_NAME`), or None when it has none."""
        from Xlib import X, Xatom, error

        win = self._display.create_resource_object("window", window)
        try:
            prop = win.get_full_property(self._atoms["_NET_WM_NAME"], self._atoms["UTF8_STRING"])
            if prop is not None and prop.format == 8:
                return _text(prop.value, utf8=True)
            prop = win.get_full_property(Xatom.WM_NAME, X.AnyPropertyType)
        except (error.BadWindow, error.BadDrawable):
            return None
        if prop is None or prop.format != 8:
            return None
        return _text(prop.value, utf8=False)

    def window_pid(self, window: WindowId) -> int | None:
        """The id of the process that owns `window`, or None when it cannot be told.

        Reads `_NET_WM_PID`; when absent, asks the X-Resource extension.
        """
        from Xlib import Xatom, error

        win = self._display.create_resource_object("window", window)
        try:
            prop = win.get_full_property(self._atoms["_NET_WM_PID"], Xatom.CARDINAL)
        except (error.BadWindow, error.BadDrawable):
            return None
        if prop is not None and prop.format == 32 and len(prop.value) >= 1:
            return int(prop.value[0])
        return self.client_pid(window)

    def client_pid(self, window: WindowId) -> int | None:
        """The pid of the X client that created `window`, from the X-Resource extension.

        None when the server lacks X-Resource 1.2 or cannot tell (a remote client).
        """
        if self._xres_opcode is None:
            return None
        from Xlib import error

        try:
            reply = self._query_client_ids(
                display=self._display.display,
                opcode=self._xres_opcode,
                specs=[{"client": window, "mask": _XRES_PID_MASK}],
            )
        except error.XError:
            return None
        for value in reply.ids:
            if value.mask == _XRES_PID_MASK and value.length == 4:
                return int(value.pid)
        return None

    def _visible_titled(self) -> list[_Candidate]:
        """Every viewable, drawable window with a title, anywhere in the window tree."""
        from Xlib import error

        found: list[_Candidate] = []
        pending = [self._root]
        while pending:
            parent = pending.pop()
            try:
                children = parent.query_tree().children
            except (error.BadWindow, error.BadDrawable):
                continue  # destroyed while we looked
            for child in children:
                try:
                    attrs = child.get_attributes()
                    if attrs.map_state != _IS_VIEWABLE or attrs.win_class == _INPUT_ONLY:
                        continue
                    geom = child.get_geometry()
                except (error.BadWindow, error.BadDrawable):
                    continue
                pending.append(child)
                if self.title(child.id) is not None:
                    found.append(_Candidate(int(child.id), int(geom.width) * int(geom.height)))
        return found


def _display_name(display: str | None) -> str:
    """The display to use: `display`, else $DISPLAY; raise CaptureError when neither is set."""
    name = display if display is not None else os.environ.get("DISPLAY", "")
    if not name:
        raise CaptureError(
            "no X display: DISPLAY is not set (start an X server or Xvfb and export DISPLAY)"
        )
    return name


def open_x11(display: str | None = None) -> Any:
    """A python-xlib `Display` connected to `display` (None: $DISPLAY); close it when done.

    For work the locator does not cover (moving a window in a test, say). Raise
    CaptureError when there is no display or it refuses the connection.
    """
    return _connect(_display_name(display))


def _connect(name: str) -> Any:
    """Open a python-xlib connection to display `name`; raise CaptureError when it fails."""
    from Xlib import display, error

    failures = (error.DisplayError, error.XauthError, error.ConnectionClosedError, OSError)
    # python-xlib reads the authority file without closing it, and leaks its socket when
    # the connection fails; those ResourceWarnings are about the library, not the caller.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            try:
                return display.Display(name)
            except error.XauthError:
                # python-xlib refuses to connect when the authority file is missing, the
                # normal state next to a bare Xvfb. Other X clients then connect without a
                # cookie; do the same with an empty authority file. It prints a warning on
                # stdout, which must stay clean for programs that print JSON.
                with _authority(os.devnull), contextlib.redirect_stdout(io.StringIO()):
                    return display.Display(name)
        except failures as exc:
            problem = str(exc)
        # Raised here, once the failure (and the socket its traceback holds) is released.
    raise CaptureError(f"cannot connect to X display {name!r}: {problem}")


@contextlib.contextmanager
def _authority(path: str) -> Any:
    """Point XAUTHORITY at `path` while connecting, then restore what was there."""
    saved = os.environ.get("XAUTHORITY")
    os.environ["XAUTHORITY"] = path
    try:
        yield
    finally:
        if saved is None:
            del os.environ["XAUTHORITY"]
        else:
            os.environ["XAUTHORITY"] = saved


def _text(value: Any, *, utf8: bool) -> str:
    """Decode an 8-bit X property value (python-xlib gives str or bytes) to text."""
    raw = value if isinstance(value, bytes) else str(value).encode("latin-1", "replace")
    return raw.decode("utf-8" if utf8 else "latin-1", "replace")


def _query_client_ids_class() -> Any:
    """The X-Resource QueryClientIds request, which python-xlib does not ship.

    Built from python-xlib's own protocol description classes; asking only for the pid
    mask makes every value in the reply one CARD32 (the pid).
    """
    from Xlib.protocol import rq

    spec = rq.Struct(rq.Card32("client"), rq.Card32("mask"))
    value = rq.Struct(rq.Card32("client"), rq.Card32("mask"), rq.Card32("length"), rq.Card32("pid"))

    class QueryClientIds(rq.ReplyRequest):  # type: ignore[misc]
        _request = rq.Struct(
            rq.Card8("opcode"),
            rq.Opcode(_XRES_QUERY_CLIENT_IDS),
            rq.RequestLength(),
            rq.LengthOf("specs", 4),
            rq.List("specs", spec),
        )
        _reply = rq.Struct(
            rq.ReplyCode(),
            rq.Pad(1),
            rq.Card16("sequence_number"),
            rq.ReplyLength(),
            rq.LengthOf("ids", 4),
            rq.Pad(20),
            rq.List("ids", value),
        )

    return QueryClientIds
