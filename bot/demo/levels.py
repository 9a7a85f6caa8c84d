"""Fling demo levels: read them from a TOML file or generate them from a seed.

A levels file is a list of `[[level]]` tables, played in order:

    [[level]]
    name = "harbour"          # optional; letters, digits, "_", "-", "."; unique
    theme = "ocean"           # one of bot.demo.themes.THEMES
    texture = 3               # optional tile-texture seed (default: the level's index)
    rows = [                  # 8 rows of 7 cells: "." or a ball code or a full label
      ". . . . . . .",
      ". r> . . b< . .",      # colour letter (r g b y p) + gaze (^ v < >)
      ...
    ]

    [[level]]
    theme = "night"
    seed = 12                 # instead of rows: a generated solvable puzzle
    balls = 5                 #   of this many balls (2 to 28)

Hand-written boards are checked to be solvable when loaded. Every mistake raises
LevelsError naming the file, the level and the field at fault.
"""

from __future__ import annotations

import random
import re
import tomllib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.demo.themes import COLOURS, COLS, DIRECTIONS, EMPTY, LABELS, ROWS, THEMES
from bot.errors import TilebotError
from bot.games.fling_puzzles import generate
from bot.games.fling_rules import Balls, balls_from_labels
from bot.games.fling_solver import solve

DEFAULT_LEVELS = Path(__file__).with_name("levels.toml")
"""The levels played when no file or seed is given."""

MIN_BALLS = 2
"""Fewest balls a level may start with (one ball is already solved)."""

MAX_BALLS = ROWS * COLS // 2
"""Most balls a generated level may ask for."""

GAZE_CODES: Mapping[str, str] = types.MappingProxyType(
    {"^": "up", "v": "down", "<": "left", ">": "right"}
)
"""The second character of a ball code: where the ball looks."""

COLOUR_CODES: Mapping[str, str] = types.MappingProxyType({c[0]: c for c in COLOURS})
"""The first character of a ball code: the ball's colour (r g b y p)."""

_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_KEYS = frozenset({"name", "theme", "texture", "rows", "seed", "balls"})
_GENERATED_THEMES = ("ocean", "desert", "night")

Labels = tuple[tuple[str, ...], ...]
"""ROWS rows of COLS Fling labels."""


class LevelsError(TilebotError):
    """A levels file is unreadable or holds a bad level; says file, level and field."""


@dataclass(frozen=True, slots=True)
class Level:
    """One level: its name, theme, starting board and tile-texture seed.

    labels: ROWS x COLS labels from bot.demo.themes.LABELS; texture_seed: the `seed`
    argument of bot.demo.render.render_board for this level's tiles.
    """

    name: str
    theme: str
    labels: Labels
    texture_seed: int

    @property
    def balls(self) -> Balls:
        """The cells (row, col) that hold a ball at the start."""
        return balls_from_labels(self.labels)


def load_levels(path: Path | str) -> tuple[Level, ...]:
    """Read the levels of TOML file `path`, in file order.

    Raise LevelsError naming the file (and level and field) when it cannot be read or a
    level is invalid or unsolvable.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise LevelsError(f"{source}: cannot read the levels file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise LevelsError(f"{source}: the levels file is not UTF-8 text") from None
    return parse_levels(text, str(source))


def parse_levels(text: str, source: str = "<levels>") -> tuple[Level, ...]:
    """Parse levels from TOML `text`; `source` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LevelsError(f"{source}: not valid TOML: {exc}") from None
    extra = sorted(set(data) - {"level"})
    if extra:
        raise LevelsError(f"{source}: unknown top-level key {extra[0]!r}; expected [[level]]")
    tables = data.get("level")
    if not isinstance(tables, list) or not tables:
        raise LevelsError(f"{source}: no levels; add at least one [[level]] table")
    levels = [_parse_level(table, i, source) for i, table in enumerate(tables)]
    seen: set[str] = set()
    for i, level in enumerate(levels):
        if level.name in seen:
            raise LevelsError(f"{source}: level {i + 1}: field 'name': {level.name!r} is repeated")
        seen.add(level.name)
    return tuple(levels)


def generated_levels(seed: int, count: int = 6) -> tuple[Level, ...]:
    """`count` solvable levels made from `seed`: themes in turn, 3 balls, then one more each.

    Names are "s<seed>-<k>" (k from 1). Raise LevelsError on a negative seed or count < 1.
    """
    if seed < 0 or count < 1:
        raise LevelsError(f"--seed {seed}: need a seed >= 0 and at least one level")
    return tuple(
        Level(
            name=f"s{seed}-{k + 1}",
            theme=_GENERATED_THEMES[k % len(_GENERATED_THEMES)],
            labels=puzzle_labels(seed * 1000 + k, min(3 + k, MAX_BALLS)),
            texture_seed=seed + k,
        )
        for k in range(count)
    )


def puzzle_labels(seed: int, balls: int) -> Labels:
    """Labels of the solvable puzzle fling_puzzles.generate(seed, balls), with colours and
    gazes drawn from `seed` too; the same seed always gives the same board."""
    cells = generate(seed, balls)
    rng = random.Random(seed)
    grid = [[EMPTY] * COLS for _ in range(ROWS)]
    for r, c in sorted(cells):
        grid[r][c] = f"{rng.choice(COLOURS)}-{rng.choice(DIRECTIONS)}"
    return tuple(tuple(row) for row in grid)


def format_rows(labels: Sequence[Sequence[str]]) -> tuple[str, ...]:
    """The `rows` strings of a levels file for `labels` (ROWS x COLS), in ball codes."""
    codes = {
        f"{colour}-{gaze}": c + g
        for c, colour in COLOUR_CODES.items()
        for g, gaze in GAZE_CODES.items()
    }
    codes[EMPTY] = "."
    return tuple(" ".join(codes[label] for label in row) for row in labels)


def label_of(cell: str) -> str | None:
    """The Fling label a `rows` cell stands for ("." empty, "r>" or "red-right"), or None."""
    if cell == ".":
        return EMPTY
    if cell in LABELS:
        return cell
    if len(cell) == 2 and cell[0] in COLOUR_CODES and cell[1] in GAZE_CODES:
        return f"{COLOUR_CODES[cell[0]]}-{GAZE_CODES[cell[1]]}"
    return None


# ---------------------------------------------------------------- one level


def _parse_level(table: Any, index: int, source: str) -> Level:
    where = f"{source}: level {index + 1}"
    if not isinstance(table, dict):
        raise LevelsError(f"{where}: expected a [[level]] table, got {type(table).__name__}")
    name = table.get("name", None)
    if name is None:
        name = f"{table.get('theme', 'level')}-{index + 1}"
    if not isinstance(name, str) or _NAME.fullmatch(name) is None:
        raise LevelsError(
            f"{where}: field 'name': {name!r} must be letters, digits, '_', '-' or '.'"
        )
    where = f"{where} ({name})"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise LevelsError(
            f"{where}: unknown field {unknown[0]!r}; expected some of {', '.join(sorted(_KEYS))}"
        )
    theme = table.get("theme")
    if theme not in THEMES:
        raise LevelsError(f"{where}: field 'theme': {theme!r} is not one of {', '.join(THEMES)}")
    texture = _int_field(table, "texture", where, default=index, low=0)
    has_rows = "rows" in table
    has_seed = "seed" in table or "balls" in table
    if has_rows == has_seed:
        raise LevelsError(f"{where}: give either 'rows' or both 'seed' and 'balls'")
    if has_rows:
        labels = _parse_rows(table["rows"], where)
        _check_playable(labels, where)
    else:
        seed = _int_field(table, "seed", where, default=None, low=0)
        balls = _int_field(table, "balls", where, default=None, low=MIN_BALLS, high=MAX_BALLS)
        labels = puzzle_labels(seed, balls)
    return Level(name=name, theme=str(theme), labels=labels, texture_seed=texture)


def _int_field(
    table: Mapping[str, Any],
    key: str,
    where: str,
    *,
    default: int | None,
    low: int,
    high: int | None = None,
) -> int:
    value = table.get(key, default)
    if value is None:
        raise LevelsError(f"{where}: field {key!r} is missing")
    limit = f" and <= {high}" if high is not None else ""
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        raise LevelsError(f"{where}: field {key!r}: {value!r} must be an integer >= {low}{limit}")
    return value


def _parse_rows(rows: Any, where: str) -> Labels:
    if not isinstance(rows, list) or len(rows) != ROWS:
        got = f"{len(rows)} rows" if isinstance(rows, list) else type(rows).__name__
        raise LevelsError(f"{where}: field 'rows': expected {ROWS} strings, got {got}")
    grid = []
    for r, row in enumerate(rows):
        if not isinstance(row, str):
            raise LevelsError(f"{where}: field 'rows' row {r}: expected a string, got {row!r}")
        cells = row.split()
        if len(cells) != COLS:
            raise LevelsError(
                f"{where}: field 'rows' row {r}: expected {COLS} cells separated by spaces, "
                f"got {len(cells)} in {row!r}"
            )
        labels = []
        for c, cell in enumerate(cells):
            label = label_of(cell)
            if label is None:
                raise LevelsError(
                    f"{where}: field 'rows' row {r} col {c}: {cell!r} is not '.', a ball code "
                    f"(colour {'/'.join(COLOUR_CODES)} + gaze {' '.join(GAZE_CODES)}, "
                    f"e.g. 'r>') or a Fling label"
                )
            labels.append(label)
        grid.append(tuple(labels))
    return tuple(grid)


def _check_playable(labels: Labels, where: str) -> None:
    balls = balls_from_labels(labels)
    if len(balls) < MIN_BALLS:
        raise LevelsError(
            f"{where}: field 'rows': {len(balls)} ball(s); a level needs at least {MIN_BALLS}"
        )
    if solve(balls) is None:
        raise LevelsError(f"{where}: field 'rows': the board cannot be solved")
