"""Bind the recognizer to a profile: the `Reader` the loop calls on each settled frame."""

from __future__ import annotations

from pathlib import Path

from bot.board import UNKNOWN, Board
from bot.frame import Frame
from bot.loop import Reader
from bot.profile import LevelProfile
from bot.settle import Mask, regions_mask
from bot.vision.grid import check_grid_fits
from bot.vision.read import load_bank, read_board
from bot.vision.templates import TemplateBank


def make_reader(profile_path: Path | None = None) -> Reader:
    """A reader for the levels of the profile at `profile_path`.

    Each level's template bank (`templates.bank`, relative to the profile) is loaded once,
    on first use; its `overlay_regions` become a mask whose pixels weigh nothing. A level
    without a bank reads every cell as UNKNOWN: honest, and the bot never acts on it.
    """
    banks: dict[str, TemplateBank] = {}
    masks: dict[tuple[int, int, tuple[tuple[int, int, int, int], ...]], Mask] = {}

    def read(frame: Frame, level: LevelProfile) -> Board:
        name = level.templates.bank
        if name is None or profile_path is None:
            check_grid_fits(frame.pixels.shape, level.grid, f"frame {frame.index}")
            g = level.grid
            return Board.from_labels([[UNKNOWN] * g.cols for _ in range(g.rows)], 0.0)
        if name not in banks:
            banks[name] = load_bank(profile_path, level)
        mask = None
        if level.overlay_regions:
            key = (frame.height, frame.width, tuple(level.overlay_regions))
            if key not in masks:
                masks[key] = regions_mask(frame.height, frame.width, level.overlay_regions)
            mask = masks[key]
        return read_board(frame, level, banks[name], mask)

    return read
