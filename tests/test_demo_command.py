"""`tilebot demo`: headless replay with its report, and live play of every level."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.demo.levels import DEFAULT_LEVELS, load_levels

ROOT = Path(__file__).resolve().parent.parent


def test_headless_demo_replays_the_golden_sessions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    assert main(["demo", "--report", str(tmp_path / "report")]) == 0
    out = capsys.readouterr().out
    for theme in ("ocean", "desert", "night"):
        assert f"fling-{theme}:" in out and "decisions agree" in out
        pages = tmp_path / "report" / f"fling-{theme}"
        assert (pages / "index.html").is_file()
        assert len(list(pages.glob("frame-*.png"))) >= 3  # one per move at least
    assert "fling-ocean/index.html" in (tmp_path / "report" / "index.html").read_text()


@pytest.mark.live
def test_live_demo_solves_every_level(xvfb: str) -> None:
    """From a cold start the bot solves every level, and the game itself reports each win."""
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--max-seconds", "240"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    levels = load_levels(DEFAULT_LEVELS)
    assert f"levels won (as the game reports): {len(levels)}" in proc.stdout
    for level in levels:
        assert f"WIN level={level.name} " in proc.stdout
    assert "stopped: the game reports all levels done" in proc.stdout
