"""Pegs ground truth against the real game's drawings, and the tuning workflow on Pegs."""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from bot.commands import discover, templates, tune
from bot.frame import Frame
from bot.games.sgt import GameIdError, MoveError, RenderError
from bot.games.sgt.ids import Labels
from bot.games.sgt.pegs import (
    BINARY,
    BLOCKED,
    HOLE,
    PEG,
    board_size,
    decode_pegs,
    generate_id,
    grid_of,
    initial_save,
    inset_grid_of,
    jump,
    jump_move,
    labels_after,
    legal_jumps,
    parse_jump,
    random_jumps,
    render,
    write_save,
)
from bot.games.sgt.savefile import parse_save
from bot.profile import GridSpec, load_profile
from bot.reading import make_reader
from bot.recording import Recording, RecordingWriter
from bot.tuning.discover import starter_profile
from bot.tuning.labels import LabelFile, read_labels, write_labels
from tests.games.sgt import Image, assert_crops_agree, crops_by_label, tile

CROSS = "7x7:OOPPPOOOOPPPOOPPPPPPPPPPHPPPPPPPPPPOOPPPOOOOPPPOO"
"""The English board, `sgt-pegs --generate 1 '7x7cross#1'`: 32 pegs, the centre empty."""

PARAMS_SEEDS = ("7x7cross#1", "7x7octagon#3", "5x5random#2", "9x9random#7", "6x4random#1")


def require_pegs() -> None:
    """Skip the test (fail it under CI=true) unless sgt-pegs can run."""
    if os.access(BINARY, os.X_OK):
        return
    reason = f"{BINARY} is not installed (Debian package sgt-puzzles)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def read_drawn(image: Image, grid: GridSpec) -> Labels:
    """Labels of a Pegs screenshot from each tile's centre pixel: the peg is pure blue,
    a hole a disc darker than the background, and only an off-board square shows the
    background at its centre."""
    background = tuple(int(v) for v in image[0, 0])
    rows = []
    for r in range(grid.rows):
        row = []
        for c in range(grid.cols):
            crop = tile(image, grid, r, c)
            b, g, red = (int(v) for v in crop[grid.tile_px // 2, grid.tile_px // 2])
            if (b, g, red) == (255, 0, 0):
                row.append(PEG)
            elif (b, g, red) == background:
                row.append(BLOCKED)
            elif b == g == red and red < background[2]:
                row.append(HOLE)
            else:
                row.append(f"?{(b, g, red)}")
        rows.append(tuple(row))
    return tuple(rows)


# ------------------------------------------------------------------- IDs and rules


def test_the_english_board_decodes_to_32_pegs_around_a_centre_hole() -> None:
    labels = decode_pegs(CROSS)
    counts = Counter(label for row in labels for label in row)
    assert counts == {PEG: 32, HOLE: 1, BLOCKED: 16}
    assert labels[3][3] == HOLE
    assert labels[0][:3] == (BLOCKED, BLOCKED, PEG)
    assert board_size("9x5random#4") == (5, 9)
    assert board_size("6") == (6, 6)


@pytest.mark.parametrize(
    ("game_id", "message"),
    [
        ("7x7cross#1", "random-seed ID"),
        ("7x7:OOP", "has 3 letters, a 7x7 board needs 49"),
        ("2x2:PPHX", "letter 'X' is not P, H or O"),
        ("7y7:" + "P" * 49, "parameters '7y7' are not understood"),
        ("0x3:", "has no cells"),
    ],
)
def test_bad_ids_are_refused_saying_why(game_id: str, message: str) -> None:
    with pytest.raises(GameIdError, match=message):
        decode_pegs(game_id)


def test_a_jump_empties_its_start_and_the_jumped_cell() -> None:
    start = decode_pegs(CROSS)
    assert legal_jumps(start) == (
        ((1, 3), (3, 3)),
        ((3, 1), (3, 3)),
        ((3, 5), (3, 3)),
        ((5, 3), (3, 3)),
    )
    after = jump(start, (1, 3), (3, 3))
    assert (after[1][3], after[2][3], after[3][3]) == (HOLE, HOLE, PEG)
    changed = {(r, c) for r in range(7) for c in range(7) if after[r][c] != start[r][c]}
    assert changed == {(1, 3), (2, 3), (3, 3)}
    assert jump_move((1, 3), (3, 3)) == "3,1-3,3"
    assert parse_jump("3,1-3,3") == ((1, 3), (3, 3))
    assert labels_after(CROSS, ["3,1-3,3", "1,2-3,2"])[2][1:4] == (HOLE, HOLE, PEG)


@pytest.mark.parametrize(
    ("src", "dst", "message"),
    [
        ((3, 1), (3, 4), "not a jump of two cells"),
        ((1, 1), (3, 3), "not a jump of two cells"),
        ((0, 2), (2, 2), r"cell \(2, 2\) is peg, not hole"),
        ((3, 3), (3, 5), r"cell \(3, 3\) is hole, not peg"),
        ((0, 0), (0, 2), r"cell \(0, 0\) is blocked, not peg"),
        ((3, 5), (3, 7), "off the 7x7 board"),
    ],
)
def test_jumps_the_game_refuses_raise(
    src: tuple[int, int], dst: tuple[int, int], message: str
) -> None:
    with pytest.raises(MoveError, match=message):
        jump(decode_pegs(CROSS), src, dst)


def test_moves_that_are_not_jumps_are_refused() -> None:
    with pytest.raises(MoveError, match="is not 'sx,sy-tx,ty'"):
        labels_after(CROSS, ["M3,1"])


def test_random_jumps_are_legal_and_leave_two_pegs_at_least() -> None:
    assert random_jumps("4x1:PPHP", 5, random.Random(1)) == ["0,0-2,0"]
    assert random_jumps("4x1:PPHO", 5, random.Random(1)) == []  # it would complete the game
    moves = random_jumps(CROSS, 40, random.Random(3))
    labels = decode_pegs(CROSS)
    for move in moves:
        assert parse_jump(move) in legal_jumps(labels)
        labels = jump(labels, *parse_jump(move))
    assert sum(row.count(PEG) for row in labels) >= 2


# ------------------------------------------------------------------ the real game


@pytest.mark.parametrize("params_seed", PARAMS_SEEDS)
@pytest.mark.parametrize("tile_px", [16, 33])
def test_decoded_boards_match_the_drawn_ones(
    params_seed: str, tile_px: int, tmp_path: Path
) -> None:
    require_pegs()
    game_id = generate_id(params_seed)
    moves = random_jumps(game_id, 6, random.Random(params_seed))
    assert moves, "every start position here has a legal jump"
    rows, cols = board_size(game_id)
    grid = grid_of(rows, cols, tile_px)
    for source, moves_made in (
        (game_id, []),
        (write_save(game_id, moves, tmp_path / "g.sav"), moves),
    ):
        image = render(source, tile_px, tmp_path)
        assert image.shape == (
            rows * tile_px + 2 * (tile_px // 2),
            cols * tile_px + 2 * (tile_px // 2),
            3,
        )
        assert read_drawn(image, grid) == labels_after(game_id, moves_made)
    assert list(tmp_path.iterdir()) == [tmp_path / "g.sav"]


def test_inset_tiles_of_one_label_are_drawn_alike(tmp_path: Path) -> None:
    require_pegs()
    assert inset_grid_of(7, 7, 32) == GridSpec(
        origin_x_px=18, origin_y_px=18, tile_px=28, gap_px=4, rows=7, cols=7
    )
    shots = []
    for params_seed in ("7x7cross#1", "7x7octagon#3", "7x7random#4", "7x7random#5"):
        game_id = generate_id(params_seed)
        moves = random_jumps(game_id, 5, random.Random(params_seed))
        image = render(write_save(game_id, moves, tmp_path / "g.sav"), 32, tmp_path)
        shots.append((image, inset_grid_of(7, 7, 32), labels_after(game_id, moves)))
    bank = assert_crops_agree(shots)
    assert float(bank[BLOCKED].std()) == 0.0
    # On the plain grid the bevel of the board shows on off-board squares beside it.
    plain = crops_by_label([(image, grid_of(7, 7, 32), labels) for image, _, labels in shots])
    looks = {crop.tobytes() for crop in plain[BLOCKED]}
    assert len(looks) > 4


def test_saves_of_boards_other_than_7x7_load(tmp_path: Path) -> None:
    require_pegs()
    small = generate_id("5x5random#2")
    records = {r.key: r.value for r in parse_save(initial_save(small))}
    assert records["PARAMS"] == "5x5random"
    assert {r.key: r.value for r in parse_save(initial_save(CROSS))}["PARAMS"] == "7x7cross"
    moves = random_jumps(small, 2, random.Random(0))
    image = render(write_save(small, moves, tmp_path / "small.sav"), 20, tmp_path)
    assert read_drawn(image, grid_of(5, 5, 20)) == labels_after(small, moves)


def test_a_jump_the_game_refuses_is_caught_before_the_save_is_written(tmp_path: Path) -> None:
    with pytest.raises(MoveError):
        write_save(CROSS, ["3,3-3,5"], tmp_path / "bad.sav")
    assert not (tmp_path / "bad.sav").exists()


def test_render_failures_name_the_game_and_the_reason(tmp_path: Path) -> None:
    require_pegs()
    with pytest.raises(RenderError, match="tile size 2 px is too small"):
        render(CROSS, 2, tmp_path)
    with pytest.raises(RenderError, match="does not exist"):
        render(tmp_path / "missing.sav", 20, tmp_path)
    with pytest.raises(RenderError, match="not found"):
        render(CROSS, 20, tmp_path, binary=tmp_path / "sgt-pegs")
    with pytest.raises(RenderError, match="only supported at 7x7"):
        generate_id("5x5cross#1")


# -------------------------------------------------------------- the tuning workflow


def run(
    add_arguments: Callable[[argparse.ArgumentParser], None],
    command: Callable[[argparse.Namespace], int],
    argv: Sequence[str | Path],
) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with contextlib.redirect_stdout(io.StringIO()):
        return command(parser.parse_args([str(a) for a in argv]))


def record(folder: Path, seeds: Sequence[int], tile_px: int, tmp: Path) -> dict[int, Labels]:
    """Random 7x7 boards (odd frames after 3-8 jumps) as a recording; their truth."""
    truth: dict[int, Labels] = {}
    with RecordingWriter(folder, source="sgt-pegs screenshots", codec="png") as writer:
        for index, seed in enumerate(seeds):
            game_id = generate_id(f"7x7random#{seed}")
            moves = random_jumps(game_id, 3 + seed % 6, random.Random(seed)) if index % 2 else []
            source = write_save(game_id, moves, tmp / "board.sav") if moves else game_id
            writer.write(Frame(render(source, tile_px, tmp), index, float(index)))
            truth[index] = labels_after(game_id, moves)
    return truth


def test_the_workflow_profiles_pegs_from_a_few_boards(tmp_path: Path) -> None:
    """discover (grid inset by the board's relief) -> clusters named by majority ->
    templates from labelled frames -> tune -> other boards read without a wrong label."""
    require_pegs()
    t = 24
    train_rec, test_rec = tmp_path / "train", tmp_path / "test"
    train = record(train_rec, range(1, 7), t, tmp_path)
    test = record(test_rec, range(101, 107), t, tmp_path)
    assert not set(train.values()) & set(test.values())
    # Without a profile discover finds the game's own grid.
    out = tmp_path / "found"
    run(
        discover.add_arguments,
        discover.discover_command,
        [train_rec, "--frames", "0-2", "--out", out],
    )
    assert load_profile(out / "profile.toml").base.grid == grid_of(7, 7, t)
    # Inset by the relief, every kind is drawn alike: one cluster each.
    grid = inset_grid_of(7, 7, t)
    given = tmp_path / "given.toml"
    given.write_text(starter_profile("pegs", "grid", ["a", "b"], grid, "none"), "utf-8")
    out = tmp_path / "profile"
    run(
        discover.add_arguments,
        discover.discover_command,
        [train_rec, "--frames", "0-2", "--out", out, "--profile", given],
    )
    profile, labels_path = out / "profile.toml", out / "labels.txt"
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for index, rows in read_labels(labels_path).frames.items():
        for r, row in enumerate(rows):
            for c, cluster in enumerate(row):
                votes[cluster][train[index][r][c]] += 1
    assert all(len(kinds) == 1 for kinds in votes.values()), votes
    names = {cluster: kinds.most_common(1)[0][0] for cluster, kinds in votes.items()}
    assert sorted(names.values()) == [BLOCKED, HOLE, PEG]
    # The person names the clusters and labels the training frames.
    doc = tomlkit.parse(profile.read_text("utf-8"))
    base: Any = doc["base"]
    base["labels"] = [names[c] for c in base["labels"]]
    base["occupancy"]["empty_label"] = names[base["occupancy"]["empty_label"]]
    base["colour"]["classes"] = {names[c]: list(v) for c, v in base["colour"]["classes"].items()}
    base["templates"]["bank"] = "base"
    profile.write_text(tomlkit.dumps(doc), "utf-8")
    write_labels(labels_path, LabelFile(str(profile), None, train))
    labelled: list[str | Path] = [train_rec, "--labels", labels_path, "--profile", profile]
    assert run(templates.add_arguments, templates.templates_command, [*labelled, "--out", out]) == 0
    tuning = ["--level", "base", "--folds", "3", "--jobs", "1", "--no-progress"]
    assert run(tune.add_arguments, tune.tune_command, [*labelled, *tuning]) == 0
    level = load_profile(profile).base
    assert list(level.colour.classes) == [BLOCKED]
    read = make_reader(profile)
    recording = Recording.open(test_rec)
    for event in recording.events:
        board = read(recording.load(event), level)
        assert tuple(tuple(c.label for c in row) for row in board.cells) == test[event.i]
