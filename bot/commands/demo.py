"""`tilebot demo`: watch the bot play the Fling demo, or (with no display) replay it.

Live (DISPLAY set): starts the demo game in its own window, runs the coordinate
self-test, and plays every level with the one loop, the Fling profile (whose scene bank
picks the level per theme) and the real mouse. The game itself reports each win.
Headless: replays the shipped Fling recordings with the golden-decision diff and writes
an annotated report (what the bot saw, with the grid and its labels) to --report.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loguru import logger

from bot.capture import ScreenSource
from bot.clock import RealClock
from bot.commands.replay import replay
from bot.demo.report import write_report
from bot.errors import CaptureError, TilebotError
from bot.games.fling import FlingPolicy
from bot.levels import load_selector
from bot.loop import LoopResult, Step, run_loop
from bot.profile import load_profile
from bot.reading import make_reader
from bot.recording import Recording, RecordingWriter
from bot.window import default_locator

ROOT = Path(__file__).resolve().parent.parent.parent
PROFILE = ROOT / "profiles" / "fling.toml"
RECORDINGS = ROOT / "recordings"


@dataclass
class GameProcess:
    """The demo game: its process and the lines it printed (WIN ..., ALL DONE)."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def wins(self) -> list[str]:
        """The game's own win reports so far."""
        return [line for line in self.lines if line.startswith("WIN ")]

    def finished(self) -> str | None:
        """A stop message once the game says all levels are done or has exited."""
        if "ALL DONE" in self.lines:
            return "the game reports all levels done"
        if self.process.poll() is not None:
            return f"the game exited (code {self.process.returncode})"
        return None


@contextlib.contextmanager
def running_demo_game(args: list[str]) -> Iterator[GameProcess]:
    """Start `python -m bot.demo ARGS`, wait for "ready", and stop it on exit."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.demo", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    game = GameProcess(proc)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        if first != "ready":
            raise CaptureError(f"the demo game did not start (it printed {first!r})")
        stdout = proc.stdout

        def collect() -> None:
            for line in stdout:
                game.lines.append(line.strip())
                logger.info("game: {}", line.strip())

        threading.Thread(target=collect, daemon=True).start()
        yield game
    finally:
        proc.terminate()
        proc.wait()


def play_live(
    level: int | None,
    record: Path | None,
    one_level: bool,
    max_seconds: float,
    *,
    state_log: Path | None = None,
    on_step: Callable[[Step], None] | None = None,
    fps: float = 60.0,
) -> tuple[LoopResult, list[str]]:
    """Play the demo game live; return the loop's result and the game's win reports.

    state_log: where the game writes its true board and animation times (JSON lines).
    """
    from bot.commands.run import self_test
    from bot.killswitch import KillSwitch
    from bot.pyautogui_actuator import PyAutoGuiActuator

    profile = load_profile(PROFILE)
    selector = load_selector(profile, PROFILE)
    game_args = ["--geometry", "+100+100"] + (["--level", str(level)] if level else [])
    if state_log is not None:
        game_args += ["--state-log", str(state_log)]
    clock = RealClock()
    with contextlib.ExitStack() as stack:
        game = stack.enter_context(running_demo_game(game_args))
        locator = default_locator()
        stack.callback(locator.close)
        window = locator.find_by_pid(game.process.pid)
        source = stack.enter_context(ScreenSource.of_window(window, locator, clock))
        actuator = PyAutoGuiActuator()
        self_test(source, locator, window, actuator, profile.level(None).grid)
        switch = KillSwitch()
        stack.callback(switch.close)
        recorder = None
        if record is not None:
            recorder = stack.enter_context(
                RecordingWriter(
                    record,
                    source="demo game",
                    profile="profiles/fling.toml",
                    playing=True,
                    start_time=clock.now(),
                )
            )
        start = clock.now()

        def stop_check() -> str | None:
            if one_level and game.wins():
                return "the game reports the level won"
            if clock.now() - start > max_seconds:
                return f"time limit ({max_seconds:g} s) reached"
            return switch.reason() or game.finished()

        result = run_loop(
            source,
            clock,
            profile.level(None),
            make_reader(PROFILE),
            policy=FlingPolicy(),
            actuator=actuator,
            recorder=recorder,
            selector=selector,
            fps=fps,
            stop_check=stop_check,
            on_step=on_step,
            stop_when_idle=False,
        )
        return result, game.wins()


def replay_shipped(report: Path) -> int:
    """Replay every shipped Fling recording; write the annotated report; 1 on a diff."""
    profile = load_profile(PROFILE)
    recordings = sorted(RECORDINGS.glob("fling-*"))
    if not recordings:
        raise TilebotError(f"{RECORDINGS}: no fling-* recordings to replay")
    failed = 0
    for path in recordings:
        rec = Recording.open(path)
        outcome = replay(rec, profile, None, PROFILE)
        decisions = len(outcome.result.decisions())
        verdict = "agree" if not outcome.diffs else f"{len(outcome.diffs)} DIFFER"
        print(f"{path.name}: {len(rec)} frames, {decisions} moves, decisions {verdict}")
        failed += bool(outcome.diffs)
        write_report(rec, outcome.steps, profile, report / path.name)
    print(f"report: {report / 'index.html'}")
    return 1 if failed else 0


def has_display() -> bool:
    """True when an X display answers at $DISPLAY."""
    if not os.environ.get("DISPLAY"):
        return False
    try:
        default_locator().close()
    except CaptureError:
        return False
    return True


def demo_command(args: argparse.Namespace) -> int:
    """Live with a display, headless replay without one (or with --replay)."""
    if args.replay or not has_display():
        if not args.replay:
            logger.info("no display: replaying the shipped recordings instead")
        return replay_shipped(args.report)
    result, wins = play_live(args.level, args.record, args.one_level, args.max_seconds)
    print(f"levels won (as the game reports): {len(wins)}")
    for line in wins:
        print(f"  {line}")
    print(
        f"frames: {result.frames}; moves: {len(result.actions)}; stopped: {result.stopped_because}"
    )
    return 0 if wins else 1
