"""Fifteen (sgt-fifteen): rules, a complete solver and the policy that plays it.

A click on a tile in the gap's row or column slides the whole run between them one step
towards the gap, so the gap lands on the clicked cell (fifteen.c's `execute_move`); a
click anywhere else does nothing. The goal is 1, 2, ... in row-major order with the gap
last (bottom right).

The solver plans single-tile gap steps and then merges each straight run into one click.
Boards up to 3x3 are solved optimally (IDA* with Manhattan distance plus linear conflict).
Larger boards are reduced: the top row or the left column (of the longer side) is put in
place by a weighted A* over the positions of its tiles and the gap, the other tiles being
interchangeable, until a rest of 3x3 or less is left for IDA*. That is complete for every
solvable position (each stage is a search over a finite space in which the goal is
reachable); the clicks are few, not provably fewest.

    tiles = tiles_of(board)                  # row-major, 0 = the gap
    clicks = solve(tiles, board.rows, board.cols)
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterable, Sequence

from loguru import logger

from bot.actions import Click
from bot.board import Board
from bot.errors import TilebotError
from bot.games.sgt.ids import BLANK
from bot.policy import Context

Pos = tuple[int, int]
"""A cell as (row, col)."""
Tiles = tuple[int, ...]
"""A position, row-major: tiles[row * cols + col] is the tile number there, 0 = the gap."""
Labels = tuple[tuple[str, ...], ...]

PLACE_WEIGHT = 2
"""Weight on the distance estimate of the line-placing A*: 2 keeps a 4x4 solve near 50 ms
at a few clicks more than weight 1 (which takes ~0.5 s, up to seconds)."""
LINE_AT_ONCE = 4
"""Lines up to this long are placed in one search; longer ones a pair at a time."""


class FifteenError(TilebotError):
    """A fifteen board or click that cannot be played: says which cell and why."""


def tiles_of(board: Board) -> Tiles:
    """The position of a board labelled "1".."N" and "blank"; FifteenError if not a permutation."""
    n = board.rows * board.cols
    tiles = []
    for (r, c), cell in board:
        if cell.label == BLANK:
            tiles.append(0)
        elif cell.label.isascii() and cell.label.isdigit() and 1 <= int(cell.label) < n:
            tiles.append(int(cell.label))
        else:
            raise FifteenError(
                f"fifteen: cell ({r}, {c}) reads {cell.label!r}, not 'blank' or 1..{n - 1}"
            )
    if sorted(tiles) != list(range(n)):
        twice = sorted({t for t in tiles if tiles.count(t) > 1})
        raise FifteenError(f"fifteen: the board repeats tiles {twice} (0 = blank)")
    return tuple(tiles)


def labels_of(tiles: Tiles, cols: int) -> Labels:
    """The "1".."N"/"blank" labels of a position (rows of strings)."""
    names = [str(t) if t else BLANK for t in tiles]
    return tuple(tuple(names[i : i + cols]) for i in range(0, len(names), cols))


def goal(rows: int, cols: int) -> Tiles:
    """The solved position: 1..N row-major, the gap at the bottom right."""
    n = rows * cols
    return (*range(1, n), 0)


def is_solved(tiles: Tiles) -> bool:
    """True when every tile is home and the gap is last."""
    return tiles == goal(1, len(tiles))


def is_solvable(tiles: Tiles, rows: int, cols: int) -> bool:
    """True when the goal is reachable: permutation parity matches the gap's distance parity."""
    n = rows * cols
    if sorted(tiles) != list(range(n)):
        raise FifteenError(f"fifteen: {tiles} is not a permutation of 0..{n - 1}")
    # Each step swaps the gap with a neighbour: a transposition that moves the gap one cell.
    # So parity(permutation taking tiles to goal) == parity(gap's Manhattan distance to home).
    where = {t: i for i, t in enumerate(goal(rows, cols))}
    perm = [where[t] for t in tiles]
    seen = [False] * n
    transpositions = 0
    for start in range(n):
        length = 0
        i = start
        while not seen[i]:
            seen[i] = True
            i = perm[i]
            length += 1
        transpositions += max(length - 1, 0)
    gap_r, gap_c = divmod(tiles.index(0), cols)
    distance = (rows - 1 - gap_r) + (cols - 1 - gap_c)
    return transpositions % 2 == distance % 2


def apply_click(tiles: Tiles, rows: int, cols: int, cell: Pos) -> Tiles:
    """The position after clicking `cell`: the run between it and the gap slides one step.

    Raises FifteenError when `cell` is off the grid, is the gap, or is not in line with it
    (the game ignores such clicks; a plan never makes them).
    """
    r, c = cell
    if not (0 <= r < rows and 0 <= c < cols):
        raise FifteenError(f"fifteen: click at {cell} is off the {rows}x{cols} grid")
    gr, gc = divmod(tiles.index(0), cols)
    if (gr == r) == (gc == c):
        raise FifteenError(f"fifteen: click at {cell} is not in line with the gap at {(gr, gc)}")
    step = (r > gr) - (r < gr), (c > gc) - (c < gc)
    out = list(tiles)
    y, x = gr, gc
    while (y, x) != cell:
        ny, nx = y + step[0], x + step[1]
        out[y * cols + x] = out[ny * cols + nx]
        y, x = ny, nx
    out[r * cols + c] = 0
    return tuple(out)


def solve(tiles: Tiles, rows: int, cols: int) -> list[Pos] | None:
    """Clicks that solve the position, or None when it cannot be solved (wrong parity)."""
    if len(tiles) != rows * cols:
        raise FifteenError(f"fifteen: {len(tiles)} tiles for a {rows}x{cols} grid")
    if not is_solvable(tiles, rows, cols):
        return None
    return clicks_of(gap_path(tiles, rows, cols))


def clicks_of(path: Sequence[Pos]) -> list[Pos]:
    """Clicks for a path of gap cells (each a step from the last): one click per straight run.

    path[0] is where the gap starts. Steps that undo the step before are dropped first.
    """
    steps: list[Pos] = []
    for cell in path:
        if len(steps) >= 2 and steps[-2] == cell:
            steps.pop()
        else:
            steps.append(cell)
    clicks: list[Pos] = []
    direction: Pos | None = None
    for prev, cell in itertools.pairwise(steps):
        now = (cell[0] - prev[0], cell[1] - prev[1])
        if now == direction:
            clicks[-1] = cell
        else:
            clicks.append(cell)
            direction = now
    return clicks


def gap_path(tiles: Tiles, rows: int, cols: int) -> list[Pos]:
    """The gap's cells from its start to the end of a solution, one step at a time.

    Fewest steps for boards up to 3x3. The position must be solvable (see is_solvable).
    """
    state = list(tiles)
    path = [divmod(state.index(0), cols)]
    top, left = 0, 0
    while rows - top > 3 or cols - left > 3:
        if rows - top >= cols - left:
            line = [(top, c) for c in range(left, cols)]
            top += 1
        else:
            line = [(r, left) for r in range(top, rows)]
            left += 1
        for group in _line_groups(line):
            region = _region(rows, cols, top, left, line, group)
            homes = {(r, c): r * cols + c + 1 for r, c in group}
            steps = _place(state, cols, region, homes)
            for cell in steps:
                _step(state, cols, cell)
            path.extend(steps)
    region = frozenset((r, c) for r in range(top, rows) for c in range(left, cols))
    steps = _ida_star(state, rows, cols, region)
    path.extend(steps)
    return path


def _line_groups(line: list[Pos]) -> list[list[Pos]]:
    """Cells of a line in the order to fill them: all at once when short, else pairs, the
    last two always together (one tile alone cannot be slotted into the line's end)."""
    if len(line) <= LINE_AT_ONCE:
        return [line]
    head = line[:-2]
    return [*(head[i : i + 2] for i in range(0, len(head), 2)), line[-2:]]


def _region(
    rows: int, cols: int, top: int, left: int, line: list[Pos], group: list[Pos]
) -> frozenset[Pos]:
    """Cells still free while `group` of `line` is placed: the rest after the line, plus
    the line's cells from `group` on (the line's earlier cells are already home)."""
    first = line.index(group[0])
    rest = {(r, c) for r in range(top, rows) for c in range(left, cols)}
    return frozenset(rest | set(line[first:]))


def _step(state: list[int], cols: int, cell: Pos) -> None:
    """Move the gap of `state` (in place) to the neighbouring `cell`."""
    gap = state.index(0)
    here = cell[0] * cols + cell[1]
    state[gap], state[here] = state[here], 0


def _place(state: list[int], cols: int, region: frozenset[Pos], homes: dict[Pos, int]) -> list[Pos]:
    """Gap steps inside `region` that bring each tile homes[cell] to its cell: weighted A*
    over the positions of those tiles and the gap (other tiles are interchangeable)."""
    wanted = sorted(homes.items())
    where = {t: divmod(i, cols) for i, t in enumerate(state)}
    start = (where[0], *(where[t] for _, t in wanted))
    target = tuple(cell for cell, _ in wanted)

    def estimate(node: tuple[Pos, ...]) -> int:
        far = sum(
            abs(p[0] - t[0]) + abs(p[1] - t[1]) for p, t in zip(node[1:], target, strict=True)
        )
        return PLACE_WEIGHT * far

    parent: dict[tuple[Pos, ...], tuple[Pos, ...] | None] = {start: None}
    cost = {start: 0}
    heap = [(estimate(start), 0, start)]  # ties: deepest first (g is stored negated)
    while heap:
        _, minus_g, node = heapq.heappop(heap)
        g = -minus_g
        if node[1:] == target:
            return _unwind(parent, node)
        if g > cost[node]:
            continue
        gap = node[0]
        for near in _neighbours(gap):
            if near not in region:
                continue
            child = (near, *(gap if p == near else p for p in node[1:]))
            if g + 1 < cost.get(child, 1 << 30):
                cost[child] = g + 1
                parent[child] = node
                heapq.heappush(heap, (g + 1 + estimate(child), -g - 1, child))
    # Unreachable for a solvable position; a bug if it happens, so say where.
    raise FifteenError(f"fifteen: cannot bring tiles {dict(wanted)} home inside {sorted(region)}")


def _unwind(
    parent: dict[tuple[Pos, ...], tuple[Pos, ...] | None], end: tuple[Pos, ...]
) -> list[Pos]:
    """The gap cells of the search path to `end`, the start's own cell excluded."""
    steps: list[Pos] = []
    back: tuple[Pos, ...] | None = end
    while back is not None:
        steps.append(back[0])
        back = parent[back]
    return steps[-2::-1]


def _neighbours(cell: Pos) -> tuple[Pos, ...]:
    r, c = cell
    return ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1))


def _ida_star(state: list[int], rows: int, cols: int, region: frozenset[Pos]) -> list[Pos]:
    """Optimal gap steps inside `region` that solve the rest (all tiles outside are home)."""
    home = {t: divmod(t - 1, cols) for t in range(1, rows * cols)}
    board = list(state)
    gap = divmod(board.index(0), cols)
    cells = sorted(region)
    lines = [[cell for cell in cells if cell[0] == r] for r in sorted({r for r, _ in cells})]
    lines += [[cell for cell in cells if cell[1] == c] for c in sorted({c for _, c in cells})]

    def estimate() -> int:
        total = 0
        for r, c in cells:
            t = board[r * cols + c]
            if t:
                hr, hc = home[t]
                total += abs(hr - r) + abs(hc - c)
        return total + 2 * sum(_conflicts(board, cols, line, home) for line in lines)

    path: list[Pos] = []

    def search(here: Pos, cost: int, bound: int, came: Pos | None) -> int:
        h = estimate()
        if h == 0:
            return -1
        if cost + h > bound:
            return cost + h
        least = 1 << 30
        for near in _neighbours(here):
            if near not in region or near == came:
                continue
            i, j = here[0] * cols + here[1], near[0] * cols + near[1]
            board[i], board[j] = board[j], 0
            path.append(near)
            found = search(near, cost + 1, bound, here)
            if found < 0:
                return -1
            path.pop()
            board[j], board[i] = board[i], 0
            least = min(least, found)
        return least

    bound = estimate()
    while True:
        found = search(gap, 0, bound, None)
        if found < 0:
            return path
        if found >= 1 << 30:
            raise FifteenError("fifteen: the rest of the board cannot be solved")
        bound = found


def _conflicts(board: list[int], cols: int, line: list[Pos], home: dict[int, Pos]) -> int:
    """Linear conflicts on one row or column: tiles to lift out so the rest are in order."""
    if len({r for r, _ in line}) == 1:
        r = line[0][0]
        keys = [home[t][1] for t in (board[y * cols + x] for y, x in line) if t and home[t][0] == r]
    else:
        c = line[0][1]
        keys = [home[t][0] for t in (board[y * cols + x] for y, x in line) if t and home[t][1] == c]
    if len(keys) < 2:
        return 0
    # Longest increasing run kept in place; every other tile must step out and back.
    best = [1] * len(keys)
    for i in range(len(keys)):
        for j in range(i):
            if keys[j] < keys[i]:
                best[i] = max(best[i], best[j] + 1)
    return len(keys) - max(best)


class FifteenPolicy:
    """Plays fifteen: one solve per unexpected board, then the planned clicks in order."""

    def __init__(self) -> None:
        self._plan: list[Pos] = []
        self._expected: Tiles | None = None
        self.replans = 0

    def decide(self, board: Board, context: Context) -> Click | None:
        """The next click, or None when the board is solved or cannot be solved."""
        tiles = tiles_of(board)
        if is_solved(tiles):
            return None
        if tiles != self._expected or not self._plan:
            if self._expected is not None:
                logger.info(
                    "frame {}: the fifteen board is not the one planned for; re-planning",
                    context.frame_index,
                )
            self.replans += 1
            plan = solve(tiles, board.rows, board.cols)
            if plan is None:
                logger.warning(
                    "frame {}: this fifteen position has the wrong parity and cannot be solved",
                    context.frame_index,
                )
                self._plan, self._expected = [], None
                return None
            self._plan = plan
        cell = self._plan.pop(0)
        self._expected = apply_click(tiles, board.rows, board.cols, cell)
        return Click(cell)

    def expects(self, board: Board) -> bool:
        """False when `board` is not what the last click should have made (Expecting)."""
        return self._expected is None or tiles_of(board) == self._expected


def play_clicks(tiles: Tiles, rows: int, cols: int, cells: Iterable[Pos]) -> Tiles:
    """The position after clicking each of `cells` in turn."""
    for cell in cells:
        tiles = apply_click(tiles, rows, cols, cell)
    return tiles
