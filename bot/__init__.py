"""Tilebot: bots that watch a game window, read the board, decide and act."""

__version__ = "0.1.0"
