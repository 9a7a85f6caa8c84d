"""Grid geometry: tiles as read-only views into a frame.

Coordinates: frame pixels are (x, y); arrays are indexed [row, col] = [y, x].
Finding a grid without a profile is bot.vision.grid_detect.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from bot.errors import FrameError
from bot.profile import GridSpec

_T = TypeVar("_T", bound=np.generic)


def check_grid_fits(shape: tuple[int, ...], grid: GridSpec, what: str = "frame") -> None:
    """Raise FrameError unless every tile of `grid` lies inside an image of `shape` (H, W, ...)."""
    if len(shape) < 2:
        raise FrameError(f"{what}: expected an image of shape (H, W[, C]), got {shape}")
    height, width = int(shape[0]), int(shape[1])
    right = grid.origin_x_px + grid.width_px
    bottom = grid.origin_y_px + grid.height_px
    if right > width or bottom > height:
        raise FrameError(
            f"{what}: the {grid.rows}x{grid.cols} grid of {grid.tile_px} px tiles at "
            f"({grid.origin_x_px}, {grid.origin_y_px}) ends at ({right}, {bottom}), "
            f"outside the {width}x{height} image"
        )


def tile_views(pixels: npt.NDArray[_T], grid: GridSpec) -> npt.NDArray[_T]:
    """Every tile of `grid` as one read-only strided view into `pixels` (no copy).

    pixels: (H, W) or (H, W, C), any dtype. Returns (rows, cols, tile_px, tile_px[, C]),
    where [r, c] is the tile of cell (r, c). Raises FrameError when the grid does not fit.
    """
    check_grid_fits(pixels.shape, grid)
    pitch = grid.pitch_px
    base = pixels[grid.origin_y_px :, grid.origin_x_px :]
    s_row, s_col = pixels.strides[0], pixels.strides[1]
    shape = (grid.rows, grid.cols, grid.tile_px, grid.tile_px, *pixels.shape[2:])
    strides = (s_row * pitch, s_col * pitch, s_row, s_col, *pixels.strides[2:])
    return as_strided(base, shape=shape, strides=strides, writeable=False)


def board_view(pixels: npt.NDArray[_T], grid: GridSpec) -> npt.NDArray[_T]:
    """The board's bounding box in `pixels` as a read-only view: (height_px, width_px[, C])."""
    check_grid_fits(pixels.shape, grid)
    x, y = grid.origin_x_px, grid.origin_y_px
    view = pixels[y : y + grid.height_px, x : x + grid.width_px]
    view.flags.writeable = False
    return view
