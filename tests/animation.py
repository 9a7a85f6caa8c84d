"""Dense captures of sgt-puzzles animations on Xvfb: frames at ~200 Hz with clicks between.

Used to make recordings/flip-anim and recordings/fifteen-anim, and by
benchmarks/overlay.py to measure settle latency live. Clicks go through XTEST on the
capturing thread, so no grab is lost while a click is sent, and each click's clock time
is known exactly.

    python -m tests.animation flip recordings/flip-anim
    python -m tests.animation fifteen recordings/fifteen-anim

A recording's events carry each click as `action` on the frame grabbed just before it
(as the loop records an action on the frame it decided on): {"type": "click", "x", "y"
(window pixels), "row", "col", "t" (recording seconds when the click was sent)}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.capture import ScreenSource
from bot.clock import RealClock
from bot.frame import Frame, Region
from bot.profile import GridSpec, SettleSpec
from bot.recording import Recording, RecordingWriter
from bot.settle import SettleState, find_animations, settle_step
from bot.window import X11Locator, open_x11
from tests.live import (
    live_display,
    missing_game,
    missing_xvfb,
    running_game,
)


@dataclass(frozen=True, slots=True)
class AnimatedGame:
    """A game set up for animation captures: how to start it, its grid and its clicks.

    grid: board position in window pixels. clicks: cells (row, col) clicked in turn.
    """

    name: str
    game_id: str
    env: tuple[tuple[str, str], ...]
    window_px: tuple[int, int]
    grid: GridSpec
    clicks: tuple[tuple[int, int], ...]


GAMES: dict[str, AnimatedGame] = {
    # `sgt-flip --generate 1 '5x5c#7'`, tile 48: window 288x350, board at (24, 49).
    "flip": AnimatedGame(
        name="flip",
        game_id=(
            "5x5:c400007100001c4000071000018400043100011c400047100011c400046100010c4000471000"
            "11c4000471000118400043100011c400047100011c400046100010c000047000011c0000470000118"
            ",40521a0"
        ),
        env=(("FLIP_TILESIZE", "48"),),
        window_px=(288, 350),
        grid=GridSpec(origin_x_px=24, origin_y_px=49, tile_px=48, rows=5, cols=5),
        clicks=((2, 2), (0, 4), (4, 1), (1, 3)),
    ),
    # `sgt-fifteen --generate 1 '4x4#7'` = 12,11,4,10 / 5,3,8,0 / 14,6,7,15 / 13,2,9,1:
    # the blank starts at (1, 3); the clicks slide 3, 1, 2 and 2 tiles.
    "fifteen": AnimatedGame(
        name="fifteen",
        game_id="4x4:12,11,4,10,5,3,8,0,14,6,7,15,13,2,9,1",
        env=(("FIFTEEN_TILESIZE", "48"),),
        window_px=(240, 302),
        grid=GridSpec(origin_x_px=24, origin_y_px=49, tile_px=48, rows=4, cols=4),
        clicks=((1, 0), (2, 0), (2, 2), (0, 2)),
    ),
}

WINDOW_AT = (200, 150)
RATE_HZ = 200.0
LEAD_S = 0.3
"""Still frames before the first click."""
CLICK_GAP_S = 0.6
"""Between clicks: longer than either game's animation, so each ends before the next."""
TAIL_S = 0.5


@dataclass(frozen=True, slots=True)
class Click:
    """A click sent at clock time `t` (seconds) on cell (row, col), window pixel (x, y),
    right after frame `after_frame` was grabbed."""

    t: float
    row: int
    col: int
    x: int
    y: int
    after_frame: int


@dataclass(frozen=True, slots=True)
class Capture:
    """Frames of a window grabbed densely, and the clicks sent between them.

    frames: timestamps on the capturing clock (seconds); identical consecutive frames
    share one pixel array.
    """

    frames: tuple[Frame, ...]
    clicks: tuple[Click, ...]


@contextlib.contextmanager
def game_on_xvfb(game: AnimatedGame) -> Iterator[tuple[X11Locator, int]]:
    """A private Xvfb with `game` running at WINDOW_AT; yields (locator, window)."""
    for missing in (missing_xvfb(), missing_game(game.name)):
        if missing is not None:
            raise SystemExit(f"cannot capture: {missing}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_display(Path(tmp)) as display,
        X11Locator(display) as locator,
        running_game(game.name, [game.game_id], locator, env=dict(game.env), at=WINDOW_AT) as run,
    ):
        yield locator, run.window


def capture(game: AnimatedGame, locator: X11Locator, window: int, rate_hz: float) -> Capture:
    """Grab the window at `rate_hz` while clicking `game.clicks` CLICK_GAP_S apart."""
    from Xlib import X
    from Xlib.ext import xtest

    where = locator.geometry(window)
    if (where.width, where.height) != game.window_px:
        raise SystemExit(f"{game.name}: window is {where.width}x{where.height}, not as expected")
    clock = RealClock()
    conn = open_x11(locator.display_name)
    frames: list[Frame] = []
    clicks: list[Click] = []
    period = 1.0 / rate_hz
    duration = LEAD_S + CLICK_GAP_S * len(game.clicks) + TAIL_S
    pending = list(game.clicks)
    try:
        with ScreenSource.of_region(where, clock) as source:
            start = clock.now()
            count = 0
            while clock.now() - start < duration:
                frame = source.grab()
                if frames and np.array_equal(frames[-1].pixels, frame.pixels):
                    frame = Frame(frames[-1].pixels, frame.index, frame.timestamp, frame.origin)
                frames.append(frame)
                due = LEAD_S + CLICK_GAP_S * len(clicks)
                if pending and frame.timestamp - start >= due:
                    row, col = pending.pop(0)
                    cx, cy = game.grid.cell_centre(row, col)
                    x, y = round(cx), round(cy)
                    xtest.fake_input(conn, X.MotionNotify, x=where.x + x, y=where.y + y)
                    xtest.fake_input(conn, X.ButtonPress, 1)
                    xtest.fake_input(conn, X.ButtonRelease, 1)
                    conn.sync()
                    clicks.append(Click(clock.now(), row, col, x, y, frame.index))
                count += 1
                time.sleep(max(0.0, start + count * period - clock.now()))
    finally:
        conn.close()
    return Capture(tuple(frames), tuple(clicks))


def save(cap: Capture, game: AnimatedGame, out: Path) -> None:
    """Write `cap` as a recording in `out` (a new folder) with RecordingWriter."""
    start = cap.frames[0].timestamp
    by_frame = {c.after_frame: c for c in cap.clicks}
    first = cap.frames[0]
    region = Region(first.origin[0], first.origin[1], first.width, first.height)
    with RecordingWriter(
        out, region=region, source=f"sgt-{game.name} {game.game_id}", start_time=start
    ) as writer:
        for frame in cap.frames:
            click = by_frame.get(frame.index)
            if click is None:
                writer.write(frame)
                continue
            action = {
                "type": "click",
                "x": click.x,
                "y": click.y,
                "row": click.row,
                "col": click.col,
                "t": round(click.t - start, 6),
            }
            writer.write(frame, action=action)


def load(path: Path) -> Capture:
    """A recording made by `save`, back as frames (recorded times) and clicks."""
    recording = Recording.open(path)
    frames = tuple(recording.frames())
    clicks = []
    for event in recording.events:
        if event.action is not None and event.action.get("type") == "click":
            a: dict[str, Any] = event.action
            clicks.append(Click(float(a["t"]), a["row"], a["col"], a["x"], a["y"], event.i))
    return Capture(frames, tuple(clicks))


def main(argv: Sequence[str] | None = None) -> int:
    """Capture one game's clicks into a new recording folder; print a JSON summary."""
    parser = argparse.ArgumentParser(description="capture an sgt-puzzles animation densely")
    parser.add_argument("game", choices=sorted(GAMES))
    parser.add_argument("out", type=Path)
    parser.add_argument("--rate", type=float, default=RATE_HZ, help="grabs per second")
    args = parser.parse_args(argv)
    game = GAMES[args.game]
    with game_on_xvfb(game) as (locator, window):
        time.sleep(0.3)  # let the first draw finish
        cap = capture(game, locator, window, args.rate)
    save(cap, game, args.out)
    stamps = [f.timestamp for f in cap.frames]
    gaps = np.diff(stamps)
    summary = {
        "frames": len(cap.frames),
        "clicks": len(cap.clicks),
        "rate_hz": round(len(stamps) / (stamps[-1] - stamps[0]), 1),
        "max_grab_gap_ms": round(float(gaps.max()) * 1e3, 2),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def subsample(frames: Sequence[Frame], period_s: float, phase_s: float = 0.0) -> list[Frame]:
    """What a loop grabbing every `period_s` would have seen: for each due time
    frames[0].timestamp + phase_s + k * period_s, the first frame at or after it (each
    frame at most once)."""
    out: list[Frame] = []
    stamps = np.asarray([f.timestamp for f in frames])
    due = frames[0].timestamp + phase_s
    while due <= stamps[-1]:
        i = int(np.searchsorted(stamps, due))
        if not out or frames[i].index != out[-1].index:
            out.append(frames[i])
        due += period_s
    return out


def settle_verdicts(
    stream: Sequence[Frame], clicks: Sequence[Click], grid: GridSpec, spec: SettleSpec
) -> list[bool]:
    """Settle each frame of `stream` in turn as the loop does, expecting a change at each
    click's time; the verdicts (settled or not), one per frame."""
    state, out, pending = SettleState(), [], list(clicks)
    for f in stream:
        while pending and pending[0].t <= f.timestamp:
            state = state.expect_change(pending.pop(0).t)
        state, result = settle_step(state, f, grid, spec, f.timestamp)
        out.append(result.settled)
    return out


def settle_latencies_ms(
    cap: Capture, grid: GridSpec, spec: SettleSpec, rate_hz: float, phase_step_s: float
) -> tuple[list[float], int]:
    """Run the settler on `cap` seen at `rate_hz` (every phase `phase_step_s` apart).

    Returns, over phases and clicks, the latencies: first settled frame after each
    animation minus (the animation's last change in the dense capture + quiet time), in
    ms; and how many frames said settled mid-animation (between a click and the last
    change), which must be none.
    """
    anims = find_animations(cap.frames, grid, [c.t for c in cap.clicks])
    period = 1.0 / rate_hz
    latencies: list[float] = []
    premature = 0
    for phase in np.arange(0.0, period, phase_step_s):
        stream = subsample(cap.frames, period, float(phase))
        verdicts = settle_verdicts(stream, cap.clicks, grid, spec)
        for a in anims:
            premature += sum(
                1
                for f, ok in zip(stream, verdicts, strict=True)
                if ok and a.action_at <= f.timestamp < a.end
            )
            settled = [
                f.timestamp
                for f, ok in zip(stream, verdicts, strict=True)
                if ok and f.timestamp >= a.end
            ]
            if settled:
                latencies.append((settled[0] - a.end) * 1000.0 - spec.quiet_ms)
    return latencies, premature
