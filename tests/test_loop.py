"""The one loop over recorded frames: deterministic, paced by recorded time."""

from __future__ import annotations

from pathlib import Path

from bot.act import RecordingActuator
from bot.clock import VirtualClock
from bot.loop import Limits, Step, run_loop
from bot.profile import GridSpec, LevelProfile, SettleSpec
from bot.reading import make_reader
from bot.recording import Recording, RecordingWriter, ReplaySource
from tests.scenes import rolling_frames

LEVEL = LevelProfile(
    grid=GridSpec(origin_x_px=0, origin_y_px=0, tile_px=20, rows=6, cols=8),
    settle=SettleSpec(quiet_ms=60),
)


def replay_once(path: Path, limits: Limits | None = None) -> list[Step]:
    clock = VirtualClock()
    steps: list[Step] = []
    result = run_loop(
        ReplaySource(Recording.open(path), clock),
        clock,
        LEVEL,
        make_reader(),
        actuator=RecordingActuator(),
        on_step=steps.append,
        limits=limits or Limits(),
    )
    assert result.frames == len(steps)
    return steps


def test_replay_twice_gives_identical_steps(tmp_path: Path) -> None:
    with RecordingWriter(tmp_path / "r") as w:
        for f in rolling_frames(60, dt=0.025):
            w.write(f)
    a, b = replay_once(tmp_path / "r"), replay_once(tmp_path / "r")
    key = [(s.index, s.t, s.settled, s.board) for s in a]
    assert key == [(s.index, s.t, s.settled, s.board) for s in b]
    assert [s.t for s in a] == [round(i * 0.025, 6) for i in range(60)]
    # moving for 10 frames, resting for 10: reads happen only in the rest periods
    assert [s.index for s in a if s.settled][:3] == [12, 13, 14]
    assert all(s.board is not None and s.board.unknown_count == 48 for s in a if s.settled)


def test_frame_limit(tmp_path: Path) -> None:
    with RecordingWriter(tmp_path / "r") as w:
        for f in rolling_frames(20):
            w.write(f)
    assert len(replay_once(tmp_path / "r", Limits(max_frames=7))) == 7
