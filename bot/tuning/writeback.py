"""Write tuned values into a profile file, keeping the rest of it and its comments.

Values go into the level's own table (`[levels.NAME.SECTION]`, created when missing;
`[base.SECTION]` for the base level), so other levels keep reading as before. The file is
edited with tomlkit (comments, order and spacing survive; a replaced value keeps its
trailing comment), the result is validated as a profile and must read back the values
written, and only then replaces the file (written to a temporary file, then renamed).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import InlineTable, Table

from bot.errors import ProfileError
from bot.profile import LevelProfile, Profile, parse_profile
from bot.tuning.files import write_text_atomically

BASE_LEVEL = "base"
"""The level name that means the profile's base level."""

Value = float | int | str | bool


def set_level_values(
    text: str, level: str | None, values: Mapping[str, Value], source: str = "<profile>"
) -> str:
    """Profile TOML `text` with `values` set in `level`'s table; the rest kept as it was.

    level: a level name, or None / "base" for the base level. values: field path within
    a level ("templates.score_min") -> value. Raises ProfileError naming `source` and the
    field when the level does not exist, a path is not SECTION.FIELD, or the edited file
    is not a valid profile or does not read the values back.
    """
    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise ProfileError([f"{source}: line {exc.line} column {exc.col}: {exc}"]) from None
    table = _level_table(doc, level, source)
    values = {k: round(v, 6) if isinstance(v, float) else v for k, v in values.items()}
    created: list[str] = []
    for path, value in values.items():
        section, field = _split(path, source)
        where = _where(level, path)
        if section not in table:
            table[section] = _new_table(table)
            created.append(section)
        sub = table[section]
        if not isinstance(sub, Table | InlineTable | OutOfOrderTableProxy):
            raise ProfileError([f"{source}: {where}: {section} is not a table"])
        sub[field] = value  # tomlkit keeps the replaced value's trailing comment
    for section in created:
        if isinstance(table[section], Table):
            table[section].add(tomlkit.nl())  # a blank line before whatever follows
    result = tomlkit.dumps(doc)
    profile = parse_profile(result, source)
    _check_reads_back(profile, level, values, source)
    return result


def write_level_values(path: Path, level: str | None, values: Mapping[str, Value]) -> None:
    """Set `values` in `level`'s table of the profile file at `path` (see set_level_values).

    The file is replaced atomically; ProfileError when it cannot be read or written.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError([f"{path}: cannot read: {exc}"]) from None
    result = set_level_values(text, level, values, str(path))
    try:
        write_text_atomically(path, result)
    except OSError as exc:
        raise ProfileError([f"{path}: cannot write: {exc}"]) from None


def _level_table(doc: tomlkit.TOMLDocument, level: str | None, source: str) -> Any:
    """The table holding `level`'s fields: base, or levels.NAME."""
    if level is None or level == BASE_LEVEL:
        if BASE_LEVEL not in doc:
            raise ProfileError([f"{source}: base: the profile has no [base] table"])
        return doc[BASE_LEVEL]
    levels = doc.get("levels")
    if levels is None or level not in levels:
        known = ", ".join(levels) if levels is not None else "none"
        raise ProfileError([f"{source}: levels.{level}: no such level (levels: {known})"])
    return levels[level]


def _split(path: str, source: str) -> tuple[str, str]:
    parts = path.split(".")
    if len(parts) != 2 or not all(parts):
        raise ProfileError([f"{source}: {path!r}: expected a SECTION.FIELD path"])
    return parts[0], parts[1]


def _where(level: str | None, path: str) -> str:
    return f"{BASE_LEVEL}.{path}" if level in (None, BASE_LEVEL) else f"levels.{level}.{path}"


def _new_table(parent: Any) -> Table | InlineTable:
    """An empty sub-table of the same kind as `parent` (inline inside an inline table)."""
    return tomlkit.inline_table() if isinstance(parent, InlineTable) else tomlkit.table()


def _check_reads_back(
    profile: Profile, level: str | None, values: Mapping[str, Value], source: str
) -> None:
    """ProfileError unless `level` of `profile` has every value of `values`."""
    name = None if level == BASE_LEVEL else level
    merged: LevelProfile = profile.level(name)
    for path, value in values.items():
        section, field = path.split(".")
        got = getattr(getattr(merged, section, None), field, None)
        if got != value:
            raise ProfileError(
                [f"{source}: {_where(level, path)}: wrote {value!r} but the profile reads {got!r}"]
            )
