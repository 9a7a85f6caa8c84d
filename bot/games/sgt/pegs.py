"""Pegs (peg solitaire) ground truth: decode its game IDs, play jumps, draw boards.

A descriptive Pegs ID is `WxH:<desc>` (as `sgt-pegs --generate 1 '7x7cross#1'` prints it;
the parameters may carry the board type, `7x7cross`, `7x7octagon`, `5x5random`): desc
has one letter per cell, row by row from the top left, `P` a peg, `H` an empty hole and
`O` an obstacle (no hole: off the board). Labels of a cell (row, col):

- "peg": a blue peg in its hole;
- "hole": an empty hole (a small grey disc);
- "blocked": no hole at all (plain background; the relief edge of a neighbouring board
  square may reach a few px into it).

A move is a jump in the game's syntax `sx,sy-tx,ty` (x = column, y = row): the peg at
(sx, sy) jumps over its neighbour into the empty hole two cells away, in a row or a
column, and the jumped peg is removed. Save files with such moves appended draw mid-game
boards (bot.games.sgt.savefile.add_moves; this module writes the header with the game
itself, as savefile.initial_save does for the other games).

The board image is `W*t + 2b` by `H*t + 2b` px for tiles of t px, border b = t // 2,
tiles from (b, b) with no gap (`grid_of`); `inset_grid_of` leaves out the bevel that
board squares draw t // 16 px into their neighbours.

    game_id = generate_id("7x7cross#1")
    moves = random_jumps(game_id, 5, random.Random(1))
    path = write_save(game_id, moves, tmp_dir / "game.sav")
    image, labels = render(path, 32, tmp_dir), labels_after(game_id, moves)
"""

from __future__ import annotations

import random
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from bot.games.sgt import GameIdError, MoveError, RenderError
from bot.games.sgt.ids import Labels, Pos, split_id
from bot.games.sgt.savefile import SaveRecord, add_moves, format_save, parse_save
from bot.games.sgt.screenshot import draw, run_game
from bot.profile import GridSpec

GAME = "pegs"
"""The game's name, as in its binary `sgt-pegs`."""

PEG = "peg"
HOLE = "hole"
BLOCKED = "blocked"
LABELS = (PEG, HOLE, BLOCKED)
"""Every label a Pegs board can show."""

BINARY = Path("/usr/games/sgt-pegs")
"""Where Debian's sgt-puzzles package installs the game."""

MIN_TILE_PX = 4
"""Smallest tile size drawn: below it the hole (radius t/4) vanishes."""

_ENV_NAME = "PEGS"
_LETTERS = MappingProxyType({"P": PEG, "H": HOLE, "O": BLOCKED})
_PARAMS = re.compile(r"(\d+)(?:x(\d+))?(cross|octagon|random)?")
_JUMP = re.compile(r"(\d+),(\d+)-(\d+),(\d+)")
_STEPS = ((0, 2), (0, -2), (2, 0), (-2, 0))
_STANDARD_SIZE = (7, 7)
"""(rows, cols) of the only board the cross and octagon types allow."""


# ------------------------------------------------------------------------ the game ID


def board_size(game_id: str) -> tuple[int, int]:
    """(rows, cols) of the board any Pegs ID describes (descriptive, seed or bare params).

    GameIdError when the parameters are not `W[xH][cross|octagon|random]` or a side is 0.
    """
    cut = [i for i in (game_id.find(":"), game_id.find("#")) if i >= 0]
    params = game_id[: min(cut)] if cut else game_id
    match = _PARAMS.fullmatch(params)
    if match is None:
        raise GameIdError(f"{GAME}: parameters {params!r} are not understood (expected WxH)")
    cols = int(match.group(1))
    rows = int(match.group(2)) if match.group(2) is not None else cols
    if rows < 1 or cols < 1:
        raise GameIdError(f"{GAME}: a {cols}x{rows} board has no cells")
    return rows, cols


def decode_pegs(game_id: str) -> Labels:
    """The labels of a descriptive Pegs ID's starting board, labels[row][col].

    GameIdError for a random-seed ID, bad parameters, a description of the wrong length
    or a letter other than P, H and O (the game's own checks).
    """
    _, desc = split_id(GAME, game_id)
    rows, cols = board_size(game_id)
    if len(desc) != rows * cols:
        raise GameIdError(
            f"{GAME}: description has {len(desc)} letters, a {cols}x{rows} board needs "
            f"{rows * cols}"
        )
    bad = sorted(set(desc) - set(_LETTERS))
    if bad:
        raise GameIdError(f"{GAME}: description letter {bad[0]!r} is not P, H or O")
    return tuple(tuple(_LETTERS[desc[r * cols + c]] for c in range(cols)) for r in range(rows))


# -------------------------------------------------------------------------- the rules


def jump_move(src: Pos, dst: Pos) -> str:
    """The move (game syntax) jumping the peg at `src` (row, col) to `dst` (row, col)."""
    return f"{src[1]},{src[0]}-{dst[1]},{dst[0]}"


def parse_jump(move: str) -> tuple[Pos, Pos]:
    """(src, dst) cells (row, col) of a move `sx,sy-tx,ty`; MoveError if malformed."""
    match = _JUMP.fullmatch(move)
    if match is None:
        raise MoveError(f"{GAME}: move {move!r} is not 'sx,sy-tx,ty'")
    sx, sy, tx, ty = (int(g) for g in match.groups())
    return (sy, sx), (ty, tx)


def jump(labels: Labels, src: Pos, dst: Pos) -> Labels:
    """The board after the peg at `src` jumps to `dst`: src and the cell between become
    holes, dst a peg. MoveError (naming the cells) for a jump the game refuses: off the
    board, not two cells along a row or column, src or the middle not a peg, dst not a hole.
    """
    rows, cols = len(labels), len(labels[0])
    for cell in (src, dst):
        if not (0 <= cell[0] < rows and 0 <= cell[1] < cols):
            raise MoveError(f"{GAME}: cell {cell} is off the {rows}x{cols} board")
    dr, dc = dst[0] - src[0], dst[1] - src[1]
    if (abs(dr), abs(dc)) not in {(0, 2), (2, 0)}:
        raise MoveError(f"{GAME}: {src} -> {dst} is not a jump of two cells in a line")
    mid = (src[0] + dr // 2, src[1] + dc // 2)
    wants = ((src, PEG), (mid, PEG), (dst, HOLE))
    for cell, want in wants:
        if labels[cell[0]][cell[1]] != want:
            raise MoveError(
                f"{GAME}: {src} -> {dst}: cell {cell} is {labels[cell[0]][cell[1]]}, not {want}"
            )
    change = {src: HOLE, mid: HOLE, dst: PEG}
    return tuple(
        tuple(change.get((r, c), label) for c, label in enumerate(row))
        for r, row in enumerate(labels)
    )


def legal_jumps(labels: Labels) -> tuple[tuple[Pos, Pos], ...]:
    """Every (src, dst) jump the game accepts on `labels`, in row-major order of src."""
    rows, cols = len(labels), len(labels[0])
    found: list[tuple[Pos, Pos]] = []
    for r in range(rows):
        for c in range(cols):
            if labels[r][c] != PEG:
                continue
            for dr, dc in _STEPS:
                tr, tc = r + dr, c + dc
                if not (0 <= tr < rows and 0 <= tc < cols):
                    continue
                if labels[r + dr // 2][c + dc // 2] == PEG and labels[tr][tc] == HOLE:
                    found.append(((r, c), (tr, tc)))
    return tuple(found)


def labels_after(game_id: str, moves: Sequence[str]) -> Labels:
    """The labels of `game_id`'s board after `moves` (game syntax).

    GameIdError for a bad ID; MoveError naming the first move the game would refuse.
    """
    labels = decode_pegs(game_id)
    for move in moves:
        labels = jump(labels, *parse_jump(move))
    return labels


def random_jumps(game_id: str, count: int, rng: random.Random) -> list[str]:
    """Up to `count` legal jumps from `game_id`'s start, chosen with `rng`.

    Never the jump that leaves a single peg: that completes the game, which then flashes
    the board. Fewer jumps come back when the position allows no more.
    """
    labels = decode_pegs(game_id)
    moves: list[str] = []
    for _ in range(count):
        pegs = sum(row.count(PEG) for row in labels)
        options = legal_jumps(labels)
        if not options or pegs <= 2:
            break
        src, dst = rng.choice(options)
        labels = jump(labels, src, dst)
        moves.append(jump_move(src, dst))
    return moves


# --------------------------------------------------------------------- the game binary


def generate_id(params_seed: str, *, binary: Path = BINARY) -> str:
    """The descriptive ID `sgt-pegs --generate 1 PARAMS#SEED` prints (deterministic).

    RenderError if the binary is missing or refuses the parameters (its message included).
    """
    done = _run([str(binary), "--generate", "1", params_seed], None, params_seed)
    game_id = done.strip()
    split_id(GAME, game_id)
    return game_id


def initial_save(game_id: str, *, binary: Path = BINARY) -> str:
    """The save-file text the game writes for `game_id` at its start (no move yet), made
    loadable at every board size.

    The game writes its default board type (cross) into the PARAMS record whatever the
    ID's size, and refuses to load that file unless the board is 7x7 ("Long-term
    parameters in save file are invalid"); PARAMS becomes `WxHrandom` then, a type valid
    at every size (the description alone sets the board). RenderError if the binary is
    missing or refuses the ID.
    """
    decode_pegs(game_id)
    rows, cols = board_size(game_id)
    with tempfile.TemporaryDirectory(prefix="sgt-pegs-") as folder:
        prefix = Path(folder) / "game"
        argv = [str(binary), "--save", str(prefix), "--save-suffix", ".sav"]
        _run(argv, game_id + "\n", game_id)
        written = Path(f"{prefix}0.sav")
        if not written.is_file():
            raise RenderError(f"{GAME}: {binary} wrote no save for {game_id!r}")
        text = written.read_text(encoding="ascii")
    if (rows, cols) == _STANDARD_SIZE:
        return text
    records = parse_save(text, f"{GAME} save of {game_id!r}")
    params = f"{cols}x{rows}random"
    return format_save([SaveRecord(r.key, params) if r.key == "PARAMS" else r for r in records])


def write_save(game_id: str, moves: Sequence[str], path: Path, *, binary: Path = BINARY) -> Path:
    """Write a save file of `game_id` followed by `moves` to `path`; returns `path`.

    The moves are played on this module's rules first (`labels_after`), so a jump the
    game would refuse raises MoveError here rather than a failed load later.
    """
    labels_after(game_id, moves)
    text = add_moves(initial_save(game_id, binary=binary), moves, str(path))
    path.write_text(text, encoding="ascii")
    return path


def grid_of(rows: int, cols: int, tile_px: int) -> GridSpec:
    """Where the tiles of a `rows` x `cols` board drawn at `tile_px` sit in `render`'s image."""
    _check_tile(tile_px)
    border = tile_px // 2
    return GridSpec(
        origin_x_px=border, origin_y_px=border, tile_px=tile_px, gap_px=0, rows=rows, cols=cols
    )


def relief_px(tile_px: int) -> int:
    """Width of the bevel the game draws around the board, px (its HIGHLIGHT_WIDTH)."""
    return tile_px // 16


def inset_grid_of(rows: int, cols: int, tile_px: int) -> GridSpec:
    """`grid_of` with each tile box inset by `relief_px` on every side (the gap between
    boxes twice that), so that every tile of one label is drawn alike.

    The game draws each board square's bevel `relief_px` into its neighbours: on the
    plain grid an off-board square beside the board shows a light or dark strip, or a
    corner of one, on any of its sides; inset, every off-board square is one flat colour.
    Pegs and holes are discs of radius t/3 and t/4 about the centre, inside the box.
    """
    relief = relief_px(tile_px)
    grid = grid_of(rows, cols, tile_px)
    return grid.model_copy(
        update={
            "origin_x_px": grid.origin_x_px + relief,
            "origin_y_px": grid.origin_y_px + relief,
            "tile_px": tile_px - 2 * relief,
            "gap_px": 2 * relief,
        }
    )


def render(
    source: str | Path, tile_px: int, tmp_dir: Path, *, binary: Path = BINARY
) -> npt.NDArray[np.uint8]:
    """Draw a Pegs board with the real game: (H, W, 3) uint8 BGR, H = rows*t + 2*(t//2).

    source: a descriptive game ID (str) or a save file (Path) whose current state is drawn.
    tile_px: passed as PEGS_TILESIZE; the caller's other PEGS_* variables (palette) are
    not passed on. The PNG is written under `tmp_dir` and removed. RenderError if the
    binary is missing, exits non-zero (its message included) or writes no readable image.
    """
    _check_tile(tile_px)
    return draw(GAME, _ENV_NAME, binary, source, tile_px, tmp_dir)


def _run(argv: list[str], stdin: str | None, what: str) -> str:
    """Run the game (its PEGS_* variables left out: the game's own IDs); its stdout."""
    return run_game(GAME, _ENV_NAME, argv, stdin=stdin, what=what)


def _check_tile(tile_px: int) -> None:
    if tile_px < MIN_TILE_PX:
        raise RenderError(f"{GAME}: tile size {tile_px} px is too small (at least {MIN_TILE_PX})")
