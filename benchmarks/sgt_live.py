"""Live puzzle-collection benchmark: the bot plays flip, fifteen, mines and samegame on Xvfb.

    python benchmarks/sgt_live.py [--quick] [--seeds N] [--games flip,mines]

Starts its own Xvfb display; for each game and seed #1..#N (flip 5x5c, fifteen 4x4,
mines 9x9n10, samegame 10x10c3s2) launches the game, runs `tilebot run --game-id` on it
in-process (tests/sgt_live.py) and judges the end from the game's own status bar.
Prints one JSON line with, per game: runs, won (samegame: played to the end, and
cleared counts the won), actions, illegal_clicks (actions the board never answered),
first_board_right (the first read equals the game ID's board), wall_s,
overhead_ms_per_action_median and _p90 (from the end of the game's redraw, as the grabbed
frames show it, to the action: the settle quiet time, read and decide), and for mines
guesses. Targets: flip, fifteen and mines 20/20 won; samegame 0 illegal clicks; overhead
<= 50 ms per action.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loguru import logger

from bot.games.sgt.ids import Game
from bot.window import X11Locator
from tests.live import live_display
from tests.sgt_live import LiveRun, play_live

PARAMS: dict[Game, str] = {
    "flip": "5x5c",
    "fifteen": "4x4",
    "mines": "9x9n10",
    "samegame": "10x10c3s2",
}


def summarise(game: Game, runs: list[LiveRun]) -> dict[str, Any]:
    """The figures of one game's runs."""
    overheads = sorted(ms for run in runs for ms in run.overhead_ms)
    figures: dict[str, Any] = {
        "runs": len(runs),
        "won": sum(run.verdict.over if game == "samegame" else run.verdict.won for run in runs),
        "actions": sum(run.actions for run in runs),
        "illegal_clicks": sum(run.illegal_clicks for run in runs),
        "first_board_right": sum(run.first_board == run.truth for run in runs),
        "wall_s": round(sum(run.wall_s for run in runs), 2),
        "overhead_ms_per_action_median": round(statistics.median(overheads), 1)
        if overheads
        else None,
        "overhead_ms_per_action_p90": round(overheads[int(0.9 * (len(overheads) - 1))], 1)
        if overheads
        else None,
    }
    if game == "samegame":
        figures["cleared"] = sum(run.verdict.won for run in runs)
    if game == "mines":
        figures["guesses"] = sum(run.guesses or 0 for run in runs)
    lost = [
        run.game_id
        for run in runs
        if not (run.verdict.over if game == "samegame" else run.verdict.won)
    ]
    if lost:
        figures["not_won"] = lost
    return figures


def main(argv: list[str] | None = None) -> int:
    """Play every game for every seed; print the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="seeds #1..#N per game")
    parser.add_argument("--quick", action="store_true", help="2 seeds per game")
    parser.add_argument("--games", default=",".join(PARAMS), help="comma-separated games")
    args = parser.parse_args(argv)
    seeds = 2 if args.quick else args.seeds
    games = [g for g in PARAMS if g in args.games.split(",")]
    logger.remove()
    logger.add(sys.stderr, level="WARNING")
    out: dict[str, Any] = {"seeds": seeds}
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with (
            live_display(work) as display,
            X11Locator(display) as locator,
        ):
            for game in games:
                runs = [
                    play_live(game, f"{PARAMS[game]}#{seed}", locator, work / f"{game}-{seed}")
                    for seed in range(1, seeds + 1)
                ]
                out[game] = summarise(game, runs)
    out["wall_s"] = round(time.monotonic() - start, 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
