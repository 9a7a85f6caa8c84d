"""Recordings: round trip, crash safety, and a clear message for every kind of damage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bot.clock import VirtualClock
from bot.errors import RecordingError, SourceExhausted
from bot.frame import Frame, Region
from bot.recording import Recording, RecordingWriter, ReplaySource
from tests.scenes import rolling_frames


def write(path: Path, frames: list[Frame], codec: str = "qoi", **extra: object) -> Path:
    with RecordingWriter(path, region=Region(100, 50, 160, 120), codec=codec) as w:  # type: ignore[arg-type]
        for f in frames:
            w.write(f, **extra)
    return path


@pytest.mark.parametrize("codec", ["qoi", "png"])
def test_round_trip_keeps_pixels_times_and_origins(tmp_path: Path, codec: str) -> None:
    frames = rolling_frames(30)
    rec = Recording.open(write(tmp_path / "r", frames, codec))
    assert rec.manifest.codec == codec
    assert rec.manifest.region is not None and rec.manifest.region.width == 160
    back = list(rec.frames())
    assert [f.index for f in back] == list(range(30))
    for a, b in zip(frames, back, strict=True):
        assert np.array_equal(a.pixels, b.pixels)
        assert b.timestamp == pytest.approx(a.timestamp)
        assert b.origin == a.origin


def test_identical_consecutive_frames_are_stored_once(tmp_path: Path) -> None:
    frames = rolling_frames(40, still_every=10)
    path = write(tmp_path / "r", frames)
    files = sorted((path / "frames").iterdir())
    moving = {f.index for f in frames if (f.index // 10) % 2 == 0}
    # the first frame of each resting run repeats the last moving one, so only moving frames
    # (plus nothing else) need files
    assert len(files) == len(moving)
    rec = Recording.open(path)
    assert len(rec) == 40
    assert all(
        np.array_equal(a.pixels, b.pixels) for a, b in zip(frames, rec.frames(), strict=True)
    )


def test_replay_source_drives_the_virtual_clock(tmp_path: Path) -> None:
    frames = rolling_frames(5, dt=0.5)
    clock = VirtualClock()
    src = ReplaySource(Recording.open(write(tmp_path / "r", frames)), clock)
    times = []
    for _ in range(5):
        src.grab()
        times.append(clock.now())
    assert times == pytest.approx([0.0, 0.5, 1.0, 1.5, 2.0])
    with pytest.raises(SourceExhausted):
        src.grab()


def test_writer_refuses_to_overwrite(tmp_path: Path) -> None:
    path = write(tmp_path / "r", rolling_frames(2))
    with pytest.raises(RecordingError, match="already exists and is not empty"):
        RecordingWriter(path)


WRITER_SCRIPT = """
import sys, time
from bot.frame import Frame
from bot.recording import RecordingWriter
from tests.scenes import field
import numpy as np
base = field()
with RecordingWriter(sys.argv[1]) as w:
    i = 0
    while True:
        img = base.copy()
        img[i % 100, :, 2] = 255  # every frame differs
        w.write(Frame(img, i, i * 0.01))
        i += 1
        time.sleep(0.002)
"""


def test_sigkill_mid_session_replays_every_completed_frame(tmp_path: Path) -> None:
    path = tmp_path / "killed"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parent.parent))
    proc = subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(path)], env=env)
    try:
        events = path / "events.jsonl"
        # Wait for progress counted in frames written, not for a fixed time.
        while not events.exists() or events.read_text().count("\n") < 40:
            assert proc.poll() is None, "writer process died on its own"
            time.sleep(0.01)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    rec = Recording.open(path)
    frames = list(rec.frames())
    assert len(frames) >= 40
    assert [f.index for f in frames] == list(range(len(frames)))
    for f in frames:
        assert f.pixels[f.index % 100, 0, 2] == 255


# ---- damage: each names the file and frame ---------------------------------------------


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(tmp_path / "good", rolling_frames(12))


def test_missing_manifest(good: Path) -> None:
    (good / "manifest.json").unlink()
    with pytest.raises(RecordingError, match=r"manifest.json: missing manifest"):
        Recording.open(good)


def test_unknown_format_version(good: Path) -> None:
    m = json.loads((good / "manifest.json").read_text())
    m["version"] = 7
    (good / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(
        RecordingError, match=r"unknown format version 7; this Tilebot reads version 1"
    ):
        Recording.open(good)


def test_not_a_recording_folder(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="not a recording directory"):
        Recording.open(tmp_path / "nope")


def test_truncated_last_line(good: Path) -> None:
    text = (good / "events.jsonl").read_text()
    (good / "events.jsonl").write_text(text[:-20])
    with pytest.raises(RecordingError, match=r"events.jsonl:12: last line is truncated"):
        Recording.open(good)
    rec = Recording.open(good, skip_damaged=True)
    assert len(rec) == 11 and "truncated" in rec.warnings[0]


def test_bad_event_line_in_the_middle(good: Path) -> None:
    lines = (good / "events.jsonl").read_text().splitlines(keepends=True)
    lines[4] = '{"i": 4, "t": "soon"}\n'
    (good / "events.jsonl").write_text("".join(lines))
    with pytest.raises(RecordingError, match=r"events.jsonl:5: bad event"):
        Recording.open(good)


def test_out_of_order_frames(good: Path) -> None:
    lines = (good / "events.jsonl").read_text().splitlines(keepends=True)
    lines[3], lines[4] = lines[4], lines[3]
    (good / "events.jsonl").write_text("".join(lines))
    with pytest.raises(RecordingError, match=r"events.jsonl:5: frame 3 is out of order"):
        Recording.open(good)


def test_missing_frame_file(good: Path) -> None:
    (good / "frames" / "000005.qoi").unlink()
    with pytest.raises(RecordingError, match=r"000005.qoi \(frame 5\): frame file is missing"):
        Recording.open(good)
    rec = Recording.open(good, skip_damaged=True)
    assert 5 not in [f.index for f in rec.frames()]


def test_corrupt_frame_file(good: Path) -> None:
    f = good / "frames" / "000002.qoi"
    f.write_bytes(f.read_bytes()[:50])
    rec = Recording.open(good)
    with pytest.raises(RecordingError, match=r"000002.qoi \(frame 2\): corrupt QOI data"):
        list(rec.frames())
    # frames stored as differences to frame 2 are lost with it, up to the next keyframe
    kept = [f.index for f in Recording.open(good, skip_damaged=True).frames()]
    assert kept == [0, 1]


def test_damage_stops_at_the_next_keyframe(tmp_path: Path) -> None:
    with RecordingWriter(tmp_path / "r", keyframe_interval=4) as w:
        for frame in rolling_frames(12):
            w.write(frame)
    events = Recording.open(tmp_path / "r").events
    assert [e.base is None for e in events[:10]] == [i % 4 == 0 for i in range(10)]
    damaged = tmp_path / "r" / "frames" / "000002.qoi"
    damaged.write_bytes(damaged.read_bytes()[:50])
    rec = Recording.open(tmp_path / "r")
    with pytest.raises(RecordingError, match=r"\(frame 3\): its base is damaged: .*000002.qoi"):
        rec.load(rec.events[3])
    kept = [f.index for f in Recording.open(tmp_path / "r", skip_damaged=True).frames()]
    assert kept == [0, 1, 4, 5, 6, 7, 8, 9, 10, 11]


def test_differences_shrink_recordings(tmp_path: Path) -> None:
    frames = rolling_frames(30, still_every=30)
    whole = write_with(tmp_path / "whole", frames, keyframe_interval=1)
    delta = write_with(tmp_path / "delta", frames, keyframe_interval=30)
    assert size_of(delta) * 5 < size_of(whole)
    for a, b in zip(Recording.open(delta).frames(), frames, strict=True):
        assert np.array_equal(a.pixels, b.pixels)


def write_with(path: Path, frames: list[Frame], keyframe_interval: int) -> Path:
    with RecordingWriter(path, keyframe_interval=keyframe_interval) as w:
        for f in frames:
            w.write(f)
    return path


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in (path / "frames").iterdir())


def test_wrong_frame_size(good: Path) -> None:
    lines = (good / "events.jsonl").read_text().splitlines(keepends=True)
    ev = json.loads(lines[1])
    ev["size"] = [100, 100]
    lines[1] = json.dumps(ev) + "\n"
    (good / "events.jsonl").write_text("".join(lines))
    rec = Recording.open(good)
    with pytest.raises(
        RecordingError, match=r"\(frame 1\): image is 160x120 but the event says 100x100"
    ):
        list(rec.frames())
