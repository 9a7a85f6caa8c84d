"""Boards as read from a frame: a grid of cells, each a label with a confidence."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot.errors import RecordingError

UNKNOWN = "unknown"
"""The label of a cell whose evidence is too weak to name: a real label, never a guess."""


@dataclass(frozen=True, slots=True)
class Cell:
    """One grid cell as read.

    label: the class name, or UNKNOWN when the evidence is weak.
    confidence: in [0, 1]; for template reads the margin of the best score over the runner-up.
    """

    label: str
    confidence: float

    @property
    def is_unknown(self) -> bool:
        """True when the reader declined to name this cell."""
        return self.label == UNKNOWN


@dataclass(frozen=True, slots=True)
class Board:
    """A rows x cols grid of cells; cells[row][col], row 0 at the top."""

    cells: tuple[tuple[Cell, ...], ...]

    def __post_init__(self) -> None:
        widths = {len(row) for row in self.cells}
        if len(widths) > 1:
            raise ValueError(f"board rows differ in length: {sorted(widths)}")

    @classmethod
    def from_labels(cls, labels: Sequence[Sequence[str]], confidence: float = 1.0) -> Board:
        """A board whose cells carry `labels` (rows of strings) with one confidence."""
        return cls(tuple(tuple(Cell(lab, confidence) for lab in row) for row in labels))

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self.cells)

    @property
    def cols(self) -> int:
        """Number of columns."""
        return len(self.cells[0]) if self.cells else 0

    def __getitem__(self, pos: tuple[int, int]) -> Cell:
        return self.cells[pos[0]][pos[1]]

    def __iter__(self) -> Iterator[tuple[tuple[int, int], Cell]]:
        for r, row in enumerate(self.cells):
            for c, cell in enumerate(row):
                yield (r, c), cell

    def labels(self) -> tuple[tuple[str, ...], ...]:
        """The labels alone, rows of strings."""
        return tuple(tuple(cell.label for cell in row) for row in self.cells)

    @property
    def unknown_count(self) -> int:
        """How many cells are UNKNOWN."""
        return sum(cell.is_unknown for row in self.cells for cell in row)

    @property
    def is_certain(self) -> bool:
        """True when every cell has a label: the only kind of read a bot may act on."""
        return self.unknown_count == 0

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready mapping: `labels` (rows of strings), `confidence` (rows of floats)."""
        return {
            "labels": [[c.label for c in row] for row in self.cells],
            "confidence": [[round(c.confidence, 4) for c in row] for row in self.cells],
        }

    @classmethod
    def from_json(cls, data: object, where: str = "board") -> Board:
        """Inverse of to_json; raise RecordingError naming `where` when malformed."""
        if not isinstance(data, dict):
            raise RecordingError(f"{where}: expected an object with labels and confidence")
        labels, conf = data.get("labels"), data.get("confidence")
        if not isinstance(labels, list) or not isinstance(conf, list) or len(labels) != len(conf):
            raise RecordingError(f"{where}: labels and confidence must be lists of equal length")
        try:
            cells = tuple(
                tuple(Cell(str(lab), float(cf)) for lab, cf in zip(lrow, crow, strict=True))
                for lrow, crow in zip(labels, conf, strict=True)
            )
            return cls(cells)
        except (TypeError, ValueError) as exc:
            raise RecordingError(f"{where}: {exc}") from None

    def render(self) -> str:
        """The labels as text, one board row per line (for logs and messages)."""
        width = max((len(c.label) for _, c in self), default=1)
        return "\n".join(" ".join(c.label.ljust(width) for c in row) for row in self.cells)
