"""`tilebot templates`: banks from hand labels that read the labelled frames back."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
import tomlkit

from bot.commands.label import add_arguments as label_arguments
from bot.commands.label import label_command
from bot.commands.templates import add_arguments, bank_reference, templates_command
from bot.profile import load_profile
from bot.reading import make_reader
from bot.recording import Recording
from bot.tuning.frames import events_by_index
from bot.tuning.labels import LabelError, LabelFile, read_labels, write_labels
from bot.vision.templates import load_bank_file

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "fling.toml"
NIGHT = ROOT / "recordings" / "fling-night"


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="tilebot templates")
    add_arguments(parser)
    return templates_command(parser.parse_args([str(a) for a in argv]))


def label(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="tilebot label")
    label_arguments(parser)
    return label_command(parser.parse_args([str(a) for a in argv]))


def profile_with_bank(tmp_path: Path, level: str, bank: Path, empty: str) -> Path:
    """A copy of the Fling profile whose `level` reads with `bank` (no scene bank) and
    calls the bare background `empty`."""
    doc = tomlkit.parse(PROFILE.read_text(encoding="utf-8"))
    del doc["scenes"]
    doc["levels"][level]["templates"]["bank"] = str(bank)
    doc["base"]["occupancy"]["empty_label"] = empty
    path = tmp_path / "fling.toml"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return path


def test_a_bank_from_corrected_labels_reads_them_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels_path = tmp_path / "labels.txt"
    label(NIGHT, "--profile", PROFILE, "--frames", "settled", "--out", labels_path)
    # A person renames the kinds: "sea" for empty, balls by colour alone.
    labels = read_labels(labels_path)
    renamed = {
        i: tuple(tuple("sea" if c == "empty" else c.split("-")[0] for c in row) for row in rows)
        for i, rows in labels.frames.items()
    }
    write_labels(labels_path, LabelFile(labels.profile, labels.level, renamed))
    assert run(NIGHT, "--labels", labels_path, "--out", tmp_path / "banks") == 0
    bank = load_bank_file(tmp_path / "banks" / "night")
    assert set(bank.labels) == {"sea", "green", "purple", "yellow"}
    assert bank.tile_px == 64 and bank.meta["builder"] == "tilebot templates"
    printed = capsys.readouterr().out
    assert "[levels.night.templates]" in printed
    assert "not in the level's labels list: green, purple, sea, yellow" in printed

    assert "empty label 'empty' is not in the bank" in printed
    profile = profile_with_bank(tmp_path, "night", tmp_path / "banks" / "night", "sea")
    level = load_profile(profile).level("night")
    read = make_reader(profile)
    recording = Recording.open(NIGHT)
    events = events_by_index(recording)
    wrong = 0
    for index, rows in renamed.items():
        board = read(recording.load(events[index]), level)
        wrong += sum(
            cell.label != want
            for got_row, want_row in zip(board.cells, rows, strict=True)
            for cell, want in zip(got_row, want_row, strict=True)
        )
    assert wrong <= 2  # of 224 cells; the logo's tiles were never trained on


def test_the_printed_bank_path_is_relative_to_the_profile(tmp_path: Path) -> None:
    assert bank_reference(tmp_path / "a" / "b" / "night", tmp_path / "p.toml") == "a/b/night"
    assert bank_reference(tmp_path / "x", tmp_path / "profiles" / "p.toml") == "../x"


def test_labels_of_another_grid_are_refused_naming_file_and_frame(tmp_path: Path) -> None:
    labels_path = tmp_path / "labels.txt"
    write_labels(labels_path, LabelFile(str(PROFILE), "night", {4: (("empty", "red-up"),) * 3}))
    with pytest.raises(LabelError, match=r"labels\.txt: \[frame 4\] has 3x2 labels"):
        run(NIGHT, "--labels", labels_path, "--out", tmp_path / "banks")
    assert not (tmp_path / "banks").exists()


def test_one_label_is_not_enough_for_a_bank(tmp_path: Path) -> None:
    labels_path = tmp_path / "labels.txt"
    rows = (("empty",) * 7,) * 8
    write_labels(labels_path, LabelFile(str(PROFILE), "night", {4: rows}))
    with pytest.raises(LabelError, match=r"at least two labels.*show 1 \(empty\)"):
        run(NIGHT, "--labels", labels_path, "--out", tmp_path / "banks")


def test_a_label_file_without_a_profile_needs_one_given(tmp_path: Path) -> None:
    labels_path = tmp_path / "labels.txt"
    write_labels(labels_path, LabelFile(None, None, {4: (("empty",) * 7,) * 8}))
    with pytest.raises(LabelError, match="names no profile; give --profile"):
        run(NIGHT, "--labels", labels_path, "--out", tmp_path / "banks")
    with pytest.raises(LabelError, match="no such label file"):
        run(NIGHT, "--labels", tmp_path / "none.txt", "--out", tmp_path / "banks")
