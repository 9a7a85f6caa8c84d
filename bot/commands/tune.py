"""`tilebot tune`: choose a level's reading thresholds from hand-labelled frames.

    tilebot tune RECORDING... [--labels FILE...] --profile FILE --level L
                 [--folds K] [--jobs N] [--dry-run] [--no-progress]

Each RECORDING (or PNG image) pairs with the label file at the same position of
--labels (default: RECORDING/labels.txt). Prints accuracy and the confusion matrix
before and after, and the held-out check; writes the chosen values into the level's
table of the profile (comments kept) unless --dry-run. Exit 1 when no setting reads the
labelled frames without a wrong label (the profile is then left alone).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from bot.commands.inspect import level_named, open_frames
from bot.profile import load_profile
from bot.tuning.frames import FrameSelectionError
from bot.tuning.labels import read_labels
from bot.tuning.tune import (
    Sample,
    Score,
    TuneError,
    TuneResult,
    default_jobs,
    format_confusion,
    tune_level,
)
from bot.tuning.writeback import write_level_values
from bot.vision.read import load_bank

LABELS_NAME = "labels.txt"
"""A recording's label file when --labels is not given."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of `tilebot tune`."""
    parser.add_argument("recordings", type=Path, nargs="+", metavar="RECORDING")
    parser.add_argument(
        "--labels",
        type=Path,
        nargs="+",
        metavar="FILE",
        help=f"one label file per recording (default RECORDING/{LABELS_NAME})",
    )
    parser.add_argument("--profile", type=Path, required=True, metavar="FILE")
    parser.add_argument("--level", required=True, metavar="L", help="level to tune ('base' too)")
    parser.add_argument("--folds", type=int, default=5, metavar="K", help="held-out folds (5)")
    parser.add_argument(
        "--jobs", type=int, default=default_jobs(), metavar="N", help="worker processes (cores)"
    )
    parser.add_argument("--dry-run", action="store_true", help="report, but write nothing")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def load_samples(
    sources: Sequence[Path], labels: Sequence[Path] | None, level: str
) -> list[Sample]:
    """The labelled frames of each source with its label file, in file and frame order.

    TuneError when the counts differ, a label file is for another level or names a frame
    the source does not have; LabelError (from the label reader) for a bad label file.
    """
    if labels is None:
        labels = [source / LABELS_NAME for source in sources]
    if len(labels) != len(sources):
        raise TuneError(
            f"--labels: {len(labels)} label files for {len(sources)} recordings; give one each"
        )
    samples: list[Sample] = []
    for source, label_path in zip(sources, labels, strict=True):
        label_file = read_labels(label_path)
        if label_file.level is not None and label_file.level != level:
            raise TuneError(
                f"{label_path}: labelled for level {label_file.level!r}, but --level is {level!r}"
            )
        if not label_file.frames:
            raise TuneError(f"{label_path}: labels no frame")
        frames = open_frames(source)
        for index, truth in label_file.frames.items():
            try:
                frame = frames.load(index)
            except FrameSelectionError:
                raise TuneError(
                    f"{label_path}: [frame {index}]: {source} has no frame {index}"
                ) from None
            samples.append(Sample(f"{label_path} [frame {index}]", frame.pixels, truth))
    return samples


def tune_command(args: argparse.Namespace) -> int:
    """Tune, print the report, write the profile; 1 when no setting reads without errors."""
    profile = load_profile(args.profile)
    level = level_named(profile, args.level, args.profile)
    bank = load_bank(args.profile, level)
    samples = load_samples(args.recordings, args.labels, args.level)
    result = tune_level(
        samples,
        level,
        bank,
        folds=args.folds,
        jobs=args.jobs,
        progress=not args.no_progress,
    )
    for line in report_lines(result, len(samples)):
        print(line)
    if not result.ok:
        print("no setting reads the labelled frames without wrong labels: profile left alone")
        return 1
    changes = result.after.changes(level)
    if not changes:
        print(f"{args.profile}: level {args.level} already reads with the chosen setting")
        return 0
    listed = ", ".join(f"{k} = {_toml(v)}" for k, v in changes.items())
    if args.dry_run:
        print(f"dry run: would write {listed} into level {args.level} of {args.profile}")
        return 0
    write_level_values(args.profile, args.level, changes)
    print(f"wrote {listed} into level {args.level} of {args.profile}")
    return 0


def report_lines(result: TuneResult, frames: int) -> list[str]:
    """The printed report: setting and score before, held-out check, after, confusions."""
    lines = [f"labelled frames: {frames} ({result.score_before.cells} labelled cells)"]
    lines.append(f"before: {result.before.describe()}")
    lines.append(f"  {_figures(result.score_before)}")
    check = result.cross_check
    if check is None:
        lines.append("held-out check: skipped (needs 2 frames and 2 folds)")
    else:
        lines.append(
            f"held-out check ({len(check.folds)} folds, safety {check.safety} steps): "
            f"{_figures(check.held_out)}"
        )
        for fold in check.folds:
            lines.append(
                f"  fold {fold.index} ({fold.frames} frames): {fold.setting.describe()}: "
                f"{_figures(fold.held_out)}"
            )
    if result.unreadable:
        lines.append(
            "note: the bank has no template of "
            + ", ".join(result.unreadable)
            + " (such cells never read right; label more of them and rebuild the bank)"
        )
    after = "unchanged (it reads best)" if result.kept else result.after.describe()
    lines.append(f"after: {after}")
    lines.append(f"  {_figures(result.score_after)}")
    lines.append("confusion before (rows: true label; columns: label read):")
    lines += format_confusion(result.score_before).splitlines()
    lines.append("confusion after:")
    lines += format_confusion(result.score_after).splitlines()
    return lines


def _figures(score: Score) -> str:
    return (
        f"accuracy {score.accuracy:.2%} ({score.correct}/{score.cells}), "
        f"wrong {score.wrong}, unknown {score.unknown}"
    )


def _toml(value: float | int | bool) -> str:
    """A value as the profile file spells it: true, 3, 0.9."""
    return str(value).lower() if isinstance(value, bool) else f"{value:g}"
