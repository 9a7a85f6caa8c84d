"""Frames and regions: shapes are checked, pixels are read-only, regions clip."""

from __future__ import annotations

import numpy as np
import pytest

from bot.errors import FrameError
from bot.frame import Frame, Region


def test_frame_pixels_are_read_only_and_caller_array_untouched() -> None:
    arr = np.zeros((4, 5, 3), np.uint8)
    f = Frame(arr, 0, 0.0, (10, 20))
    with pytest.raises(ValueError, match="read-only"):
        f.pixels[0, 0, 0] = 1
    arr[0, 0, 0] = 7  # the caller's own array stays writable
    assert f.width == 5 and f.height == 4
    assert f.region == Region(10, 20, 5, 4)


@pytest.mark.parametrize(
    ("pixels", "message"),
    [
        (np.zeros((4, 5, 3), np.float32), "frame 3: expected dtype uint8, got float32"),
        (np.zeros((4, 5), np.uint8), r"frame 3: expected shape \(H, W, 3\) BGR, got \(4, 5\)"),
        (
            np.zeros((4, 5, 4), np.uint8),
            r"frame 3: expected shape \(H, W, 3\) BGR, got \(4, 5, 4\)",
        ),
        (np.zeros((0, 5, 3), np.uint8), r"frame 3: empty image \(0, 5, 3\)"),
        ([[1, 2, 3]], "frame 3: expected a numpy array, got list"),
    ],
)
def test_bad_images_are_named(pixels: object, message: str) -> None:
    with pytest.raises(FrameError, match=message):
        Frame(pixels, 3, 0.0)  # type: ignore[arg-type]


def test_region_parse_contains_intersect() -> None:
    r = Region.parse("10, 20, 30, 40")
    assert (r.x, r.y, r.right, r.bottom) == (10, 20, 40, 60)
    assert r.contains(10, 20) and r.contains(39.9, 59.9)
    assert not r.contains(40, 20) and not r.contains(9.9, 30)
    assert r.intersect(Region(30, 50, 100, 100)) == Region(30, 50, 10, 10)
    assert r.intersect(Region(40, 20, 5, 5)) is None
    with pytest.raises(FrameError, match="expected four integers"):
        Region.parse("1,2,3")
    with pytest.raises(FrameError, match="must have a positive size"):
        Region(0, 0, 0, 5)
