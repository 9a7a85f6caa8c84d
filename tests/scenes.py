"""Small textured scenes for tests: a ball that rolls, then rests, on a noisy tiled field."""

from __future__ import annotations

import cv2
import numpy as np

from bot.frame import Frame, Pixels


def field(width: int = 160, height: int = 120, seed: int = 0) -> Pixels:
    """A textured background (H, W, 3) uint8 BGR: 20 px tiles, each a colour plus noise."""
    rng = np.random.default_rng(seed)
    img = np.zeros((height, width, 3), np.uint8)
    for y in range(0, height, 20):
        for x in range(0, width, 20):
            img[y : y + 20, x : x + 20] = rng.integers(60, 190, 3)
    noise = rng.integers(0, 30, img.shape, dtype=np.uint8)
    return np.asarray(cv2.add(img, noise), dtype=np.uint8)


def rolling_frames(
    count: int, still_every: int = 10, dt: float = 0.02, seed: int = 0
) -> list[Frame]:
    """`count` frames dt s apart: a ball moves for `still_every` frames, then rests as long."""
    base = field(seed=seed)
    frames = []
    x = 20
    for i in range(count):
        if (i // still_every) % 2 == 0:
            x = 20 + (x + 7) % 120
        img = base.copy()
        cv2.circle(img, (x, 60), 9, (40, 40, 230), -1, cv2.LINE_AA)
        frames.append(Frame(img, i, i * dt, (100, 50)))
    return frames
