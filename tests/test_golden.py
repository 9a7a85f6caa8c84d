"""Golden recordings: the bot plays, records its decisions; replays must agree exactly."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.clock import VirtualClock
from bot.commands.replay import replay
from bot.demo.boards import random_labels
from bot.games.fling import FlingPolicy
from bot.games.fling_puzzles import generate
from bot.loop import run_loop
from bot.profile import Profile, load_profile
from bot.reading import make_reader
from bot.recording import Recording, RecordingWriter
from tests.fling_table import FlingTable

ROOT = Path(__file__).resolve().parent.parent


def fling_profile(tmp_path: Path) -> Path:
    """The shipped Fling profile with the grid at the table's origin, banks beside it."""
    text = (ROOT / "profiles" / "fling.toml").read_text()
    text = text.replace("origin_x_px = 8", "origin_x_px = 10")
    text = text.replace("origin_y_px = 56", "origin_y_px = 10")
    text = text.replace("overlay_regions = [[354, 546, 102, 22]]", "")
    text = text.replace('bank = "fling/scenes"', f'bank = "{ROOT}/profiles/fling/scenes"')
    text = text.replace('bank = "fling/', f'bank = "{ROOT}/profiles/fling/')
    (tmp_path / "fling.toml").write_text(text)
    return tmp_path / "fling.toml"


def puzzle_labels(seed: int) -> list[list[str]]:
    balls = generate(seed, 6)
    colours = [
        lab
        for row in random_labels(np.random.default_rng(seed), (30, 30))
        for lab in row
        if lab != "empty"
    ]
    labels = [["empty"] * 7 for _ in range(8)]
    for k, (r, c) in enumerate(sorted(balls)):
        labels[r][c] = colours[k]
    return labels


def play_and_record(tmp_path: Path, profile_path: Path, seed: int) -> tuple[Path, FlingTable]:
    profile = load_profile(profile_path)
    clock = VirtualClock()
    table = FlingTable(puzzle_labels(seed), "ocean", clock)
    out = tmp_path / f"golden-{seed}"
    with RecordingWriter(out, profile=str(profile_path), level="ocean", playing=True) as rec:
        result = run_loop(
            table,
            clock,
            profile.level("ocean"),
            make_reader(profile_path),
            policy=FlingPolicy(),
            actuator=table,
            recorder=rec,
            level_name="ocean",
        )
    assert result.stopped_because == "the policy has no further move"
    assert sum(lab != "empty" for row in table.labels for lab in row) == 1  # solved
    return out, table


def test_the_bot_solves_and_replays_agree(tmp_path: Path) -> None:
    profile_path = fling_profile(tmp_path)
    profile: Profile = load_profile(profile_path)
    out, table = play_and_record(tmp_path, profile_path, seed=11)
    assert table.moves == 5  # six balls, one leaves per move
    rec = Recording.open(out)
    first = replay(rec, profile, "ocean", profile_path)
    second = replay(Recording.open(out), profile, "ocean", profile_path)
    assert first.golden and first.diffs == () and second.diffs == ()
    assert first.result.decisions() == second.result.decisions()
    assert len(first.result.decisions()) == 5
    recorded = [(e.i, e.t, e.action) for e in rec.events if e.action]
    assert [(i, t, a) for i, t, a in first.result.decisions()] == recorded


def test_a_changed_decision_fails_the_replay(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile_path = fling_profile(tmp_path)
    out, _ = play_and_record(tmp_path, profile_path, seed=12)
    events = out / "events.jsonl"
    lines = events.read_text().splitlines()
    k = next(n for n, line in enumerate(lines) if json.loads(line).get("action"))
    event = json.loads(lines[k])
    event["action"]["direction"] = {"up": "down", "down": "up", "left": "right", "right": "left"}[
        event["action"]["direction"]
    ]
    lines[k] = json.dumps(event)
    events.write_text("\n".join(lines) + "\n")
    args = ["replay", str(out), "--profile", str(profile_path), "--level", "ocean", "--no-progress"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "decisions: 1 frames differ from the recording" in captured.out
    assert f"frame {event['i']}: recorded" in captured.err
