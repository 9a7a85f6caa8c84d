"""Choosing the border-statistics setting from labelled frames (bot.tuning.occupancy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.demo.themes import EMPTY
from bot.profile import LevelProfile, load_profile
from bot.tuning.labels import UNLABELLED
from bot.tuning.occupancy import (
    GAP_MIN,
    Border,
    blob_sizes,
    candidate_specs,
    choose_border,
)
from tests.vision.night import night_frame

PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "fling.toml"


@pytest.fixture(scope="module")
def level() -> LevelProfile:
    return load_profile(PROFILE).level("night")


@pytest.fixture(scope="module")
def frames(level: LevelProfile) -> list[tuple[np.ndarray, tuple[str, ...]]]:
    """Blob sizes and row-major truths of 12 night frames."""
    out = []
    for seed in range(12):
        pixels, rows = night_frame(seed)
        out.append((blob_sizes(pixels, level), tuple(x for row in rows for x in row)))
    return out


def test_the_chosen_setting_separates_every_labelled_tile(
    level: LevelProfile, frames: list[tuple[np.ndarray, tuple[str, ...]]]
) -> None:
    border = choose_border([b for b, _ in frames], [t for _, t in frames], level)
    assert border.reads_empty
    k = [(s.z_limit, s.inset_px) for s in candidate_specs(level)].index(
        (border.z_limit, border.inset_px)
    )
    empty = max(int(b[k][np.array(t) == EMPTY].max()) for b, t in frames)
    full = min(int(b[k][np.array(t) != EMPTY].min()) for b, t in frames)
    assert empty < border.min_blob_px <= full
    assert (full + 1) / (empty + 1) >= GAP_MIN
    # The same setting keeps every frame's reading of empty and occupied tiles.
    applied = border.apply(level).occupancy
    assert (applied.z_limit, applied.inset_px, applied.reads_empty) == (
        border.z_limit,
        border.inset_px,
        True,
    )


def test_labels_that_contradict_the_tiles_turn_the_stage_off(
    level: LevelProfile, frames: list[tuple[np.ndarray, tuple[str, ...]]]
) -> None:
    blobs, truth = frames[0]
    ball = next(i for i, label in enumerate(truth) if label != EMPTY)
    wrong = tuple(EMPTY if i == ball else label for i, label in enumerate(truth))
    on = border_on(level)
    border = choose_border([blobs], [wrong], on)
    assert not border.reads_empty
    assert (border.z_limit, border.inset_px, border.min_blob_px) == (4.0, 2, 100)


def test_without_empty_or_occupied_labels_the_level_keeps_its_setting(
    level: LevelProfile, frames: list[tuple[np.ndarray, tuple[str, ...]]]
) -> None:
    blobs, truth = frames[0]
    on = border_on(level)
    only_balls = tuple(UNLABELLED if label == EMPTY else label for label in truth)
    only_empty = tuple(label if label == EMPTY else UNLABELLED for label in truth)
    assert choose_border([blobs], [only_balls], on) == Border.of(on)
    assert choose_border([blobs], [only_empty], on) == Border.of(on)


def test_insets_whose_ring_does_not_fit_are_not_tried(level: LevelProfile) -> None:
    grid = level.grid.model_copy(update={"tile_px": 13})
    small = level.model_copy(update={"grid": grid})
    assert {s.inset_px for s in candidate_specs(small)} == {0, 1, 2, 3}
    assert len(blob_sizes(np.zeros((200, 200, 3), np.uint8), small)) == len(candidate_specs(small))


def test_fields_name_profile_paths() -> None:
    border = Border(True, 3.5, 2, 40)
    assert border.fields() == {
        "occupancy.reads_empty": True,
        "occupancy.z_limit": 3.5,
        "occupancy.inset_px": 2,
        "occupancy.min_blob_px": 40,
    }
    assert border.describe() == "border z 3.5 inset 2 blob 40"
    assert Border(False, 4.0, 0, 40).describe() == "border off"


def border_on(level: LevelProfile) -> LevelProfile:
    return Border(True, 4.0, 2, 100).apply(level)
