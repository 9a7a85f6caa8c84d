"""Decision benchmarks: how fast solvers answer and clicks go out. Prints one JSON line.

    python benchmarks/decide.py            # the full figures
    python benchmarks/decide.py --quick    # a small smoke run

Each section is a function returning a dict of figures; `figures` merges them.
Times are wall-clock milliseconds of one call, measured with time.perf_counter.

The actuator section starts its own Xvfb (1280x800x24) and the logging Tk window of
tests/tk_target.py, then measures actuate_overhead_ms (median of one
`PyAutoGuiActuator.perform(Click)`, safety check included) beside
peer_pyautogui_default_click_ms (`pyautogui.click(x, y)` with pyautogui's default PAUSE)
on the same window in the same run; actuate_overhead_ratio is ours over the peer's
(target <= 0.1). actuate_clicks_logged counts the presses the window received, all clicks
of both kinds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import median_ms


def fling_figures(count: int) -> dict[str, Any]:
    """Solve `count` puzzles of the Fling puzzle set; every solution is replayed to one ball.

    fling_solved counts solutions that replay to one ball under the rules.
    """
    # Imported here, after the checkout is on sys.path.
    from bot.games.fling_puzzles import puzzle_set
    from bot.games.fling_rules import apply_move, is_solved
    from bot.games.fling_solver import solve

    puzzles = puzzle_set(count)
    times_ms: list[float] = []
    solved = 0
    for puzzle in puzzles:
        start = time.perf_counter()
        solution = solve(puzzle)
        times_ms.append((time.perf_counter() - start) * 1000)
        if solution is not None:
            balls = puzzle
            for move in solution:
                balls = apply_move(balls, move).balls
            solved += is_solved(balls)
    return {
        "fling_puzzles": len(puzzles),
        "fling_balls_min": min(len(p) for p in puzzles),
        "fling_balls_max": max(len(p) for p in puzzles),
        "fling_solved": solved,
        "fling_solve_ms_median": round(statistics.median(times_ms), 3),
        "fling_solve_ms_p90": round(statistics.quantiles(times_ms, n=10)[-1], 3),
        "fling_solve_ms_max": round(max(times_ms), 3),
    }


def actuator_figures(repeats: int, peer_repeats: int) -> dict[str, Any]:
    """Click cost of PyAutoGuiActuator.perform against pyautogui.click with its default
    pause, on a logging Tk window on a private Xvfb display."""
    from bot.act import Placement
    from bot.actions import Click
    from bot.frame import Region
    from bot.profile import GridSpec
    from bot.window import X11Locator
    from tests.live import live_display, missing_xvfb, running_tk_target

    missing = missing_xvfb()
    if missing is not None:
        raise SystemExit(f"actuator benchmark cannot run: {missing}")
    window = Region(200, 150, 300, 240)
    grid = GridSpec(origin_x_px=3, origin_y_px=5, tile_px=56, gap_px=2, rows=4, cols=5)
    placement = Placement(grid, (window.x, window.y), window)
    click = Click((1, 2))
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_display(Path(tmp)) as display,
        X11Locator(display) as locator,
        running_tk_target(locator, Path(tmp) / "events.jsonl", window) as target,
        # pyautogui may talk on stdout; this program's stdout is its JSON line.
        contextlib.redirect_stdout(sys.stderr),
    ):
        from bot.pyautogui_actuator import PyAutoGuiActuator

        actuator = PyAutoGuiActuator()
        ours = median_ms(lambda: actuator.perform(click, placement), repeats)
        import pyautogui

        x, y = actuator.sent[-1].points[0]
        peer = median_ms(lambda: pyautogui.click(x, y), peer_repeats)
        logged = _wait_for_presses(target.log, repeats + peer_repeats + 2)
    return {
        "actuate_repeats": repeats,
        "actuate_overhead_ms": ours,
        "peer_pyautogui_default_click_ms": peer,
        "actuate_overhead_ratio": round(ours / peer, 4),
        "actuate_clicks_logged": logged,
    }


def _wait_for_presses(log: Path, wanted: int) -> int:
    """Button presses in the window's event log once `wanted` arrived (or after ~5 s)."""
    presses = 0
    for _ in range(500):
        lines = log.read_text(encoding="utf-8").splitlines()
        presses = sum('"event": "press"' in line for line in lines)
        if presses >= wanted:
            break
        time.sleep(0.01)
    return presses


def figures(quick: bool) -> dict[str, Any]:
    """Every section's figures in one mapping (a smaller run when `quick`)."""
    result: dict[str, Any] = {"quick": quick}
    result.update(fling_figures(22 if quick else 200))
    result.update(actuator_figures(*((20, 3) if quick else (300, 20))))
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure and print one JSON line on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    print(json.dumps(figures(args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
