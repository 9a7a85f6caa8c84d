"""Grid detection without a profile on boards drawn by the real sgt-puzzles games.

For flip, samegame, fifteen and mines at tile sizes 16-64 px, fresh boards (half of them
mid-game, from save files with moves: see benchmarks/sgt_accuracy.py) are drawn by the
game itself (`--screenshot`), and `detect_grid` must find each one's grid within 1 px
(rows, columns and pitch equal, origin at most 1 px off) of where the game drew it.
Timing is single-threaded (cv2.setNumThreads(1)), detection only.

    python benchmarks/grid_detect.py [--quick] [--boards-per-size N] [--seed S]

Prints one JSON line: per game and size the boards, the share detected within 1 px and
the median ms; per game the share overall; the largest image's side; the first misses.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.sgt_accuracy import SIZES, make_boards, source_of, within_1px  # noqa: E402
from bot.errors import TilebotError  # noqa: E402
from bot.games.sgt.ids import GAMES  # noqa: E402
from bot.games.sgt.screenshot import grid_of, render  # noqa: E402
from bot.vision.grid_detect import detect_grid  # noqa: E402

MAX_MISSES = 5
"""How many missed boards the report names."""


def sweep(boards_per_size: int, seed: int) -> dict[str, object]:
    """Draw `boards_per_size` boards per game and size, detect their grids; the figures."""
    rng = random.Random(seed)
    figures: dict[str, object] = {"seed": seed, "boards_per_size": boards_per_size}
    misses: list[str] = []
    largest = 0
    found_all = total = 0
    with tempfile.TemporaryDirectory(prefix="grid-detect-") as folder:
        tmp_dir = Path(folder)
        for game in GAMES:
            per_size: dict[str, dict[str, float]] = {}
            found_game = 0
            for t in SIZES:
                found = 0
                times: list[float] = []
                for board in make_boards(game, boards_per_size, rng):
                    image = render(game, source_of(board, tmp_dir), t, tmp_dir)
                    largest = max(largest, *image.shape[:2])
                    want = grid_of(game, board.rows, board.cols, t)
                    start = time.perf_counter()
                    try:
                        ok = within_1px(detect_grid(image), want)
                    except TilebotError:
                        ok = False
                    times.append((time.perf_counter() - start) * 1000)
                    found += ok
                    if not ok and len(misses) < MAX_MISSES:
                        misses.append(f"{game} t{t} {board.game_id} moves={list(board.moves)}")
                per_size[f"t{t}"] = {
                    "boards": boards_per_size,
                    "detected_within_1px": round(found / boards_per_size, 3),
                    "median_ms": round(statistics.median(times), 2),
                }
                found_game += found
            count = boards_per_size * len(SIZES)
            figures[game] = {
                "detected_within_1px": round(found_game / count, 3),
                "per_size": per_size,
            }
            found_all += found_game
            total += count
    figures["detected_within_1px"] = round(found_all / total, 4)
    figures["largest_image_px"] = largest
    figures["misses"] = misses
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 boards per game and size")
    parser.add_argument("--boards-per-size", type=int, default=20, help="boards per game/size")
    parser.add_argument("--seed", type=int, default=None, help="board seed (default: fresh)")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    count = 2 if args.quick else args.boards_per_size
    print(json.dumps(sweep(count, seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
