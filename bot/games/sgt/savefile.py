"""Save files with moves, and the boards those moves lead to (ground truth for mid-game).

A save file is plain text, one record a line: an 8-character key (left-justified, padded
with spaces), ':', the value's length in bytes, ':', the value. The game writes the header
itself (`echo ID | sgt-NAME --save PREFIX --save-suffix .sav` writes PREFIX0.sav);
appending `MOVE` records and raising NSTATES and STATEPOS to match makes the game load the
later state (`sgt-NAME --load F --screenshot out.png` draws it).

Moves are strings in each game's own syntax (x = column, y = row):
- flip `Mx,y`: click a cell, toggling the cells of its matrix row;
- samegame `Mi,j,...`: remove the cells of row-major indices i, j, ...; then tiles fall
  down into empty cells and columns shift left into empty columns;
- fifteen `Mx,y`: slide the tiles between (x, y) and the gap (same row or column) one
  step towards the gap, which moves to (x, y);
- mines `Ox,y` open (flooding from squares with no adjacent mine), `Fx,y` toggle a flag.

    moves = [mines_open_move((0, 0)), mines_flag_move((8, 8))]
    path = write_save("mines", game_id, moves, tmp_dir / "game.sav")
    expected = labels_after("mines", game_id, moves)
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.games.sgt import MoveError, RenderError, SaveFileError
from bot.games.sgt.ids import (
    FifteenBoard,
    Flags,
    FlipBoard,
    Grid,
    Labels,
    MinesBoard,
    MinesState,
    Pos,
    SameGameBoard,
    check_game,
    decode_fifteen_board,
    decode_flip_board,
    decode_mines,
    decode_samegame_board,
    fifteen_labels,
    flip_labels,
    mines_initial,
    mines_labels,
    mines_open,
    mines_settle,
    samegame_labels,
)
from bot.games.sgt.screenshot import BINARY_DIR, ENV_NAMES, binary_path, run_game

_KEY_WIDTH = 8
_LENGTH = re.compile(r"(\d+):")


@dataclass(frozen=True, slots=True)
class SaveRecord:
    """One line of a save file: a key of at most 8 characters and its value."""

    key: str
    value: str


# ------------------------------------------------------------------------ the file format


def parse_save(text: str, source: str = "<save>") -> tuple[SaveRecord, ...]:
    """The records of save-file text; SaveFileError naming `source` and the line if malformed."""
    records: list[SaveRecord] = []
    pos, line = 0, 1
    while pos < len(text):
        if text[pos] in "\r\n":
            line += text[pos] == "\n"
            pos += 1
            continue
        head = text[pos : pos + _KEY_WIDTH + 1]
        if len(head) <= _KEY_WIDTH or head[_KEY_WIDTH] != ":":
            raise SaveFileError(f"{source}: line {line}: no 8-character key followed by ':'")
        match = _LENGTH.match(text, pos + _KEY_WIDTH + 1)
        if match is None:
            raise SaveFileError(f"{source}: line {line}: no length after the key")
        start = match.end()
        end = start + int(match.group(1))
        if end > len(text):
            raise SaveFileError(f"{source}: line {line}: value runs past the end of the file")
        records.append(SaveRecord(head[:_KEY_WIDTH].rstrip(" "), text[start:end]))
        pos = end
    if not records or records[0].key != "SAVEFILE":
        raise SaveFileError(f"{source}: does not start with a SAVEFILE record")
    return tuple(records)


def format_save(records: Sequence[SaveRecord]) -> str:
    """Save-file text of `records`, one line each, as the games write it."""
    lines = []
    for record in records:
        if not 0 < len(record.key) <= _KEY_WIDTH or not record.value.isascii():
            raise SaveFileError(f"record {record.key!r}: key must be 1..8 chars, value ASCII")
        lines.append(f"{record.key:<{_KEY_WIDTH}}:{len(record.value)}:{record.value}\n")
    return "".join(lines)


def add_moves(text: str, moves: Sequence[str], source: str = "<save>") -> str:
    """Save-file text with `moves` appended after the current state, which becomes the last.

    Moves after STATEPOS (an undone future) are dropped first, as the game does when a
    move is made; NSTATES and STATEPOS are raised to count the new moves.
    """
    records = list(parse_save(text, source))
    nstates = _int_value(records, "NSTATES", source)
    statepos = _int_value(records, "STATEPOS", source)
    kept: list[SaveRecord] = []
    seen = 1
    for record in records:
        if record.key in {"MOVE", "SOLVE", "RESTART"}:
            seen += 1
            if seen > statepos:
                continue
        kept.append(record)
    if seen != nstates:
        raise SaveFileError(f"{source}: NSTATES is {nstates} but {seen} states are recorded")
    for move in moves:
        if not move or not move.isascii() or "\n" in move:
            raise MoveError(f"{source}: move {move!r} is not one line of ASCII")
    total = statepos + len(moves)
    out = [SaveRecord(r.key, str(total)) if r.key in {"NSTATES", "STATEPOS"} else r for r in kept]
    out += [SaveRecord("MOVE", move) for move in moves]
    return format_save(out)


def _int_value(records: Sequence[SaveRecord], key: str, source: str) -> int:
    values = [r.value for r in records if r.key == key]
    if len(values) != 1 or not values[0].isdigit():
        raise SaveFileError(f"{source}: needs exactly one numeric {key} record")
    return int(values[0])


def initial_save(game: str, game_id: str, *, binary_dir: Path = BINARY_DIR) -> str:
    """The save-file text the game itself writes for `game_id` at its start.

    Runs `sgt-NAME --save PREFIX --save-suffix .sav` with the ID on stdin. Raises
    RenderError if the binary is missing or refuses the ID (its message is included).
    """
    known = check_game(game)
    exe = binary_path(known, binary_dir)
    with tempfile.TemporaryDirectory(prefix=f"sgt-{known}-") as folder:
        prefix = Path(folder) / "game"
        argv = [str(exe), "--save", str(prefix), "--save-suffix", ".sav"]
        run_game(known, ENV_NAMES[known], argv, stdin=game_id + "\n", what=repr(game_id))
        written = Path(f"{prefix}0.sav")
        if not written.is_file():
            raise RenderError(f"{known}: {exe} wrote no save for {game_id!r}")
        return written.read_text(encoding="ascii")


def write_save(
    game: str,
    game_id: str,
    moves: Sequence[str],
    path: Path,
    *,
    binary_dir: Path = BINARY_DIR,
) -> Path:
    """Write a save file of `game_id` followed by `moves` to `path`; returns `path`.

    The moves are first played on this module's model of the game (`labels_after`), so a
    move the game would refuse raises MoveError here rather than a failed load later.
    """
    labels_after(game, game_id, moves)
    text = add_moves(initial_save(game, game_id, binary_dir=binary_dir), moves, str(path))
    path.write_text(text, encoding="ascii")
    return path


# ------------------------------------------------------------------ moves, in game syntax


def flip_click_move(cell: Pos) -> str:
    """The flip move clicking `cell` (row, col)."""
    return f"M{cell[1]},{cell[0]}"


def samegame_remove_move(colours: Grid, cell: Pos) -> str:
    """The samegame move removing the group of `cell`; MoveError if it has no group."""
    cols = len(colours[0])
    group = samegame_group(colours, cell)
    return "M" + ",".join(str(r * cols + c) for r, c in sorted(group))


def fifteen_slide_move(cell: Pos) -> str:
    """The fifteen move sliding tiles from `cell` (row, col) towards the gap."""
    return f"M{cell[1]},{cell[0]}"


def mines_open_move(cell: Pos) -> str:
    """The mines move opening `cell` (row, col)."""
    return f"O{cell[1]},{cell[0]}"


def mines_flag_move(cell: Pos) -> str:
    """The mines move toggling a flag on `cell` (row, col)."""
    return f"F{cell[1]},{cell[0]}"


# ---------------------------------------------------------------- the games' rules, pure


def flip_click(board: FlipBoard, dark: Flags, cell: Pos) -> Flags:
    """The dark grid after clicking `cell`: every cell in board.toggles[cell] flips."""
    _check_cell("flip", cell, board.rows, board.cols)
    flips = board.toggles[cell[0]][cell[1]]
    return tuple(
        tuple(d != ((r, c) in flips) for c, d in enumerate(row)) for r, row in enumerate(dark)
    )


def samegame_group(colours: Grid, cell: Pos) -> frozenset[Pos]:
    """The cells of `cell`'s group: same colour, joined through edges; MoveError unless it
    is a coloured cell in a group of at least 2 (the game removes nothing else)."""
    rows, cols = len(colours), len(colours[0])
    _check_cell("samegame", cell, rows, cols)
    colour = colours[cell[0]][cell[1]]
    if not colour:
        raise MoveError(f"samegame: cell {cell} is empty")
    group = {cell}
    todo = [cell]
    while todo:
        r, c = todo.pop()
        for near in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            nr, nc = near
            inside = 0 <= nr < rows and 0 <= nc < cols
            if inside and near not in group and colours[nr][nc] == colour:
                group.add(near)
                todo.append(near)
    if len(group) < 2:
        raise MoveError(f"samegame: cell {cell} has no neighbour of its colour")
    return frozenset(group)


def samegame_remove(colours: Grid, cells: frozenset[Pos]) -> Grid:
    """The colour grid after emptying `cells`: tiles fall down, then non-empty columns
    shift left over empty ones (the game's order)."""
    rows, cols = len(colours), len(colours[0])
    columns = []
    for c in range(cols):
        kept = [colours[r][c] for r in range(rows) if colours[r][c] and (r, c) not in cells]
        if kept:
            columns.append([0] * (rows - len(kept)) + kept)
    columns += [[0] * rows] * (cols - len(columns))
    return tuple(tuple(columns[c][r] for c in range(cols)) for r in range(rows))


def fifteen_slide(tiles: Grid, cell: Pos) -> Grid:
    """The tile grid after sliding from `cell` towards the gap; MoveError unless `cell` is
    in the gap's row or column and is not the gap."""
    rows, cols = len(tiles), len(tiles[0])
    _check_cell("fifteen", cell, rows, cols)
    gap = next((r, c) for r in range(rows) for c in range(cols) if tiles[r][c] == 0)
    if cell == gap or (cell[0] != gap[0] and cell[1] != gap[1]):
        raise MoveError(f"fifteen: {cell} is not in line with the gap at {gap}")
    dr = (cell[0] > gap[0]) - (cell[0] < gap[0])
    dc = (cell[1] > gap[1]) - (cell[1] < gap[1])
    grid = [list(row) for row in tiles]
    here = gap
    while here != cell:
        nxt = (here[0] + dr, here[1] + dc)
        grid[here[0]][here[1]] = grid[nxt[0]][nxt[1]]
        here = nxt
    grid[cell[0]][cell[1]] = 0
    return tuple(tuple(row) for row in grid)


def mines_step(board: MinesBoard, state: MinesState, move: str) -> MinesState:
    """The mines position after one `Ox,y` or `Fx,y` move.

    Opening a mine loses the game (state.exploded set); after that, and for flags on open
    squares or opening a flagged square, MoveError (the game would refuse or corrupt it).
    """
    kind, cell = _parse_xy("mines", move, "OF", board.rows, board.cols)
    if state.exploded is not None:
        raise MoveError(f"mines: {move!r}: the game accepts no move after a mine was opened")
    if kind == "F":
        if cell in state.opened:
            raise MoveError(f"mines: {move!r}: cannot flag the open square {cell}")
        return replace(state, flagged=state.flagged ^ {cell})
    if board.mines[cell[0]][cell[1]]:
        if cell in state.flagged:
            raise MoveError(f"mines: {move!r}: cannot open {cell}: it is flagged")
        return replace(state, exploded=cell)
    opened = mines_open(board, [cell], opened=state.opened, flagged=state.flagged)
    return mines_settle(board, replace(state, opened=opened))


def labels_after(game: str, game_id: str, moves: Sequence[str]) -> Labels:
    """The labels of `game_id`'s board after `moves` (the games' syntax, listed above).

    Raises GameIdError for a bad ID and MoveError naming the first move the game would
    refuse (or that this model does not follow).
    """
    known = check_game(game)
    if known == "flip":
        return flip_labels(_flip_after(decode_flip_board(game_id), moves))
    if known == "samegame":
        return samegame_labels(_samegame_after(decode_samegame_board(game_id), moves))
    if known == "fifteen":
        return fifteen_labels(_fifteen_after(decode_fifteen_board(game_id), moves))
    board = decode_mines(game_id)
    state = mines_initial(board)
    for move in moves:
        state = mines_step(board, state, move)
    return mines_labels(board, state.opened, state.flagged, state.exploded)


def _flip_after(board: FlipBoard, moves: Sequence[str]) -> Flags:
    dark = board.dark
    for move in moves:
        _, cell = _parse_xy("flip", move, "M", board.rows, board.cols)
        dark = flip_click(board, dark, cell)
    return dark


def _samegame_after(board: SameGameBoard, moves: Sequence[str]) -> Grid:
    colours = board.colours
    n = board.rows * board.cols
    for move in moves:
        if not re.fullmatch(r"M\d+(,\d+)*", move):
            raise MoveError(f"samegame: move {move!r} is not 'Mi,j,...'")
        indices = [int(i) for i in move[1:].split(",")]
        if any(i >= n for i in indices):
            raise MoveError(f"samegame: move {move!r} names a cell beyond {n - 1}")
        cells = frozenset(divmod(i, board.cols) for i in indices)
        colours = samegame_remove(colours, cells)
    return colours


def _fifteen_after(board: FifteenBoard, moves: Sequence[str]) -> Grid:
    tiles = board.tiles
    for move in moves:
        _, cell = _parse_xy("fifteen", move, "M", board.rows, board.cols)
        tiles = fifteen_slide(tiles, cell)
    return tiles


def _parse_xy(game: str, move: str, kinds: str, rows: int, cols: int) -> tuple[str, Pos]:
    """(kind letter, (row, col)) of a move `<kind>x,y`; MoveError if malformed or off-grid."""
    match = re.fullmatch(rf"([{kinds}])(\d+),(\d+)", move)
    if match is None:
        raise MoveError(
            f"{game}: move {move!r} is not one of {', '.join(k + 'x,y' for k in kinds)}"
        )
    cell = (int(match.group(3)), int(match.group(2)))
    _check_cell(game, cell, rows, cols)
    return match.group(1), cell


def _check_cell(game: str, cell: Pos, rows: int, cols: int) -> None:
    if not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
        raise MoveError(f"{game}: cell {cell} is off the {rows}x{cols} grid")


# ------------------------------------------------------------- random mid-game positions


def random_moves(game: str, game_id: str, count: int, rng: random.Random) -> list[str]:
    """Up to `count` legal moves from `game_id`'s start, chosen with `rng`.

    flip: clicks anywhere; samegame: removals of groups, never the one that ends the game
    (the game then greys the board); fifteen: slides from a cell in line with the gap;
    mines: opens of safe covered cells (those with the most mines around first, half the
    time), flags on covered mines, and, when `count` is odd, a last open of a mine, which
    loses the game. Fewer moves come back when the position allows no more.
    """
    known = check_game(game)
    moves: list[str] = []
    if known == "flip":
        flip = decode_flip_board(game_id)
        cells = [(r, c) for r in range(flip.rows) for c in range(flip.cols)]
        return [flip_click_move(rng.choice(cells)) for _ in range(count)]
    if known == "samegame":
        colours = decode_samegame_board(game_id).colours
        for _ in range(count):
            groups = _samegame_groups(colours)
            rng.shuffle(groups)
            for group in groups:
                after = samegame_remove(colours, group)
                if _samegame_groups(after):
                    cols = len(colours[0])
                    moves.append("M" + ",".join(str(r * cols + c) for r, c in sorted(group)))
                    colours = after
                    break
            else:
                break
        return moves
    if known == "fifteen":
        tiles = decode_fifteen_board(game_id).tiles
        for _ in range(count):
            gr, gc = next((r, c) for r, row in enumerate(tiles) for c, t in enumerate(row) if not t)
            line = [(gr, c) for c in range(len(tiles[0])) if c != gc]
            line += [(r, gc) for r in range(len(tiles)) if r != gr]
            cell = rng.choice(line)
            moves.append(fifteen_slide_move(cell))
            tiles = fifteen_slide(tiles, cell)
        return moves
    return _mines_random_moves(decode_mines(game_id), count, rng)


def _samegame_groups(colours: Grid) -> list[frozenset[Pos]]:
    seen: set[Pos] = set()
    groups = []
    for r, row in enumerate(colours):
        for c, colour in enumerate(row):
            if colour and (r, c) not in seen:
                try:
                    group = samegame_group(colours, (r, c))
                except MoveError:
                    continue
                seen |= group
                groups.append(group)
    return groups


def _mines_random_moves(board: MinesBoard, count: int, rng: random.Random) -> list[str]:
    state = mines_initial(board)
    moves: list[str] = []
    cells = [(r, c) for r in range(board.rows) for c in range(board.cols)]
    lose = count % 2 == 1
    for i in range(count - lose):
        covered = [p for p in cells if p not in state.opened and p not in state.flagged]
        safe = [p for p in covered if not board.mines[p[0]][p[1]]]
        mines = [p for p in covered if board.mines[p[0]][p[1]]]
        if len(safe) <= 1 or (i % 3 == 2 and mines):
            if not mines:
                break
            move = mines_flag_move(rng.choice(mines))
        elif rng.random() < 0.5:
            move = mines_open_move(max(safe, key=lambda p: (board.count(p), rng.random())))
        else:
            move = mines_open_move(rng.choice(safe))
        moves.append(move)
        state = mines_step(board, state, move)
    left = [p for p in cells if board.mines[p[0]][p[1]] and p not in state.flagged]
    if lose and left and state.exploded is None:
        moves.append(mines_open_move(rng.choice(left)))
    return moves
