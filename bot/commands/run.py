"""`tilebot run`: play a game live with the one loop, the real clock and the real mouse."""

from __future__ import annotations

import argparse
import contextlib
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from loguru import logger

from bot.act import Actuator, RecordingActuator
from bot.clock import RealClock
from bot.commands.replay import choose_level, pick_level
from bot.commands.sources import open_source
from bot.errors import ProfileError
from bot.games.registry import policy_for
from bot.levels import load_selector
from bot.loop import Limits, LoopResult, run_loop
from bot.policy import Policy
from bot.profile import GridSpec, LevelProfile, load_profile
from bot.reading import make_reader
from bot.recording import RecordingWriter

if TYPE_CHECKING:
    from bot.capture import ScreenSource
    from bot.pyautogui_actuator import PyAutoGuiActuator
    from bot.window import WindowId, WindowLocator


@dataclass(frozen=True, slots=True)
class Played:
    """What `play` did: the loop's result, the policy it used (None for a self-test only)
    and the level it played (its name, and the level itself as fitted to the window)."""

    result: LoopResult | None
    policy: Policy | None
    level_name: str | None
    level: LevelProfile


def run_command(args: argparse.Namespace) -> int:
    """Self-test the coordinates, then play until done, a limit, the kill key or the fail-safe."""
    played = play(args)
    if played.result is not None:
        _summarise(played.result)
    return 0


def play(args: argparse.Namespace) -> Played:
    """`tilebot run` without the summary: the parsed arguments in, what happened out."""
    profile = load_profile(args.profile)
    pick_level(profile, args.level, args.profile)
    policy = policy_for(profile.game, args.game_id)
    if policy is None and not args.self_test:
        raise ProfileError(
            [
                f"{args.profile}: game: Tilebot has no policy for {profile.game!r} yet "
                "(record and replay work for any game)"
            ]
        )
    clock = RealClock()
    with contextlib.ExitStack() as stack:
        target = stack.enter_context(open_source(args, clock))
        source, region, what = target.source, target.region, target.what
        level_name, level = choose_level(
            profile, args.profile, args.level, args.game_id, (region.width, region.height)
        )
        actuator: Actuator
        if args.dry_run and not args.self_test:
            actuator = RecordingActuator()
        else:
            from bot.pyautogui_actuator import PyAutoGuiActuator

            actuator = live = PyAutoGuiActuator()
            if target.locator is None or target.window is None:
                logger.warning("self-test skipped: it needs a window (--window or --pid)")
            else:
                self_test(
                    target.source, target.locator, target.window, live, level.grid, args.display
                )
            if args.self_test:
                return Played(None, None, level_name, level)
        stop_check = None
        if not args.dry_run:
            from bot.killswitch import KillSwitch

            switch = KillSwitch(args.kill_key, args.display)
            stack.callback(switch.close)
            stop_check = switch.reason
            logger.info("hold {} (or move the pointer into a screen corner) to stop", args.kill_key)
        recorder = None
        if args.record:
            recorder = stack.enter_context(
                RecordingWriter(
                    args.record,
                    region=region,
                    source=what,
                    profile=str(args.profile),
                    level=level_name,
                    game_id=args.game_id,
                    playing=True,
                    start_time=clock.now(),
                )
            )
        assert policy is not None  # checked above; only the self-test runs without one
        frames = int(args.max_seconds * args.fps) if args.max_seconds else None
        logger.info("playing {} on {} (level {})", profile.game, what, level_name or "base")
        result = run_loop(
            source,
            clock,
            level,
            make_reader(args.profile),
            policy=policy,
            actuator=actuator,
            recorder=recorder,
            level_name=level_name,
            selector=load_selector(profile, args.profile),
            fps=args.fps,
            limits=Limits(max_frames=frames, max_actions=args.max_moves),
            stop_check=stop_check,
        )
    return Played(result, policy, level_name, level)


def self_test(
    source: ScreenSource,
    locator: WindowLocator,
    window: WindowId,
    actuator: PyAutoGuiActuator,
    grid: GridSpec,
    display: str | None = None,
) -> None:
    """Check that capture, window and input coordinates agree; SelfTestFailed if not."""
    from bot.selftest import run_self_test

    report = run_self_test(source, locator, window, actuator, grid, display=display)
    for check in report.checks:
        state = "ok" if check.passed else "FAILED"
        logger.info("self-test {}: {} ({})", check.name, state, check.message)
    report.raise_for_failure()


def _summarise(result: LoopResult) -> None:
    print(f"frames: {result.frames}; boards read: {result.reads}; actions: {len(result.actions)}")
    totals = result.stage_ms_total
    if result.frames:
        stages = ", ".join(f"{k} {v / result.frames:.2f}" for k, v in totals.items())
        print(f"mean ms per frame: {stages}")
    reads = [s.stage_ms["read"] for s in result.actions if "read" in s.stage_ms]
    if reads:
        print(f"read ms at actions: median {statistics.median(reads):.2f}")
    print(f"stopped: {result.stopped_because}")
