"""Flip (sgt-flip): rules, a minimal-click GF(2) solver and the policy that plays it.

A click on a cell toggles every cell of that cell's pattern (flip.c's `execute_move`
XORs the clicked cell's row of the game matrix into the grid). The "crosses" games toggle
the cell and its four neighbours; the "random" games carry an arbitrary pattern per cell in
the game ID. The game is won when every light is lit (drawn white; flip.c's COL_RIGHT),
so the dark cells are the ones still to put right.

Because toggles commute and two clicks on a cell cancel, a solution is a set of cells:
the solutions of `M x = dark` over GF(2), where column i of M is cell i's pattern. The
solver eliminates once and, when the matrix is singular, searches the null space for the
solution with the fewest clicks.

    rules = crosses(5, 5)                     # or rules_from_game_id("5x5:...,...")
    clicks = solve(dark_cells(board), rules)  # None when the position cannot be solved
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from loguru import logger

from bot.actions import Click
from bot.board import Board
from bot.errors import TilebotError
from bot.games.sgt.ids import DARK, LIT, decode_flip_board
from bot.policy import Context

Pos = tuple[int, int]
"""A cell as (row, col)."""
Dark = frozenset[Pos]
"""A flip position: the cells whose light is off."""
Labels = tuple[tuple[str, ...], ...]

NULL_SPACE_SEARCH_BITS = 16
"""Null spaces up to this dimension are searched exhaustively (2^16 combinations) for the
fewest clicks; larger ones are improved greedily, one basis vector at a time."""


class FlipError(TilebotError):
    """A flip board or rule set that cannot be played: says which cell or size and why."""


@dataclass(frozen=True, slots=True)
class FlipRules:
    """Which cells a click toggles: toggles[row][col] is the pattern of a click there."""

    rows: int
    cols: int
    toggles: tuple[tuple[frozenset[Pos], ...], ...]

    def __post_init__(self) -> None:
        if len(self.toggles) != self.rows or any(len(r) != self.cols for r in self.toggles):
            raise FlipError(f"flip rules: toggles must be {self.rows} rows of {self.cols} cells")
        for r, row in enumerate(self.toggles):
            for c, pattern in enumerate(row):
                for pr, pc in pattern:
                    if not (0 <= pr < self.rows and 0 <= pc < self.cols):
                        raise FlipError(
                            f"flip rules: the pattern of cell ({r}, {c}) toggles ({pr}, {pc}), "
                            f"off the {self.rows}x{self.cols} grid"
                        )

    def pattern(self, cell: Pos) -> frozenset[Pos]:
        """The cells a click on `cell` toggles."""
        return self.toggles[cell[0]][cell[1]]


def crosses(rows: int, cols: int) -> FlipRules:
    """The rules of a "crosses" game: a click toggles its cell and the 4 orthogonal neighbours."""
    if rows < 1 or cols < 1:
        raise FlipError(f"flip rules: a {rows}x{cols} grid has no cells")

    def cross(r: int, c: int) -> frozenset[Pos]:
        near = ((r, c), (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))
        return frozenset((y, x) for y, x in near if 0 <= y < rows and 0 <= x < cols)

    return FlipRules(
        rows, cols, tuple(tuple(cross(r, c) for c in range(cols)) for r in range(rows))
    )


def rules_from_game_id(game_id: str) -> FlipRules:
    """The rules carried by a descriptive flip ID `WxH:<matrix hex>,<grid hex>`.

    Raises bot.games.sgt.GameIdError for an ID that is not a descriptive flip ID.
    """
    decoded = decode_flip_board(game_id)
    return FlipRules(decoded.rows, decoded.cols, decoded.toggles)


def dark_cells(board: Board) -> Dark:
    """The dark cells of a board labelled "lit"/"dark"; FlipError names any other label."""
    dark = set()
    for (r, c), cell in board:
        if cell.label == DARK:
            dark.add((r, c))
        elif cell.label != LIT:
            raise FlipError(f"flip: cell ({r}, {c}) reads {cell.label!r}, not 'lit' or 'dark'")
    return frozenset(dark)


def labels_of(dark: Dark, rows: int, cols: int) -> Labels:
    """The "lit"/"dark" labels of a position (rows of strings)."""
    return tuple(tuple(DARK if (r, c) in dark else LIT for c in range(cols)) for r in range(rows))


def apply_click(dark: Dark, rules: FlipRules, cell: Pos) -> Dark:
    """The position after clicking `cell`: its pattern's lights toggled."""
    r, c = cell
    if not (0 <= r < rules.rows and 0 <= c < rules.cols):
        raise FlipError(f"flip: click at {cell} is off the {rules.rows}x{rules.cols} grid")
    return dark ^ rules.pattern(cell)


def apply_clicks(dark: Dark, rules: FlipRules, cells: Iterable[Pos]) -> Dark:
    """The position after clicking each of `cells` in turn."""
    for cell in cells:
        dark = apply_click(dark, rules, cell)
    return dark


def solve(dark: Dark, rules: FlipRules) -> tuple[Pos, ...] | None:
    """The fewest cells to click (row-major order) to light every cell, or None if impossible.

    Exact for null spaces up to NULL_SPACE_SEARCH_BITS dimensions (every 5x5 crosses game has
    2); beyond that the click count is a greedy local minimum.
    """
    n = rules.rows * rules.cols
    cells = [(r, c) for r in range(rules.rows) for c in range(rules.cols)]
    index = {cell: i for i, cell in enumerate(cells)}
    for cell in dark:
        if cell not in index:
            raise FlipError(f"flip: dark cell {cell} is off the {rules.rows}x{rules.cols} grid")
    # Equation j (one per cell j): XOR of x_i over clicks i whose pattern holds j = dark_j.
    # Bits 0..n-1 of an equation are the x_i; bit n is the right-hand side.
    equations = [0] * n
    for i, cell in enumerate(cells):
        for j in (index[t] for t in rules.pattern(cell)):
            equations[j] |= 1 << i
    for cell in dark:
        equations[index[cell]] |= 1 << n
    particular, null_basis = _eliminate(equations, n)
    if particular is None:
        return None
    best = _fewest_clicks(particular, null_basis)
    return tuple(cells[i] for i in range(n) if best >> i & 1)


def _eliminate(equations: list[int], n: int) -> tuple[int | None, list[int]]:
    """(one solution or None if inconsistent, a null-space basis) of bitmask equations."""
    rows = list(equations)
    pivots: list[int] = []  # pivots[k] = the variable solved by reduced row k
    k = 0
    for var in range(n):
        found = next((i for i in range(k, len(rows)) if rows[i] >> var & 1), None)
        if found is None:
            continue
        rows[k], rows[found] = rows[found], rows[k]
        for i in range(len(rows)):
            if i != k and rows[i] >> var & 1:
                rows[i] ^= rows[k]
        pivots.append(var)
        k += 1
    if any(row == 1 << n for row in rows[k:]):
        return None, []
    particular = 0
    for row, var in zip(rows, pivots, strict=False):
        if row >> n & 1:
            particular |= 1 << var
    pivot_set = set(pivots)
    basis = []
    for free in (v for v in range(n) if v not in pivot_set):
        vector = 1 << free
        for row, var in zip(rows, pivots, strict=False):
            if row >> free & 1:
                vector |= 1 << var
        basis.append(vector)
    return particular, basis


def _fewest_clicks(particular: int, basis: list[int]) -> int:
    """The lightest vector of particular + span(basis): exhaustive when small, else greedy."""
    if len(basis) <= NULL_SPACE_SEARCH_BITS:
        best = current = particular
        # Gray code: each step flips one basis vector, visiting every combination once.
        for step in range(1, 1 << len(basis)):
            current ^= basis[(step & -step).bit_length() - 1]
            if current.bit_count() < best.bit_count():
                best = current
        return best
    best = particular
    improved = True
    while improved:
        improved = False
        for vector in basis:
            if (best ^ vector).bit_count() < best.bit_count():
                best ^= vector
                improved = True
    return best


class FlipPolicy:
    """Plays flip: one solve per unexpected board, then the planned clicks in order.

    rules: the game's toggle patterns; None means "crosses" sized to the first board
    (pass `rules_from_game_id(ID)` for a random-matrix game).
    """

    def __init__(self, rules: FlipRules | None = None) -> None:
        self.rules = rules
        self._plan: list[Pos] = []
        self._expected: Dark | None = None
        self.replans = 0

    def decide(self, board: Board, context: Context) -> Click | None:
        """The next click, or None when all lights are lit or the position has no solution."""
        rules = self._rules_for(board)
        dark = dark_cells(board)
        if not dark:
            return None
        if dark != self._expected or not self._plan:
            if self._expected is not None:
                logger.info(
                    "frame {}: the flip board is not the one planned for; re-planning",
                    context.frame_index,
                )
            self.replans += 1
            solution = solve(dark, rules)
            if solution is None:
                logger.warning(
                    "frame {}: this flip position cannot be solved with these rules",
                    context.frame_index,
                )
                self._plan, self._expected = [], None
                return None
            self._plan = list(solution)
        cell = self._plan.pop(0)
        self._expected = apply_click(dark, rules, cell)
        return Click(cell)

    def expects(self, board: Board) -> bool:
        """False when `board` is not what the last click should have made (Expecting)."""
        return self._expected is None or dark_cells(board) == self._expected

    def _rules_for(self, board: Board) -> FlipRules:
        if self.rules is None:
            self.rules = crosses(board.rows, board.cols)
        if (self.rules.rows, self.rules.cols) != (board.rows, board.cols):
            raise FlipError(
                f"flip: the board is {board.rows}x{board.cols} but the rules are for "
                f"{self.rules.rows}x{self.rules.cols}"
            )
        return self.rules
