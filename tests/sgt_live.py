"""Play a puzzle-collection game live with `tilebot run`, in-process, and judge the result.

Used by the live acceptance tests and benchmarks/sgt_live.py. The game runs on an Xvfb
display (tests/live.py), the bot is `tilebot run --pid PID --game-id ID --record DIR`
parsed by the real CLI parser, and afterwards:
- the verdict comes from the game's own status bar (bot.games.sgt.judge), not the reader;
- the first board the bot read is compared with the game ID's board;
- the recording gives, per action, the time from the end of the game's redraw (the last
  grabbed frame whose board area changed) to the action being sent, and the actions
  after which the board never changed (clicks the game refused).
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bot.capture import ScreenSource
from bot.cli import build_parser
from bot.clock import RealClock
from bot.commands.run import play
from bot.games.mines import MinesPolicy
from bot.games.sgt.ids import (
    Game,
    Labels,
    board_size,
    decode_fifteen,
    decode_flip,
    decode_mines_labels,
    decode_samegame,
)
from bot.games.sgt.judge import Verdict, judge
from bot.games.sgt.screenshot import binary_path
from bot.profile import GridSpec
from bot.recording import Recording
from bot.window import X11Locator
from tests.live import running_game

ROOT = Path(__file__).resolve().parents[1]

DECODERS = {
    "flip": decode_flip,
    "fifteen": decode_fifteen,
    "mines": decode_mines_labels,
    "samegame": decode_samegame,
}
"""Game -> the labels its descriptive ID shows at the start."""


@dataclass(frozen=True, slots=True)
class LiveRun:
    """One live game: what the game says, what the bot read first, and its timing.

    overhead_ms: per action after the first, ms from the end of the game's redraw of the
    previous move to this action being sent. illegal_clicks: actions after which the board
    area never changed. guesses: mines guesses (None for other games).
    """

    game: Game
    game_id: str
    descriptive_id: str
    verdict: Verdict
    first_board: Labels | None
    truth: Labels
    actions: int
    illegal_clicks: int
    overhead_ms: tuple[float, ...]
    guesses: int | None
    wall_s: float
    stopped_because: str
    recording: Path


def start_labels(game: Game, game_id: str, desc: str) -> Labels:
    """The board the game shows first: the descriptive ID's, except that mines started
    from a seed opens nothing (it lays its mines at the first click, away from it)."""
    if game == "mines" and ":" not in game_id:
        rows, cols = board_size(game, game_id)
        return tuple(("covered",) * cols for _ in range(rows))
    return DECODERS[game](desc)


def descriptive_id(game: Game, game_id: str) -> str:
    """The descriptive ID of `game_id` (a seed ID is expanded by the game itself)."""
    if ":" in game_id:
        return game_id
    done = subprocess.run(
        [str(binary_path(game)), "--generate", "1", game_id],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def play_live(
    game: Game,
    game_id: str,
    locator: X11Locator,
    record: Path,
    *,
    fps: float = 200.0,
    max_seconds: float = 120.0,
) -> LiveRun:
    """Launch `sgt-GAME GAME_ID`, let `tilebot run` play it to the end, judge the window."""
    desc = descriptive_id(game, game_id)
    display = locator.display_name
    with running_game(game, [game_id], locator) as launched:
        args = build_parser().parse_args(
            [
                "run",
                "--profile",
                str(ROOT / "profiles" / f"{game}.toml"),
                "--pid",
                str(launched.process.pid),
                "--game-id",
                game_id,
                "--record",
                str(record),
                "--fps",
                str(fps),
                "--max-seconds",
                str(max_seconds),
                "--display",
                display,
            ]
        )
        start = time.monotonic()
        played = play(args)
        wall_s = time.monotonic() - start
        with ScreenSource.of_window(
            launched.window, locator, RealClock(), display=display
        ) as source:
            verdict = judge(game, source.grab().pixels)
    assert played.result is not None
    recording = Recording.open(record)
    first = next((e.board for e in recording.events if e.board is not None), None)
    first_board = None if first is None else tuple(tuple(row) for row in first["labels"])
    overheads, illegal = action_timing(recording, played.level.grid)
    policy = played.policy
    return LiveRun(
        game=game,
        game_id=game_id,
        descriptive_id=desc,
        verdict=verdict,
        first_board=first_board,
        truth=start_labels(game, game_id, desc),
        actions=len(played.result.actions),
        illegal_clicks=illegal,
        overhead_ms=tuple(overheads),
        guesses=len(policy.guesses) if isinstance(policy, MinesPolicy) else None,
        wall_s=wall_s,
        stopped_because=played.result.stopped_because,
        recording=record,
    )


def action_timing(recording: Recording, grid: GridSpec) -> tuple[list[float], int]:
    """(overhead ms per action after the first, actions the board never answered).

    An action's time is its frame's grab time plus the read and decide stages; the end
    of the game's redraw is the grab time of the last frame before it whose board area
    differs from the frame before.
    """
    y0, x0 = grid.origin_y_px, grid.origin_x_px
    y1, x1 = y0 + grid.height_px, x0 + grid.width_px
    last_change: float | None = None
    changed_since_action = True
    previous: bytes | None = None
    overheads: list[float] = []
    illegal = 0
    seen_action = False
    for event in recording.events:
        pixels = recording.load(event).pixels
        digest = hashlib.blake2b(pixels[y0:y1, x0:x1].tobytes(), digest_size=16).digest()
        if previous is not None and digest != previous:
            last_change, changed_since_action = event.t, True
        previous = digest
        if event.action is None:
            continue
        if seen_action and not changed_since_action:
            illegal += 1
        stages = event.stage_ms or {}
        sent = event.t + (stages.get("read", 0.0) + stages.get("decide", 0.0)) / 1e3
        if seen_action and changed_since_action and last_change is not None:
            overheads.append((sent - last_change) * 1e3)
        seen_action, changed_since_action = True, False
    if seen_action and not changed_since_action:
        illegal += 1
    return overheads, illegal


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.sgt_live GAME GAME_ID OUT`: record one live game on its own Xvfb."""
    import argparse
    import sys
    import tempfile

    from tests.live import live_display

    parser = argparse.ArgumentParser(description="record the bot playing one sgt game live")
    parser.add_argument("game", choices=sorted(DECODERS))
    parser.add_argument("game_id")
    parser.add_argument("out", type=Path, help="new recording folder")
    parser.add_argument("--fps", type=float, default=60.0, help="grabs per second (default 60)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with (
            live_display(work) as display,
            X11Locator(display) as locator,
        ):
            run = play_live(args.game, args.game_id, locator, args.out, fps=args.fps)
    print(
        f"{run.game} {run.game_id}: {run.actions} actions, verdict {sorted(run.verdict.words)}, "
        f"first board right: {run.first_board == run.truth}, stopped: {run.stopped_because}",
        file=sys.stderr,
    )
    return 0 if run.verdict.over and run.first_board == run.truth else 1


if __name__ == "__main__":
    raise SystemExit(main())
