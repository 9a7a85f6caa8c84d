"""Frames and regions: the pixels the loop sees and where they sit on the screen.

Coordinates: pixels inside a frame are (x, y) from its top-left; screen pixels are frame
pixels plus the frame's screen origin; array positions are (row, col).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from bot.errors import FrameError

Pixels = npt.NDArray[np.uint8]
"""An image: (H, W, 3) uint8, BGR channel order."""


@dataclass(frozen=True, slots=True)
class Region:
    """A rectangle in screen pixels: top-left (x, y), size (width, height), all ints."""

    x: int
    y: int
    width: int
    height: int

    def __post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise FrameError(f"region {self.width}x{self.height} must have a positive size")

    @classmethod
    def parse(cls, text: str) -> Region:
        """Parse `x,y,w,h` (as typed on a command line); raise FrameError when malformed."""
        parts = text.replace(" ", "").split(",")
        try:
            x, y, w, h = (int(p) for p in parts)
        except ValueError:
            raise FrameError(f"region {text!r}: expected four integers x,y,w,h") from None
        return cls(x, y, w, h)

    @property
    def right(self) -> int:
        """One past the last column, in screen pixels."""
        return self.x + self.width

    @property
    def bottom(self) -> int:
        """One past the last row, in screen pixels."""
        return self.y + self.height

    @property
    def geometry(self) -> str:
        """The region as `WxH+X+Y` (signed offsets), the way X11 tools print geometry."""
        return f"{self.width}x{self.height}{self.x:+d}{self.y:+d}"

    def contains(self, x: float, y: float) -> bool:
        """True when the screen point (x, y) lies inside this region."""
        return self.x <= x < self.right and self.y <= y < self.bottom

    def intersect(self, other: Region) -> Region | None:
        """The overlap of two regions, or None when they do not overlap."""
        x0, y0 = max(self.x, other.x), max(self.y, other.y)
        x1, y1 = min(self.right, other.right), min(self.bottom, other.bottom)
        if x1 <= x0 or y1 <= y0:
            return None
        return Region(x0, y0, x1 - x0, y1 - y0)

    def as_dict(self) -> dict[str, int]:
        """The region as a JSON-ready mapping."""
        return {"x": self.x, "y": self.y, "width": self.width, "height": self.height}


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One grabbed image and when and where it was grabbed.

    pixels: (H, W, 3) uint8 BGR, read-only; never modified by any stage.
    index: 0-based position in its session.
    timestamp: seconds on the loop's clock (monotonic live, recorded time in replay).
    origin: screen position (x, y) of pixel (0, 0); it changes when a followed window moves.
    """

    pixels: Pixels
    index: int
    timestamp: float
    origin: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        check_pixels(self.pixels, what=f"frame {self.index}")
        if self.pixels.flags.writeable:
            # A view, so the caller's array is untouched; stages cannot mutate the frame.
            view = self.pixels.view()
            view.flags.writeable = False
            object.__setattr__(self, "pixels", view)

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.pixels.shape[0])

    @property
    def region(self) -> Region:
        """Where this frame sits on the screen."""
        return Region(self.origin[0], self.origin[1], self.width, self.height)


def check_pixels(pixels: object, what: str = "image") -> None:
    """Raise FrameError unless `pixels` is an (H, W, 3) uint8 array with H, W > 0."""
    if not isinstance(pixels, np.ndarray):
        raise FrameError(f"{what}: expected a numpy array, got {type(pixels).__name__}")
    if pixels.dtype != np.uint8:
        raise FrameError(f"{what}: expected dtype uint8, got {pixels.dtype}")
    if pixels.ndim != 3 or pixels.shape[2] != 3:
        raise FrameError(f"{what}: expected shape (H, W, 3) BGR, got {pixels.shape}")
    if pixels.shape[0] == 0 or pixels.shape[1] == 0:
        raise FrameError(f"{what}: empty image {pixels.shape}")


class FrameSource(Protocol):
    """Where the loop gets its frames: the live screen, or a recording in replay."""

    def grab(self) -> Frame:
        """The next frame; SourceExhausted at the end, another TilebotError on failure."""
        ...

    def close(self) -> None:
        """Release what the source holds. Safe to call more than once."""
        ...
