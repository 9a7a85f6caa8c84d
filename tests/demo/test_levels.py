"""Fling demo levels: the bundled file, generated levels and clear errors on bad data."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from bot.demo.levels import (
    DEFAULT_LEVELS,
    MAX_BALLS,
    format_rows,
    generated_levels,
    label_of,
    load_levels,
    parse_levels,
    puzzle_labels,
)
from bot.demo.themes import COLS, EMPTY, LABELS, ROWS, THEMES
from bot.errors import TilebotError
from bot.games.fling_puzzles import generate
from bot.games.fling_rules import balls_from_labels
from bot.games.fling_solver import solve

EMPTY_ROW = ". . . . . . ."


def level_text(rows: list[str], extra: str = "", name: str = "one") -> str:
    quoted = ",\n".join(f'  "{row}"' for row in rows)
    return f'[[level]]\nname = "{name}"\ntheme = "ocean"\n{extra}rows = [\n{quoted},\n]\n'


def two_ball_rows() -> list[str]:
    rows = [EMPTY_ROW] * ROWS
    rows[2] = ". r> . . . bv ."
    return rows


def test_bundled_levels_cover_every_theme_twice_and_are_solvable() -> None:
    levels = load_levels(DEFAULT_LEVELS)
    per_theme = Counter(level.theme for level in levels)
    assert set(per_theme) == set(THEMES) and min(per_theme.values()) >= 2
    assert len({level.name for level in levels}) == len(levels)
    for level in levels:
        assert len(level.labels) == ROWS and all(len(row) == COLS for row in level.labels)
        assert all(label in LABELS for row in level.labels for label in row)
        assert len(level.balls) >= 2 and solve(level.balls) is not None, level.name
    # Consecutive levels change theme, so each advance shows a different field.
    assert all(a.theme != b.theme for a, b in itertools.pairwise(levels))


def test_rows_accept_codes_and_full_labels() -> None:
    rows = two_ball_rows()
    rows[2] = ". red-right . . . bv ."
    (level,) = parse_levels(level_text(rows, "texture = 9\n"))
    assert level.labels[2][1] == "red-right" and level.labels[2][5] == "blue-down"
    assert level.texture_seed == 9 and level.name == "one" and level.theme == "ocean"
    assert sum(label != EMPTY for row in level.labels for label in row) == 2


def test_format_rows_round_trips() -> None:
    labels = puzzle_labels(5, 9)
    (level,) = parse_levels(level_text(list(format_rows(labels))))
    assert level.labels == labels


def test_label_codes() -> None:
    assert label_of(".") == EMPTY
    assert label_of("y^") == "yellow-up" and label_of("p<") == "purple-left"
    assert label_of("x^") is None and label_of("rr") is None and label_of("red") is None


def test_generated_level_matches_the_puzzle_generator() -> None:
    text = '[[level]]\ntheme = "night"\nseed = 31\nballs = 6\n'
    (level,) = parse_levels(text)
    assert level.balls == generate(31, 6)
    assert level.name == "night-1" and level.texture_seed == 0
    assert parse_levels(text) == (level,)  # deterministic


def test_generated_levels_cycle_themes_and_grow() -> None:
    levels = generated_levels(7)
    assert [level.theme for level in levels] == ["ocean", "desert", "night"] * 2
    assert [len(level.balls) for level in levels] == [3, 4, 5, 6, 7, 8]
    assert levels == generated_levels(7) and levels != generated_levels(8)
    assert all(solve(level.balls) is not None for level in levels)


def test_puzzle_labels_are_seeded() -> None:
    assert puzzle_labels(3, 5) == puzzle_labels(3, 5)
    assert balls_from_labels(puzzle_labels(3, 5)) == generate(3, 5)


def unsolvable_rows() -> list[str]:
    rows = [EMPTY_ROW] * ROWS
    rows[0], rows[1] = "r> . . . . . .", ". bv . . . . ."
    return rows


def with_row(index: int, text: str) -> list[str]:
    rows = two_ball_rows()
    rows[index] = text
    return rows


BAD_LEVELS = [
    ("[[level]\n", "not valid TOML"),
    ("", "no levels"),
    ("title = 'x'\n", "unknown top-level key 'title'"),
    (level_text(two_ball_rows(), 'colour = "red"\n'), "level 1 (one): unknown field 'colour'"),
    (level_text(two_ball_rows()).replace("ocean", "jungle"), "field 'theme': 'jungle'"),
    (level_text(two_ball_rows()[:7]), "field 'rows': expected 8 strings, got 7 rows"),
    (level_text(with_row(3, ". . . . . .")), "field 'rows' row 3: expected 7 cells"),
    (level_text(with_row(4, ". . . . x> . .")), "field 'rows' row 4 col 4: 'x>'"),
    (level_text(unsolvable_rows()), "field 'rows': the board cannot be solved"),
    (level_text(with_row(2, EMPTY_ROW)), "field 'rows': 0 ball(s)"),
    (level_text(two_ball_rows(), "seed = 3\n"), "either 'rows' or both 'seed' and 'balls'"),
    ('[[level]]\ntheme = "ocean"\nseed = 3\n', "level 1 (ocean-1): field 'balls' is missing"),
    ('[[level]]\ntheme = "ocean"\nseed = 3\nballs = 1\n', "field 'balls': 1 must be"),
    (f'[[level]]\ntheme = "ocean"\nseed = 3\nballs = {MAX_BALLS + 1}\n', "field 'balls'"),
    ('[[level]]\ntheme = "ocean"\nseed = -1\nballs = 3\n', "field 'seed': -1"),
    (level_text(two_ball_rows(), "texture = true\n"), "field 'texture': True"),
    (level_text(two_ball_rows(), name="a b"), "level 1: field 'name': 'a b'"),
    (level_text(two_ball_rows()) * 2, "level 2: field 'name': 'one' is repeated"),
]


@pytest.mark.parametrize(("text", "message"), BAD_LEVELS, ids=[m for _, m in BAD_LEVELS])
def test_bad_levels_name_file_level_and_field(text: str, message: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TilebotError) as caught:
        load_levels(path)
    assert str(caught.value).startswith(str(path)), caught.value
    assert message in str(caught.value)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(TilebotError, match=r"nope\.toml: cannot read"):
        load_levels(tmp_path / "nope.toml")


def test_bad_generated_levels_request() -> None:
    with pytest.raises(TilebotError, match="--seed -1"):
        generated_levels(-1)
