"""`tilebot record`: frames of a window or screen region into a new recording."""

from __future__ import annotations

import argparse

from loguru import logger

from bot.clock import RealClock
from bot.commands.sources import open_source
from bot.errors import WindowLost
from bot.recording import RecordingWriter


def record_command(args: argparse.Namespace) -> int:
    """Grab frames at --fps until --duration, Ctrl-C or the window vanishes; always close."""
    clock = RealClock()
    period = 1.0 / args.fps
    with open_source(args, clock) as target:
        source, region, what = target.source, target.region, target.what
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
