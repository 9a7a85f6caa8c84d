"""Tuned values written into profile files: comments and everything else kept."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from bot.errors import ProfileError
from bot.profile import load_profile, parse_profile
from bot.tuning.writeback import set_level_values, write_level_values

ROOT = Path(__file__).resolve().parents[2]

TEXT = """\
# A small profile.
format = 1
game = "demo"

[base.grid]
origin_x_px = 0
origin_y_px = 0
tile_px = 32
rows = 2
cols = 2

[base.templates]
score_min = 0.80  # hand-picked for now
margin_min = 0.05

[levels.night]
description = "dark"
[levels.night.templates]
# night banks are noisier
bank = "night"

[levels.day]
description = "bright"
"""


def changed_lines(before: str, after: str) -> list[str]:
    """The lines added or removed, as unified-diff lines without the headers."""
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_value_lands_in_the_level_table_and_nothing_else_changes() -> None:
    out = set_level_values(TEXT, "night", {"templates.score_min": 0.87})

    assert changed_lines(TEXT, out) == ["+score_min = 0.87"]
    profile = parse_profile(out)
    assert profile.level("night").templates.score_min == 0.87
    assert profile.level("day").templates.score_min == 0.80
    assert profile.base.templates.score_min == 0.80
    assert "# night banks are noisier" in out


def test_a_replaced_value_keeps_its_trailing_comment() -> None:
    out = set_level_values(TEXT, "base", {"templates.score_min": 0.9, "templates.margin_min": 0.1})

    assert changed_lines(TEXT, out) == [
        "-score_min = 0.80  # hand-picked for now",
        "-margin_min = 0.05",
        "+score_min = 0.9  # hand-picked for now",
        "+margin_min = 0.1",
    ]


def test_a_missing_section_table_is_created_and_an_int_stays_an_int() -> None:
    out = set_level_values(TEXT, "day", {"colour.max_distance": 0.07, "templates.search_px": 2})

    day = parse_profile(out).level("day")
    assert day.colour.max_distance == 0.07
    assert day.templates.search_px == 2
    assert "[levels.day.colour]" in out
    assert "search_px = 2\n" in out


def test_an_unknown_level_is_named() -> None:
    with pytest.raises(ProfileError) as caught:
        set_level_values(TEXT, "dusk", {"templates.score_min": 0.9}, source="p.toml")

    assert caught.value.problems == ["p.toml: levels.dusk: no such level (levels: night, day)"]


def test_a_path_that_is_not_section_dot_field_is_refused() -> None:
    with pytest.raises(ProfileError, match=r"p.toml: 'score_min': expected a SECTION.FIELD"):
        set_level_values(TEXT, "day", {"score_min": 0.9}, source="p.toml")


def test_a_value_the_profile_refuses_is_reported_and_the_file_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(TEXT, encoding="utf-8")

    with pytest.raises(ProfileError) as caught:
        write_level_values(path, "night", {"templates.score_min": 1.5})

    assert caught.value.problems[0].startswith(f"{path}: levels.night.templates.score_min:")
    assert path.read_text(encoding="utf-8") == TEXT
    assert [p.name for p in tmp_path.iterdir()] == ["p.toml"]


def test_the_fling_profile_keeps_every_other_line(tmp_path: Path) -> None:
    path = tmp_path / "fling.toml"
    shutil.copy(ROOT / "profiles" / "fling.toml", path)
    before = path.read_text(encoding="utf-8")

    write_level_values(path, "ocean", {"templates.margin_min": 0.11, "colour.max_distance": 0.07})

    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "+margin_min = 0.11",
        "+",
        "+[levels.ocean.colour]",
        "+max_distance = 0.07",
    ]
    profile = load_profile(path)
    assert profile.level("ocean").templates.margin_min == 0.11
    assert profile.level("desert").templates.margin_min == profile.base.templates.margin_min
