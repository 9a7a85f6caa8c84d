"""`tilebot record`: frames of a window or screen region into a new recording."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator

from loguru import logger

from bot.capture import ScreenSource
from bot.clock import Clock, RealClock
from bot.errors import WindowLost
from bot.frame import Region
from bot.recording import RecordingWriter
from bot.window import WindowLocator, default_locator


@contextlib.contextmanager
def open_source(
    args: argparse.Namespace, clock: Clock
) -> Iterator[tuple[ScreenSource, Region | None, str]]:
    """The screen source the arguments ask for, with its first region and a description."""
    if args.region:
        region = Region.parse(args.region)
        with ScreenSource.of_region(region, clock, display=args.display) as source:
            yield source, region, f"region {args.region}"
        return
    locator: WindowLocator = default_locator(args.display)
    try:
        if args.pid is not None:
            window, what = locator.find_by_pid(args.pid), f"window of pid {args.pid}"
        else:
            window, what = locator.find_by_title(args.window), f"window {args.window!r}"
        region = locator.geometry(window)
        with ScreenSource.of_window(window, locator, clock, display=args.display) as source:
            yield source, region, what
    finally:
        locator.close()


def record_command(args: argparse.Namespace) -> int:
    """Grab frames at --fps until --duration, Ctrl-C or the window vanishes; always close."""
    clock = RealClock()
    period = 1.0 / args.fps
    with open_source(args, clock) as (source, region, what):
        logger.info("recording {} into {} at {} fps", what, args.out, args.fps)
        start = clock.now()
        with RecordingWriter(
            args.out, region=region, source=what, codec=args.codec, start_time=start
        ) as writer:
            count = 0
            try:
                while args.duration is None or clock.now() - start < args.duration:
                    frame = source.grab()
                    writer.write(frame)
                    count += 1
                    if source.moved:
                        logger.info("window moved to {}", frame.origin)
                    clock.sleep(start + count * period - clock.now())
            except KeyboardInterrupt:
                logger.info("stopped by Ctrl-C")
            except WindowLost as exc:
                logger.warning("{}; the recording keeps every frame grabbed before", exc)
    logger.info("recorded {} frames ({} files) into {}", count, writer.files_written, args.out)
    return 0
