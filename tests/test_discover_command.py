"""`tilebot discover` end to end: real Fling recordings and real sgt-puzzles boards."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import pytest

from bot.commands.discover import DiscoverError, add_arguments, discover_command
from bot.demo.game import window_at_rest
from bot.demo.themes import EMPTY, theme_named
from bot.errors import RecordingError, TilebotError
from bot.frame import Frame
from bot.games.sgt.ids import Game
from bot.profile import load_profile
from bot.reading import make_reader
from bot.recording import Recording, RecordingWriter
from bot.tuning.frames import FrameSelectionError, events_by_index
from bot.tuning.labels import UNLABELLED, read_labels
from tests.games.sgt import require_game
from tests.tuning.boards import agreement, record_boards
from tests.vision.night import night_frame

ROOT = Path(__file__).resolve().parents[1]
FLING = ROOT / "profiles" / "fling.toml"
OCEAN = ROOT / "recordings" / "fling-ocean"


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="tilebot discover")
    add_arguments(parser)
    return discover_command(parser.parse_args([str(a) for a in argv]))


def reads_back(out: Path, recording: Path) -> tuple[int, int]:
    """(cells the starter profile reads as labels.txt says, labelled cells)."""
    profile = out / "profile.toml"
    level = load_profile(profile).level(None)
    read = make_reader(profile)
    opened = Recording.open(recording)
    events = events_by_index(opened)
    agree = total = 0
    for index, rows in read_labels(out / "labels.txt").frames.items():
        board = read(opened.load(events[index]), level)
        for got_row, want_row in zip(board.cells, rows, strict=True):
            for cell, want in zip(got_row, want_row, strict=True):
                if want != UNLABELLED:
                    total += 1
                    agree += cell.label == want
    return agree, total


def test_without_a_profile_it_writes_a_profile_that_reads_its_own_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "found"
    assert run(OCEAN, "--frames", "settled", "--out", out) == 0
    for name in ("profile.toml", "bank.npz", "bank.json", "labels.txt", "clusters.png"):
        assert (out / name).is_file(), name
    profile = load_profile(out / "profile.toml")
    assert profile.game == "fling-ocean"
    assert profile.base.grid == load_profile(FLING).base.grid  # detected exactly
    labels = read_labels(out / "labels.txt")
    assert labels.profile == str(out / "profile.toml")
    names = {c for rows in labels.frames.values() for row in rows for c in row}
    assert names == set(profile.base.labels)
    # Sea, four balls, and the logo's two tiles apart: 5 to 7 clusters.
    assert 5 <= len(names) <= 7
    agree, total = reads_back(out, OCEAN)
    assert agree == total
    sheet = cv2.imread(str(out / "clusters.png"))
    assert sheet is not None and sheet.shape[0] > 48 * len(names)
    printed = capsys.readouterr().out
    assert "grid: 8x7 tiles of 64 px" in printed and f"{len(names)} clusters" in printed


def test_an_earlier_discovery_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "found"
    run(OCEAN, "--frames", "4", "--out", out)
    with pytest.raises(DiscoverError, match=r"already holds profile\.toml"):
        run(OCEAN, "--frames", "4", "--out", out)
    assert run(OCEAN, "--frames", "4,22", "--out", out, "--force", "--clusters", "3") == 0
    assert load_profile(out / "profile.toml").base.labels == ["c0", "c1", "c2"]
    assert list(read_labels(out / "labels.txt").frames) == [4, 22]


def test_with_a_profile_its_grid_settle_and_overlays_are_used(tmp_path: Path) -> None:
    out = tmp_path / "found"
    run(OCEAN, "--profile", FLING, "--level", "ocean", "--frames", "settled", "--out", out)
    labels = read_labels(out / "labels.txt")
    assert list(labels.frames) == [3, 19, 34]  # the profile's 30 ms quiet time
    assert labels.frames[3][7][5] == labels.frames[3][7][6] == UNLABELLED  # under the logo
    base = load_profile(out / "profile.toml").base
    assert base.settle.quiet_ms == load_profile(FLING).base.settle.quiet_ms == 30
    assert base.overlay_regions == load_profile(FLING).base.overlay_regions
    assert load_profile(out / "profile.toml").game == "fling"
    names = {c for row in labels.frames[3] for c in row} - {UNLABELLED}
    assert len(names) == 5  # sea and four balls, each its own cluster


@pytest.mark.parametrize(("game", "params"), [("samegame", "8x8c6s2"), ("mines", "9x9n35")])
def test_sgt_boards_cluster_into_their_true_kinds(tmp_path: Path, game: Game, params: str) -> None:
    require_game(game)
    made = record_boards(game, params, 4, 32, tmp_path / "rec")
    out = tmp_path / "found"
    run(made.path, "--frames", "all", "--out", out)
    labels = read_labels(out / "labels.txt")
    assert load_profile(out / "profile.toml").base.grid.rows == made.grid.rows
    pairs = [
        (made.truth[index][r][c], name)
        for index, rows in labels.frames.items()
        for r, row in enumerate(rows)
        for c, name in enumerate(row)
    ]
    fig = agreement(pairs)
    assert fig.mixed == 0
    assert fig.clusters == fig.kinds
    agree, total = reads_back(out, made.path)
    assert agree == total


@pytest.mark.parametrize(
    ("argv", "error", "words"),
    [
        ([None, "--frames", "1"], RecordingError, "missing: not a recording"),
        ([OCEAN, "--frames", "900"], FrameSelectionError, "frame 900 is not in the recording"),
        ([OCEAN, "--frames", "4", "--level", "ocean"], DiscoverError, "--level needs --profile"),
        ([OCEAN, "--frames", "4", "--clusters", "1"], DiscoverError, "at least 2 clusters"),
    ],
)
def test_user_mistakes_are_named(
    tmp_path: Path, argv: list[str | Path | None], error: type[TilebotError], words: str
) -> None:
    out = tmp_path / "found"
    args = [tmp_path / "missing" if a is None else a for a in argv]
    with pytest.raises(error, match=words):
        run(*args, "--out", out)
    assert not (out / "profile.toml").exists()


def test_a_logo_over_the_board_becomes_an_overlay_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = tmp_path / "desert"
    with RecordingWriter(recording, codec="png", source="test") as writer:
        for seed in range(8):
            _, rows = night_frame(seed)  # a random board, the logo's cells left empty
            board = tuple(
                tuple(EMPTY if r == 7 and c in (5, 6) else label for c, label in enumerate(row))
                for r, row in enumerate(rows)
            )
            hud = (f"level {seed}", seed, 60.0 * seed)
            pixels = window_at_rest(board, theme_named("desert"), 64, seed + 1, hud)
            writer.write(Frame(pixels, seed, float(seed)))
    out = tmp_path / "found"
    assert run(recording, "--frames", "all", "--out", out) == 0
    printed = capsys.readouterr().out
    assert "overlay: [353, 545, 103, 23] (x, y, w, h) over cells (7, 5), (7, 6)" in printed
    profile = load_profile(out / "profile.toml").base
    assert profile.overlay_regions == [(353, 545, 103, 23)]
    for rows in read_labels(out / "labels.txt").frames.values():
        assert rows[7][5] == rows[7][6] == UNLABELLED
        assert UNLABELLED not in rows[7][:5]
    agree, total = reads_back(out, recording)
    assert agree == total == 8 * (56 - 2)

    assert run(recording, "--frames", "all", "--out", out, "--force", "--no-overlays") == 0
    assert "overlay:" not in capsys.readouterr().out
    assert load_profile(out / "profile.toml").base.overlay_regions == []
