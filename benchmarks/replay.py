"""Replay benchmark: record 1,000 textured 450x520 game frames, then replay them.

Prints one JSON line: frames, frames_per_s (replay: decode + the whole loop),
record_ms_per_frame (median time `RecordingWriter.write` adds to a loop paced at
--record-fps), record_ms_per_frame_max, record_ms_per_frame_unpaced (the same with no
pacing: encoder back-pressure included), bytes_per_frame, peak_rss_mb, rss_growth_mb
(resident memory at the end of replay minus after its first 100 frames).
Targets: >= 200 frames/s, recorder <= 2 ms per frame on the loop, growth < 50 MB.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.act import RecordingActuator
from bot.clock import VirtualClock
from bot.demo.render import render_scene
from bot.frame import Frame, Pixels
from bot.loop import Step, run_loop
from bot.profile import GridSpec, LevelProfile, SettleSpec
from bot.reading import make_reader
from bot.recording import Recording, RecordingWriter, ReplaySource

WIDTH, HEIGHT, TILE = 450, 520, 64
LEVEL = LevelProfile(
    grid=GridSpec(origin_x_px=1, origin_y_px=4, tile_px=TILE, rows=8, cols=7),
    settle=SettleSpec(quiet_ms=50),
)


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def game_frames(count: int, seed: int = 0) -> list[Pixels]:
    """`count` Fling frames: balls roll one after another, a few rests between rolls."""
    rng = np.random.default_rng(seed)
    themes = ("ocean", "desert", "night")
    balls = [
        (f"{c}-{d}", int(rng.integers(0, 8)), int(rng.integers(0, 7)))
        for c, d in zip(
            rng.choice(["red", "green", "blue", "yellow", "purple"], 8),
            rng.choice(["up", "down", "left", "right"], 8),
            strict=True,
        )
    ]
    frames = []
    for i in range(count):
        k = (i // 40) % len(balls)
        phase = (i % 40) / 30.0  # rolls for 30 frames, rests for 10
        moving = [
            (lab, r, (c + min(phase, 1.0) * 3) % 7 if j == k else c)
            for j, (lab, r, c) in enumerate(balls)
        ]
        field = render_scene(moving, themes[(i // 400) % 3], TILE, seed=i // 400)
        canvas = np.full((HEIGHT, WIDTH, 3), 30, np.uint8)
        canvas[4 : 4 + field.shape[0], 1 : 1 + field.shape[1]] = field
        frames.append(canvas)
    return frames


def record(path: Path, images: list[Pixels], fps: float | None) -> list[float]:
    """Write `images` through a RecordingWriter; return ms spent in write() per frame."""
    costs = []
    period = 1.0 / fps if fps else 0.0
    start = time.perf_counter()
    with RecordingWriter(path, source="benchmark") as writer:
        for i, img in enumerate(images):
            frame = Frame(img, i, i / 30.0)
            t0 = time.perf_counter()
            writer.write(frame)
            costs.append((time.perf_counter() - t0) * 1e3)
            if period:
                delay = start + (i + 1) * period - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
    return costs


def replay(path: Path) -> tuple[float, int, float, float]:
    """Replay through the loop; return (seconds, frames, rss after 100 frames, rss at end)."""
    clock = VirtualClock()
    marks: list[float] = []

    def on_step(step: Step) -> None:
        if step.index == 100:
            marks.append(rss_mb())

    t0 = time.perf_counter()
    result = run_loop(
        ReplaySource(Recording.open(path), clock),
        clock,
        LEVEL,
        make_reader(),
        actuator=RecordingActuator(),
        on_step=on_step,
    )
    seconds = time.perf_counter() - t0
    return seconds, result.frames, marks[0] if marks else rss_mb(), rss_mb()


def main() -> None:
    """Run the benchmark and print its JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--record-fps", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true", help="200 frames, for a smoke run")
    args = parser.parse_args()
    count = 200 if args.quick else args.frames
    cv2.setNumThreads(1)
    images = game_frames(count)
    with tempfile.TemporaryDirectory() as tmp:
        paced = record(Path(tmp) / "paced", images, args.record_fps)
        unpaced = record(Path(tmp) / "unpaced", images, None)
        size = sum(f.stat().st_size for f in (Path(tmp) / "paced" / "frames").iterdir())
        seconds, frames, rss_start, rss_end = replay(Path(tmp) / "paced")
    print(
        json.dumps(
            {
                "frames": frames,
                "frame_wh": [WIDTH, HEIGHT],
                "frames_per_s": round(frames / seconds, 1),
                "record_fps": args.record_fps,
                "record_ms_per_frame": round(statistics.median(paced), 3),
                "record_ms_per_frame_mean": round(statistics.fmean(paced), 3),
                "record_ms_per_frame_max": round(max(paced), 3),
                "record_ms_per_frame_unpaced": round(statistics.fmean(unpaced), 3),
                "bytes_per_frame": int(size / count),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "rss_growth_mb": round(rss_end - rss_start, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
