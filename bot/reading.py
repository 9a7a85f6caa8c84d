"""Bind a recognizer to a profile level: the `Reader` the loop calls on each settled frame."""

from __future__ import annotations

from pathlib import Path

from bot.board import UNKNOWN, Board
from bot.errors import FrameError
from bot.frame import Frame
from bot.loop import Reader
from bot.profile import GridSpec, LevelProfile


def check_grid_fits(frame: Frame, grid: GridSpec) -> None:
    """Raise FrameError naming both sizes when the grid reaches outside the frame."""
    right = grid.origin_x_px + grid.width_px
    bottom = grid.origin_y_px + grid.height_px
    if right > frame.width or bottom > frame.height:
        raise FrameError(
            f"frame {frame.index}: grid needs {right}x{bottom} px "
            f"but the frame is {frame.width}x{frame.height}"
        )


def make_reader(profile_path: Path | None = None) -> Reader:
    """A reader for levels of the profile at `profile_path`.

    Without a template bank every cell reads UNKNOWN (honestly).
    """

    def read_unknown(frame: Frame, level: LevelProfile) -> Board:
        check_grid_fits(frame, level.grid)
        g = level.grid
        return Board.from_labels([[UNKNOWN] * g.cols for _ in range(g.rows)], confidence=0.0)

    return read_unknown
