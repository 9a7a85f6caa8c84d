"""Threshold tuning on hand-labelled frames (bot.tuning.tune) and `tilebot tune`."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from bot.board import UNKNOWN
from bot.commands.tune import add_arguments, tune_command
from bot.frame import Frame
from bot.profile import LevelProfile, load_profile
from bot.recording import Recording
from bot.settle import regions_mask
from bot.tuning.labels import LabelFile, write_labels
from bot.tuning.occupancy import Border
from bot.tuning.tune import (
    MARGIN_MINS,
    SCORE_MINS,
    Sample,
    Setting,
    Space,
    TuneError,
    format_confusion,
    score_reads,
    tune_level,
)
from bot.tuning.writeback import write_level_values
from bot.vision.read import load_bank, read_board
from bot.vision.templates import TemplateBank

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "profiles" / "fling.toml"
OCEAN = ROOT / "recordings" / "fling-ocean"
SPACE = Space((0, 3), SCORE_MINS, MARGIN_MINS, (0.05,))
"""The full threshold grid, two search_px values: enough to find, quick to probe."""

Rows = tuple[tuple[str, ...], ...]


def golden_boards() -> dict[int, Rows]:
    """The golden ocean session's read boards (all right: the bot solved the level)."""
    recording = Recording.open(OCEAN)
    return {
        e.i: tuple(tuple(row) for row in e.board["labels"])
        for e in recording.events
        if e.board is not None
    }


def golden_samples() -> list[Sample]:
    recording = Recording.open(OCEAN)
    by_index = {e.i: e for e in recording.events}
    return [
        Sample(f"ocean [frame {i}]", recording.load(by_index[i]).pixels, rows)
        for i, rows in golden_boards().items()
    ]


def ocean() -> tuple[LevelProfile, TemplateBank]:
    level = load_profile(PROFILE).level("ocean")
    return level, load_bank(PROFILE, level)


def strict(level: LevelProfile) -> LevelProfile:
    """`level` with bars no read of these frames clears."""
    return Setting(0.99, 0.3, 3, level.colour.max_distance, Border.of(level)).apply(level)


def read_labels_with(level: LevelProfile, sample: Sample, bank: TemplateBank) -> Rows:
    frame = Frame(sample.pixels, 0, 0.0)
    mask = regions_mask(frame.height, frame.width, level.overlay_regions)
    return read_board(frame, level, bank, mask).labels()


def test_scores_count_right_wrong_and_unknown_and_skip_unlabelled() -> None:
    truth = (("a", "b", "?"), ("a", "a", "b"))
    read = (("a", "a", "b"), (UNKNOWN, "a", "b"))

    score = score_reads([truth], [read])

    assert (score.cells, score.correct, score.wrong, score.unknown) == (5, 3, 1, 1)
    assert score.accuracy == 3 / 5
    assert dict(score.confusion) == {("a", "a"): 2, ("a", UNKNOWN): 1, ("b", "a"): 1, ("b", "b"): 1}
    assert format_confusion(score).splitlines() == [
        "truth \\ read    1   2 unk",
        " 1 a            2   .   1",
        " 2 b            1   1   .",
    ]


def test_a_too_strict_level_is_tuned_to_read_every_cell() -> None:
    level, bank = ocean()
    samples = golden_samples()

    result = tune_level(samples, strict(level), bank, folds=3, space=SPACE)

    assert result.score_before.correct == 0
    assert result.score_after.accuracy == 1.0 and result.score_after.wrong == 0
    assert result.ok and not result.kept
    assert result.after.score_min < 0.99 and result.after.margin_min < 0.3
    assert result.cross_check is not None
    assert result.cross_check.held_out.accuracy == 1.0
    assert len(result.cross_check.folds) == 3
    # The reported score is the reader's own, read again here.
    tuned = result.after.apply(level)
    for sample in samples:
        assert read_labels_with(tuned, sample, bank) == sample.truth


def test_a_label_the_image_contradicts_is_never_read_so() -> None:
    level, bank = ocean()
    samples = golden_samples()
    rows = [list(row) for row in samples[0].truth]
    assert rows[2][1] == "blue-right"
    rows[2][1] = "blue-left"
    samples[0] = Sample("lied", samples[0].pixels, tuple(tuple(row) for row in rows))

    result = tune_level(samples, level, bank, folds=3, space=SPACE)

    assert result.score_before.wrong == 1
    assert result.ok and result.score_after.wrong == 0
    assert 0.9 < result.score_after.accuracy < 1.0
    assert read_labels_with(result.after.apply(level), samples[0], bank)[2][1] == UNKNOWN
    # No fold could know: the one holding the frame read the cell as the image shows.
    assert result.cross_check is not None and result.cross_check.held_out.wrong == 1


def test_the_result_does_not_depend_on_the_worker_count() -> None:
    level, bank = ocean()
    samples = golden_samples()

    alone = tune_level(samples, strict(level), bank, folds=2, space=SPACE, jobs=1)
    shared = tune_level(samples, strict(level), bank, folds=2, space=SPACE, jobs=2)

    assert shared == alone


def test_a_level_already_reading_best_is_kept_or_only_moved_inside_its_plateau() -> None:
    level, bank = ocean()

    result = tune_level(golden_samples(), level, bank, folds=3, space=SPACE)

    assert result.score_before.accuracy == 1.0
    assert result.score_after.accuracy == 1.0 and result.score_after.wrong == 0


def test_labels_of_another_shape_are_refused_naming_the_frame() -> None:
    level, bank = ocean()
    sample = golden_samples()[0]
    short = Sample("x.txt [frame 4]", sample.pixels, sample.truth[:-1])

    with pytest.raises(TuneError, match=r"x.txt \[frame 4\]: labels are 7x7 cells but the level"):
        tune_level([short], level, bank)


def test_a_misspelt_label_is_refused_naming_the_cell() -> None:
    level, bank = ocean()
    sample = golden_samples()[0]
    rows = [list(row) for row in sample.truth]
    rows[1][2] = "emtpy"
    typo = Sample("x.txt [frame 4]", sample.pixels, tuple(tuple(row) for row in rows))

    with pytest.raises(TuneError, match=r"x.txt \[frame 4\]: cell \(1, 2\) is labelled 'emtpy'"):
        tune_level([typo], level, bank)


def test_no_frames_or_folds_are_refused() -> None:
    level, bank = ocean()

    with pytest.raises(TuneError, match="no labelled frames"):
        tune_level([], level, bank)
    with pytest.raises(TuneError, match="--folds 0"):
        tune_level(golden_samples(), level, bank, folds=0)


# ---------------------------------------------------------------- the command


def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """A strict copy of the Fling profile (with its banks) and the golden ocean labels."""
    profile = tmp_path / "fling.toml"
    shutil.copy(PROFILE, profile)
    shutil.copytree(ROOT / "profiles" / "fling", tmp_path / "fling")
    write_level_values(profile, "ocean", {"templates.score_min": 0.99, "templates.margin_min": 0.3})
    labels = tmp_path / "ocean-labels.txt"
    write_labels(labels, LabelFile(str(profile), "ocean", golden_boards()))
    return profile, labels


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return tune_command(parser.parse_args([*argv, "--no-progress", "--jobs", "1"]))


def test_the_command_writes_the_tuned_level_into_the_profile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile, labels = workspace(tmp_path)
    before = profile.read_text(encoding="utf-8")

    code = run(str(OCEAN), "--labels", str(labels), "--profile", str(profile), "--level", "ocean")

    assert code == 0
    out = capsys.readouterr().out
    assert "before: score_min 0.99 margin_min 0.3 search_px 3" in out
    assert "accuracy 0.00% (0/168), wrong 0, unknown 168" in out
    assert "accuracy 100.00% (168/168), wrong 0, unknown 0" in out
    assert "confusion after:" in out
    assert "wrote templates.score_min = " in out
    tuned = load_profile(profile)
    assert tuned.level("ocean").templates.score_min < 0.99
    assert tuned.level("desert") == load_profile(PROFILE).level("desert")
    # The ocean boards' empty tiles and balls are far apart by border statistics.
    assert tuned.level("ocean").occupancy.reads_empty
    assert "occupancy.reads_empty = true" in out
    kept = [line for line in before.splitlines() if not line.startswith(("score_min", "margin_m"))]
    after = profile.read_text(encoding="utf-8")
    # The level had no occupancy table: it is added whole, after the templates table.
    head, table, rest = after.partition("\n\n[levels.ocean.occupancy]\n")
    assert table and rest.startswith("reads_empty = true\n")
    rest = rest.split("\n\n", 1)[1]
    lines = (head + "\n\n" + rest).splitlines()
    assert [line for line in lines if not line.startswith(("score_min", "margin_m"))] == kept


def test_a_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile, labels = workspace(tmp_path)
    before = profile.read_text(encoding="utf-8")

    code = run(
        str(OCEAN), "--labels", str(labels), "--profile", str(profile), "--level", "ocean",
        "--dry-run",
    )  # fmt: skip

    assert code == 0
    assert "dry run: would write templates.score_min = " in capsys.readouterr().out
    assert profile.read_text(encoding="utf-8") == before


def test_labels_for_another_level_are_refused(tmp_path: Path) -> None:
    profile, labels = workspace(tmp_path)

    with pytest.raises(TuneError, match=r"ocean-labels.txt: labelled for level 'ocean', but"):
        run(str(OCEAN), "--labels", str(labels), "--profile", str(profile), "--level", "night")


def test_one_label_file_per_recording_is_required(tmp_path: Path) -> None:
    profile, labels = workspace(tmp_path)

    with pytest.raises(TuneError, match="--labels: 1 label files for 2 recordings"):
        run(str(OCEAN), str(OCEAN), "--labels", str(labels), "--profile", str(profile),
            "--level", "ocean")  # fmt: skip


def test_a_labelled_frame_missing_from_the_recording_is_named(tmp_path: Path) -> None:
    profile, _ = workspace(tmp_path)
    labels = tmp_path / "far.txt"
    board = next(iter(golden_boards().values()))
    write_labels(labels, LabelFile(None, None, {999: board}))

    with pytest.raises(TuneError, match=r"far.txt: \[frame 999\]: .*fling-ocean has no frame 999"):
        run(str(OCEAN), "--labels", str(labels), "--profile", str(profile), "--level", "ocean")
