"""Same Game (sgt-samegame): rules, a beam search for score, and the policy that plays it.

A move removes a group: two or more orthogonally connected tiles of one colour. In the
game it takes two left clicks on the group: the first selects it (outlined in white, the
colour still drawn in the tile's centre, so a board read from tile centres looks the same),
the second removes it (samegame.c's `interpret_move`). A lone tile cannot be selected.
After a removal the tiles above fall, then every empty column closes up to the left
(samegame.c's `sg_snuggle`). A group of n scores (n - 2)^2, or (n - 1)^2 in the game's
other scoring mode (`npoints`). The game is won when the grid is empty and lost when only
lone tiles are left.

The search is a beam search to the end of the game: each round expands every move of the
kept positions and keeps the `width` best by score so far plus a bound on what each
colour could still score, penalising a colour left with a single tile (which can never
be cleared). Of the finished games it prefers a cleared grid, then the highest score.

    grid = grid_of(board)          # grid[row][col]: colour 1..N, 0 = empty
    cells, score = plan(grid)      # one cell of each group to remove, in order
"""

from __future__ import annotations

from dataclasses import dataclass

from loguru import logger

from bot.actions import Click
from bot.board import Board
from bot.errors import TilebotError
from bot.games.sgt.ids import EMPTY
from bot.policy import Context

Pos = tuple[int, int]
"""A cell as (row, col)."""
Grid = tuple[tuple[int, ...], ...]
"""A position: grid[row][col] is a colour 1..N, 0 = empty; row 0 at the top."""
Labels = tuple[tuple[str, ...], ...]
_Columns = tuple[tuple[int, ...], ...]
"""The search's form of a position: the non-empty columns, left to right, each bottom up."""

BEAM_WIDTH = 30
"""Positions kept per round of the search by default: on the game's presets 10x5 plans
in ~0.05 s and 15x10 in ~0.7 s here."""
LONE_TILE_PENALTY = 1000
"""What the beam's estimate subtracts for each colour left with one tile (never clearable)."""


class SameGameError(TilebotError):
    """A samegame board or move that cannot be played: says which cell and why."""


def grid_of(board: Board) -> Grid:
    """The position of a board labelled "c1".."cN" and "empty"; SameGameError otherwise.

    Also refuses a board the game cannot show: a tile above an empty cell, or an empty
    column left of a tile (the game always lets tiles fall and columns close up).
    """
    grid = []
    for r, row in enumerate(board.cells):
        out = []
        for c, cell in enumerate(row):
            label = cell.label
            if label == EMPTY:
                out.append(0)
            elif label[:1] == "c" and label[1:].isascii() and label[1:].isdigit() and label != "c0":
                out.append(int(label[1:]))
            else:
                raise SameGameError(
                    f"samegame: cell ({r}, {c}) reads {label!r}, not 'empty' or 'c1'..'cN'"
                )
        grid.append(tuple(out))
    result = tuple(grid)
    _check_settled(result)
    return result


def _check_settled(grid: Grid) -> None:
    rows = len(grid)
    cols = len(grid[0]) if grid else 0
    seen_empty_column = False
    for c in range(cols):
        column = [grid[r][c] for r in range(rows)]
        for r in range(rows - 1):
            if column[r] and not column[r + 1]:
                raise SameGameError(f"samegame: tile at ({r}, {c}) floats over an empty cell")
        if not any(column):
            seen_empty_column = True
        elif seen_empty_column:
            raise SameGameError(f"samegame: column {c} has tiles right of an empty column")


def labels_of(grid: Grid) -> Labels:
    """The "c1".."cN"/"empty" labels of a position (rows of strings)."""
    return tuple(tuple(f"c{v}" if v else EMPTY for v in row) for row in grid)


def points(size: int, scoresub: int = 2) -> int:
    """The score for removing a group of `size` tiles: (size - scoresub)^2, never negative."""
    return max(size - scoresub, 0) ** 2


def group_at(grid: Grid, cell: Pos) -> frozenset[Pos]:
    """The cells connected to `cell` through its colour (empty for an empty cell)."""
    r, c = cell
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if not (0 <= r < rows and 0 <= c < cols):
        raise SameGameError(f"samegame: cell {cell} is off the {rows}x{cols} grid")
    colour = grid[r][c]
    if not colour:
        return frozenset()
    seen = {cell}
    todo = [cell]
    while todo:
        y, x = todo.pop()
        for near in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
            ny, nx = near
            if 0 <= ny < rows and 0 <= nx < cols and near not in seen and grid[ny][nx] == colour:
                seen.add(near)
                todo.append(near)
    return frozenset(seen)


def legal_groups(grid: Grid) -> list[frozenset[Pos]]:
    """Every removable group (two tiles or more), ordered by its top-left cell."""
    seen: set[Pos] = set()
    groups = []
    for r, row in enumerate(grid):
        for c, colour in enumerate(row):
            if colour and (r, c) not in seen:
                group = group_at(grid, (r, c))
                seen |= group
                if len(group) >= 2:
                    groups.append(group)
    return groups


def is_over(grid: Grid) -> bool:
    """True when no group can be removed (the grid is empty or only lone tiles are left)."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    for r in range(rows):
        for c in range(cols):
            v = grid[r][c]
            if v and (
                (c + 1 < cols and grid[r][c + 1] == v) or (r + 1 < rows and grid[r + 1][c] == v)
            ):
                return False
    return True


def remove_group(grid: Grid, cell: Pos) -> tuple[Grid, int]:
    """(the position after removing the group at `cell`, the group's size).

    Tiles fall into the gaps, then empty columns close up to the left, as the game does.
    Raises SameGameError for an empty cell or a lone tile (the game will not select it).
    """
    group = group_at(grid, cell)
    if len(group) < 2:
        what = "an empty cell" if not group else "a lone tile"
        raise SameGameError(f"samegame: cannot remove at {cell}: it is {what}")
    rows, cols = len(grid), len(grid[0])
    columns = []
    for c in range(cols):
        kept = [grid[r][c] for r in range(rows) if grid[r][c] and (r, c) not in group]
        if kept:
            columns.append([0] * (rows - len(kept)) + kept)
    columns += [[0] * rows] * (cols - len(columns))
    return tuple(tuple(columns[c][r] for c in range(cols)) for r in range(rows)), len(group)


# ---------------------------------------------------------------------------- search


def _columns(grid: Grid) -> _Columns:
    rows = len(grid)
    cols = len(grid[0]) if grid else 0
    out = []
    for c in range(cols):
        column = tuple(grid[r][c] for r in range(rows - 1, -1, -1) if grid[r][c])
        if column:
            out.append(column)
    return tuple(out)


def _groups(columns: _Columns) -> list[list[tuple[int, int]]]:
    """Removable groups of a column form, as (column, height) cells; first cell lowest-left."""
    seen: set[tuple[int, int]] = set()
    groups = []
    for c, column in enumerate(columns):
        for k, colour in enumerate(column):
            if (c, k) in seen:
                continue
            group = [(c, k)]
            seen.add((c, k))
            i = 0
            while i < len(group):
                x, y = group[i]
                i += 1
                for nx, ny in ((x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)):
                    if (
                        0 <= nx < len(columns)
                        and 0 <= ny < len(columns[nx])
                        and (nx, ny) not in seen
                        and columns[nx][ny] == colour
                    ):
                        seen.add((nx, ny))
                        group.append((nx, ny))
            if len(group) >= 2:
                groups.append(group)
    return groups


def _remove(columns: _Columns, group: list[tuple[int, int]]) -> _Columns:
    gone = set(group)
    out = []
    for c, column in enumerate(columns):
        kept = tuple(v for k, v in enumerate(column) if (c, k) not in gone)
        if kept:
            out.append(kept)
    return tuple(out)


def _estimate(columns: _Columns, scoresub: int) -> int:
    """What the position could still score at best, less a penalty per unclearable colour."""
    counts: dict[int, int] = {}
    for column in columns:
        for v in column:
            counts[v] = counts.get(v, 0) + 1
    return sum(points(n, scoresub) - (LONE_TILE_PENALTY if n == 1 else 0) for n in counts.values())


@dataclass(frozen=True, slots=True)
class _Line:
    """A searched line of play: its position, score so far, and moves as (column, height)."""

    columns: _Columns
    score: int
    moves: tuple[tuple[int, int], ...]


def plan(grid: Grid, scoresub: int = 2, width: int = BEAM_WIDTH) -> tuple[list[Pos], int]:
    """(one cell of each group to remove, in order; the score they make) by beam search.

    Of the finished lines found it takes one that clears the grid if any, then the highest
    score. An empty plan means no move is possible.
    """
    if width < 1:
        raise SameGameError(f"samegame: beam width must be at least 1, got {width}")
    rows = len(grid)
    beam = [_Line(_columns(grid), 0, ())]
    best: _Line | None = None
    while beam:
        children: dict[_Columns, _Line] = {}
        for line in beam:
            groups = _groups(line.columns)
            if not groups:
                if best is None or _final(line) > _final(best):
                    best = line
                continue
            for group in groups:
                child = _Line(
                    _remove(line.columns, group),
                    line.score + points(len(group), scoresub),
                    (*line.moves, group[0]),
                )
                known = children.get(child.columns)
                if known is None or known.score < child.score:
                    children[child.columns] = child
        ranked = sorted(
            children.values(),
            key=lambda line: line.score + _estimate(line.columns, scoresub),
            reverse=True,
        )
        beam = ranked[:width]
    assert best is not None  # every line ends, and the last round's lines are finished
    return _cells_of(grid, best.moves, rows), best.score


def _final(line: _Line) -> tuple[bool, int]:
    return (not line.columns, line.score)


def _cells_of(grid: Grid, moves: tuple[tuple[int, int], ...], rows: int) -> list[Pos]:
    """Grid cells for moves given as (column, height) in the positions along the way."""
    cells = []
    columns = _columns(grid)
    for c, k in moves:
        cells.append((rows - 1 - k, c))
        group = next(g for g in _groups(columns) if (c, k) in g)
        columns = _remove(columns, group)
    return cells


# ---------------------------------------------------------------------------- policy


class SameGamePolicy:
    """Plays samegame: plans once by beam search, then removes each group with a double click.

    A move is two clicks on one cell: the first selects the group, the second removes it.
    Both go out as one action (Click count 2), so the bot never reads the board in the
    selected state, which draws the group differently. When the board is unchanged after
    a move (the clicks were lost) the move is sent again. scoresub: 2 for the game's
    default (n-2)^2 scoring, 1 for (n-1)^2. width: the beam width. planned_score: what the
    latest plan scores from the board it was made for.
    """

    def __init__(self, scoresub: int = 2, width: int = BEAM_WIDTH) -> None:
        if scoresub not in (1, 2):
            raise SameGameError(f"samegame: scoresub must be 1 or 2, got {scoresub}")
        self.scoresub = scoresub
        self.width = width
        self.replans = 0
        self.planned_score = 0
        self._plan: list[Pos] = []
        self._board: Grid | None = None  # the position the next planned move is for

    def decide(self, board: Board, context: Context) -> Click | None:
        """The next click, or None when no group is left to remove."""
        grid = grid_of(board)
        if self._plan and grid == self._board:
            logger.info(
                "frame {}: samegame board unchanged after removing at {}; sending the move again",
                context.frame_index,
                self._plan[0],
            )
            return Click(self._plan[0], count=2)
        if self._plan and self._board is not None and grid == self._after(self._board):
            self._plan.pop(0)
        else:
            self._replan(grid, context)
        self._board = grid
        return Click(self._plan[0], count=2) if self._plan else None

    def expects(self, board: Board) -> bool:
        """False when `board` is not what the last move should have made (Expecting)."""
        if self._board is None or not self._plan:
            return True
        try:
            return grid_of(board) == self._after(self._board)
        except SameGameError:
            return False  # tiles in the air: not a board any move leads to

    def _after(self, grid: Grid) -> Grid:
        return remove_group(grid, self._plan[0])[0]

    def _replan(self, grid: Grid, context: Context) -> None:
        if self._board is not None:
            logger.info(
                "frame {}: the samegame board is not the one planned for; re-planning",
                context.frame_index,
            )
        self.replans += 1
        if is_over(grid):
            self._plan = []
            return
        self._plan, self.planned_score = plan(grid, self.scoresub, self.width)
