"""The static layer: overlays found under compression noise, timers kept out, pure updates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from bot.errors import FrameError
from bot.frame import Frame, Pixels
from bot.overlay import (
    DECAY,
    MIN_FRAMES,
    TOLERANCE,
    StaticLayer,
    extract_overlay,
    mask_iou,
    overlay_of,
    update_static,
)
from bot.recording import Recording
from tests.animation import GAMES
from tests.overlay_scenes import OverlayScene, blocky, jpeg, overlay_sequence

WIDTH, HEIGHT = 640, 360
HANDFUL = 8
RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
FLIP_GRID = GAMES["flip"].grid

NOISES: dict[str, Callable[[Pixels, int], Pixels]] = {
    "jpeg-60": lambda p, i: jpeg(p, 60),
    "jpeg-70": lambda p, i: jpeg(p, 70),
    "jpeg-90": lambda p, i: jpeg(p, 90),
    # the quantiser step changes every frame, as a video encoder's rate control does
    "h264-like": lambda p, i: blocky(p, 6.0 + (i * 7) % 11),
}


def noisy(scene: OverlayScene, noise: str) -> list[Frame]:
    return [Frame(NOISES[noise](p, i), i, i / 30) for i, p in enumerate(scene.frames)]


def grey_span(scene: OverlayScene) -> Pixels:
    """Per pixel, how far the clean frames' grey values range: (H, W) uint8."""
    greys = np.stack([cv2.cvtColor(p, cv2.COLOR_BGR2GRAY) for p in scene.frames])
    return np.asarray(greys.max(axis=0) - greys.min(axis=0), dtype=np.uint8)


@pytest.mark.parametrize("noise", sorted(NOISES))
@pytest.mark.parametrize("seed", [0, 1])
def test_overlay_of_a_handful_of_noisy_frames(noise: str, seed: int) -> None:
    scene = overlay_sequence(HANDFUL, WIDTH, HEIGHT, seed=seed)
    overlay = extract_overlay(noisy(scene, noise))
    assert mask_iou(overlay.mask, scene.truth) >= 0.98
    # the HUD is 8% of the frame, the logo some more: the truth is what the layer finds
    assert 0.08 < scene.truth.mean() < 0.12
    # the overlay as seen: the HUD's and logo's own pixels, black elsewhere
    both = overlay.mask & scene.truth
    error = np.abs(overlay.image[both].astype(int) - scene.frames[-1][both]).mean()
    assert error < 10
    assert not overlay.image[~overlay.mask].any()


def test_twice_compressed_frames_still_give_most_of_the_overlay() -> None:
    scene = overlay_sequence(HANDFUL, WIDTH, HEIGHT, seed=3)
    frames = [
        Frame(jpeg(blocky(p, 6.0 + (i * 7) % 11), 75), i, i / 30)
        for i, p in enumerate(scene.frames)
    ]
    assert mask_iou(extract_overlay(frames).mask, scene.truth) >= 0.95


@pytest.mark.parametrize("noise", ["jpeg-60", "h264-like"])
def test_the_ticking_timer_is_not_static(noise: str) -> None:
    scene = overlay_sequence(HANDFUL, WIDTH, HEIGHT, seed=2)
    mask = extract_overlay(noisy(scene, noise)).mask
    span = grey_span(scene)
    strong = scene.timer & (span > 2 * TOLERANCE)
    assert strong.sum() > 150
    assert not (mask & strong).any()
    # faint anti-aliased edges of the digits may pass for static; not more than that
    assert np.count_nonzero(mask & scene.timer) < 0.15 * scene.timer.sum()


def small_frames(count: int, tick_every: int) -> list[Frame]:
    """A 64x48 scene changing every frame, a static bar on top and a timer ticking every
    `tick_every` frames in the bar's corner (8x8 px at (0, 0))."""
    rng = np.random.default_rng(4)
    frames = []
    for i in range(count):
        img = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
        img[:12] = (90, 60, 30)
        img[0:8, 0:8] = 255 if (i // tick_every) % 2 else 0
        frames.append(Frame(img, i, i / 30))
    return frames


def test_a_timer_ticking_once_a_second_leaves_the_layer_for_good_at_its_first_tick() -> None:
    layer = StaticLayer()
    seen = []
    for f in small_frames(300, tick_every=30):
        layer = update_static(layer, f)
        assert layer.mask is not None
        seen.append(bool(layer.mask[0:8, 0:8].all()))
    # still until frame 30, it looked static (from frame MIN_FRAMES - 1); never again after
    assert all(seen[MIN_FRAMES - 1 : 30]) and not any(seen[30:])
    assert layer.mask is not None and layer.mask[8:12].all() and not layer.mask[12:].any()


def test_pixels_that_stop_changing_join_within_the_documented_frames() -> None:
    frames = small_frames(40, tick_every=1000)
    still = frames[-1].pixels
    layer = StaticLayer()
    for f in frames:
        layer = update_static(layer, f)
    assert layer.mask is not None and not layer.mask[12:].any()
    # the field stops: a pixel that spanned 255 levels is static after (255 - tol) / decay
    bound = -(-(255 - TOLERANCE) // DECAY)
    joined = None
    for k in range(1, bound + 1):
        layer = update_static(layer, Frame(still, 40 + k, (40 + k) / 30))
        assert layer.mask is not None
        if layer.mask.all():
            joined = k
            break
    assert joined is not None and joined <= bound


def test_updates_are_pure_and_replay_identically() -> None:
    frames = small_frames(12, tick_every=3)
    a = b = StaticLayer()
    for f in frames:
        before = a
        a = update_static(a, f)
        b = update_static(b, f)
        assert before.frames == f.index  # the old state is untouched
    assert a.low is not None and a.high is not None and a.mask is not None
    assert b.low is not None and b.high is not None and b.mask is not None
    assert np.array_equal(a.low, b.low) and np.array_equal(a.high, b.high)
    assert np.array_equal(a.mask, b.mask)
    assert not a.low.flags.writeable and not a.mask.flags.writeable
    # the bar (12 rows) is static but for the ticking 8x8 corner
    assert a.frames == 12 and a.static_share == pytest.approx((12 * 64 - 64) / (48 * 64))


def test_no_pixel_is_static_before_min_frames() -> None:
    layer = StaticLayer()
    for f in small_frames(MIN_FRAMES - 1, tick_every=1000):
        layer = update_static(layer, f)
        assert layer.static_share == 0.0
    layer = update_static(layer, small_frames(MIN_FRAMES, tick_every=1000)[-1])
    assert layer.static_share > 0.2


def test_a_resized_window_starts_a_new_layer() -> None:
    layer = StaticLayer()
    for f in small_frames(10, tick_every=1000):
        layer = update_static(layer, f)
    bigger = Frame(np.zeros((60, 80, 3), np.uint8), 10, 0.4)
    layer = update_static(layer, bigger)
    assert layer.frames == 1 and layer.mask is not None and layer.mask.shape == (60, 80)


def test_bad_input_is_refused_with_a_reason() -> None:
    frames = small_frames(10, tick_every=1000)
    with pytest.raises(FrameError, match="needs at least 8 frames, got 3"):
        extract_overlay(frames[:3])
    odd = [*frames, Frame(np.zeros((10, 10, 3), np.uint8), 10, 1.0)]
    with pytest.raises(FrameError, match="frame 10: size 10x10 differs"):
        extract_overlay(odd)
    with pytest.raises(FrameError, match="tolerance must be 0-255"):
        update_static(StaticLayer(), frames[0], tolerance=300)
    with pytest.raises(FrameError, match="decay must be 1-255"):
        update_static(StaticLayer(), frames[0], decay=0)
    with pytest.raises(FrameError, match="no overlay to extract"):
        overlay_of(StaticLayer())


def test_a_recorded_game_window_keeps_its_menu_bar_not_its_flipped_tiles() -> None:
    recording = Recording.open(RECORDINGS / "flip-anim")
    clicks = [e.i for e in recording.events if e.action is not None]
    layer = StaticLayer()
    for frame in recording.frames():
        layer = update_static(layer, frame)
        if frame.index == clicks[0] + 60:
            break  # 300 ms after the first click: its ~270 ms flip is over
    assert layer.mask is not None
    assert layer.mask[0:25].mean() > 0.99  # the menu bar never changes
    # cell (2, 2) was clicked and flipped (its icon stays; the tile around it changes)
    x, y, w, h = FLIP_GRID.cell_box(2, 2)
    assert layer.mask[y : y + h, x : x + w].mean() < 0.5
    x, y, w, h = FLIP_GRID.cell_box(0, 0)  # far from the click: untouched
    assert layer.mask[y : y + h, x : x + w].all()
