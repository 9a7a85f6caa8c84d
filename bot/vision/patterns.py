"""Hit-and-miss search over a grid of labels: where does a small pattern of cells occur?

A pattern is a tuple of equal-length strings, one character per cell:

    "A"-"Z"  a variable: every cell with the same letter holds the same label ("empty"
             included), and different letters hold different labels;
    "."      an empty cell (the `empty` label);
    "#"      an occupied cell (any label but `empty` and "unknown");
    "?"      any cell at all, "unknown" included;
    "!"      any cell but "unknown".

Except under "?", cells read "unknown" never match: a pattern is only found where the
board was read. Examples: ("A.A",) is two alike with a gap between them; ("A", "A") is
two alike one above the other; ("#?#",) two occupied cells with anything between.
Matching runs one cv2.morphologyEx(MORPH_HITMISS) per candidate label for the
variables and per class symbol, then intersects the hits.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from bot.board import UNKNOWN
from bot.errors import TilebotError

SYMBOLS = frozenset(".#?!")


class PatternError(TilebotError):
    """A pattern string is malformed (ragged rows, unknown symbol, no cell to match)."""


def _check(pattern: Sequence[str]) -> tuple[int, int]:
    if isinstance(pattern, str) or not pattern:
        raise PatternError(f"pattern {pattern!r}: expected a non-empty tuple of strings")
    width = len(pattern[0])
    if width == 0 or any(len(row) != width for row in pattern):
        raise PatternError(f"pattern {pattern!r}: rows must be non-empty and equally long")
    for row in pattern:
        for ch in row:
            if ch not in SYMBOLS and not ("A" <= ch <= "Z"):
                raise PatternError(f"pattern {pattern!r}: unknown symbol {ch!r}")
    return len(pattern), width


def _hits(plane: npt.NDArray[np.bool_], kernel: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """Anchor positions (top-left of the pattern) where all kernel 1-cells are True in plane.

    Kernel cells of 1 must be True, -1 False, 0 anything. Off-board counts as False.
    """
    kh, kw = kernel.shape
    rows, cols = plane.shape
    # Pad so that the anchor can sit at the pattern's top-left and off-board reads False.
    padded = np.zeros((rows + 2 * kh, cols + 2 * kw), np.uint8)
    padded[kh : kh + rows, kw : kw + cols] = plane.astype(np.uint8) * 255
    hit = cv2.morphologyEx(
        padded,
        cv2.MORPH_HITMISS,
        kernel.astype(np.int32),
        anchor=(0, 0),
        borderType=cv2.BORDER_CONSTANT,
        borderValue=0,
    )
    out: npt.NDArray[np.bool_] = np.asarray(hit, dtype=bool)[kh : kh + rows, kw : kw + cols]
    return out


def find_pattern(
    labels: Sequence[Sequence[str]], pattern: Sequence[str], empty: str = "empty"
) -> list[tuple[int, int]]:
    """Every (row, col) where `pattern`'s top-left cell can sit so that the pattern matches.

    labels: rows of label strings (a Board's .labels()). The whole pattern must lie on
    the board. Results are sorted by row, then column. Raises PatternError on a bad pattern.
    """
    ph, pw = _check(pattern)
    grid = np.asarray([list(row) for row in labels], dtype=object)
    if grid.ndim != 2 or grid.size == 0:
        return []
    rows, cols = grid.shape
    if ph > rows or pw > cols:
        return []
    known = grid != UNKNOWN
    planes = {
        ".": grid == empty,
        "#": known & (grid != empty),
        "!": known,
    }
    found = np.ones((rows, cols), bool)
    found[rows - ph + 1 :, :] = False
    found[:, cols - pw + 1 :] = False
    for symbol, plane in planes.items():
        kernel = np.array([[1 if ch == symbol else 0 for ch in row] for row in pattern], np.int32)
        if kernel.any():
            found &= _hits(plane, kernel)
    letters = sorted({ch for row in pattern for ch in row if "A" <= ch <= "Z"})
    if letters:
        found &= _variables(grid, known, pattern, letters)
    return [(int(r), int(c)) for r, c in zip(*np.nonzero(found), strict=True)]


def _variables(
    grid: npt.NDArray[np.object_],
    known: npt.NDArray[np.bool_],
    pattern: Sequence[str],
    letters: list[str],
) -> npt.NDArray[np.bool_]:
    """Anchors where each letter's cells share one known label, distinct across letters."""
    rows, cols = grid.shape
    candidates = sorted({str(v) for v in grid[known]})
    # per letter: anchor -> the label it binds (or "" when none binds)
    bound: list[npt.NDArray[np.object_]] = []
    for letter in letters:
        kernel = np.array([[1 if ch == letter else 0 for ch in row] for row in pattern], np.int32)
        binding = np.full((rows, cols), "", dtype=object)
        for label in candidates:
            hits = _hits(known & (grid == label), kernel)
            binding[hits] = label
        bound.append(binding)
    ok = np.ones((rows, cols), bool)
    for i, bi in enumerate(bound):
        ok &= bi != ""
        for bj in bound[i + 1 :]:
            ok &= bi != bj
    return ok
