"""Synthetic overlay sequences with ground truth, and compression noise to spoil them.

A sequence is a game field that changes entirely every frame (random tiles at a random
offset, plus moving balls) under a fixed overlay: an opaque HUD strip across the top
covering 8% of the frame, with a score and icons, a timer in the HUD that ticks every
frame, and an opaque round logo over part of the field. The truth is per pixel: static
where the clean frames are identical throughout the sequence.

Noise: `jpeg` (OpenCV's encoder at a quality) and `blocky` (H.264-like: each 8x8 block of
each channel DCT-quantised with a step that varies per frame, so static blocks flicker).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.frame import Pixels

Mask = npt.NDArray[np.bool_]

HUD_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class OverlayScene:
    """Clean frames (each (H, W, 3) uint8 BGR) and the truth: (H, W) bool, True = static.

    timer: (H, W) bool, the pixels the ticking timer changes.
    """

    frames: tuple[Pixels, ...]
    truth: Mask
    timer: Mask


def _field(width: int, height: int, rng: np.random.Generator) -> Pixels:
    """A field of random tiles at a random offset, textured, with two balls."""
    tile = max(8, round(height / 24 * rng.uniform(0.8, 1.3)))
    colours = rng.integers(30, 230, (height // tile + 2, width // tile + 2, 3), dtype=np.uint8)
    big = cv2.resize(colours, None, fx=tile, fy=tile, interpolation=cv2.INTER_NEAREST)
    ox, oy = (int(v) for v in rng.integers(0, tile, 2))
    img = np.ascontiguousarray(big[oy : oy + height, ox : ox + width])
    img = cv2.add(img, rng.integers(0, 24, img.shape, dtype=np.uint8))
    for _ in range(2):
        centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        cv2.circle(img, centre, max(4, height // 14), colour, -1, cv2.LINE_AA)
    return np.asarray(img, dtype=np.uint8)


def _hud(width: int, hud_px: int) -> Pixels:
    """The HUD strip: a gradient, a score and three icons (identical every frame)."""
    ramp = np.linspace(20, 90, width, dtype=np.float32)
    strip = np.zeros((hud_px, width, 3), np.uint8)
    strip[..., 0] = (ramp * 1.4).astype(np.uint8)
    strip[..., 1] = ramp.astype(np.uint8)
    strip[..., 2] = 25
    scale = hud_px / 40
    base = int(hud_px * 0.7)
    cv2.putText(strip, "SCORE 012345", (hud_px // 3, base), cv2.FONT_HERSHEY_SIMPLEX, scale,
                (235, 235, 235), max(1, hud_px // 20), cv2.LINE_AA)  # fmt: skip
    for k in range(3):
        centre = (int(width * 0.42) + k * hud_px, hud_px // 2)
        cv2.circle(strip, centre, hud_px // 3, (40, 200, 240), -1, cv2.LINE_AA)
    return strip


def _timer(strip: Pixels, index: int) -> Pixels:
    """The HUD with its timer (centiseconds, 3.3 a frame at 30 fps) drawn at the right."""
    out = strip.copy()
    hud_px, width = strip.shape[:2]
    cs = 1234 + index * 10 // 3
    text = f"TIME {cs // 100:02d}.{cs % 100:02d}"
    scale = hud_px / 40
    cv2.putText(out, text, (int(width * 0.70), int(hud_px * 0.7)), cv2.FONT_HERSHEY_SIMPLEX,
                scale, (255, 255, 255), max(1, hud_px // 20), cv2.LINE_AA)  # fmt: skip
    return out


def _logo(width: int, height: int) -> tuple[Pixels, Mask]:
    """An opaque round logo near the bottom-right of the field: its image and its mask."""
    img = np.zeros((height, width, 3), np.uint8)
    mask = np.zeros((height, width), np.uint8)
    r = max(6, height // 10)
    centre = (width - int(2.2 * r), height - int(1.8 * r))
    cv2.circle(mask, centre, r, 255, -1)
    cv2.circle(img, centre, r, (200, 60, 160), -1)
    cv2.circle(img, centre, int(r * 0.6), (250, 250, 250), max(1, r // 8))
    cv2.putText(img, "TB", (centre[0] - r // 2, centre[1] + r // 4), cv2.FONT_HERSHEY_SIMPLEX,
                r / 40, (20, 20, 20), max(1, r // 12))  # fmt: skip
    return img, mask > 0


def overlay_sequence(count: int, width: int, height: int, seed: int = 0) -> OverlayScene:
    """`count` frames of width x height with a fixed HUD and logo over a changing field."""
    rng = np.random.default_rng(seed)
    hud_px = round(height * HUD_SHARE)
    strip = _hud(width, hud_px)
    logo, logo_mask = _logo(width, height)
    frames = []
    for i in range(count):
        img = _field(width, height, rng)
        img[:hud_px] = _timer(strip, i)
        img[logo_mask] = logo[logo_mask]
        img.flags.writeable = False
        frames.append(img)
    stack = np.stack(frames)
    truth = np.all(stack == stack[0], axis=(0, 3))
    hud_rows = stack[:, :hud_px]
    timer = np.zeros((height, width), bool)
    timer[:hud_px] = ~np.all(hud_rows == hud_rows[0], axis=(0, 3))
    return OverlayScene(tuple(frames), truth, timer)


def jpeg(pixels: Pixels, quality: int) -> Pixels:
    """`pixels` through OpenCV's JPEG encoder at `quality` (4:2:0) and back."""
    ok, data = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.asarray(cv2.imdecode(data, cv2.IMREAD_COLOR), dtype=np.uint8)


def _dct_matrix() -> npt.NDArray[np.float32]:
    k = np.arange(8)
    d = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / 16) * np.sqrt(2 / 8)
    d[0] /= np.sqrt(2)
    return np.asarray(d, dtype=np.float32)


DCT8 = _dct_matrix()


def blocky(pixels: Pixels, step: float) -> Pixels:
    """H.264-like blocking: every 8x8 block of each channel DCT-quantised with `step`.

    Vary `step` from frame to frame (as rate control does) and static blocks flicker.
    """
    h, w = pixels.shape[:2]
    ph, pw = -h % 8, -w % 8
    padded = cv2.copyMakeBorder(pixels, 0, ph, 0, pw, cv2.BORDER_REPLICATE).astype(np.float32)
    hh, ww = padded.shape[:2]
    # (rows, 8, cols, 8, 3) -> (rows, cols, 3, 8, 8): one 8x8 block per trailing pair
    blocks = padded.reshape(hh // 8, 8, ww // 8, 8, 3).transpose(0, 2, 4, 1, 3)
    coeffs = DCT8 @ blocks @ DCT8.T
    coeffs = np.round(coeffs / step) * step
    back = (DCT8.T @ coeffs @ DCT8).transpose(0, 3, 1, 4, 2)
    out = np.clip(np.round(back), 0, 255).astype(np.uint8).reshape(hh, ww, 3)
    return np.ascontiguousarray(out[:h, :w])
