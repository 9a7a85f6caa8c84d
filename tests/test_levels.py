"""Level selection: the scene on screen picks the level; other screens pause the bot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.board import Board
from bot.clock import VirtualClock
from bot.errors import ProfileError
from bot.frame import Frame
from bot.levels import load_selector
from bot.loop import Step, run_loop
from bot.profile import LevelProfile, load_profile
from bot.recording import Recording, RecordingWriter, ReplaySource
from bot.scene import SceneBank
from tests.scenes import field

PROFILE = """\
format = 1
game = "test"
[base.grid]
origin_x_px = 0
origin_y_px = 0
tile_px = 20
rows = 6
cols = 8
[base.settle]
quiet_ms = 0
[levels.small.grid]
rows = 2
[scenes]
bank = "scenes"
[scenes.levels]
green = "small"
blue = "base"
"""


def test_scenes_switch_levels_and_pause_on_other_screens(tmp_path: Path) -> None:
    screens = {name: field(seed=seed) for name, seed in [("green", 1), ("blue", 2), ("menu", 3)]}
    SceneBank.build(screens).save(tmp_path / "scenes")
    (tmp_path / "p.toml").write_text(PROFILE)
    profile = load_profile(tmp_path / "p.toml")
    selector = load_selector(profile, tmp_path / "p.toml")
    assert selector is not None
    order = ["green"] * 3 + ["menu"] * 2 + ["blue"] * 3 + ["green"] * 2
    with RecordingWriter(tmp_path / "rec") as w:
        for i, name in enumerate(order):
            w.write(Frame(screens[name], i, i * 0.1))
    seen: list[Step] = []
    rows_read: list[int] = []

    def reader(frame: Frame, level: LevelProfile) -> Board:
        rows_read.append(level.grid.rows)
        return Board.from_labels([["x"] * level.grid.cols] * level.grid.rows)

    clock = VirtualClock()
    run_loop(
        ReplaySource(Recording.open(tmp_path / "rec"), clock),
        clock,
        profile.level(None),
        reader,
        selector=selector,
        on_step=seen.append,
    )
    assert [s.level for s in seen] == ["small"] * 5 + [None] * 3 + ["small"] * 2
    assert [s.board is not None for s in seen] == [True] * 3 + [False] * 2 + [True] * 5
    assert rows_read == [2, 2, 2, 6, 6, 6, 2, 2]


def test_a_scene_mapped_to_a_missing_level_is_a_profile_problem(tmp_path: Path) -> None:
    (tmp_path / "p.toml").write_text(PROFILE.replace('green = "small"', 'green = "huge"'))
    with pytest.raises(ProfileError, match=r"scenes.levels.green: no level named 'huge'"):
        load_profile(tmp_path / "p.toml")
