"""Save files with moves: the format, the games' rules, and what the real games draw."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.games import fifteen as fifteen_rules
from bot.games import flip as flip_rules
from bot.games import samegame as samegame_rules
from bot.games.sgt import MoveError, RenderError, SaveFileError
from bot.games.sgt.ids import (
    MinesState,
    decode_fifteen,
    decode_fifteen_board,
    decode_flip_board,
    decode_mines,
    decode_samegame,
    decode_samegame_board,
    mines_initial,
)
from bot.games.sgt.savefile import (
    SaveRecord,
    add_moves,
    fifteen_slide,
    fifteen_slide_move,
    flip_click,
    flip_click_move,
    format_save,
    initial_save,
    labels_after,
    mines_flag_move,
    mines_open_move,
    mines_step,
    parse_save,
    random_moves,
    samegame_group,
    samegame_remove,
    samegame_remove_move,
    write_save,
)
from bot.games.sgt.screenshot import grid_of, render
from tests.games.sgt import assert_crops_agree, generate_id, read_flip, read_samegame

TILE_PX = 24

SAVE_TEXT = (
    "SAVEFILE:41:Simon Tatham's Portable Puzzle Collection\n"
    "VERSION :1:1\n"
    "GAME    :5:Mines\n"
    "PARAMS  :5:5x5n2\n"
    "CPARAMS :5:5x5n2\n"
    "DESC    :12:2,2,me26e220\n"
    "UI      :2:D0\n"
    "TIME    :1:0\n"
    "NSTATES :1:1\n"
    "STATEPOS:1:1\n"
)
"""What `echo 5x5:2,2,me26e220 | sgt-mines --save P --save-suffix .sav` wrote."""

# ----------------------------------------------------------------------- the format


def test_parse_and_format_round_trip() -> None:
    records = parse_save(SAVE_TEXT)
    assert records[2] == SaveRecord("GAME", "Mines")
    assert records[5] == SaveRecord("DESC", "2,2,me26e220")
    assert format_save(records) == SAVE_TEXT


def test_add_moves_appends_and_counts() -> None:
    text = add_moves(SAVE_TEXT, ["O0,0", "F4,4"])
    records = parse_save(text)
    assert SaveRecord("NSTATES", "3") in records
    assert SaveRecord("STATEPOS", "3") in records
    assert records[-2:] == (SaveRecord("MOVE", "O0,0"), SaveRecord("MOVE", "F4,4"))
    assert text.endswith("MOVE    :4:O0,0\nMOVE    :4:F4,4\n")


def test_add_moves_drops_undone_states_like_the_game() -> None:
    text = add_moves(SAVE_TEXT, ["O0,0", "F4,4"]).replace("STATEPOS:1:3", "STATEPOS:1:2")
    again = parse_save(add_moves(text, ["F3,3"]))
    assert [r.value for r in again if r.key == "MOVE"] == ["O0,0", "F3,3"]
    assert SaveRecord("NSTATES", "3") in again


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "does not start with a SAVEFILE record"),
        ("VERSION :1:1\n", "does not start with a SAVEFILE record"),
        ("SAVEFILE:41:Simon\n", "line 1: value runs past the end"),
        (SAVE_TEXT + "MOVE:4:O0,0\n", "line 11: no 8-character key"),
        (SAVE_TEXT + "MOVE    :x:O0,0\n", "line 11: no length after the key"),
    ],
)
def test_malformed_saves_name_the_line(text: str, message: str) -> None:
    with pytest.raises(SaveFileError, match=message):
        add_moves(text, ["O0,0"], source="game.sav")


def test_add_moves_needs_consistent_counts() -> None:
    with pytest.raises(SaveFileError, match="NSTATES is 2 but 1 states"):
        add_moves(SAVE_TEXT.replace("NSTATES :1:1", "NSTATES :1:2"), [])


# --------------------------------------------------------------- the rules, by hand


def test_samegame_removal_lets_tiles_fall() -> None:
    colours = (
        (1, 2, 3),
        (1, 2, 3),
        (2, 1, 3),
    )
    group = samegame_group(colours, (0, 1))
    assert group == {(0, 1), (1, 1)}
    assert samegame_remove(colours, group) == (
        (1, 0, 3),
        (1, 0, 3),
        (2, 1, 3),
    )
    assert samegame_remove(colours, samegame_group(colours, (2, 2))) == (
        (1, 2, 0),
        (1, 2, 0),
        (2, 1, 0),
    )


def test_samegame_column_shift_closes_an_emptied_middle_column() -> None:
    colours = (
        (1, 2, 3),
        (3, 2, 1),
    )
    after = samegame_remove(colours, samegame_group(colours, (0, 1)))
    assert after == ((1, 3, 0), (3, 1, 0))
    assert samegame_remove_move(colours, (1, 1)) == "M1,4"
    with pytest.raises(MoveError, match="no neighbour of its colour"):
        samegame_group(colours, (0, 0))
    with pytest.raises(MoveError, match="is empty"):
        samegame_group(after, (0, 2))


def test_fifteen_slide_moves_a_whole_row_segment() -> None:
    tiles = ((1, 2, 3), (4, 5, 6), (7, 8, 0))
    assert fifteen_slide(tiles, (2, 0)) == ((1, 2, 3), (4, 5, 6), (0, 7, 8))
    assert fifteen_slide(tiles, (0, 2)) == ((1, 2, 0), (4, 5, 3), (7, 8, 6))
    assert fifteen_slide_move((0, 2)) == "M2,0"
    with pytest.raises(MoveError, match="not in line with the gap"):
        fifteen_slide(tiles, (0, 0))


def test_flip_click_toggles_the_matrix_row() -> None:
    # 2x2, a click on (0, 0) toggles cells 0 and 3; the others toggle only themselves.
    board = decode_flip_board("2x2:9421,0")
    assert board.toggles[0][0] == {(0, 0), (1, 1)}
    assert flip_click(board, board.dark, (0, 0)) == ((True, False), (False, True))
    assert flip_click_move((1, 0)) == "M0,1"


def test_mines_steps_refuse_what_the_game_refuses() -> None:
    board = decode_mines("4x4:u0001")
    state = MinesState()
    state = mines_step(board, state, mines_flag_move((3, 3)))
    assert state.flagged == {(3, 3)}
    with pytest.raises(MoveError, match="it is flagged"):
        mines_step(board, state, mines_open_move((3, 3)))
    state = mines_step(board, state, mines_open_move((3, 2)))
    assert state.opened == {(3, 2)}
    with pytest.raises(MoveError, match="cannot flag the open square"):
        mines_step(board, state, "F2,3")
    lost = mines_step(board, MinesState(), "O3,3")
    assert lost.exploded == (3, 3)
    with pytest.raises(MoveError, match="no move after a mine"):
        mines_step(board, lost, "O0,0")
    with pytest.raises(MoveError, match="is not one of Ox,y, Fx,y"):
        mines_step(board, state, "C1,1")


# ------------------------------------------------------------ checked by rendering


def test_initial_save_is_what_the_game_writes() -> None:
    game_id = generate_id("mines", "5x5n2#7")
    records = parse_save(initial_save("mines", game_id))
    assert SaveRecord("DESC", game_id.split(":", 1)[1]) in records
    assert SaveRecord("NSTATES", "1") in records


def test_flip_clicks_render_as_predicted(tmp_path: Path) -> None:
    game_id = generate_id("flip", "5x4c#11")
    rng = random.Random(11)
    moves = [flip_click_move((rng.randrange(4), rng.randrange(5))) for _ in range(7)]
    save = write_save("flip", game_id, moves, tmp_path / "flip.sav")
    image = render("flip", save, TILE_PX, tmp_path)
    expected = labels_after("flip", game_id, moves)
    assert read_flip(image, grid_of("flip", 4, 5, TILE_PX)) == expected
    assert expected != labels_after("flip", game_id, [])


def test_samegame_removals_render_as_predicted(tmp_path: Path) -> None:
    game_id = generate_id("samegame", "8x6c4s2#12")
    board = decode_samegame_board(game_id)
    colours, moves = board.colours, []
    for _ in range(8):  # remove the group of the lowest, leftmost cell that has one
        cells = [(r, c) for r in range(board.rows - 1, -1, -1) for c in range(board.cols)]
        for cell in cells:
            try:
                move = samegame_remove_move(colours, cell)
            except MoveError:
                continue
            moves.append(move)
            colours = samegame_remove(colours, samegame_group(colours, cell))
            break
    assert len(moves) == 8
    expected = labels_after("samegame", game_id, moves)
    assert sum(row.count("empty") for row in expected) >= 16
    save = write_save("samegame", game_id, moves, tmp_path / "samegame.sav")
    image = render("samegame", save, TILE_PX, tmp_path)
    assert read_samegame(image, grid_of("samegame", 6, 8, TILE_PX)) == expected
    assert expected != decode_samegame(game_id)


def test_fifteen_slides_render_as_predicted(tmp_path: Path) -> None:
    game_id = generate_id("fifteen", "4x4#13")
    board = decode_fifteen_board(game_id)
    rng = random.Random(13)
    tiles, moves = board.tiles, []
    for _ in range(12):
        gap = next((r, c) for r in range(4) for c in range(4) if tiles[r][c] == 0)
        targets = [(gap[0], c) for c in range(4) if c != gap[1]]
        targets += [(r, gap[1]) for r in range(4) if r != gap[0]]
        cell = rng.choice(targets)
        moves.append(fifteen_slide_move(cell))
        tiles = fifteen_slide(tiles, cell)
    save = write_save("fifteen", game_id, moves, tmp_path / "fifteen.sav")
    grid = grid_of("fifteen", 4, 4, TILE_PX)
    expected = labels_after("fifteen", game_id, moves)
    solved = "4x4:1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,0"
    assert_crops_agree(
        [
            (render("fifteen", save, TILE_PX, tmp_path), grid, expected),
            (render("fifteen", solved, TILE_PX, tmp_path), grid, decode_fifteen(solved)),
        ]
    )


def test_mines_opens_and_flags_render_as_predicted(tmp_path: Path) -> None:
    game_id = generate_id("mines", "9x9n10#42")
    board = decode_mines(game_id)
    start = mines_initial(board)
    cells = [(r, c) for r in range(9) for c in range(9)]
    mines = [cell for cell in cells if board.mines[cell[0]][cell[1]]]
    safe_covered = [cell for cell in cells if cell not in mines and cell not in start.opened]
    moves = [mines_flag_move(cell) for cell in mines[:4]]
    moves += [mines_open_move(cell) for cell in safe_covered[::3]]
    moves.append(mines_flag_move(mines[5]))
    moves.append(mines_flag_move(mines[5]))  # a second flag toggles it off
    grid = grid_of("mines", 9, 9, TILE_PX)
    expected = labels_after("mines", game_id, moves)
    assert {"covered", "flag", "1"} <= {lab for row in expected for lab in row}
    assert expected[mines[5][0]][mines[5][1]] == "covered"
    lost_moves = [*moves, mines_open_move(mines[6])]
    lost = labels_after("mines", game_id, lost_moves)
    assert lost[mines[6][0]][mines[6][1]] == "mine"
    shots = [
        (
            render(
                "mines", write_save("mines", game_id, m, tmp_path / f"{i}.sav"), TILE_PX, tmp_path
            ),
            grid,
            labels_after("mines", game_id, m),
        )
        for i, m in enumerate((moves, lost_moves))
    ]
    bank = assert_crops_agree(shots)
    assert "mine" in bank


def test_the_game_also_refuses_a_move_after_a_loss(tmp_path: Path) -> None:
    game_id = generate_id("mines", "9x9n10#42")
    board = decode_mines(game_id)
    mine = next((r, c) for r in range(9) for c in range(9) if board.mines[r][c])
    moves = [mines_open_move(mine), mines_flag_move((0, 0))]
    with pytest.raises(MoveError, match="no move after a mine"):
        write_save("mines", game_id, moves, tmp_path / "model.sav")
    # Bypass the model: the game itself refuses to load such a file.
    save = tmp_path / "raw.sav"
    save.write_text(add_moves(initial_save("mines", game_id), moves), encoding="ascii")
    with pytest.raises(RenderError, match="invalid move"):
        render("mines", save, TILE_PX, tmp_path)


# ------------------------------------------- random positions, and the project's rules


def test_random_flip_clicks_agree_with_the_flip_rules_module(tmp_path: Path) -> None:
    game_id = generate_id("flip", "5x5c#3")
    moves = random_moves("flip", game_id, 6, random.Random(3))
    path = write_save("flip", game_id, moves, tmp_path / "flip.sav")
    drawn = read_flip(render("flip", path, TILE_PX, tmp_path), grid_of("flip", 5, 5, TILE_PX))
    assert drawn == labels_after("flip", game_id, moves)
    board = decode_flip_board(game_id)
    dark = frozenset((r, c) for r in range(5) for c in range(5) if board.dark[r][c])
    clicks = [(int(m[1:].split(",")[1]), int(m[1:].split(",")[0])) for m in moves]
    after = flip_rules.apply_clicks(dark, flip_rules.rules_from_game_id(game_id), clicks)
    assert flip_rules.labels_of(after, 5, 5) == drawn


def test_random_fifteen_slides_agree_with_the_fifteen_rules_module(tmp_path: Path) -> None:
    game_id = generate_id("fifteen", "4x4#5")
    moves = random_moves("fifteen", game_id, 8, random.Random(5))
    want = labels_after("fifteen", game_id, moves)
    assert want != decode_fifteen(game_id)
    path = write_save("fifteen", game_id, moves, tmp_path / "f.sav")
    grid = grid_of("fifteen", 4, 4, TILE_PX)
    start = render("fifteen", game_id, TILE_PX, tmp_path)
    image = render("fifteen", path, TILE_PX, tmp_path)
    assert_crops_agree([(start, grid, decode_fifteen(game_id)), (image, grid, want)])
    flat = tuple(t for row in decode_fifteen_board(game_id).tiles for t in row)
    for move in moves:
        x, y = (int(v) for v in move[1:].split(","))
        flat = fifteen_rules.apply_click(flat, 4, 4, (y, x))
    assert fifteen_rules.labels_of(flat, 4) == want


def test_random_samegame_removals_never_end_the_game(tmp_path: Path) -> None:
    game_id = generate_id("samegame", "6x5c3s2#8")
    moves = random_moves("samegame", game_id, 40, random.Random(8))
    want = labels_after("samegame", game_id, moves)
    colours = tuple(tuple(0 if v == "empty" else int(v[1:]) for v in row) for row in want)
    assert not samegame_rules.is_over(colours)
    path = write_save("samegame", game_id, moves, tmp_path / "sg.sav")
    image = render("samegame", path, TILE_PX, tmp_path)
    assert read_samegame(image, grid_of("samegame", 5, 6, TILE_PX)) == want


def test_random_mines_moves_open_flag_and_end_on_a_mine(tmp_path: Path) -> None:
    game_id = generate_id("mines", "9x9n35#6")
    moves = random_moves("mines", game_id, 9, random.Random(6))  # odd count: ends on a mine
    assert moves[-1].startswith("O")
    want = labels_after("mines", game_id, moves)
    assert sum(row.count("mine") for row in want) == 1
    assert any("flag" in row for row in want)
    path = write_save("mines", game_id, moves, tmp_path / "m.sav")
    grid = grid_of("mines", 9, 9, TILE_PX)
    start = labels_after("mines", game_id, [])
    assert_crops_agree(
        [
            (render("mines", game_id, TILE_PX, tmp_path), grid, start),
            (render("mines", path, TILE_PX, tmp_path), grid, want),
        ]
    )
