"""The live frame source a command's --window / --pid / --region arguments ask for."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

from bot.capture import ScreenSource
from bot.clock import Clock
from bot.frame import Region
from bot.window import WindowId, WindowLocator, default_locator


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """--window / --pid / --region (one required) and --display."""
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--window", metavar="TITLE", help="follow the window whose title has this")
    target.add_argument("--pid", type=int, help="follow the window of this process")
    target.add_argument("--region", metavar="X,Y,W,H", help="a fixed screen region")
    parser.add_argument("--display", help="X display (default: $DISPLAY)")


@dataclass(frozen=True, slots=True)
class LiveTarget:
    """An open screen source and what it captures.

    region: the first capture region (screen pixels). what: a description for logs.
    locator, window: the followed window (None for a fixed region), for the self-test.
    """

    source: ScreenSource
    region: Region
    what: str
    locator: WindowLocator | None = None
    window: WindowId | None = None


@contextlib.contextmanager
def open_source(args: argparse.Namespace, clock: Clock) -> Iterator[LiveTarget]:
    """The screen source the arguments ask for (--window, --pid or --region)."""
    if args.region:
        region = Region.parse(args.region)
        with ScreenSource.of_region(region, clock, display=args.display) as source:
            yield LiveTarget(source, region, f"region {args.region}")
        return
    locator: WindowLocator = default_locator(args.display)
    try:
        if args.pid is not None:
            window, what = locator.find_by_pid(args.pid), f"window of pid {args.pid}"
        else:
            window, what = locator.find_by_title(args.window), f"window {args.window!r}"
        region = locator.geometry(window)
        with ScreenSource.of_window(window, locator, clock, display=args.display) as source:
            yield LiveTarget(source, region, what, locator, window)
    finally:
        locator.close()
