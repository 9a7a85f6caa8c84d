"""Safety: no action is ever sent outside the window; unknown cells never lead to an action."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.act import Placement, RecordingActuator
from bot.actions import Action, Click, Direction, Drag, KeyPress, MouseButton
from bot.board import UNKNOWN, Board
from bot.clock import VirtualClock
from bot.errors import SourceExhausted, UnsafeAction
from bot.frame import Frame, Region
from bot.loop import Step, run_loop
from bot.policy import Context
from bot.profile import GridSpec, LevelProfile, SettleSpec, Timing
from bot.safety import plan_action

grids = st.builds(
    GridSpec,
    origin_x_px=st.integers(0, 200),
    origin_y_px=st.integers(0, 200),
    tile_px=st.integers(4, 80),
    gap_px=st.integers(0, 6),
    rows=st.integers(1, 12),
    cols=st.integers(1, 12),
)
cells = st.tuples(st.integers(-3, 14), st.integers(-3, 14))
actions: st.SearchStrategy[Action] = st.one_of(
    st.builds(Click, cells, st.sampled_from(MouseButton)),
    st.builds(
        Drag,
        cells,
        st.sampled_from(Direction),
        st.floats(0.1, 4.0),
        st.floats(0.0, 0.5),
    ),
    st.builds(KeyPress, st.sampled_from(["space", "n", "left"])),
)


@settings(max_examples=10_000, deadline=None)
@given(
    grid=grids,
    origin=st.tuples(st.integers(-100, 2000), st.integers(-100, 1200)),
    window=st.builds(
        Region,
        st.integers(-200, 2000),
        st.integers(-200, 1200),
        st.integers(1, 1200),
        st.integers(1, 900),
    ),
    action=actions,
)
def test_no_point_is_ever_outside_the_window(
    grid: GridSpec, origin: tuple[int, int], window: Region, action: Action
) -> None:
    screen = Region(0, 0, 1920, 1080)
    placement = Placement(grid, origin, window)
    try:
        plan = plan_action(action, placement, screen)
    except UnsafeAction as exc:
        assert "nothing was sent" in str(exc)
        return
    assert plan.points
    for x, y in plan.points:
        assert window.contains(x, y) and screen.contains(x, y)
    if isinstance(action, Click | Drag):
        r, c = action.cell
        assert 0 <= r < grid.rows and 0 <= c < grid.cols


def test_examples_of_refusals() -> None:
    grid = GridSpec(origin_x_px=10, origin_y_px=10, tile_px=20, rows=3, cols=3)
    placement = Placement(grid, (100, 100), Region(100, 100, 80, 80))
    assert plan_action(Click((1, 1)), placement).points == ((140, 140),)  # 100+10+20+9.5
    assert plan_action(Drag((1, 1), Direction.RIGHT), placement).points == (
        (140, 140),
        (160, 140),
    )
    refusals: list[tuple[Action, str]] = [
        (Click((3, 0)), "cell (3, 0) is off the 3x3 grid; nothing was sent"),
        (Drag((0, 0), Direction.UP, 2), "drag at screen (120, 80) lies outside the game window"),
        (Drag((2, 2), Direction.RIGHT, cells=2), "lies outside the game window 80x80+100+100"),
    ]
    for bad, message in refusals:
        with pytest.raises(UnsafeAction, match=re.escape(message)):
            plan_action(bad, placement)


@dataclass
class _Frames:
    """A frame source over one still image, `count` frames 50 ms apart on `clock`."""

    count: int
    clock: VirtualClock
    index: int = 0

    def grab(self) -> Frame:
        if self.index >= self.count:
            raise SourceExhausted("done")
        t = self.index * 0.05
        self.clock.advance_to(t)
        self.index += 1
        return Frame(np.zeros((60, 60, 3), np.uint8), self.index - 1, t)

    def close(self) -> None:
        pass


class _ClickFirst:
    """A policy that clicks cell (0, 0) on every board it is shown."""

    def __init__(self) -> None:
        self.seen: list[Board] = []

    def decide(self, board: Board, context: Context) -> Action | None:
        self.seen.append(board)
        return Click((0, 0))


LEVEL = LevelProfile(
    grid=GridSpec(origin_x_px=0, origin_y_px=0, tile_px=20, rows=3, cols=3),
    # a still image never shows an action's effect: settle again after 100 ms without one
    settle=SettleSpec(quiet_ms=0, max_wait_ms=100),
    timing=Timing(max_actions_per_s=1000, unknown_wait_ms=200, no_effect_limit=3),
)


@settings(max_examples=300, deadline=None)
@given(
    labels=st.lists(
        st.lists(st.sampled_from(["a", "b", UNKNOWN]), min_size=3, max_size=3),
        min_size=3,
        max_size=3,
    ).filter(lambda rows: any(UNKNOWN in row for row in rows))
)
def test_unknown_cells_never_lead_to_an_action(labels: list[list[str]]) -> None:
    board = Board.from_labels(labels)
    clock, actuator, policy = VirtualClock(), RecordingActuator(), _ClickFirst()
    result = run_loop(
        _Frames(40, clock), clock, LEVEL, lambda f, lv: board, policy=policy, actuator=actuator
    )
    assert actuator.performed == [] and policy.seen == []
    assert result.stopped_because.startswith("the board stayed uncertain for 200 ms")


def test_stuck_clicks_stop_the_run() -> None:
    """A click that changes nothing is retried, but not more than no_effect_limit times."""
    board = Board.from_labels([["a", "b", "a"]] * 3)
    clock, actuator, policy = VirtualClock(), RecordingActuator(), _ClickFirst()
    result = run_loop(
        _Frames(40, clock), clock, LEVEL, lambda f, lv: board, policy=policy, actuator=actuator
    )
    assert len(actuator.performed) == 3
    assert result.stopped_because == "3 actions in a row changed nothing on the board (stuck?)"


def test_actions_are_paced_by_frame_time() -> None:
    board = Board.from_labels([["a", "b", "a"]] * 3)
    slow = LEVEL.model_copy(update={"timing": Timing(max_actions_per_s=5, no_effect_limit=99)})
    clock, actuator = VirtualClock(), RecordingActuator()
    steps: list[Step] = []
    run_loop(
        _Frames(40, clock),
        clock,
        slow,
        lambda f, lv: board,
        policy=_ClickFirst(),
        actuator=actuator,
        on_step=steps.append,
    )
    times = [s.t for s in steps if s.action]
    assert len(actuator.performed) == len(times) == 10  # 2 s of frames, one action per 0.2 s
    assert all(b - a >= 0.2 - 1e-9 for a, b in itertools.pairwise(times))
