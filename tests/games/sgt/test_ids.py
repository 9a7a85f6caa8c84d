"""Decoding descriptive game IDs, checked against the games' own drawings of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.games.sgt import GameIdError, MoveError
from bot.games.sgt.ids import (
    decode_fifteen,
    decode_flip,
    decode_flip_board,
    decode_mines,
    decode_mines_labels,
    decode_samegame,
    mines_initial,
    mines_labels,
    mines_open,
)
from bot.games.sgt.obfuscate import mask_bitmap, unmask_bitmap
from bot.games.sgt.savefile import write_save
from bot.games.sgt.screenshot import grid_of, render
from tests.games.sgt import (
    SAMEGAME_RGB,
    assert_crops_agree,
    generate_id,
    read_flip,
    read_samegame,
    require_game,
)

TILE_PX = 24

# ---------------------------------------------------------------------- obfuscate_bitmap


def test_mask_matches_the_collections_published_vectors() -> None:
    # Test vectors written in the collection's mines.c next to obfuscate_bitmap.
    assert mask_bitmap(bytes.fromhex("12345670"), 28) == bytes.fromhex("07fa6500")
    expected = (
        "b202c07b990c01f6ff2d544707f60e506019b671fcb1d8b5a2"
        "10b0af913db85d37ca27f52a9f78bba3a80030db3d01d8df78"
    )
    assert mask_bitmap(bytes(50), 400) == bytes.fromhex(expected)
    assert unmask_bitmap(bytes.fromhex(expected), 400) == bytes(50)


@given(st.integers(1, 300).flatmap(lambda bits: st.tuples(st.just(bits), st.binary())))
def test_unmask_undoes_mask(case: tuple[int, bytes]) -> None:
    bits, seed = case
    nbytes = (bits + 7) // 8
    data = bytearray((seed * nbytes)[:nbytes].ljust(nbytes, b"\x5a"))
    if bits % 8:
        data[-1] &= (0xFF00 >> (bits % 8)) & 0xFF
    masked = mask_bitmap(bytes(data), bits)
    assert unmask_bitmap(masked, bits) == bytes(data)


def test_mask_refuses_a_length_that_does_not_fit() -> None:
    with pytest.raises(GameIdError, match="cannot hold exactly 81 bits"):
        mask_bitmap(bytes(10), 81)


# -------------------------------------------------------------------------- bad IDs


@pytest.mark.parametrize(
    ("decode", "game_id", "message"),
    [
        (decode_flip, "5x5#42", "flip: '5x5#42' is a random-seed ID"),
        (decode_flip, "5x5", "flip: '5x5' has no ':'"),
        (decode_flip, "2x2:ffff,ff", "flip: grid part must be 1 hex digits"),
        (decode_flip, "2x2:fff,f", "flip: matrix part must be 4 hex digits"),
        (decode_flip, "2x2:ffff", "flip: description has no ','"),
        (decode_flip, "zz:0,0", "flip: parameters 'zz' are not understood"),
        (decode_samegame, "2x2c3s2:1,2,3", "samegame: description has 3 numbers, expected 4"),
        (decode_samegame, "2x2:1,2,3,4", "samegame: cell (1, 1) has colour 4"),
        (decode_samegame, "2x2c3s2:1,2,x,1", "samegame: description item 2 is 'x'"),
        (decode_samegame, "5x5c12:" + ",".join("1" * 25), "samegame: 12 colours is out of range"),
        (decode_fifteen, "2x2:1,2,3,3", "fifteen: description is not a permutation of 0..3"),
        (decode_fifteen, "1x4:1,2,3,0", "fifteen: a 1x4 grid is too small"),
        (decode_mines, "9x9:r10,u,abc", "mines: an 'r' description places mines"),
        (decode_mines, "9x9:7,1,m00", "mines: mine bitmap must be 21 hex digits"),
        (decode_mines, "9x9:9,1,m" + "0" * 21, "mines: start square x=9, y=1 is off"),
        (decode_mines, "9x9:1,x,m" + "0" * 21, "mines: description '1,x,m"),
        (decode_mines, "2x4:u00", "mines: the game refuses '2x4'"),
        (decode_mines, "3x3:0,0,u800", "mines: the start square (0, 0) holds a mine"),
    ],
)
def test_bad_ids_name_the_game_and_the_fault(
    decode: Callable[[str], object], game_id: str, message: str
) -> None:
    with pytest.raises(GameIdError) as caught:
        decode(game_id)
    assert str(caught.value).startswith(message)


# ---------------------------------------------------------------- mines rules, by hand


def test_mines_flood_opens_the_zero_region_and_its_numbered_rim() -> None:
    # 4x4, one mine at row 3 col 3 (bit 15): bitmap 0001 in the last nibble.
    board = decode_mines("4x4:u0001")
    opened = mines_open(board, [(0, 0)])
    assert len(opened) == 15  # every safe square: the zeros reach all of them
    labels = mines_labels(board, opened, frozenset())
    assert labels[3][3] == "covered"
    assert (labels[2][2], labels[2][3], labels[3][2]) == ("1", "1", "1")
    assert labels[0][0] == "0"


def test_mines_flood_stops_at_flags_and_refuses_flags_and_mines() -> None:
    board = decode_mines("4x4:u0001")
    opened = mines_open(board, [(0, 0)], flagged=frozenset({(0, 2)}))
    assert (0, 2) not in opened
    assert (0, 3) in opened  # reached around the flag through other zeros
    with pytest.raises(MoveError, match="flagged"):
        mines_open(board, [(0, 2)], flagged=frozenset({(0, 2)}))
    with pytest.raises(MoveError, match="would hit a mine"):
        mines_open(board, [(3, 3)])
    with pytest.raises(MoveError, match="off the 4x4 grid"):
        mines_open(board, [(4, 0)])


def test_mines_initial_state_flags_everything_left_when_the_start_wins() -> None:
    board = decode_mines("4x4:0,0,u0001")
    state = mines_initial(board)
    assert state.flagged == frozenset({(3, 3)})
    assert decode_mines_labels("4x4:0,0,u0001")[3][3] == "flag"


# ------------------------------------------------------------- checked by rendering


@pytest.mark.parametrize("params_seed", ["3x3c#1", "4x4r#2", "5x5c#3", "6x4c#4", "4x5r#5"])
def test_flip_labels_match_the_drawing(params_seed: str, tmp_path: Path) -> None:
    game_id = generate_id("flip", params_seed)
    board = decode_flip_board(game_id)
    image = render("flip", game_id, TILE_PX, tmp_path)
    grid = grid_of("flip", board.rows, board.cols, TILE_PX)
    labels = decode_flip(game_id)
    assert read_flip(image, grid) == labels
    assert {lab for row in labels for lab in row} == {"lit", "dark"}


@pytest.mark.parametrize("params_seed", ["3x3c#1", "5x5c#3", "6x4c#4"])
def test_flip_crosses_matrix_decodes_to_crosses(params_seed: str) -> None:
    board = decode_flip_board(generate_id("flip", params_seed))
    for r in range(board.rows):
        for c in range(board.cols):
            cross = {(r, c), (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)}
            inside = {(i, j) for i, j in cross if 0 <= i < board.rows and 0 <= j < board.cols}
            assert board.toggles[r][c] == inside


@pytest.mark.parametrize("params_seed", ["5x5c3s2#1", "8x6c5s2#2", "10x8c9s1r#3", "6x6c7#4"])
def test_samegame_labels_match_the_drawing(params_seed: str, tmp_path: Path) -> None:
    game_id = generate_id("samegame", params_seed)
    labels = decode_samegame(game_id)
    image = render("samegame", game_id, TILE_PX, tmp_path)
    grid = grid_of("samegame", len(labels), len(labels[0]), TILE_PX)
    assert read_samegame(image, grid) == labels


def test_samegame_colour_numbers_follow_the_palette(tmp_path: Path) -> None:
    # One tile of each colour 1..9 plus an empty cell, on a hand-written ID.
    game_id = "10x1c9s2:1,2,3,4,5,6,7,8,9,0"
    labels = decode_samegame(game_id)
    assert labels == (("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9", "empty"),)
    require_game("samegame")
    image = render("samegame", game_id, TILE_PX, tmp_path)
    assert read_samegame(image, grid_of("samegame", 1, 10, TILE_PX)) == labels
    assert set(SAMEGAME_RGB) == {lab for lab in labels[0]}


@pytest.mark.parametrize("params_seed", ["4x4#1", "3x3#2", "5x3#3"])
def test_fifteen_tiles_match_the_solved_drawing(params_seed: str, tmp_path: Path) -> None:
    game_id = generate_id("fifteen", params_seed)
    labels = decode_fifteen(game_id)
    rows, cols = len(labels), len(labels[0])
    n = rows * cols
    solved = f"{cols}x{rows}:" + ",".join(str((i + 1) % n) for i in range(n))
    shots = [
        (render("fifteen", gid, TILE_PX, tmp_path), grid_of("fifteen", rows, cols, TILE_PX), lab)
        for gid, lab in ((game_id, labels), (solved, decode_fifteen(solved)))
    ]
    assert decode_fifteen(solved)[rows - 1][cols - 1] == "blank"
    bank = assert_crops_agree(shots)
    assert set(bank) == {"blank", *(str(i) for i in range(1, n))}


@pytest.mark.parametrize("params_seed", ["9x9n10#42", "8x6n8#5", "5x5n3#7", "16x16n40#9"])
def test_mines_layout_opens_without_a_hit(params_seed: str, tmp_path: Path) -> None:
    game_id = generate_id("mines", params_seed)
    board = decode_mines(game_id)
    assert board.start is not None
    mines_asked = re.search(r"n(\d+)#", params_seed)
    assert mines_asked is not None
    assert board.mine_count == int(mines_asked.group(1))
    start = mines_initial(board)
    safe = [
        f"O{c},{r}"
        for r in range(board.rows)
        for c in range(board.cols)
        if not board.mines[r][c] and (r, c) not in start.opened
    ]
    # If any "safe" square were a mine, the game would refuse the moves after it.
    save = write_save("mines", game_id, safe, tmp_path / "all.sav")
    grid = grid_of("mines", board.rows, board.cols, TILE_PX)
    every_safe = [(r, c) for r in range(board.rows) for c in range(board.cols)]
    opened = frozenset(cell for cell in every_safe if not board.mines[cell[0]][cell[1]])
    won = mines_labels(board, opened, frozenset(every_safe) - opened)
    shots = [
        (render("mines", game_id, TILE_PX, tmp_path), grid, decode_mines_labels(game_id)),
        (render("mines", save, TILE_PX, tmp_path), grid, won),
    ]
    bank = assert_crops_agree(shots)
    assert "flag" in bank
    assert ("covered" in bank) == bool(safe)  # "5x5n3#7" is won by its start square alone
    assert sum(row.count("flag") for row in won) == board.mine_count


def test_mines_unmasked_id_draws_like_the_masked_one(tmp_path: Path) -> None:
    game_id = generate_id("mines", "9x9n10#42")
    board = decode_mines(game_id)
    assert board.start is not None
    bits = "".join("1" if m else "0" for row in board.mines for m in row)
    bits += "0" * (-len(bits) % 4)
    hex_digits = "".join(f"{int(bits[i : i + 4], 2):x}" for i in range(0, len(bits), 4))
    plain_id = f"9x9:{board.start[1]},{board.start[0]},u{hex_digits}"
    assert decode_mines(plain_id) == board
    masked = render("mines", game_id, TILE_PX, tmp_path)
    plain = render("mines", plain_id, TILE_PX, tmp_path)
    assert np.array_equal(masked, plain)
