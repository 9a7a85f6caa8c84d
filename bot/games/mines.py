"""Mines (sgt-mines): reading a board, exact mine deduction, and the policy that plays it.

The analysis finds every covered cell that is certainly safe or certainly a mine: first
the cheap rules (a number whose mines are all found clears its other neighbours; a number
needing as many mines as it has covered neighbours fills them; a number whose covered
neighbours contain another number's adds the difference), then, when those find nothing
safe, an enumeration of every mine layout that fits the numbers on the frontier (cells of
identical constraints counted together), weighted by the ways to place the remaining
mines in the unconstrained cells when the total is known. A cell safe in every layout is
safe; otherwise the policy guesses the cell with the lowest mine probability and logs it.

The game (mines.c) is won when every safe square is open; flags are not needed, so by
default the policy never flags: each flag would cost a click and the game flags every
mine itself on a win. Flags already on the board are not trusted (a flag is a claim,
not a number): the analysis treats them as covered, and a flag on a cell proven safe is
removed (right click) before the cell is opened.

    view = view_of(board)
    found = analyse(view, total_mines=10)
    found.safe, found.mines, found.risk
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from loguru import logger

from bot.actions import Click, MouseButton
from bot.board import Board
from bot.errors import TilebotError
from bot.games.sgt.ids import COVERED, FLAG, MINE, MinesBoard, MinesState, mines_open, mines_settle
from bot.policy import Context

Pos = tuple[int, int]
"""A cell as (row, col)."""

ENUMERATION_BUDGET = 200_000
"""Search steps allowed per analysis before the enumeration gives up on exactness."""
UNKNOWN_DENSITY = 0.2
"""Mine probability assumed for unconstrained cells when the total is not known."""


class MinesError(TilebotError):
    """A mines board that cannot be read or has no fitting mine layout; says why."""


@dataclass(frozen=True, slots=True)
class MinesView:
    """What a mines board shows.

    numbers: opened cells -> count of adjacent mines. covered: cells neither opened nor
    flagged. flagged: cells showing a flag. exploded: the mine opened to lose, or None.
    """

    rows: int
    cols: int
    numbers: Mapping[Pos, int]
    covered: frozenset[Pos]
    flagged: frozenset[Pos]
    exploded: Pos | None = None

    def neighbours(self, cell: Pos) -> list[Pos]:
        """The up to 8 in-bounds cells around `cell`."""
        r, c = cell
        return [
            (r + dr, c + dc)
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr or dc) and 0 <= r + dr < self.rows and 0 <= c + dc < self.cols
        ]


def view_of(board: Board) -> MinesView:
    """The view of a board labelled "covered", "0".."8", "flag", "mine"; MinesError otherwise."""
    numbers: dict[Pos, int] = {}
    covered, flagged = set(), set()
    exploded: Pos | None = None
    for (r, c), cell in board:
        label = cell.label
        if label == COVERED:
            covered.add((r, c))
        elif label == FLAG:
            flagged.add((r, c))
        elif label == MINE:
            exploded = (r, c)
        elif len(label) == 1 and "0" <= label <= "8":
            numbers[(r, c)] = int(label)
        else:
            raise MinesError(f"mines: cell ({r}, {c}) reads {label!r}, not a mines label")
    return MinesView(
        board.rows,
        board.cols,
        MappingProxyType(numbers),
        frozenset(covered),
        frozenset(flagged),
        exploded,
    )


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the numbers prove about the undecided cells.

    safe: covered or flagged cells that hold no mine in any fitting layout. mines: cells
    that hold one in every layout. risk: each other cell's mine probability (filled only
    when no cell is safe). exact: False when the enumeration ran out of budget and the
    risks are estimates.
    """

    safe: frozenset[Pos]
    mines: frozenset[Pos]
    risk: Mapping[Pos, float] = field(default_factory=lambda: MappingProxyType({}))
    exact: bool = True


_Rule = tuple[frozenset[Pos], int]
"""A constraint: exactly `count` mines among `cells`."""


class _Contradiction(Exception):
    """The numbers fit no mine layout."""


def analyse(
    view: MinesView, total_mines: int | None = None, *, budget: int = ENUMERATION_BUDGET
) -> Analysis:
    """Every certain cell of the view and, when none is safe, each cell's mine probability.

    Flagged cells count as covered: a flag is a claim, and the numbers decide. total_mines:
    the game's mine count (None when unknown: unconstrained cells then get UNKNOWN_DENSITY).
    Raises MinesError when no mine layout fits the numbers.
    """
    try:
        return _analyse(view, total_mines, budget)
    except _Contradiction:
        raise MinesError(
            "mines: no mine layout fits the numbers on this board (a misread?)"
        ) from None


def _analyse(view: MinesView, total_mines: int | None, budget: int) -> Analysis:
    unknown = view.covered | view.flagged
    safe, mines, rules = _deduce(_rules(view, unknown))
    undecided = unknown - safe - mines
    left = None if total_mines is None else total_mines - len(mines)
    if left is not None:
        # The total is left out of the cheap rules (its differences would multiply) but
        # settles the rest when the frontier's mines are all found, or all cells are mines.
        if not 0 <= left <= len(undecided):
            raise _Contradiction
        if left == 0:
            safe |= undecided
        elif left == len(undecided):
            mines |= undecided
    if safe or not undecided - mines:
        return Analysis(frozenset(safe), frozenset(mines))
    probabilities, exact = _enumerate(rules, undecided, left, budget)
    safe = {cell for cell, p in probabilities.items() if p == 0}
    mines |= {cell for cell, p in probabilities.items() if p == 1}
    risk = {cell: p for cell, p in probabilities.items() if 0 < p < 1} if not safe else {}
    return Analysis(frozenset(safe), frozenset(mines), MappingProxyType(risk), exact=exact)


def _rules(view: MinesView, unknown: frozenset[Pos]) -> set[_Rule]:
    """One rule per opened number: its count of mines among its unknown neighbours."""
    rules: set[_Rule] = set()
    for cell, number in view.numbers.items():
        cells = frozenset(n for n in view.neighbours(cell) if n in unknown)
        if number > len(cells):
            raise _Contradiction
        if cells:
            rules.add((cells, number))
    return rules


def _deduce(rules: set[_Rule]) -> tuple[set[Pos], set[Pos], set[_Rule]]:
    """(safe cells, mine cells, the rules left over the undecided cells) by the cheap rules.

    Repeats to a fixpoint: all-safe and all-mine rules decide their cells; a rule whose
    cells contain another's yields one for the difference.
    """
    safe: set[Pos] = set()
    mines: set[Pos] = set()
    while True:
        rules, decided = _reduce(rules, safe, mines)
        if decided:
            continue
        derived = _differences(rules)
        if derived <= rules:
            break
        rules = rules | derived
    if safe & mines:
        raise _Contradiction
    return safe, mines, rules


def _reduce(rules: set[_Rule], safe: set[Pos], mines: set[Pos]) -> tuple[set[_Rule], bool]:
    """Rules without their decided cells, and whether a rule decided new cells (added to
    `safe` and `mines` in place)."""
    reduced: set[_Rule] = set()
    decided = False
    for cells, count in rules:
        rest = cells - safe - mines
        need = count - len(cells & mines)
        if not 0 <= need <= len(rest):
            raise _Contradiction
        if not rest:
            continue
        if need == 0:
            safe |= rest
            decided = True
        elif need == len(rest):
            mines |= rest
            decided = True
        else:
            reduced.add((rest, need))
    return reduced, decided


def _differences(rules: set[_Rule]) -> set[_Rule]:
    """For each rule whose cells lie inside another's, a rule for the cells in between."""
    by_cell: dict[Pos, list[_Rule]] = {}
    for rule in rules:
        for cell in rule[0]:
            by_cell.setdefault(cell, []).append(rule)
    derived: set[_Rule] = set()
    for small, need in rules:
        for big, count in {r for cell in small for r in by_cell[cell]}:
            if small < big:
                derived.add((big - small, count - need))
    return derived


def _enumerate(
    rules: set[_Rule], undecided: frozenset[Pos], left: int | None, budget: int
) -> tuple[dict[Pos, float], bool]:
    """Each undecided cell's mine probability over all layouts fitting `rules`, with `left`
    mines in all (None: unknown). Exact unless the budget runs out (then False)."""
    frontier = frozenset(cell for cells, _ in rules for cell in cells)
    interior = undecided - frontier
    components = _components(rules)
    tables: list[_Table] = []
    steps = [budget]
    exact = True
    for component in components:
        table = _count_layouts(component, steps)
        if table is None:
            exact = False
            break
        if not table.ways:
            raise _Contradiction
        tables.append(table)
    if not exact:
        return _estimate(rules, frontier, interior, left), False
    return _combine(tables, interior, left), True


@dataclass(frozen=True, slots=True)
class _Table:
    """Layouts of one component: ways[k] layouts with k mines; load[g][k] the sum over those
    layouts of the mines in group g (of cells groups[g])."""

    groups: tuple[frozenset[Pos], ...]
    ways: dict[int, int]
    load: tuple[dict[int, int], ...]


def _components(rules: set[_Rule]) -> list[list[_Rule]]:
    """Rules joined into groups that share cells, each in a stable order."""
    ordered = sorted(rules, key=lambda rule: (sorted(rule[0]), rule[1]))
    parent = list(range(len(ordered)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_rule: dict[Pos, int] = {}
    for i, (cells, _) in enumerate(ordered):
        for cell in cells:
            j = first_rule.setdefault(cell, i)
            parent[root(i)] = root(j)
    joined: dict[int, list[_Rule]] = {}
    for i, rule in enumerate(ordered):
        joined.setdefault(root(i), []).append(rule)
    return list(joined.values())


def _count_layouts(rules: list[_Rule], steps: list[int]) -> _Table | None:
    """Count the layouts of one component by backtracking over groups of cells that lie in
    the same rules (a group of g cells with m mines counts C(g, m) layouts). None when the
    shared step budget `steps[0]` runs out."""
    members: dict[Pos, frozenset[int]] = {}
    for i, (cells, _) in enumerate(rules):
        for cell in cells:
            members[cell] = members.get(cell, frozenset()) | {i}
    by_signature: dict[frozenset[int], set[Pos]] = {}
    for cell, signature in members.items():
        by_signature.setdefault(signature, set()).add(cell)
    # Order groups rule by rule so each rule is closed (fully assigned) as early as possible.
    order: list[frozenset[int]] = []
    for i in range(len(rules)):
        for signature in sorted(by_signature, key=sorted):
            if i in signature and signature not in order:
                order.append(signature)
    groups = tuple(frozenset(by_signature[s]) for s in order)
    sizes = [len(g) for g in groups]
    need = [count for _, count in rules]
    room = [len(cells) for cells, _ in rules]  # unassigned cells left in each rule
    ways: dict[int, int] = {}
    load: tuple[dict[int, int], ...] = tuple({} for _ in groups)
    chosen = [0] * len(groups)

    def place(g: int, mult: int, total: int) -> bool:
        steps[0] -= 1
        if steps[0] < 0:
            return False
        if g == len(groups):
            ways[total] = ways.get(total, 0) + mult
            for i, m in enumerate(chosen):
                if m:
                    load[i][total] = load[i].get(total, 0) + mult * m
            return True
        signature, size = order[g], sizes[g]
        for rule in signature:
            room[rule] -= size
        lo = max((need[r] - room[r] for r in signature), default=0)
        hi = min([size, *(need[r] for r in signature)])
        ok = True
        for m in range(max(lo, 0), hi + 1):
            for rule in signature:
                need[rule] -= m
            chosen[g] = m
            ok = place(g + 1, mult * math.comb(size, m), total + m)
            for rule in signature:
                need[rule] += m
            if not ok:
                break
        chosen[g] = 0
        for rule in signature:
            room[rule] += size
        return ok

    if not place(0, 1, 0):
        return None
    return _Table(groups, ways, load)


def _combine(tables: list[_Table], interior: frozenset[Pos], left: int | None) -> dict[Pos, float]:
    """Exact mine probabilities from the component tables, the interior and the mines left."""
    if left is None:
        return _combine_without_total(tables, interior)
    # totals[i][k]: layouts of every component but i with k mines in them.
    totals = [
        _convolve([t.ways for j, t in enumerate(tables) if j != i]) for i in range(len(tables))
    ]
    everything = _convolve([t.ways for t in tables])
    spare = len(interior)

    def fill(k: int) -> int:
        return math.comb(spare, left - k) if 0 <= left - k <= spare else 0

    weight = sum(w * fill(k) for k, w in everything.items())
    if weight == 0:
        raise _Contradiction
    result: dict[Pos, float] = {}
    for table, others in zip(tables, totals, strict=True):
        for group, load in zip(table.groups, table.load, strict=True):
            mines = sum(m * w * fill(k + j) for k, m in load.items() for j, w in others.items())
            p = _ratio(mines, weight * len(group))
            result.update(dict.fromkeys(group, p))
    if interior:
        inside = sum(w * fill(k) * (left - k) for k, w in everything.items())
        result.update(dict.fromkeys(interior, _ratio(inside, weight * spare)))
    return result


def _combine_without_total(tables: list[_Table], interior: frozenset[Pos]) -> dict[Pos, float]:
    """Probabilities with every fitting frontier layout equally likely; interior assumed."""
    result: dict[Pos, float] = {}
    for table in tables:
        weight = sum(table.ways.values())
        for group, load in zip(table.groups, table.load, strict=True):
            result.update(dict.fromkeys(group, _ratio(sum(load.values()), weight * len(group))))
    result.update(dict.fromkeys(interior, UNKNOWN_DENSITY))
    return result


def _ratio(part: int, whole: int) -> float:
    """part / whole as a float that is exactly 0.0 or 1.0 only when the ratio is."""
    if part == 0:
        return 0.0
    if part == whole:
        return 1.0
    return min(max(part / whole, 1e-12), 1 - 1e-12)


def _convolve(polys: Iterable[dict[int, int]]) -> dict[int, int]:
    """The product of polynomials given as {power: coefficient}."""
    out = {0: 1}
    for poly in polys:
        nxt: dict[int, int] = {}
        for a, x in out.items():
            for b, y in poly.items():
                nxt[a + b] = nxt.get(a + b, 0) + x * y
        out = nxt
    return out


def _estimate(
    rules: set[_Rule], frontier: frozenset[Pos], interior: frozenset[Pos], left: int | None
) -> dict[Pos, float]:
    """Rough probabilities when enumeration is too costly: each frontier cell takes the
    highest density of its rules; the interior shares what the frontier leaves."""
    result = dict.fromkeys(frontier, 0.0)
    for cells, count in rules:
        for cell in cells:
            result[cell] = max(result[cell], count / len(cells))
    if interior:
        spread = None if left is None else (left - sum(result.values())) / len(interior)
        density = UNKNOWN_DENSITY if spread is None else spread
        result.update(dict.fromkeys(interior, min(max(density, 1e-6), 1 - 1e-6)))
    # Estimates never claim certainty: only exact counting may prove a cell safe.
    return {cell: min(max(p, 1e-6), 1 - 1e-6) for cell, p in result.items()}


# ----------------------------------------------------------------------------- rules


def apply_click(layout: MinesBoard, state: MinesState, click: Click) -> MinesState:
    """The position after `click`, as mines.c plays it.

    Left on a covered cell opens it (and floods from a 0); right on a covered or flagged
    cell toggles the flag; any button on an opened number whose flags match it opens its
    other covered neighbours. Opening a mine loses (state.exploded; of several mines opened
    at once the game shows them all, this model the first); a lost or won game ignores
    clicks, and a win flags every covered cell.
    """
    cell = click.cell
    if not (0 <= cell[0] < layout.rows and 0 <= cell[1] < layout.cols):
        raise MinesError(f"mines: click at {cell} is off the {layout.rows}x{layout.cols} grid")
    every = layout.rows * layout.cols
    if state.exploded is not None or len(state.opened) + layout.mine_count == every:
        return state
    if cell in state.opened:
        near = layout.neighbours(cell)
        count = layout.count(cell)
        if count == 0 or sum(n in state.flagged for n in near) != count:
            return state
        targets = [n for n in near if n not in state.opened and n not in state.flagged]
    elif click.button is MouseButton.RIGHT:
        return MinesState(state.opened, state.flagged ^ {cell}, None)
    elif cell in state.flagged or click.button is not MouseButton.LEFT:
        return state
    else:
        targets = [cell]
    opened = state.opened
    for target in targets:
        if layout.mines[target[0]][target[1]]:
            return MinesState(opened, state.flagged, target)
        opened = mines_open(layout, [target], opened=opened, flagged=state.flagged)
    return mines_settle(layout, MinesState(opened, state.flagged, None))


# ---------------------------------------------------------------------------- policy


class MinesPolicy:
    """Plays mines: opens proven-safe cells, guesses the least risky cell only when none is.

    total_mines: the game's mine count, which sharpens the deduction (None: unknown).
    flag_mines: also right-click proven mines (off by default: the game does not need
    flags to be won, and each costs a click). guesses: the mine probability of each guess
    made, in order.
    """

    def __init__(self, total_mines: int | None = None, *, flag_mines: bool = False) -> None:
        self.total_mines = total_mines
        self.flag_mines = flag_mines
        self.guesses: list[float] = []
        self.analyses = 0
        self._safe: set[Pos] = set()
        self._last: MinesView | None = None

    def decide(self, board: Board, context: Context) -> Click | None:
        """The next click, or None when the game is won or lost."""
        view = view_of(board)
        if view.exploded is not None or not view.covered:
            return None
        if not view.numbers:
            self._last = view
            centre = (view.rows // 2, view.cols // 2)
            if centre in view.covered:
                # The game keeps the first opened square and its neighbours free of mines.
                return Click(centre)
        if self._last is None or not _follows(self._last, view):
            self._safe = set()
        self._last = view
        self._safe &= view.covered | view.flagged
        if not self._safe:
            return self._decide_afresh(view, context)
        return self._open(min(self._safe), view)

    def _decide_afresh(self, view: MinesView, context: Context) -> Click | None:
        self.analyses += 1
        try:
            found = analyse(view, self.total_mines)
        except MinesError as exc:
            logger.warning("frame {}: {}", context.frame_index, exc)
            return None
        if self.flag_mines:
            unflagged = sorted(found.mines - view.flagged)
            if unflagged:
                return Click(unflagged[0], MouseButton.RIGHT)
        if found.safe:
            self._safe = set(found.safe)
            return self._open(min(self._safe), view)
        if not found.risk:
            return None
        risk, cell = min((p, cell) for cell, p in found.risk.items())
        self.guesses.append(risk)
        logger.info(
            "frame {}: no cell is certainly safe; guessing {} with mine risk {:.1%}{}",
            context.frame_index,
            cell,
            risk,
            "" if found.exact else " (estimated)",
        )
        if cell in view.flagged:
            return Click(cell, MouseButton.RIGHT)
        return Click(cell)

    def _open(self, cell: Pos, view: MinesView) -> Click:
        """Open `cell`; if it carries a flag, remove the flag first (the game won't open it)."""
        if cell in view.flagged:
            return Click(cell, MouseButton.RIGHT)
        self._safe.discard(cell)
        return Click(cell)


def _follows(before: MinesView, after: MinesView) -> bool:
    """True when `after` can follow `before` in one game: every opened number still shows."""
    return (before.rows, before.cols) == (after.rows, after.cols) and all(
        after.numbers.get(cell) == n for cell, n in before.numbers.items()
    )
