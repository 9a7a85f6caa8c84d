"""Profiles: strict validation with `file: field.path: message`, levels, schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.errors import ProfileError
from bot.profile import load_profile, parse_profile, profile_schema

GOOD = """\
# a comment that tools must keep
format = 1
game = "flip"

[base.grid]
origin_x_px = 24
origin_y_px = 24
tile_px = 48
rows = 5
cols = 5

[base.timing]
max_actions_per_s = 5

[levels.big]
description = "64 px tiles"
[levels.big.grid]
tile_px = 64
origin_x_px = 32
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ProfileError) as info:
        parse_profile(text, source="p.toml")
    return info.value.problems


def test_levels_inherit_the_base_and_override_fields() -> None:
    prof = parse_profile(GOOD)
    assert prof.level_names() == ["big"]
    base, big = prof.level(None), prof.level("big")
    assert base.grid.tile_px == 48 and big.grid.tile_px == 64
    assert big.grid.origin_x_px == 32 and big.grid.origin_y_px == 24  # inherited
    assert big.timing.max_actions_per_s == 5
    assert big.description == "64 px tiles"
    with pytest.raises(KeyError):
        prof.level("nope")


def test_grid_geometry() -> None:
    g = parse_profile(GOOD.replace("cols = 5", "cols = 5\ngap_px = 2")).level().grid
    assert g.pitch_px == 50
    assert g.cell_box(1, 2) == (24 + 100, 24 + 50, 48, 48)
    assert g.cell_centre(0, 0) == (24 + 23.5, 24 + 23.5)
    assert g.width_px == 5 * 50 - 2


def test_toml_syntax_error_names_line() -> None:
    assert problems("format = 1\ngame = \n") == [
        "p.toml: line 2 column 7: Unexpected character: '\\n'"
    ]


def test_out_of_range_value_names_field() -> None:
    assert problems(GOOD.replace("tile_px = 48", "tile_px = -1")) == [
        "p.toml: base.grid.tile_px: Input should be greater than 0"
    ]


def test_unknown_field_is_rejected() -> None:
    assert problems(GOOD.replace("rows = 5", "rows = 5\nrowz = 5")) == [
        "p.toml: base.grid.rowz: Extra inputs are not permitted"
    ]


def test_bad_level_override_names_the_level() -> None:
    text = GOOD + "\n[levels.tiny.grid]\nrows = 0\n[levels.odd.timing]\nspeed = 3\n"
    assert problems(text) == [
        "p.toml: levels.tiny.grid.rows: Input should be greater than 0",
        "p.toml: levels.odd.timing.speed: Extra inputs are not permitted",
    ]


def test_a_border_ring_that_does_not_fit_the_tiles_names_the_level() -> None:
    text = GOOD + "\n[levels.small.grid]\ntile_px = 12\n[levels.small.occupancy]\n"
    text += "reads_empty = true\ninset_px = 3\n"
    assert problems(text) == [
        "p.toml: levels.small: Value error, occupancy: a ring of 3 px inset 3 px does not "
        "fit the grid's 12 px tiles"
    ]


def test_missing_required_section_and_wrong_format() -> None:
    out = problems('format = 2\ngame = "x"\n')
    assert "p.toml: format: Input should be 1" in out
    assert "p.toml: base: Field required" in out


def test_wrong_type() -> None:
    assert problems(GOOD.replace("rows = 5", 'rows = "five"')) == [
        "p.toml: base.grid.rows: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nope.toml: no such profile file"):
        load_profile(tmp_path / "nope.toml")


def test_schema_is_json_and_describes_levels() -> None:
    schema = json.loads(profile_schema())
    assert set(schema["required"]) >= {"game", "base"}
    assert "GridSpec" in schema["$defs"]


def test_shipped_profiles_are_valid() -> None:
    shipped = sorted((Path(__file__).parent.parent / "profiles").glob("*.toml"))
    assert shipped, "no profiles shipped"
    for file in shipped:
        load_profile(file)
