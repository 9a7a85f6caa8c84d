"""Decode descriptive game IDs of flip, samegame, fifteen and mines into boards of labels.

A descriptive ID is `params:description`, as `sgt-NAME --generate 1 'PARAMS#SEED'` prints
it; a random-seed ID (`params#seed`) does not say the board and is refused. Cells are
(row, col), row 0 at the top; the games' own descriptions and moves speak (x, y) = (col, row).

Labels:
- flip: "lit" (drawn white) or "dark" (drawn at a third of the background brightness);
- samegame: "c1" .. "c9" by the game's colour number (1 blue, 2 dark green, 3 red,
  4 yellow, 5 magenta, 6 cyan, 7 light blue, 8 light green, 9 pink), "empty" for 0;
- fifteen: "1" .. str(rows * cols - 1), "blank" for the gap;
- mines: "covered", "0" .. "8" (an opened square and its count of adjacent mines),
  "flag", and "mine" for the mine that was opened when the game was lost (the game reveals
  only that one, on a red square, and accepts no move after it).

    board = decode_mines("5x5:2,2,me26e220")
    labels = mines_labels(board, mines_open(board, [board.start]), frozenset())
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeVar, get_args

from bot.games.sgt import GameIdError, MoveError
from bot.games.sgt.obfuscate import unmask_bitmap

Game = Literal["flip", "samegame", "fifteen", "mines"]
"""The games covered, named as their binaries `sgt-NAME`."""
GAMES: tuple[Game, ...] = get_args(Game)

Pos = tuple[int, int]
"""A cell as (row, col)."""
Labels = tuple[tuple[str, ...], ...]
"""A board of labels, labels[row][col]."""
Grid = tuple[tuple[int, ...], ...]
"""A board of small integers, grid[row][col]."""
Flags = tuple[tuple[bool, ...], ...]
"""A board of booleans, flags[row][col]."""

LIT = "lit"
DARK = "dark"
EMPTY = "empty"
BLANK = "blank"
COVERED = "covered"
FLAG = "flag"
MINE = "mine"

_T = TypeVar("_T")
_HEX = re.compile(r"[0-9a-fA-F]*")


def check_game(game: str) -> Game:
    """`game` itself if it is one of GAMES; else GameIdError naming the known games."""
    for known in GAMES:
        if game == known:
            return known
    raise GameIdError(f"unknown game {game!r}; expected one of {', '.join(GAMES)}")


def split_id(game: str, game_id: str) -> tuple[str, str]:
    """(params, description) of a descriptive ID; GameIdError for seeds and other shapes."""
    colon, hash_ = game_id.find(":"), game_id.find("#")
    if hash_ >= 0 and (colon < 0 or hash_ < colon):
        raise GameIdError(
            f"{game}: {game_id!r} is a random-seed ID, which does not describe the board; "
            f"use the descriptive ID printed by `sgt-{game} --generate 1 {game_id!r}`"
        )
    if colon < 0:
        raise GameIdError(f"{game}: {game_id!r} has no ':' between parameters and description")
    return game_id[:colon], game_id[colon + 1 :]


def _match_params(game: str, pattern: re.Pattern[str], params: str) -> re.Match[str]:
    match = pattern.fullmatch(params)
    if match is None:
        raise GameIdError(f"{game}: parameters {params!r} are not understood")
    return match


def _size(game: str, match: re.Match[str], min_side: int) -> tuple[int, int]:
    """(rows, cols) from a params match whose groups 1 and 2 are width and height."""
    cols = int(match.group(1))
    rows = int(match.group(2)) if match.group(2) is not None else cols
    if rows < min_side or cols < min_side:
        raise GameIdError(
            f"{game}: a {cols}x{rows} grid is too small (each side must be >= {min_side})"
        )
    return rows, cols


def _hex_bits(hex_digits: str, nbits: int) -> list[bool]:
    """The first `nbits` bits of hex digits read high bit first."""
    value = int(hex_digits, 16) if hex_digits else 0
    total = 4 * len(hex_digits)
    return [bool(value >> (total - 1 - i) & 1) for i in range(nbits)]


def _numbers(game: str, desc: str, count: int) -> list[int]:
    """`count` comma-separated decimal numbers; GameIdError naming what is wrong."""
    parts = desc.split(",")
    if len(parts) != count:
        raise GameIdError(f"{game}: description has {len(parts)} numbers, expected {count}")
    for i, part in enumerate(parts):
        if not part.isascii() or not part.isdigit():
            raise GameIdError(f"{game}: description item {i} is {part!r}, not a number")
    return [int(part) for part in parts]


def _rows_of(values: Sequence[_T], cols: int) -> tuple[tuple[_T, ...], ...]:
    return tuple(tuple(values[i : i + cols]) for i in range(0, len(values), cols))


# ----------------------------------------------------------------------------- flip


@dataclass(frozen=True, slots=True)
class FlipBoard:
    """A flip game: which cells are dark, and which cells each click toggles.

    dark[row][col]: True where the light is off. toggles[row][col]: the frozenset of cells
    whose lights a click on (row, col) toggles (the ID's matrix row for that cell).
    """

    rows: int
    cols: int
    dark: Flags
    toggles: tuple[tuple[frozenset[Pos], ...], ...]


_FLIP_PARAMS = re.compile(r"(\d+)(?:x(\d+))?[cr]?")


def decode_flip_board(game_id: str) -> FlipBoard:
    """The FlipBoard of a descriptive flip ID `WxH:<matrix hex>,<grid hex>`.

    The matrix has (W*H)^2 bits, row i listing the cells a click on cell i toggles; the
    grid has W*H bits, 1 = dark; both high bit first, cells in row-major order.
    """
    params, desc = split_id("flip", game_id)
    rows, cols = _size("flip", _match_params("flip", _FLIP_PARAMS, params), 1)
    n = rows * cols
    mlen, glen = (n * n + 3) // 4, (n + 3) // 4
    matrix_hex, comma, grid_hex = desc.partition(",")
    if not comma:
        raise GameIdError("flip: description has no ',' between matrix and grid")
    for name, digits, want in (("matrix", matrix_hex, mlen), ("grid", grid_hex, glen)):
        if len(digits) != want or not _HEX.fullmatch(digits):
            raise GameIdError(
                f"flip: {name} part must be {want} hex digits for {cols}x{rows}, "
                f"got {digits[:40]!r}{'...' if len(digits) > 40 else ''}"
            )
    matrix = _hex_bits(matrix_hex, n * n)
    dark = _hex_bits(grid_hex, n)
    toggles = [frozenset(divmod(j, cols) for j in range(n) if matrix[i * n + j]) for i in range(n)]
    return FlipBoard(rows, cols, _rows_of(dark, cols), _rows_of(toggles, cols))


def flip_labels(dark: Flags) -> Labels:
    """Labels "dark"/"lit" of a dark-cell grid."""
    return tuple(tuple(DARK if d else LIT for d in row) for row in dark)


def decode_flip(game_id: str) -> Labels:
    """Labels "lit"/"dark" of a descriptive flip ID."""
    return flip_labels(decode_flip_board(game_id).dark)


# ------------------------------------------------------------------------- samegame


@dataclass(frozen=True, slots=True)
class SameGameBoard:
    """A samegame board: colours[row][col] in 0..ncolours, 0 = empty."""

    rows: int
    cols: int
    ncolours: int
    colours: Grid


_SAMEGAME_PARAMS = re.compile(r"(\d+)(?:x(\d+))?(?:c(\d+))?(?:s(\d+))?(r)?")
_SAMEGAME_MAX_COLOURS = 9


def decode_samegame_board(game_id: str) -> SameGameBoard:
    """The SameGameBoard of a descriptive ID `WxHcNsS:c0,c1,...` (row-major colours).

    Without `cN` the game assumes 3 colours, so higher colour numbers are refused then.
    """
    params, desc = split_id("samegame", game_id)
    match = _match_params("samegame", _SAMEGAME_PARAMS, params)
    rows, cols = _size("samegame", match, 1)
    ncolours = int(match.group(3)) if match.group(3) is not None else 3
    random_fill = match.group(5) is not None
    least = 2 if random_fill else 3
    if not least <= ncolours <= _SAMEGAME_MAX_COLOURS:
        raise GameIdError(
            f"samegame: {ncolours} colours is out of range "
            f"({least}..{_SAMEGAME_MAX_COLOURS} for {params!r})"
        )
    if match.group(4) is not None and int(match.group(4)) not in {1, 2}:
        raise GameIdError(f"samegame: scoring 's{match.group(4)}' is not 1 or 2")
    values = _numbers("samegame", desc, rows * cols)
    for i, v in enumerate(values):
        if v > ncolours:
            raise GameIdError(
                f"samegame: cell {divmod(i, cols)} has colour {v}, above the {ncolours} colours"
            )
    return SameGameBoard(rows, cols, ncolours, _rows_of(values, cols))


def samegame_labels(colours: Grid) -> Labels:
    """Labels "c1".."c9"/"empty" of a colour grid."""
    return tuple(tuple(f"c{v}" if v else EMPTY for v in row) for row in colours)


def decode_samegame(game_id: str) -> Labels:
    """Labels "c1".."cN"/"empty" of a descriptive samegame ID."""
    return samegame_labels(decode_samegame_board(game_id).colours)


# -------------------------------------------------------------------------- fifteen


@dataclass(frozen=True, slots=True)
class FifteenBoard:
    """A fifteen board: tiles[row][col] numbers 1..rows*cols-1, 0 = the gap."""

    rows: int
    cols: int
    tiles: Grid


_FIFTEEN_PARAMS = re.compile(r"(\d+)(?:x(\d+))?")


def decode_fifteen_board(game_id: str) -> FifteenBoard:
    """The FifteenBoard of a descriptive ID `WxH:t0,t1,...` (a permutation of 0..W*H-1)."""
    params, desc = split_id("fifteen", game_id)
    rows, cols = _size("fifteen", _match_params("fifteen", _FIFTEEN_PARAMS, params), 2)
    n = rows * cols
    values = _numbers("fifteen", desc, n)
    if sorted(values) != list(range(n)):
        raise GameIdError(f"fifteen: description is not a permutation of 0..{n - 1}")
    return FifteenBoard(rows, cols, _rows_of(values, cols))


def fifteen_labels(tiles: Grid) -> Labels:
    """Labels "1".."N"/"blank" of a tile grid."""
    return tuple(tuple(str(v) if v else BLANK for v in row) for row in tiles)


def decode_fifteen(game_id: str) -> Labels:
    """Labels "1".."N"/"blank" of a descriptive fifteen ID."""
    return fifteen_labels(decode_fifteen_board(game_id).tiles)


# ---------------------------------------------------------------------------- mines


@dataclass(frozen=True, slots=True)
class MinesBoard:
    """A mines layout: mines[row][col] True on a mine; `start` is opened when the game
    begins (None if the ID names no start square)."""

    rows: int
    cols: int
    mines: Flags
    start: Pos | None

    @property
    def mine_count(self) -> int:
        """How many mines the layout holds."""
        return sum(sum(row) for row in self.mines)

    def neighbours(self, cell: Pos) -> list[Pos]:
        """The up to 8 in-bounds cells around `cell`."""
        r, c = cell
        return [
            (r + dr, c + dc)
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr or dc) and 0 <= r + dr < self.rows and 0 <= c + dc < self.cols
        ]

    def count(self, cell: Pos) -> int:
        """How many of the 8 cells around `cell` hold a mine."""
        return sum(self.mines[r][c] for r, c in self.neighbours(cell))


_MINES_PARAMS = re.compile(r"(\d+)(?:x(\d+))?(?:n([0-9.]*))?(a)?")
# The game refuses more mines than this many cells short of the area (mines.c).
_MINES_FREE_CELLS = 9


def decode_mines(game_id: str) -> MinesBoard:
    """The MinesBoard of a descriptive ID `WxH:x,y,m<hex>` (or `u<hex>`, or no `x,y,`).

    The hex holds W*H bits, high bit first, row-major, 1 = mine; after `m` it is masked by
    the collection's obfuscate_bitmap and is unmasked here; after `u` (or neither) it is
    plain. (x, y) is the square opened at the start. IDs starting `r` (mines placed on the
    first click) do not describe a layout and are refused.
    """
    params, desc = split_id("mines", game_id)
    match = _match_params("mines", _MINES_PARAMS, params)
    rows, cols = _size("mines", match, 1)
    n = rows * cols
    declared = match.group(3)  # the game reads it with atoi: leading digits, else 0
    nominal = int(declared.partition(".")[0] or 0) if declared is not None else n // 10
    if nominal > n - _MINES_FREE_CELLS:
        raise GameIdError(
            f"mines: the game refuses {params!r}: {nominal} mines leave fewer than "
            f"{_MINES_FREE_CELLS} free squares on {cols}x{rows}"
        )
    if desc.startswith("r"):
        raise GameIdError(
            "mines: an 'r' description places mines on the first click and does not say "
            f"where they are; use the ID printed by `sgt-mines --generate 1 '{params}#SEED'`"
        )
    start, rest = _mines_start(desc, rows, cols)
    masked = rest.startswith("m")
    if rest[:1] in {"m", "u"}:
        rest = rest[1:]
    want = (n + 3) // 4
    if len(rest) != want or not _HEX.fullmatch(rest):
        raise GameIdError(
            f"mines: mine bitmap must be {want} hex digits for {cols}x{rows}, got {rest!r}"
        )
    raw = bytes.fromhex(rest + "0" * (len(rest) % 2)).ljust((n + 7) // 8, b"\0")
    plain = unmask_bitmap(raw, n) if masked else raw
    mines = [bool(plain[i // 8] & (0x80 >> (i % 8))) for i in range(n)]
    board = MinesBoard(rows, cols, _rows_of(mines, cols), start)
    if start is not None and board.mines[start[0]][start[1]]:
        raise GameIdError(f"mines: the start square {start} holds a mine")
    return board


def _mines_start(desc: str, rows: int, cols: int) -> tuple[Pos | None, str]:
    """The start cell of a mines description (or None) and the text after it."""
    if not desc[:1].isdigit():
        return None, desc
    match = re.match(r"(\d+),(\d+),", desc)
    if match is None:
        raise GameIdError(f"mines: description {desc!r} should start 'x,y,' with two numbers")
    x, y = int(match.group(1)), int(match.group(2))
    if not (0 <= x < cols and 0 <= y < rows):
        raise GameIdError(f"mines: start square x={x}, y={y} is off the {cols}x{rows} grid")
    return (y, x), desc[match.end() :]


def mines_open(
    board: MinesBoard,
    cells: Iterable[Pos],
    *,
    opened: frozenset[Pos] = frozenset(),
    flagged: frozenset[Pos] = frozenset(),
) -> frozenset[Pos]:
    """All open cells after opening `cells` in turn, starting from `opened`.

    The game's expansion rule: an opened square with no adjacent mine opens each of its
    neighbours that is covered and not flagged, and so on. Raises MoveError for a cell off
    the grid, a flagged cell (the game will not open it on a click) or a mine (use
    `mines_labels(..., exploded=cell)` for the lost game).
    """
    result = set(opened)
    for cell in cells:
        _check_cell(board, cell, "open")
        if cell in flagged:
            raise MoveError(f"mines: cannot open {cell}: it is flagged")
        if board.mines[cell[0]][cell[1]]:
            raise MoveError(f"mines: opening {cell} would hit a mine")
        todo = [cell]
        result.add(cell)
        while todo:
            here = todo.pop()
            if board.count(here):
                continue
            for near in board.neighbours(here):
                if near not in result and near not in flagged:
                    result.add(near)
                    todo.append(near)
    return frozenset(result)


@dataclass(frozen=True, slots=True)
class MinesState:
    """What the player sees of a mines layout: opened and flagged cells, and the mine
    opened to lose the game (None while alive)."""

    opened: frozenset[Pos] = frozenset()
    flagged: frozenset[Pos] = frozenset()
    exploded: Pos | None = None


def mines_initial(board: MinesBoard) -> MinesState:
    """The position the game starts in: the start square opened (with its flood), and all
    covered squares flagged if that already wins."""
    opened = mines_open(board, [board.start]) if board.start is not None else frozenset()
    return mines_settle(board, MinesState(opened=opened))


def mines_settle(board: MinesBoard, state: MinesState) -> MinesState:
    """`state`, with every covered square flagged if all safe squares are open (as the
    game does on a win)."""
    if state.exploded is None and mines_is_won(board, state.opened):
        every = frozenset((r, c) for r in range(board.rows) for c in range(board.cols))
        return MinesState(state.opened, every - state.opened, None)
    return state


def decode_mines_labels(game_id: str) -> Labels:
    """Labels of a descriptive mines ID as the game starts (see `mines_initial`)."""
    board = decode_mines(game_id)
    state = mines_initial(board)
    return mines_labels(board, state.opened, state.flagged)


def mines_is_won(board: MinesBoard, opened: frozenset[Pos]) -> bool:
    """True when every safe square is open (the game then flags all covered squares)."""
    return len(opened) == board.rows * board.cols - board.mine_count


def mines_labels(
    board: MinesBoard,
    opened: frozenset[Pos],
    flagged: frozenset[Pos],
    exploded: Pos | None = None,
) -> Labels:
    """Labels of a mines position: "covered", "0".."8", "flag", or "mine" at `exploded`.

    Raises MoveError if `opened` holds a mine or overlaps `flagged`, or a cell is off the grid.
    """
    for cell in (*opened, *flagged, *([exploded] if exploded else [])):
        _check_cell(board, cell, "label")
    if opened & flagged:
        raise MoveError(f"mines: cells both opened and flagged: {sorted(opened & flagged)}")
    bad = sorted(c for c in opened if board.mines[c[0]][c[1]])
    if bad:
        raise MoveError(f"mines: opened cells hold mines: {bad}")

    def label(cell: Pos) -> str:
        if cell == exploded:
            return MINE
        if cell in opened:
            return str(board.count(cell))
        return FLAG if cell in flagged else COVERED

    return tuple(tuple(label((r, c)) for c in range(board.cols)) for r in range(board.rows))


def _check_cell(board: MinesBoard, cell: Pos, verb: str) -> None:
    r, c = cell
    if not (0 <= r < board.rows and 0 <= c < board.cols):
        raise MoveError(f"mines: cannot {verb} {cell}: off the {board.rows}x{board.cols} grid")


_PARAMS: MappingProxyType[Game, tuple[re.Pattern[str], int]] = MappingProxyType(
    {
        "flip": (_FLIP_PARAMS, 1),
        "samegame": (_SAMEGAME_PARAMS, 1),
        "fifteen": (_FIFTEEN_PARAMS, 2),
        "mines": (_MINES_PARAMS, 1),
    }
)


def params_of(game_id: str) -> str:
    """The parameters of any game ID: before its ':' (descriptive) or '#' (random seed)."""
    cut = [i for i in (game_id.find(":"), game_id.find("#")) if i >= 0]
    return game_id[: min(cut)] if cut else game_id


def params_match(game: str, game_id: str) -> re.Match[str]:
    """The game's parameter pattern matched against `game_id`'s parameters.

    Accepts descriptive IDs, random-seed IDs (`5x5c#1`) and bare parameters (`9x9n10`);
    GameIdError names the game and the parameters it does not understand.
    """
    known = check_game(game)
    pattern, _ = _PARAMS[known]
    return _match_params(known, pattern, params_of(game_id))


def board_size(game: str, game_id: str) -> tuple[int, int]:
    """(rows, cols) of the board any ID of `game` describes (descriptive, seed or params)."""
    known = check_game(game)
    _, min_side = _PARAMS[known]
    return _size(known, params_match(known, game_id), min_side)
