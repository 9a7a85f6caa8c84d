"""The one loop: observe, settle, read, decide, act, record.

Live play and replay run this same function; they differ only in the frame source, the
clock and the actuator handed to it. The stages between source and actuator are pure
functions of their inputs and the level profile; the loop holds the only state.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
from loguru import logger

from bot.act import Actuator, Placement
from bot.actions import Action, action_to_json
from bot.board import Board
from bot.clock import Clock
from bot.errors import SourceExhausted
from bot.frame import Frame, FrameSource, Region
from bot.levels import LevelChoice
from bot.policy import Context, Policy, surprised
from bot.profile import LevelProfile, Timing
from bot.settle import SLACK_MS, SettleState, regions_mask, settle_step

Reader = Callable[[Frame, LevelProfile], Board]
"""Reads a frame into a board under a level's profile (a recognizer with its templates)."""


class Recorder(Protocol):
    """Takes each frame with the loop's findings (a RecordingWriter)."""

    def write(self, frame: Frame, **extra: object) -> None:
        """Store `frame` and its event fields."""
        ...


@dataclass(frozen=True, slots=True)
class Step:
    """What the loop did with one frame.

    t: loop clock seconds when the frame was grabbed. board: None when not read (not
    settled yet). stage_ms: wall milliseconds per stage (grab, scene, settle, read,
    decide, act). level: the level's name (None for the base level).
    """

    index: int
    t: float
    settled: bool
    board: Board | None
    action: Action | None
    stage_ms: dict[str, float]
    level: str | None = None


@dataclass(frozen=True, slots=True)
class Limits:
    """When to stop: after max_frames frames or max_actions actions (None: no limit)."""

    max_frames: int | None = None
    max_actions: int | None = None


@dataclass
class LoopResult:
    """How a run went: counts, the decisions made, and why it stopped."""

    frames: int = 0
    reads: int = 0
    actions: list[Step] = field(default_factory=list)
    stopped_because: str = ""
    stage_ms_total: dict[str, float] = field(default_factory=dict)

    def decisions(self) -> list[tuple[int, float, dict[str, object]]]:
        """(frame index, clock time, action as JSON) of every action, for diffs and tests."""
        return [(s.index, s.t, action_to_json(s.action)) for s in self.actions if s.action]


@dataclass
class _Guard:
    """The loop's safety memory: pacing, patience with doubt, and the stuck-click guard."""

    timing: Timing
    last_action_at: float | None = None
    uncertain_since: float | None = None
    board_at_action: Board | None = None
    no_effect: int = 0

    def may_act(self, now: float) -> bool:
        """False until 1 / max_actions_per_s has passed since the last action."""
        gap = 1.0 / self.timing.max_actions_per_s
        # 1 ns of slack: recorded times 0.2 s apart may differ by 0.19999999 s.
        return self.last_action_at is None or now - self.last_action_at >= gap - 1e-9

    def check(self, board: Board, now: float, index: int) -> str | None:
        """A reason to stop, given a fresh read: doubt for too long, or clicks that do nothing."""
        if not board.is_certain:
            self.uncertain_since = now if self.uncertain_since is None else self.uncertain_since
            if (now - self.uncertain_since) * 1e3 > self.timing.unknown_wait_ms:
                return (
                    f"the board stayed uncertain for {self.timing.unknown_wait_ms} ms "
                    f"({board.unknown_count} unknown cells at frame {index})"
                )
            return None
        self.uncertain_since = None
        if self.board_at_action is not None:
            self.no_effect = self.no_effect + 1 if board == self.board_at_action else 0
            self.board_at_action = None
            if self.no_effect >= self.timing.no_effect_limit:
                return f"{self.no_effect} actions in a row changed nothing on the board (stuck?)"
        return None

    def acted(self, board: Board, now: float) -> None:
        """Remember the board an action was taken on, and when."""
        self.last_action_at = now
        self.board_at_action = board


class LevelChooser(Protocol):
    """Picks each frame's level (a LevelSelector over the profile's scene bank)."""

    def choose(self, frame: Frame, current: LevelChoice) -> LevelChoice:
        """The level for `frame`, given the one in force."""
        ...


def run_loop(
    source: FrameSource,
    clock: Clock,
    level: LevelProfile,
    reader: Reader,
    *,
    policy: Policy | None = None,
    actuator: Actuator | None = None,
    recorder: Recorder | None = None,
    level_name: str | None = None,
    selector: LevelChooser | None = None,
    window: Callable[[Frame], Region] | None = None,
    fps: float | None = None,
    limits: Limits | None = None,
    stop_check: Callable[[], str | None] | None = None,
    on_step: Callable[[Step], None] | None = None,
    stop_when_idle: bool = True,
) -> LoopResult:
    """Run until the source ends, a limit is reached, the policy is done, or a guard trips.

    Acts only on a settled board with no unknown cell, at most max_actions_per_s, and
    after a window move only once the board has settled again at its new place.
    level, level_name: the level to play; with a `selector`, each frame's scene may
    switch it (the settler starts afresh) or pause the bot (menus, popups, game over).
    window: the game window's screen region for a frame (default: the frame's own
    region); every action must stay inside it. fps: pace grabs (a virtual clock does not
    sleep). stop_check: polled each frame (a kill switch); a message stops the run.
    stop_when_idle: stop when the policy has no move (one puzzle); False keeps watching
    (a game that goes on to its next level by itself).
    Errors of the source (a vanished window) and of the actuator propagate.
    """
    limits = limits or Limits()
    result = LoopResult()
    choice = LevelChoice(level_name, level)
    settle = SettleState()
    guard = _Guard(level.timing)
    history: list[Action] = []
    origin: tuple[int, int] | None = None
    period = 1.0 / fps if fps else 0.0
    next_due = clock.now()
    while not result.stopped_because:
        if limits.max_frames is not None and result.frames >= limits.max_frames:
            result.stopped_because = f"frame limit ({limits.max_frames}) reached"
            break
        ms: dict[str, float] = {}
        t0 = time.perf_counter()
        try:
            frame = source.grab()
        except SourceExhausted:
            result.stopped_because = "end of frames"
            break
        now = clock.now()
        t1 = time.perf_counter()
        ms["grab"] = (t1 - t0) * 1e3
        if selector is not None:
            new = selector.choose(frame, choice)
            ms["scene"] = (time.perf_counter() - t1) * 1e3
            if new.name != choice.name or new.scene != choice.scene:
                logger.info("frame {}: scene {}, level {}", frame.index, new.scene, new.name)
            if new.name != choice.name:
                settle, guard = (
                    SettleState(),
                    _Guard(new.level.timing if new.level else level.timing),
                )
            choice = new
        if origin is not None and frame.origin != origin:
            logger.info("window moved to {}; waiting for a settled read there", frame.origin)
            settle = settle.restart(now)
        origin = frame.origin
        board: Board | None = None
        action: Action | None = None
        settled = False
        active = choice.level
        if active is not None:
            t2 = time.perf_counter()
            settle, verdict = settle_step(
                settle,
                frame,
                active.grid,
                active.settle,
                now,
                ignore=_ignored(frame, active),
                min_changed_px=active.settle.min_changed_px,
            )
            t3 = time.perf_counter()
            ms["settle"] = (t3 - t2) * 1e3
            settled = verdict.settled
            if verdict.timed_out and policy is not None:
                result.stopped_because = (
                    f"the board never settled: still changing after "
                    f"{active.settle.max_wait_ms} ms (frame {frame.index})"
                )
            if settled and guard.may_act(now):
                board = reader(frame, active)
                result.reads += 1
                t4 = time.perf_counter()
                ms["read"] = (t4 - t3) * 1e3
                if policy is not None:
                    stop = guard.check(board, now, frame.index)
                    if stop:
                        result.stopped_because = stop
                    elif board.is_certain and not (
                        # A board the policy did not expect is read again, once quiet longer.
                        verdict.quiet_ms + SLACK_MS < active.settle.surprise_quiet_ms
                        and surprised(policy, board)
                    ):
                        ctx = Context(choice.name, frame.index, now, tuple(history))
                        action = policy.decide(board, ctx)
                        if action is None and stop_when_idle:
                            result.stopped_because = "the policy has no further move"
                    ms["decide"] = (time.perf_counter() - t4) * 1e3
            if action is not None and board is not None and actuator is not None:
                t5 = time.perf_counter()
                region = window(frame) if window else frame.region
                actuator.perform(action, Placement(active.grid, frame.origin, region))
                ms["act"] = (time.perf_counter() - t5) * 1e3
                # Times come from the frame, not the wall: replay then settles and paces
                # exactly as the live run did.
                guard.acted(board, now)
                settle = settle.expect_change(now)
                history.append(action)
        step = Step(frame.index, now, settled, board, action, ms, choice.name)
        _account(result, step)
        if recorder is not None:
            _record(recorder, frame, step, playing=policy is not None)
        if on_step is not None:
            on_step(step)
        _log_step(step)
        if limits.max_actions is not None and len(result.actions) >= limits.max_actions:
            result.stopped_because = result.stopped_because or (
                f"action limit ({limits.max_actions}) reached"
            )
        if stop_check is not None and not result.stopped_because:
            result.stopped_because = stop_check() or ""
        if period and not result.stopped_because:
            next_due += period
            clock.sleep(next_due - clock.now())
    return result


def _ignored(frame: Frame, level: LevelProfile) -> npt.NDArray[np.bool_] | None:
    """The frame pixels the settler must not count: ignore regions and static overlays."""
    regions = [*level.settle.ignore_regions, *level.overlay_regions]
    return regions_mask(frame.height, frame.width, regions) if regions else None


def _log_step(step: Step) -> None:
    logger.bind(frame=step.index, t=step.t, stage_ms=step.stage_ms).debug(
        "frame {} t={:.3f} settled={} action={} ms={}",
        step.index,
        step.t,
        step.settled,
        action_to_json(step.action) if step.action else None,
        {k: round(v, 2) for k, v in step.stage_ms.items()},
    )


def _account(result: LoopResult, step: Step) -> None:
    result.frames += 1
    if step.action is not None:
        result.actions.append(step)
    for name, value in step.stage_ms.items():
        result.stage_ms_total[name] = result.stage_ms_total.get(name, 0.0) + value


def _record(recorder: Recorder, frame: Frame, step: Step, playing: bool) -> None:
    if not playing:
        recorder.write(frame)
        return
    recorder.write(
        frame,
        level=step.level,
        settled=step.settled,
        board=step.board.to_json() if step.board else None,
        action=action_to_json(step.action) if step.action else None,
        stage_ms={k: round(v, 3) for k, v in step.stage_ms.items()},
    )
