"""Live helpers for tests and benchmarks: a private Xvfb display and sgt-puzzles games on it.

Nothing here imports pytest, so benchmarks use the same helpers; the skip-or-fail policy
for missing programs lives in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from bot.errors import CaptureError
from bot.frame import Region
from bot.window import WindowId, X11Locator, open_x11

SCREEN_WIDTH_PX = 1280
SCREEN_HEIGHT_PX = 800
GAMES_DIR = Path("/usr/games")
FIRST_DISPLAY = 90
"""Display numbers are tried from here up, clear of the :0..:10 of desktops and ssh."""
DISPLAY_TRIES = 20
STARTUP_WAIT_S = 10.0
"""How long a server or a game may take to show up before the setup is declared broken."""
POLL_S = 0.02
TK_TARGET = Path(__file__).with_name("tk_target.py")
"""A bare Tk window that logs the input it receives (see that file)."""
WINDOW_AT = (100, 100)
"""Where games are moved: away from (0, 0), pyautogui's fail-safe corner."""


class LiveSetupError(RuntimeError):
    """Xvfb or a game did not start as expected; the message says what happened."""


@dataclass(frozen=True, slots=True)
class Game:
    """A running sgt-puzzles game and its visible window."""

    process: subprocess.Popen[bytes]
    window: WindowId


class LaunchGame(Protocol):
    """Launch an sgt-puzzles game (the `launch_game` fixture); it ends with the test."""

    def __call__(
        self,
        name: str,
        *args: str,
        env: Mapping[str, str] | None = None,
        at: tuple[int, int] = WINDOW_AT,
    ) -> Game: ...


def missing_xvfb() -> str | None:
    """Why live tests cannot run here (no Xvfb on PATH), or None when they can."""
    if shutil.which("Xvfb") is None:
        return "Xvfb is not installed (Debian package xvfb)"
    return None


def missing_game(name: str) -> str | None:
    """Why game `name` cannot be launched (no /usr/games/sgt-NAME), or None when it can."""
    binary = GAMES_DIR / f"sgt-{name}"
    if not os.access(binary, os.X_OK):
        return f"{binary} is not installed (Debian package sgt-puzzles)"
    return None


@contextlib.contextmanager
def running_xvfb(workdir: Path) -> Iterator[str]:
    """Start `Xvfb :N -screen 0 1280x800x24 -nolisten tcp` on a free N; yield ":N".

    Waits until the server accepts connections; stops it (and waits for it) on exit.
    The server's messages go to workdir/xvfb-N.log. Raise LiveSetupError when no server
    could be started.
    """
    for number in _free_display_numbers():
        log_path = workdir / f"xvfb-{number}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    "Xvfb",
                    f":{number}",
                    "-screen",
                    "0",
                    f"{SCREEN_WIDTH_PX}x{SCREEN_HEIGHT_PX}x24",
                    "-nolisten",
                    "tcp",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        try:
            keeper = _wait_for_server(number, process)
            if keeper is not None:
                try:
                    yield f":{number}"
                finally:
                    keeper.close()
                return
        finally:
            _stop(process)
        # The number was taken between our look and the server's start: try the next one.
    raise LiveSetupError(f"could not start Xvfb on any of :{FIRST_DISPLAY}.. (see {workdir})")


@contextlib.contextmanager
def display_environment(display: str, workdir: Path) -> Iterator[None]:
    """Point DISPLAY at `display` (and XAUTHORITY at a harmless file), then restore both.

    Xvfb runs without access control; python-xlib (under pyautogui too) still refuses to
    connect when no authority file exists, so one holding a single unused entry is given.
    """
    authority = workdir / "Xauthority"
    authority.write_bytes(_unused_authority_entry())
    saved = {name: os.environ.get(name) for name in ("DISPLAY", "XAUTHORITY")}
    os.environ["DISPLAY"] = display
    os.environ["XAUTHORITY"] = str(authority)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def live_display(workdir: Path) -> Iterator[str]:
    """A private Xvfb display (running_xvfb) with DISPLAY and XAUTHORITY pointed at it
    (display_environment) for the block; yields ":N". Both are undone on exit."""
    with running_xvfb(workdir) as display, display_environment(display, workdir):
        yield display


@contextlib.contextmanager
def running_game(
    name: str,
    args: Sequence[str],
    locator: X11Locator,
    *,
    env: Mapping[str, str] | None = None,
    at: tuple[int, int] = WINDOW_AT,
) -> Iterator[Game]:
    """Launch `/usr/games/sgt-NAME ARGS` on the locator's display; yield it once its window
    is visible and moved to `at` (screen pixels). Terminates and waits for it on exit.

    env: extra environment variables (e.g. FLIP_TILESIZE). Raise LiveSetupError when the
    game exits or shows no window in time.
    """
    binary = GAMES_DIR / f"sgt-{name}"
    process = subprocess.Popen(
        [str(binary), *args],
        env={**os.environ, "DISPLAY": locator.display_name, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        window = _wait_for_window(locator, process, binary)
        move_window(locator, window, *at)
        yield Game(process, window)
    finally:
        _stop(process)


@dataclass(frozen=True, slots=True)
class TkTarget:
    """A running tests/tk_target.py window and the file its input events are logged to."""

    process: subprocess.Popen[bytes]
    window: WindowId
    log: Path


@contextlib.contextmanager
def running_tk_target(locator: X11Locator, log: Path, geometry: Region) -> Iterator[TkTarget]:
    """Start tests/tk_target.py on the locator's display as a `geometry` window logging to
    `log`; yield it once it printed "ready" and the locator sees it there.

    Terminates and waits for it on exit. Raise LiveSetupError when it exits, stays silent
    or shows up at another place or size (a window manager would do that).
    """
    size = f"{geometry.width}x{geometry.height}+{geometry.x}+{geometry.y}"
    process = subprocess.Popen(
        [sys.executable, str(TK_TARGET), "--geometry", size, "--log", str(log)],
        env={**os.environ, "DISPLAY": locator.display_name},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None  # piped above
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_WAIT_S)
        line = process.stdout.readline() if ready else b""
        if line.strip() != b"ready":
            raise LiveSetupError(f"{TK_TARGET} did not report ready (got {line!r})")
        window = _wait_for_window(locator, process, TK_TARGET)
        where = locator.geometry(window)
        if where != geometry:
            raise LiveSetupError(f"{TK_TARGET} window is at {where}, not {geometry}")
        yield TkTarget(process, window, log)
    finally:
        _stop(process)
        if process.stdout is not None:
            process.stdout.close()


def move_window(locator: X11Locator, window: WindowId, x: int, y: int) -> None:
    """Move `window` so its top-left is at screen (x, y); return once the server shows it.

    Uses a ConfigureWindow request of its own connection (no window manager is assumed;
    with one, the manager may place the window elsewhere and this raises LiveSetupError).
    """
    conn = open_x11(locator.display_name)
    try:
        conn.create_resource_object("window", window).configure(x=x, y=y)
        conn.sync()
    finally:
        conn.close()
    deadline = time.monotonic() + STARTUP_WAIT_S
    while (where := locator.geometry(window)).x != x or where.y != y:
        if time.monotonic() > deadline:
            raise LiveSetupError(f"window {window:#x} stayed at ({where.x},{where.y})")
        time.sleep(POLL_S)


def _free_display_numbers() -> Iterator[int]:
    """Display numbers with neither a lock file nor a socket, lowest first."""
    for number in range(FIRST_DISPLAY, FIRST_DISPLAY + DISPLAY_TRIES):
        lock = Path(f"/tmp/.X{number}-lock")
        sock = Path(f"/tmp/.X11-unix/X{number}")
        if not lock.exists() and not sock.exists():
            yield number


def _wait_for_server(number: int, process: subprocess.Popen[bytes]) -> Any | None:
    """A connection to our Xvfb on :number once it answers; None when it exited (taken).

    The caller keeps the connection open while it uses the server: an X server resets
    itself whenever its last client leaves, and a client connecting during that reset is
    turned away.
    """
    deadline = time.monotonic() + STARTUP_WAIT_S
    while process.poll() is None:
        try:
            conn = open_x11(f":{number}")
        except CaptureError:
            if time.monotonic() > deadline:
                raise LiveSetupError(f"Xvfb :{number} did not accept connections in time") from None
            time.sleep(POLL_S)
            continue
        if process.poll() is None:
            return conn
        conn.close()  # another server won the number
    return None


def _wait_for_window(locator: X11Locator, process: subprocess.Popen[bytes], binary: Path) -> int:
    """The visible window of `process`, polling until it appears."""
    deadline = time.monotonic() + STARTUP_WAIT_S
    while True:
        if process.poll() is not None:
            raise LiveSetupError(f"{binary} exited with status {process.returncode} at start")
        with contextlib.suppress(CaptureError):
            return locator.find_by_pid(process.pid)
        if time.monotonic() > deadline:
            raise LiveSetupError(f"{binary} (pid {process.pid}) showed no window in time")
        time.sleep(POLL_S)


def _stop(process: subprocess.Popen[Any]) -> None:
    """Terminate `process` and wait for it, killing it when it does not stop."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STARTUP_WAIT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _unused_authority_entry() -> bytes:
    """One Xauthority entry for a host that does not exist, so no client sends a cookie."""

    def field(data: bytes) -> bytes:
        return struct.pack(">H", len(data)) + data

    family_local = 256
    return (
        struct.pack(">H", family_local)
        + field(b"tilebot-no-such-host")
        + field(b"0")
        + field(b"MIT-MAGIC-COOKIE-1")
        + field(bytes(16))
    )
