"""The `tilebot` command line; `python -m bot` and the script share `main(argv) -> int`.

Exit codes: 0 success, 1 a check failed (profile problems, replayed decisions differ),
2 a user error (bad arguments or input; the message names the file, field or frame).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

from loguru import logger

from bot import __version__
from bot.commands.sources import add_target_arguments
from bot.errors import ProfileError, Stopped, TilebotError
from bot.log import configure_logging

TUNING_COMMANDS = MappingProxyType(
    {
        "discover": "a new game: find the grid, cluster the tiles, write a starter profile",
        "label": "write a label file for frames of a recording, pre-filled by the recognizer",
        "templates": "build a template bank from a recording's labelled tiles",
        "tune": "search a level's thresholds on labelled frames; write them back",
        "inspect": "draw what the bot reads (grid, labels, confidence) as PNGs and HTML",
    }
)
"""Profile-tuning commands: name -> help. Each lives in bot.commands.NAME, with
add_arguments(parser) and NAME_command(args) -> int."""


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be positive")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
    parser = argparse.ArgumentParser(
        prog="tilebot",
        description="Bots that watch a game window, read the board and play it.",
    )
    parser.add_argument("--version", action="version", version=f"tilebot {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every frame")
    parser.add_argument("--log-json", type=Path, metavar="FILE", help="also log JSON lines here")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    rec = sub.add_parser("record", help="record frames of a window or screen region")
    add_target_arguments(rec)
    rec.add_argument("--out", type=Path, required=True, metavar="DIR", help="new recording folder")
    rec.add_argument("--fps", type=_positive, default=30.0, help="frames per second (default 30)")
    rec.add_argument("--duration", type=_positive, metavar="S", help="stop after S seconds")
    rec.add_argument("--codec", choices=["qoi", "png"], default="qoi", help="frame file format")

    run = sub.add_parser("run", help="play a game live: capture, read, decide, act")
    add_target_arguments(run)
    run.add_argument("--profile", type=Path, required=True, metavar="FILE")
    run.add_argument("--level", metavar="L", help="level of the profile (default: base)")
    run.add_argument(
        "--game-id",
        metavar="ID",
        help="puzzle-collection games: the game's ID (e.g. 5x5c#1); sets the board size, "
        "fits the level to the window's tile size and tells the policy the rules",
    )
    run.add_argument("--fps", type=_positive, default=30.0, help="grabs per second (default 30)")
    run.add_argument("--record", type=Path, metavar="DIR", help="record frames, boards, actions")
    run.add_argument("--dry-run", action="store_true", help="decide but never touch the mouse")
    run.add_argument("--max-moves", type=int, metavar="N", help="stop after N actions")
    run.add_argument("--max-seconds", type=_positive, metavar="S", help="stop after S seconds")
    run.add_argument("--self-test", action="store_true", help="only run the coordinate self-test")
    run.add_argument(
        "--kill-key", default="Escape", help="hold this key to stop the bot (default Escape)"
    )

    rep = sub.add_parser("replay", help="run the loop over a recording, without a screen")
    rep.add_argument("recording", type=Path, metavar="RECORDING")
    rep.add_argument("--profile", type=Path, required=True, metavar="FILE")
    rep.add_argument("--level", metavar="L", help="level of the profile (default: base)")
    rep.add_argument("--skip-damaged", action="store_true", help="replay past damaged frames")
    rep.add_argument("--no-progress", action="store_true", help="no progress bar")
    rep.add_argument(
        "--decide",
        action="store_true",
        help="run the game's policy even on a frames-only recording",
    )

    demo = sub.add_parser(
        "demo", help="watch the bot play the Fling demo (no display: replay it, with a report)"
    )
    demo.add_argument("--replay", action="store_true", help="replay even with a display")
    demo.add_argument(
        "--report",
        type=Path,
        default=Path("demo-report"),
        metavar="DIR",
        help="where the headless replay writes its report (default demo-report/)",
    )
    demo.add_argument("--level", type=int, metavar="N", help="start at level N (from 1)")
    demo.add_argument("--one-level", action="store_true", help="stop after the first win")
    demo.add_argument("--record", type=Path, metavar="DIR", help="record the live session")
    demo.add_argument(
        "--max-seconds", type=_positive, default=300.0, help="give up after S (default 300)"
    )

    for name, text in TUNING_COMMANDS.items():
        module = importlib.import_module(f"bot.commands.{name}")
        module.add_arguments(sub.add_parser(name, help=text))

    prof = sub.add_parser("profile", help="check a profile file or write the JSON schema")
    psub = prof.add_subparsers(dest="profile_command", required=True, metavar="ACTION")
    check = psub.add_parser("check", help="validate profile files; one line per problem")
    check.add_argument("files", type=Path, nargs="+", metavar="FILE")
    schema = psub.add_parser("schema", help="print (or write) the profile JSON schema")
    schema.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `tilebot` command; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, args.log_json)
    try:
        if args.command == "record":
            from bot.commands.record import record_command

            return record_command(args)
        if args.command == "run":
            from bot.commands.run import run_command

            return run_command(args)
        if args.command == "demo":
            from bot.commands.demo import demo_command

            return demo_command(args)
        if args.command == "replay":
            from bot.commands.replay import replay_command

            return replay_command(args)
        if args.command == "profile":
            return _profile_command(args)
        if args.command in TUNING_COMMANDS:
            module = importlib.import_module(f"bot.commands.{args.command}")
            code: int = getattr(module, f"{args.command}_command")(args)
            return code
    except ProfileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    except Stopped as exc:
        logger.warning("stopped: {}", exc)
        return 130
    except TilebotError as exc:
        logger.error("{}", exc)
        return 2
    except KeyboardInterrupt:
        logger.warning("interrupted")
        return 130
    parser.error(f"unknown command {args.command!r}")
    return 2  # pragma: no cover - parser.error exits


def _profile_command(args: argparse.Namespace) -> int:
    from bot.profile import load_profile, profile_schema

    if args.profile_command == "schema":
        text = profile_schema()
        if args.out:
            args.out.write_text(text + "\n", encoding="utf-8")
        else:
            print(text)
        return 0
    failed = 0
    for file in args.files:
        try:
            profile = load_profile(file)
        except ProfileError as exc:
            failed += 1
            for problem in exc.problems:
                print(problem)
            continue
        levels = ", ".join(profile.level_names()) or "base only"
        print(f"{file}: ok (game {profile.game}; levels: {levels})")
    return 1 if failed else 0
