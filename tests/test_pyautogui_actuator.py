"""The live actuator on a real X display: a logging Tk window gets exactly the intended input.

Every test reads the window's own event log (tests/tk_target.py): what a real client
received, at window-relative pixels. "Nothing was sent" is proved, not assumed: after a
refused action, a sentinel click that does land must be the only thing in the log.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.act import Placement
from bot.actions import Action, Click, Direction, Drag, KeyPress, MouseButton
from bot.errors import Stopped, UnsafeAction
from bot.frame import Region
from bot.profile import GridSpec
from bot.pyautogui_actuator import PyAutoGuiActuator
from bot.window import X11Locator, open_x11
from tests.live import TkTarget, running_tk_target

pytestmark = pytest.mark.live

WINDOW = Region(200, 150, 300, 240)
GRID = GridSpec(origin_x_px=3, origin_y_px=5, tile_px=56, gap_px=2, rows=4, cols=5)
"""Covers the window: 5 x 4 tiles of 56 px, 2 px apart. Centres fall on half pixels
(27.5 px into a tile), so the rounding of plan_action is exercised."""
PLACEMENT = Placement(GRID, (WINDOW.x, WINDOW.y), WINDOW)
SENTINEL = (3, 0)
"""The cell clicked after a refused action; its events must be the only new ones."""
BUTTON_NUMBERS = {MouseButton.LEFT: 1, MouseButton.MIDDLE: 2, MouseButton.RIGHT: 3}
OUTSIDE = (40, 40)
"""A screen point off the window and off pyautogui's fail-safe corners."""
MAX_POLLS = 1000
"""Bound, in reads POLL_S apart, for waiting on the window to log an event."""
POLL_S = 0.005

Event = dict[str, Any]


class EventReader:
    """Reads the target's log as it grows; each call returns the events not seen before."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._seen = 0

    def until(self, done: Callable[[list[Event]], bool]) -> list[Event]:
        """New events, read until `done(new events)` holds (at most MAX_POLLS reads)."""
        events: list[Event] = []
        for _ in range(MAX_POLLS):
            events = self._unseen()
            if done(events):
                break
            time.sleep(POLL_S)
        self._seen += len(events)
        return events

    def _unseen(self) -> list[Event]:
        lines = self._path.read_text(encoding="utf-8").splitlines()
        # A line without its newline is still being written: leave it for the next read.
        complete = [json.loads(line) for line in lines if line.endswith("}")]
        return complete[self._seen :]


def released(events: list[Event]) -> bool:
    """The new events end with a button release."""
    return bool(events) and events[-1]["event"] == "release"


def keyed(events: list[Event]) -> bool:
    """A key press is among the new events."""
    return any(e["event"] == "key" for e in events)


def window_point(cell: tuple[int, int]) -> tuple[int, int]:
    """Window-relative pixel of a cell's centre, rounded to the screen pixel as plan_action does."""
    x, y = GRID.cell_centre(*cell)
    return round(WINDOW.x + x) - WINDOW.x, round(WINDOW.y + y) - WINDOW.y


def assert_click(events: list[Event], point: tuple[int, int], button: int) -> None:
    """Exactly one press and one release of `button` at `point`, nothing else but motion
    on the spot with that button held."""
    assert events, "the window logged nothing"
    x, y = point
    assert events[0] == {**events[0], "event": "press", "button": button, "x": x, "y": y}
    assert events[-1] == {**events[-1], "event": "release", "button": button, "x": x, "y": y}
    for middle in events[1:-1]:
        assert (middle["event"], middle["buttons"], middle["x"], middle["y"]) == (
            "motion",
            [button],
            x,
            y,
        ), events


@pytest.fixture
def target(locator: X11Locator, tmp_path: Path) -> Iterator[TkTarget]:
    """The logging Tk window at WINDOW; terminated after the test."""
    with running_tk_target(locator, tmp_path / "events.jsonl", WINDOW) as running:
        yield running


@pytest.fixture
def log(target: TkTarget) -> EventReader:
    """The target's event log, read from its start."""
    return EventReader(target.log)


class Pointer:
    """The pointer, moved and read behind the actuator's back (a python-xlib connection)."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._root = conn.screen().root

    def warp(self, x: int, y: int) -> tuple[int, int]:
        """Put the pointer at screen (x, y); return where the server says it is then."""
        self._root.warp_pointer(x, y)
        self._conn.sync()
        return self.where()

    def where(self) -> tuple[int, int]:
        """The pointer's screen position now."""
        reply = self._root.query_pointer()
        return int(reply.root_x), int(reply.root_y)


@pytest.fixture
def pointer(xvfb: str) -> Iterator[Pointer]:
    """The session display's pointer, through a connection of the test's own."""
    conn = open_x11(xvfb)
    try:
        yield Pointer(conn)
    finally:
        conn.close()


@pytest.fixture
def actuator(pointer: Pointer) -> PyAutoGuiActuator:
    """The live actuator on the session's display (plain mapping: scale 1, offset 0), with
    the pointer parked off the window and off the fail-safe corners, whatever ran before."""
    pointer.warp(*OUTSIDE)
    return PyAutoGuiActuator()


@pytest.mark.parametrize(
    ("cell", "button"),
    [
        ((0, 0), MouseButton.LEFT),
        ((3, 4), MouseButton.LEFT),
        ((1, 2), MouseButton.RIGHT),
        ((2, 3), MouseButton.RIGHT),
        ((0, 4), MouseButton.MIDDLE),
    ],
)
def test_click_lands_on_the_cell_centre_with_the_button(
    actuator: PyAutoGuiActuator,
    log: EventReader,
    cell: tuple[int, int],
    button: MouseButton,
) -> None:
    actuator.perform(Click(cell, button), PLACEMENT)
    assert_click(log.until(released), window_point(cell), BUTTON_NUMBERS[button])


def test_clicks_in_a_row_each_land_once(actuator: PyAutoGuiActuator, log: EventReader) -> None:
    cells = [(0, 1), (2, 0), (3, 3)]
    for cell in cells:
        actuator.perform(Click(cell), PLACEMENT)
        assert_click(log.until(released), window_point(cell), 1)


@pytest.mark.parametrize("direction", list(Direction))
def test_drag_presses_at_the_cell_moves_and_releases_a_pitch_away(
    actuator: PyAutoGuiActuator, log: EventReader, direction: Direction
) -> None:
    start = (1, 2)
    actuator.perform(Drag(start, direction), PLACEMENT)
    events = log.until(released)
    x0, y0 = window_point(start)
    dr, dc = direction.delta
    x1, y1 = x0 + dc * GRID.pitch_px, y0 + dr * GRID.pitch_px
    assert (events[0]["event"], events[0]["button"], events[0]["x"], events[0]["y"]) == (
        "press",
        1,
        x0,
        y0,
    )
    assert (events[-1]["event"], events[-1]["button"], events[-1]["x"], events[-1]["y"]) == (
        "release",
        1,
        x1,
        y1,
    )
    path = events[1:-1]
    assert path, "no motion between press and release"
    assert all(e["event"] == "motion" and e["buttons"] == [1] for e in path), events
    # Along the direction only, never backwards, ending where the button is released.
    along = [(e["x"] - x0) * dc + (e["y"] - y0) * dr for e in path]
    across = [(e["x"] - x0) * dr + (e["y"] - y0) * dc for e in path]
    assert along == sorted(along), events
    assert set(across) == {0}, events
    assert any(0 < a < GRID.pitch_px for a in along), f"no motion between the ends: {events}"
    assert (path[-1]["x"], path[-1]["y"]) == (x1, y1)


@pytest.mark.parametrize(("key", "keysym"), [("n", "n"), ("space", "space"), ("Return", "Return")])
def test_key_press_reaches_the_window_from_a_pointer_elsewhere(
    actuator: PyAutoGuiActuator,
    log: EventReader,
    pointer: Pointer,
    key: str,
    keysym: str,
) -> None:
    # Without a window manager the focus follows the pointer: off the window, a key would
    # go to the root window. The actuator must put the pointer on the board first.
    assert pointer.warp(*OUTSIDE) == OUTSIDE
    actuator.perform(KeyPress(key), PLACEMENT)
    events = log.until(keyed)
    centre = window_point((GRID.rows // 2, GRID.cols // 2))
    assert [(e["event"], e["keysym"], e["x"], e["y"]) for e in events] == [("key", keysym, *centre)]


HALF_WINDOW = Region(WINDOW.x, WINDOW.y, WINDOW.width // 2, WINDOW.height)
REFUSED = [
    pytest.param(Click((0, 5)), PLACEMENT, r"cell \(0, 5\) is off the 4x5 grid", id="col-past"),
    pytest.param(
        Click((4, 0), MouseButton.RIGHT),
        PLACEMENT,
        r"cell \(4, 0\) is off the 4x5 grid",
        id="row-past",
    ),
    pytest.param(Click((-1, 2)), PLACEMENT, r"cell \(-1, 2\) is off the 4x5 grid", id="row-neg"),
    pytest.param(
        Drag((0, 0), Direction.UP),
        PLACEMENT,
        r"drag at screen \(230, 124\) lies outside",
        id="drag-up-out",
    ),
    pytest.param(
        Drag((0, 4), Direction.RIGHT),
        PLACEMENT,
        r"drag at screen \(520, 182\) lies outside",
        id="drag-right-out",
    ),
    pytest.param(
        Drag((2, 1), Direction.LEFT, 2.0),
        PLACEMENT,
        r"drag at screen \(172, 298\) lies outside",
        id="drag-left-2-out",
    ),
    pytest.param(
        Click((0, 4)),
        Placement(GRID, (WINDOW.x, WINDOW.y), HALF_WINDOW),
        r"click at screen \(462, 182\) lies outside the game window 150x240\+200\+150",
        id="window-excludes-cell",
    ),
    pytest.param(
        KeyPress("n"),
        Placement(GRID, (WINDOW.x, WINDOW.y), Region(WINDOW.x, WINDOW.y, 100, 100)),
        r"key at screen \(346, 298\) lies outside",
        id="window-excludes-key-point",
    ),
    pytest.param(
        KeyPress("no-such-key"),
        PLACEMENT,
        r"key 'no-such-key' is not a key name pyautogui knows; nothing was sent",
        id="unknown-key",
    ),
]


@pytest.mark.parametrize(("action", "placement", "message"), REFUSED)
def test_refused_action_sends_nothing(
    actuator: PyAutoGuiActuator,
    log: EventReader,
    pointer: Pointer,
    action: Action,
    placement: Placement,
    message: str,
) -> None:
    parked = (WINDOW.x + 150, WINDOW.y + 120)
    assert pointer.warp(*parked) == parked
    with pytest.raises(UnsafeAction, match=message):
        actuator.perform(action, placement)
    assert pointer.where() == parked, "the pointer moved for a refused action"
    actuator.perform(Click(SENTINEL), PLACEMENT)
    assert_click(log.until(released), window_point(SENTINEL), 1)
    assert actuator.sent[-1].kind == "click"
    assert len(actuator.sent) == 1, "a refused action was recorded as sent"


@pytest.mark.parametrize(
    "action",
    [Click((1, 1)), Click((1, 1), MouseButton.RIGHT), Drag((1, 1), Direction.DOWN)],
    ids=["click", "right-click", "drag"],
)
def test_fail_safe_corner_stops_before_anything_is_sent(
    actuator: PyAutoGuiActuator,
    log: EventReader,
    pointer: Pointer,
    action: Action,
) -> None:
    assert pointer.warp(0, 0) == (0, 0)
    with pytest.raises(Stopped, match="fail-safe"):
        actuator.perform(action, PLACEMENT)
    assert pointer.where() == (0, 0), "the pointer left the fail-safe corner"
    pointer.warp(*OUTSIDE)
    actuator.perform(Click(SENTINEL), PLACEMENT)
    assert_click(log.until(released), window_point(SENTINEL), 1)


def test_fail_safe_corner_stops_a_key_press(
    actuator: PyAutoGuiActuator,
    log: EventReader,
    pointer: Pointer,
) -> None:
    # A key press is the one action whose input (the key) does not depend on the pointer:
    # it must stop all the same.
    assert pointer.warp(0, 0) == (0, 0)
    with pytest.raises(Stopped, match="fail-safe"):
        actuator.perform(KeyPress("n"), PLACEMENT)
    pointer.warp(*OUTSIDE)
    actuator.perform(Click(SENTINEL), PLACEMENT)
    events = log.until(released)
    assert not keyed(events), events
    assert_click(events, window_point(SENTINEL), 1)
