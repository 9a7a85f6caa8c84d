"""The command line: exit codes, messages without tracebacks, record and replay end to end."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.recording import Recording
from tests.live import LaunchGame

ROOT = Path(__file__).resolve().parent.parent
FLIP = ROOT / "recordings" / "flip-5x5"
PROFILE = ROOT / "profiles" / "flip.toml"


def test_replay_of_the_shipped_recording(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(FLIP), "--profile", str(PROFILE), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "frames replayed: 150" in out
    assert "stopped: end of frames" in out


def test_replay_of_a_damaged_recording_names_the_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rec = shutil.copytree(FLIP, tmp_path / "rec")
    first = json.loads((rec / "events.jsonl").read_text().splitlines()[0])
    (rec / first["frame"]).write_bytes(b"not an image")
    args = ["replay", str(rec), "--profile", str(PROFILE), "--no-progress"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "000000.qoi (frame 0): corrupt QOI data" in err
    assert "Traceback" not in err
    assert main([*args, "--skip-damaged"]) == 0


def test_replay_with_an_unknown_level(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["replay", str(FLIP), "--profile", str(PROFILE), "--level", "huge", "--no-progress"]
    assert main(args) == 2
    assert "levels.huge: no such level (levels: t16, t24," in capsys.readouterr().err


def test_replay_when_the_grid_does_not_fit_the_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(PROFILE.parent / "sgt", tmp_path / "sgt")  # the banks it names
    bad = tmp_path / "big.toml"
    bad.write_text(PROFILE.read_text().replace("rows = 5", "rows = 9"))
    assert main(["replay", str(FLIP), "--profile", str(bad), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "the 9x5 grid of 48 px tiles at (24, 49) ends at (264, 481), outside the 288x350" in err


def test_profile_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(PROFILE.read_text().replace("tile_px = 48", "tile_px = 0"))
    assert main(["profile", "check", str(PROFILE), str(broken)]) == 1
    out = capsys.readouterr().out
    levels = "t16, t24, t32, t40, t48, t56, t64, screenshot"
    assert f"{PROFILE}: ok (game flip; levels: {levels})" in out
    assert f"{broken}: base.grid.tile_px: Input should be greater than 0" in out


def test_profile_schema_file(tmp_path: Path) -> None:
    assert main(["profile", "schema", "--out", str(tmp_path / "s.json")]) == 0
    assert json.loads((tmp_path / "s.json").read_text())["title"] == "Profile"


@pytest.mark.parametrize("command", [[], ["record"], ["replay"], ["profile"], ["profile", "check"]])
def test_help_for_every_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage: tilebot" in capsys.readouterr().out


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["record", "--region", "0,0,10,10", "--out", "x", "--fps", "-3"])
    assert info.value.code == 2
    assert "-3 must be positive" in capsys.readouterr().err


def test_record_without_a_display(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    assert main(["record", "--region", "0,0,10,10", "--out", str(tmp_path / "r")]) == 2
    assert "no X display: DISPLAY is not set" in capsys.readouterr().err


def _tilebot(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )


def _wait_for_events(path: Path, count: int, proc: subprocess.Popen[str]) -> None:
    events = path / "events.jsonl"
    while not events.exists() or events.read_text().count("\n") < count:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)


@pytest.mark.live
def test_record_region_until_ctrl_c(xvfb: str, tmp_path: Path) -> None:
    out = tmp_path / "rec"
    proc = _tilebot("record", "--region", "1200,700,200,200", "--fps", "50", "--out", str(out))
    _wait_for_events(out, 10, proc)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped by Ctrl-C" in err
    rec = Recording.open(out)
    frames = list(rec.frames())
    assert len(frames) >= 10
    assert frames[0].pixels.shape == (100, 80, 3)  # clipped to the 1280x800 screen
    assert rec.manifest.region is not None and rec.manifest.region.x == 1200


@pytest.mark.live
def test_record_window_until_it_vanishes(launch_game: LaunchGame, tmp_path: Path) -> None:
    game = launch_game("flip", "5x5#1")
    out = tmp_path / "rec"
    proc = _tilebot("record", "--pid", str(game.process.pid), "--fps", "50", "--out", str(out))
    _wait_for_events(out, 5, proc)
    game.process.kill()
    game.process.wait()
    _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "the recording keeps every frame grabbed before" in err
    frames = list(Recording.open(out).frames())
    assert frames[0].pixels.shape == (350, 288, 3)
    assert frames[0].origin == (100, 100)


@pytest.mark.live
def test_run_self_test_on_a_real_window(launch_game: LaunchGame) -> None:
    game = launch_game("flip", "5x5#1")
    proc = _tilebot("run", "--self-test", "--pid", str(game.process.pid), "--profile", str(PROFILE))
    _, err = proc.communicate()
    assert proc.returncode == 0, err
    assert "self-test pointer: ok" in err and "self-test frame: ok" in err


def test_run_refuses_a_game_without_a_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.toml"
    other.write_text(PROFILE.read_text().replace('game = "flip"', 'game = "chess"'))
    args = ["run", "--region", "0,0,10,10", "--profile", str(other), "--dry-run"]
    assert main(args) == 2
    assert "game: Tilebot has no policy for 'chess' yet" in capsys.readouterr().err
