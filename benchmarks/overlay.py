"""Frame-diff benchmark: static layer, settling and scene identification. One JSON line.

    python benchmarks/overlay.py            # the full figures
    python benchmarks/overlay.py --quick    # a small smoke run

update_ms_1080p: median ms of one `update_static` on a 1920x1080 frame in which everything
moved (target <= 2); mask_ms_1080p: median ms of `static_mask` on it. mask_iou: the static
mask after 8 frames of the synthetic overlay sequence (HUD 8% of the frame, logo, ticking
timer, the field changing every frame) at 1920x1080 with JPEG-70 noise, against the truth
(target >= 0.98; the worst of the seeds); mask_iou_by_noise has other noises.
demo_mask_iou: the layer learned (min_px 15) over a 12-level session of the Fling demo
(balls rolling, some resting under the semi-opaque logo, the timer ticking, levels
changing the tile texture), against the renderer's true HUD + logo mask (the HUD strip
less the boxes of its changing texts, the logo's pixels of any opacity), over the HUD
strip and the field (the window's frame around the field is static too but neither):
the worst of seeds 0-2 of the ocean and desert themes; demo_by_theme has, per theme, the
worst IoU and logo cover and the largest board share (mask pixels on the field outside the
logo) and timer cover over the seeds, and demo_mask_iou_jpeg70 the ocean seed 0 session
through JPEG at quality 70. settle_latency_ms: live on a private Xvfb, sgt-flip and sgt-fifteen are
grabbed at 200 Hz with ScreenSource while XTEST clicks; the settler then runs on the same
frames seen at 60 Hz (every phase, 1 ms apart), told of each click as the loop is, and
the latency is its first settled frame minus the animation's last change in the 200 Hz
capture minus the profile's quiet time: the median over clicks and phases (target <= 15);
settle_latency_ms_by_rate_hz adds 30 Hz and the 200 Hz capture itself, settle_premature
counts settled verdicts mid-animation (must be 0), redraw_gap_ms the longest gap between
redraws (and from a click to the first redraw) each game showed. scene_id_ms: median ms of
`identify` of a 1920x1080 frame against 8 scenes (target <= 1); scene_id_ms_8x3 with
three examples per scene.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import median_ms
from bot.frame import Frame, Pixels
from bot.overlay import (
    StaticLayer,
    StaticSettings,
    extract_overlay,
    mask_iou,
    static_mask,
    update_static,
)
from bot.profile import SettleSpec
from bot.scene import SceneBank, identify
from bot.settle import find_animations
from tests.animation import GAMES, capture, game_on_xvfb, settle_latencies_ms
from tests.overlay_scenes import blocky, demo_session, jpeg, overlay_sequence

WIDTH, HEIGHT = 1920, 1080
HANDFUL = 8
QUIET_MS = {"flip": 45, "fifteen": 45}
"""The quiet times proposed for the two games' profiles (see tests/test_settle.py)."""
STREAM_HZ = 60.0
DEMO_LEVELS = 12
DEMO_SETTINGS = StaticSettings(min_px=15)
"""As in tests/test_overlay.py: the demo's thinnest overlay (the logo) is 22 px tall."""

NOISES: dict[str, Callable[[Pixels, int], Pixels]] = {
    "jpeg-60": lambda p, i: jpeg(p, 60),
    "jpeg-70": lambda p, i: jpeg(p, 70),
    "jpeg-90": lambda p, i: jpeg(p, 90),
    "h264-like": lambda p, i: blocky(p, 6.0 + (i * 7) % 11),
}


def static_figures(seeds: int, repeats: int) -> dict[str, Any]:
    """Update time and mask IoU of the static layer at 1920x1080."""
    by_noise: dict[str, float] = {}
    frames: list[Frame] = []
    for name, noise in NOISES.items():
        worst = 1.0
        for seed in range(seeds):
            scene = overlay_sequence(HANDFUL, WIDTH, HEIGHT, seed=seed)
            frames = [Frame(noise(p, i), i, i / 30) for i, p in enumerate(scene.frames)]
            worst = min(worst, mask_iou(extract_overlay(frames).mask, scene.truth))
        by_noise[name] = round(worst, 4)
    layer = StaticLayer()
    for f in frames:
        layer = update_static(layer, f)
    turn = iter(range(10**9))

    def one_update() -> None:
        update_static(layer, frames[next(turn) % len(frames)])

    return {
        "update_ms_1080p": median_ms(one_update, repeats, warmups=2),
        "mask_ms_1080p": median_ms(lambda: static_mask(layer), max(10, repeats // 5), warmups=2),
        "mask_iou": by_noise["jpeg-70"],
        "mask_iou_by_noise": by_noise,
        "mask_iou_frames": HANDFUL,
    }


def demo_figures(quick: bool) -> dict[str, Any]:
    """The layer learned over Fling demo sessions against the renderer's truth."""
    levels, seeds = (4, [0]) if quick else (DEMO_LEVELS, [0, 1, 2])
    by_theme: dict[str, dict[str, float]] = {}
    for theme in ("ocean", "desert", "night"):
        runs = [demo_run(theme, levels, seed) for seed in seeds]
        by_theme[theme] = {
            "iou": min(r["iou"] for r in runs),
            "logo_cover": min(r["logo_cover"] for r in runs),
            "hud_cover": min(r["hud_cover"] for r in runs),
            "timer_cover": max(r["timer_cover"] for r in runs),
            "board_share": max(r["board_share"] for r in runs),
        }
    return {
        "demo_mask_iou": min(by_theme[t]["iou"] for t in ("ocean", "desert")),
        "demo_by_theme": by_theme,
        "demo_mask_iou_jpeg70": demo_run("ocean", levels, 0, quality=70)["iou"],
        "demo_levels": levels,
        "demo_seeds": len(seeds),
    }


def demo_run(theme: str, levels: int, seed: int, quality: int | None = None) -> dict[str, float]:
    """Learn over one demo session (frames through JPEG at `quality`, None: as drawn)."""
    session = demo_session(theme, levels, seed)
    layer = StaticLayer(DEMO_SETTINGS)
    for i, drawn in enumerate(session.frames()):
        pixels = drawn if quality is None else jpeg(drawn, quality)
        layer = update_static(layer, Frame(pixels, i, i / 60))
    mask, truth = static_mask(layer), session.truth()
    strip = np.zeros_like(mask)
    strip[: np.nonzero(truth.hud.any(axis=1))[0].max() + 1] = True
    seen = strip | truth.field
    board = truth.field & ~truth.logo
    return {
        "iou": round(mask_iou(mask & seen, truth.hud | truth.logo), 4),
        "logo_cover": round(float(mask[truth.logo].mean()), 4),
        "hud_cover": round(float(mask[truth.hud].mean()), 4),
        "timer_cover": round(float(mask[truth.timer].mean()), 4),
        "board_share": round(float(mask[board].mean()), 4),
    }


def settle_figures(quick: bool) -> dict[str, Any]:
    """Settle latency and redraw gaps of live sgt-flip and sgt-fifteen animations."""
    by_rate: dict[str, dict[str, float]] = {}
    gaps: dict[str, float] = {}
    premature = 0
    all_60: list[float] = []
    for name in ("flip", "fifteen"):
        game = GAMES[name]
        if quick:
            game = dataclasses.replace(game, clicks=game.clicks[:2])
        with game_on_xvfb(game) as (locator, window):
            time.sleep(0.3)  # the first draw
            cap = capture(game, locator, window, 200.0)
        anims = find_animations(cap.frames, game.grid, [c.t for c in cap.clicks])
        worst_gap = max(max(a.longest_gap_ms, a.reaction_ms) for a in anims)
        gaps[name] = round(worst_gap, 1)
        spec = SettleSpec(quiet_ms=QUIET_MS[name])
        for rate in (STREAM_HZ, 30.0, 200.0):
            step = 0.001 if rate < 200 else 1.0
            lat, early = settle_latencies_ms(cap, game.grid, spec, rate, step)
            premature += early
            if rate == STREAM_HZ:
                all_60 += lat
            by_rate.setdefault(f"{rate:g}", {})[name] = round(statistics.median(lat), 1)
            by_rate[f"{rate:g}"][f"{name}_max"] = round(max(lat), 1)
    return {
        "settle_latency_ms": round(statistics.median(all_60), 1),
        "settle_latency_ms_p90": round(float(np.percentile(all_60, 90)), 1),
        "settle_latency_ms_by_rate_hz": by_rate,
        "settle_premature": premature,
        "settle_quiet_ms": QUIET_MS,
        "redraw_gap_ms": gaps,
    }


def scene_figures(repeats: int) -> dict[str, Any]:
    """Identify a 1920x1080 frame against 8 scenes (one example each, then three)."""
    scenes = [overlay_sequence(3, 320, 180, seed=s).frames for s in range(8)]
    tinted = {f"scene-{k}": [np.asarray(f // (1 + k % 3), np.uint8) for f in fr] for k, fr in
              enumerate(scenes)}  # fmt: skip
    one = SceneBank.build({name: frames[0] for name, frames in tinted.items()})
    three = SceneBank.build(tinted)
    big = np.repeat(np.repeat(scenes[0][1], WIDTH // 320, axis=0), WIDTH // 320, axis=1)
    frame = Frame(np.ascontiguousarray(big), 0, 0.0)
    return {
        "scene_id_ms": median_ms(lambda: identify(frame, one), repeats, warmups=2),
        "scene_id_ms_8x3": median_ms(lambda: identify(frame, three), repeats, warmups=2),
        "scene_id_frame_px": [WIDTH, HEIGHT],
    }


def main(argv: list[str] | None = None) -> int:
    """Measure and print one JSON line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    repeats = 20 if args.quick else 300
    result: dict[str, Any] = {"quick": args.quick}
    result |= static_figures(seeds=1 if args.quick else 3, repeats=repeats)
    result |= demo_figures(args.quick)
    result |= scene_figures(repeats)
    result |= settle_figures(args.quick)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
