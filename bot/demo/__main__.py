"""Play the Fling demo game in a window: `python -m bot.demo [options]`.

    python -m bot.demo                        # the bundled levels (bot/demo/levels.toml)
    python -m bot.demo --seed 7               # six generated levels
    python -m bot.demo --levels my.toml --level 2 --state-log state.jsonl \\
        --tile-px 64 --geometry +100+100 --speed-cells-per-s 20

Prints "ready" once the first frame is on screen, `WIN level=<name> moves=<n>` for each
level solved and `ALL DONE` after the last. Closes on SIGTERM, SIGINT or the window's
close button. See bot.demo.game for the window layout and the state log.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Sequence

from bot.demo.game import GameOptions, run_game
from bot.demo.levels import DEFAULT_LEVELS, Level, generated_levels, load_levels
from bot.errors import TilebotError

_POSITION = re.compile(r"\+(\d+)\+(\d+)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line; argparse exits with status 2 and a usage line on a bad one."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.demo", description="Play the Fling demo game in a window."
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--seed", type=int, help="play six levels generated from this seed")
    source.add_argument("--levels", help=f"levels file (default: {DEFAULT_LEVELS.name})")
    parser.add_argument("--level", help="start at this level: its number (from 1) or name")
    parser.add_argument("--state-log", help="append the game's state as JSON lines here")
    parser.add_argument("--tile-px", type=int, default=64, help="tile size in pixels (32..128)")
    parser.add_argument("--geometry", help="window position +X+Y in screen pixels")
    parser.add_argument(
        "--speed-cells-per-s", type=float, default=20.0, help="rolling speed (default 20)"
    )
    args = parser.parse_args(argv)
    if args.geometry is not None and _POSITION.fullmatch(args.geometry) is None:
        parser.error(f"--geometry {args.geometry!r}: expected +X+Y, e.g. +100+100")
    return args


def choose_levels(args: argparse.Namespace) -> tuple[tuple[Level, ...], int]:
    """The levels to play and the index of the first; TilebotError on a bad choice."""
    if args.seed is not None:
        levels = generated_levels(args.seed)
    else:
        levels = load_levels(args.levels or DEFAULT_LEVELS)
    if args.level is None:
        return levels, 0
    names = [level.name for level in levels]
    if args.level in names:
        return levels, names.index(args.level)
    if args.level.isdigit() and 1 <= int(args.level) <= len(levels):
        return levels, int(args.level) - 1
    raise TilebotError(
        f"--level {args.level!r}: expected a number 1..{len(levels)} or one of {', '.join(names)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the game; return 0 when it was closed, 2 on a bad command line or levels file."""
    args = parse_args(argv)
    try:
        levels, first = choose_levels(args)
        position = None
        if args.geometry is not None:
            match = _POSITION.fullmatch(args.geometry)
            assert match is not None  # checked in parse_args
            position = (int(match[1]), int(match[2]))
        options = GameOptions(args.tile_px, args.speed_cells_per_s, first, position)
        with contextlib.ExitStack() as stack:
            log = None
            if args.state_log is not None:
                try:
                    log = stack.enter_context(open(args.state_log, "a", encoding="utf-8"))
                except OSError as exc:
                    raise TilebotError(
                        f"--state-log {args.state_log}: cannot open: {exc.strerror}"
                    ) from None
            return run_game(levels, options, log)
    except TilebotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
