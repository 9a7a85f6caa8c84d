"""Live Fling benchmark: the bot plays every demo level on its own Xvfb display.

Prints one JSON line: levels, levels_solved (wins the game itself logged), read_ms_median
(grab + read of a frame), decide_ms_median, overhead_ms_per_action_median and _max (from
the end of the game's animation, as its state log stamps it, to the start of the next
move's animation: settle wait, grab, read, decide and the drag), wrong_reads (cells the
bot named differently from the game's true board at that moment), reads_mid_animation
(reads taken while the game was animating: must be 0), unknown_cells, wall_s.
Targets: every level solved; read <= 3 ms; overhead <= 50 ms; zero wrong reads.
"""

from __future__ import annotations

import argparse
import bisect
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.board import UNKNOWN
from bot.commands.demo import play_live
from bot.demo.levels import DEFAULT_LEVELS, load_levels
from bot.loop import Step
from tests.live import display_environment, running_xvfb


def true_board_at(log: list[dict[str, Any]], t: float) -> tuple[list[list[str]] | None, bool]:
    """The game's board at monotonic time `t`, and whether it was animating then."""
    times = [e["t"] for e in log]
    k = bisect.bisect_right(times, t) - 1
    board, animating = None, False
    for event in log[: k + 1]:
        if event["event"] in ("level", "settled"):
            board, animating = event.get("labels"), False
        elif event["event"] == "anim_start":
            animating = True
    return board, animating


def overheads_ms(log: list[dict[str, Any]]) -> list[float]:
    """Per move after the first of a level: next anim_start minus the previous settled."""
    out, last_settled = [], None
    for event in log:
        if event["event"] == "settled":
            last_settled = event["t"]
        elif event["event"] == "level":
            last_settled = None
        elif event["event"] == "anim_start" and event.get("kind") == "roll" and last_settled:
            out.append((event["t"] - last_settled) * 1e3)
            last_settled = None
    return out


def main() -> None:
    """Run the benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="first level only")
    args = parser.parse_args()
    levels = load_levels(DEFAULT_LEVELS)
    steps: list[Step] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with running_xvfb(work) as display, display_environment(display, work):
            start = time.monotonic()
            result, wins = play_live(
                1 if args.quick else None,
                None,
                args.quick,
                300.0,
                state_log=work / "state.jsonl",
                on_step=steps.append,
            )
            wall = time.monotonic() - start
        log = [json.loads(line) for line in (work / "state.jsonl").read_text().splitlines()]
    reads = [s for s in steps if s.board is not None]
    wrong = mid = unknown = 0
    for s in reads:
        assert s.board is not None
        truth, animating = true_board_at(log, s.t)
        unknown += s.board.unknown_count
        if animating:
            mid += 1
            continue
        if truth is None:
            continue
        for (r, c), cell in s.board:
            if cell.label != UNKNOWN and cell.label != truth[r][c]:
                wrong += 1
    grab_read = [s.stage_ms["grab"] + s.stage_ms["read"] for s in reads]
    decide = [s.stage_ms["decide"] for s in reads if "decide" in s.stage_ms]
    over = overheads_ms(log)
    print(
        json.dumps(
            {
                "levels": 1 if args.quick else len(levels),
                "levels_solved": len(wins),
                "moves": len(result.actions),
                "frames": result.frames,
                "reads": len(reads),
                "read_ms_median": round(statistics.median(grab_read), 3),
                "decide_ms_median": round(statistics.median(decide), 3),
                "overhead_ms_per_action_median": round(statistics.median(over), 1),
                "overhead_ms_per_action_max": round(max(over), 1),
                "wrong_reads": wrong,
                "reads_mid_animation": mid,
                "unknown_cells": unknown,
                "wall_s": round(wall, 1),
                "stopped": result.stopped_because,
            }
        )
    )


if __name__ == "__main__":
    main()
