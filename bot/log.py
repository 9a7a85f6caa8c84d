"""Logging set-up for the command line: readable console lines, optional JSON lines file."""

from __future__ import annotations

import sys
from pathlib import Path

from loguru import logger
from tqdm import tqdm

CONSOLE_FORMAT = "<green>{time:HH:mm:ss.SSS}</green> <level>{level: <7}</level> {message}"


def configure_logging(verbose: bool = False, json_path: Path | None = None) -> None:
    """Send logs to stderr (INFO, or DEBUG with per-frame stage timings when `verbose`)
    without breaking progress bars, and every record as a JSON line to `json_path`."""
    logger.remove()
    logger.enable("bot")
    logger.add(
        lambda message: tqdm.write(message, end="", file=sys.stderr),
        level="DEBUG" if verbose else "INFO",
        format=CONSOLE_FORMAT,
        colorize=sys.stderr.isatty(),
    )
    if json_path is not None:
        logger.add(json_path, level="DEBUG", serialize=True, enqueue=False)
