"""`tilebot label` on real recordings: pre-filled label files, merging, refusals."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from bot.commands.label import add_arguments, label_command
from bot.errors import ProfileError, RecordingError, TilebotError
from bot.recording import Recording
from bot.tuning.frames import FrameSelectionError
from bot.tuning.labels import UNLABELLED, LabelError, read_labels

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "fling.toml"
OCEAN = ROOT / "recordings" / "fling-ocean"


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="tilebot label")
    add_arguments(parser)
    return label_command(parser.parse_args([str(a) for a in argv]))


def test_prefills_the_settled_frames_with_the_readers_labels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "labels.txt"
    assert run(OCEAN, "--profile", PROFILE, "--frames", "settled", "--out", out) == 0
    labels = read_labels(out)
    assert labels.profile == str(PROFILE) and labels.level == "ocean"  # the recorded level
    assert list(labels.frames) == [3, 19, 34]
    first = labels.frames[3]
    assert len(first) == 8 and all(len(row) == 7 for row in first)
    # The golden recording holds what the live loop read on these frames.
    board = next(e for e in Recording.open(OCEAN).events if e.i == 3).board
    assert board is not None
    assert [list(r) for r in first] == board["labels"]
    assert "3 frame(s) added" in capsys.readouterr().out


def test_unknown_cells_become_question_marks(tmp_path: Path) -> None:
    # Frame 10 is mid-roll: the reader is unsure of the moving ball.
    out = tmp_path / "labels.txt"
    run(OCEAN, "--profile", PROFILE, "--frames", "5-15", "--out", out)
    cells = [c for rows in read_labels(out).frames.values() for row in rows for c in row]
    assert UNLABELLED in cells
    assert "unknown" not in cells


def test_an_existing_file_keeps_its_frames_and_gains_new_ones(tmp_path: Path) -> None:
    out = tmp_path / "labels.txt"
    run(OCEAN, "--profile", PROFILE, "--frames", "4", "--out", out)
    text = out.read_text(encoding="utf-8").replace("red-up", "red-down")  # a correction
    out.write_text(text, encoding="utf-8")
    run(OCEAN, "--profile", PROFILE, "--frames", "4,22", "--out", out)
    labels = read_labels(out)
    assert list(labels.frames) == [4, 22]
    assert labels.frames[4][2][3] == "red-down"  # the correction is kept
    assert labels.frames[22] != labels.frames[4]
    run(OCEAN, "--profile", PROFILE, "--frames", "4", "--out", out, "--force")
    assert read_labels(out).frames[4][2][3] == "red-up"
    assert list(read_labels(out).frames) == [4]


def test_the_default_file_is_in_the_recording(tmp_path: Path) -> None:
    copy = tmp_path / "rec"
    shutil.copytree(OCEAN, copy)
    run(copy, "--profile", PROFILE, "--frames", "4")
    assert list(read_labels(copy / "labels.txt").frames) == [4]


def test_a_file_made_for_another_level_is_not_merged(tmp_path: Path) -> None:
    out = tmp_path / "labels.txt"
    run(OCEAN, "--profile", PROFILE, "--frames", "4", "--out", out)
    with pytest.raises(LabelError, match="made for level ocean, not night"):
        run(OCEAN, "--profile", PROFILE, "--level", "night", "--frames", "22", "--out", out)


@pytest.mark.parametrize(
    ("argv", "error", "words"),
    [
        ([None, "--frames", "1"], RecordingError, "missing: not a recording"),
        ([OCEAN, "--frames", "1,500"], FrameSelectionError, "frame 500 is not in the recording"),
        ([OCEAN, "--frames", "1", "--level", "moon"], ProfileError, "levels.moon: no such level"),
        ([OCEAN, "--frames", "x"], FrameSelectionError, "bad item 'x'"),
    ],
)
def test_user_mistakes_are_named(
    tmp_path: Path, argv: list[str | Path | None], error: type[TilebotError], words: str
) -> None:
    out = tmp_path / "labels.txt"
    args = [tmp_path / "missing" if a is None else a for a in argv]
    with pytest.raises(error, match=words):
        run(*args, "--profile", PROFILE, "--out", out)
    assert not out.exists()
