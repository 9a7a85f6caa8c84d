"""Live Fling benchmark: the bot plays every demo level on its own Xvfb display.

Prints one JSON line: levels, levels_solved (wins the game itself logged), read_ms_median
(grab + read of a frame), decide_ms_median, overhead_ms_per_action_median and _max (from
the end of the game's animation, as its state log stamps it, to the start of the next
move's animation: settle wait, grab, read, decide and the drag), wrong_reads (cells the
bot named differently from the game's true board while the frame was grabbed, see
judge_read), reads_mid_animation (reads of frames grabbed while the game was animating:
must be 0), unknown_cells, wall_s; and to find
where the time goes: overhead_parts_ms_median (see overhead_parts_ms),
read_ms_median_acting (grab + read of the frames acted on), read_ms_max, reads_uncertain.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.board import UNKNOWN
from bot.commands.demo import play_live
from bot.demo.levels import DEFAULT_LEVELS, load_levels
from bot.loop import Step
from tests.live import live_display


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


def judge_read(log: list[dict[str, Any]], step: Step) -> tuple[int | None, bool]:
    """(wrong cells, mid-animation) of one read, against what the screen showed.

    The frame was captured at some instant of its grab, [t - grab time, t], not known
    more closely: a board the game drew during the grab may or may not be in it. The
    read is mid-animation when the game was animating at any instant of that window,
    and its wrong cells are the fewest against any board shown in it (None when no
    board was known yet).
    """
    assert step.board is not None
    start = step.t - step.stage_ms["grab"] / 1e3
    instants = [start] + [e["t"] for e in log if start < e["t"] <= step.t]
    shown = [true_board_at(log, t) for t in instants]
    if any(animating for _, animating in shown):
        return None, True
    boards = [board for board, _ in shown if board is not None]
    if not boards:
        return None, False
    return min(
        sum(cell.label not in (UNKNOWN, truth[r][c]) for (r, c), cell in step.board)
        for truth in boards
    ), False


def moves_after_settled(log: list[dict[str, Any]]) -> Iterator[tuple[float, float]]:
    """(settled t, anim_start t) of each roll that follows a settled board of its level
    (the first move of a level has none), game-clock seconds."""
    last_settled = None
    for event in log:
        if event["event"] == "settled":
            last_settled = event["t"]
        elif event["event"] == "level":
            last_settled = None
        elif event["event"] == "anim_start" and event.get("kind") == "roll" and last_settled:
            yield last_settled, event["t"]
            last_settled = None


def overheads_ms(log: list[dict[str, Any]]) -> list[float]:
    """Per move after the first of a level: next anim_start minus the previous settled."""
    return [(anim - settled) * 1e3 for settled, anim in moves_after_settled(log)]


def overhead_parts_ms(log: list[dict[str, Any]], steps: list[Step]) -> dict[str, float]:
    """Medians over the moves overheads_ms counts of where each one's time went.

    to_first_grab: the game's settled stamp to the bot's next grab; settle_wait: that
    grab to the grab the bot acted on (quiet time, pacing); loop: scene, settle, read
    and decide of the acting frame; act: the drag; to_anim: the drag's end to the
    game's anim_start (event delivery).
    """
    parts: dict[str, list[float]] = {
        "to_first_grab": [], "settle_wait": [], "loop": [], "act": [], "to_anim": []
    }  # fmt: skip
    for settled, anim in moves_after_settled(log):
        between = [s for s in steps if settled <= s.t < anim]
        acting = [s for s in between if s.action is not None]
        if acting:
            first, act = between[0], acting[-1]
            loop_ms = sum(v for k, v in act.stage_ms.items() if k not in ("grab", "act"))
            act_ms = act.stage_ms.get("act", 0.0)
            parts["to_first_grab"].append((first.t - settled) * 1e3)
            parts["settle_wait"].append((act.t - first.t) * 1e3)
            parts["loop"].append(loop_ms)
            parts["act"].append(act_ms)
            parts["to_anim"].append((anim - act.t) * 1e3 - loop_ms - act_ms)
    return {k: round(statistics.median(v), 1) for k, v in parts.items() if v}


def main() -> None:
    """Run the benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="first level only")
    args = parser.parse_args()
    levels = load_levels(DEFAULT_LEVELS)
    steps: list[Step] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        with live_display(work):
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
        unknown += s.board.unknown_count
        wrong_cells, animating = judge_read(log, s)
        mid += animating
        wrong += wrong_cells or 0
    grab_read = [s.stage_ms["grab"] + s.stage_ms["read"] for s in reads]
    acting = [s.stage_ms["grab"] + s.stage_ms["read"] for s in reads if s.action is not None]
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
                "overhead_parts_ms_median": overhead_parts_ms(log, steps),
                "read_ms_median_acting": round(statistics.median(acting), 3),
                "read_ms_max": round(max(grab_read), 1),
                "reads_uncertain": sum(not s.board.is_certain for s in reads if s.board),
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
