"""Tilebot: bots that watch a game window, read the board, decide and act."""

from loguru import logger

__version__ = "0.1.0"

# A library stays quiet unless its application asks: the CLI enables these logs.
logger.disable("bot")
