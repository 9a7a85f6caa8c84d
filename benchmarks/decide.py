"""Decision benchmarks: how fast the policies' solvers answer. Prints one JSON line.

    python benchmarks/decide.py            # the full figures
    python benchmarks/decide.py --quick    # a small smoke run

Each section is a function returning a dict of figures; `figures` merges them.
Times are wall-clock milliseconds of one call, measured with time.perf_counter.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


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


def figures(quick: bool) -> dict[str, Any]:
    """Every section's figures in one mapping (a smaller run when `quick`)."""
    result: dict[str, Any] = {"quick": quick}
    result.update(fling_figures(22 if quick else 200))
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
