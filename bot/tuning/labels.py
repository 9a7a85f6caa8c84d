"""Read and write label files: the true cell labels of chosen frames of a recording.

A label file is UTF-8 text, by default ``RECORDING/labels.txt``:

```
# Comments start with '#'; the two headers are optional.
profile = profiles/fling.toml
level = ocean

[frame 0]
red-up ?         empty
empty  blue-left empty

[frame 12]
empty  empty     red-up
empty  blue-left empty
```

- Header lines are ``profile = PATH`` (the profile the labels were made with, as given on
  the command line) and ``level = NAME`` (absent: the base level); each at most once,
  only before the first section.
- ``[frame N]`` starts a section for the recording's frame index N (an integer >= 0, each
  at most once). The lines that follow, up to the next section, are the board's rows top
  to bottom, each row's cell labels separated by whitespace; every section has the same
  number of rows, and every row the same number of cells.
- ``?`` (`UNLABELLED`) marks a cell whose label is unknown: it is neither trained on nor
  scored.
- Blank lines separate sections and are otherwise ignored. A label contains no
  whitespace and starts with neither '#' nor '['.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from bot.errors import TilebotError
from bot.tuning.files import write_text_atomically

UNLABELLED = "?"

_SECTION = re.compile(r"^\[\s*frame\s+(?P<index>[^\]]*?)\s*\]\s*$")
_HEADER = re.compile(r"^(?P<key>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?P<value>.*?)\s*$")
_HEADER_KEYS = ("profile", "level")


class LabelError(TilebotError):
    """A label file is missing or malformed; says file:line and what is wrong."""


Rows = tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class LabelFile:
    """Cell labels of some frames of one recording.

    frames: frame index -> rows (top to bottom) of cell labels (left to right);
    `UNLABELLED` where unknown.
    """

    profile: str | None
    level: str | None
    frames: Mapping[int, Rows]


def read_labels(path: Path) -> LabelFile:
    """Parse the label file at `path`; LabelError naming file:line on any mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LabelError(f"{path}: no such label file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelError(f"{path}: cannot read label file: {exc}") from None
    return parse_labels(text, str(path))


def parse_labels(text: str, source: str = "<labels>") -> LabelFile:
    """Parse label-file `text`; `source` names it in LabelError messages."""
    header: dict[str, str] = {}
    frames: dict[int, Rows] = {}
    current: int | None = None
    current_line = 0
    rows: list[tuple[str, ...]] = []
    width: int | None = None
    height: int | None = None

    def close_section() -> None:
        nonlocal height
        if current is None:
            return
        if not rows:
            raise LabelError(f"{source}:{current_line}: [frame {current}] has no rows")
        if height is None:
            height = len(rows)
        elif len(rows) != height:
            raise LabelError(
                f"{source}:{current_line}: [frame {current}] has {len(rows)} rows, "
                f"earlier frames have {height}"
            )
        frames[current] = tuple(rows)

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = _SECTION.match(line)
        if section is not None:
            close_section()
            index_text = section.group("index")
            try:
                index = int(index_text)
            except ValueError:
                raise LabelError(
                    f"{source}:{number}: frame index {index_text!r} is not an integer"
                ) from None
            if index < 0:
                raise LabelError(f"{source}:{number}: frame index {index} is negative")
            if index in frames or index == current:
                raise LabelError(f"{source}:{number}: [frame {index}] appears twice")
            current, current_line, rows = index, number, []
            continue
        if line.startswith("["):
            raise LabelError(f"{source}:{number}: bad section {line!r} (expected '[frame N]')")
        if current is None:
            header_match = _HEADER.match(line)
            if header_match is None:
                raise LabelError(
                    f"{source}:{number}: expected 'profile = PATH', 'level = NAME' "
                    f"or '[frame N]', got {line!r}"
                )
            key, value = header_match.group("key"), header_match.group("value")
            if key not in _HEADER_KEYS:
                raise LabelError(
                    f"{source}:{number}: unknown header {key!r} (known: {', '.join(_HEADER_KEYS)})"
                )
            if key in header:
                raise LabelError(f"{source}:{number}: header {key!r} appears twice")
            if not value:
                raise LabelError(f"{source}:{number}: header {key!r} has no value")
            header[key] = value
            continue
        cells = tuple(line.split())
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            raise LabelError(
                f"{source}:{number}: row has {len(cells)} cells, expected {width} (frame {current})"
            )
        rows.append(cells)
    close_section()
    return LabelFile(
        profile=header.get("profile"),
        level=header.get("level"),
        frames=MappingProxyType(dict(sorted(frames.items()))),
    )


def format_labels(labels: LabelFile) -> str:
    """The text of `labels` in label-file format, columns aligned, frames in index order."""
    _check_labels(labels)
    lines: list[str] = []
    if labels.profile is not None:
        lines.append(f"profile = {labels.profile}")
    if labels.level is not None:
        lines.append(f"level = {labels.level}")
    all_rows = [row for rows in labels.frames.values() for row in rows]
    cols = len(all_rows[0]) if all_rows else 0
    widths = [max(len(row[c]) for row in all_rows) for c in range(cols)]
    for index in sorted(labels.frames):
        if lines:
            lines.append("")
        lines.append(f"[frame {index}]")
        for row in labels.frames[index]:
            padded = (cell.ljust(widths[c]) for c, cell in enumerate(row))
            lines.append(" ".join(padded).rstrip())
    return "\n".join(lines) + "\n"


def write_labels(path: Path, labels: LabelFile) -> None:
    """Write `labels` to `path` atomically (a temporary file renamed over it).

    LabelError (naming `path`) when `labels` could not be read back as written: ragged
    rows, frames of different sizes, labels with whitespace or a leading '#' or '['.
    """
    try:
        text = format_labels(labels)
    except LabelError as exc:
        raise LabelError(f"{path}: {exc}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, text)


def _check_labels(labels: LabelFile) -> None:
    """LabelError when `labels` could not be read back as written."""
    for key, value in (("profile", labels.profile), ("level", labels.level)):
        if value is not None and (not value.strip() or "\n" in value or value != value.strip()):
            raise LabelError(f"label header {key}: {value!r} is not a one-line value")
    shape: tuple[int, int] | None = None
    for index, rows in labels.frames.items():
        if index < 0:
            raise LabelError(f"[frame {index}]: frame index is negative")
        if not rows or not rows[0]:
            raise LabelError(f"[frame {index}]: no cells")
        if any(len(row) != len(rows[0]) for row in rows):
            raise LabelError(f"[frame {index}]: rows of different lengths")
        if shape is None:
            shape = (len(rows), len(rows[0]))
        elif shape != (len(rows), len(rows[0])):
            raise LabelError(
                f"[frame {index}]: {len(rows)}x{len(rows[0])} cells, "
                f"other frames {shape[0]}x{shape[1]}"
            )
        for row in rows:
            for cell in row:
                if not cell or any(ch.isspace() for ch in cell) or cell[0] in "#[":
                    raise LabelError(f"[frame {index}]: label {cell!r} cannot be written")
