"""Labelled tiles from a real recording: checks against the grid, '?' and overlays left out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.games.sgt.ids import decode_fifteen
from bot.games.sgt.screenshot import grid_of, render
from bot.profile import GridSpec, load_profile
from bot.recording import Recording
from bot.tuning.labels import UNLABELLED, LabelError, LabelFile
from bot.tuning.samples import choose_fast_px, fast_px_for, labelled_tiles, touches_overlay
from bot.vision.grid import tile_views
from tests.games.sgt import generate_id

ROOT = Path(__file__).resolve().parents[2]
OCEAN = ROOT / "recordings" / "fling-ocean"
LEVEL = load_profile(ROOT / "profiles" / "fling.toml").level("ocean")


def board(fill: str = "empty") -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(fill for _ in range(LEVEL.grid.cols)) for _ in range(LEVEL.grid.rows))


def test_tiles_come_with_labels_and_skip_unlabelled_and_overlay_cells() -> None:
    rows = [list(row) for row in board()]
    rows[2][3] = "red-up"
    rows[0][0] = UNLABELLED
    labels = LabelFile(None, None, {4: tuple(tuple(r) for r in rows)})
    recording = Recording.open(OCEAN)
    samples = labelled_tiles(recording, labels, LEVEL, Path("labels.txt"))
    cells = {(s.row, s.col) for s in samples}
    logo = touches_overlay(LEVEL.grid, LEVEL.overlay_regions)
    assert logo == {(7, 5), (7, 6)}
    assert (0, 0) not in cells and not cells & logo
    assert len(samples) == LEVEL.grid.rows * LEVEL.grid.cols - 1 - len(logo)
    frame = recording.load(next(e for e in recording.events if e.i == 4))
    views = tile_views(frame.pixels, LEVEL.grid)
    red = next(s for s in samples if (s.row, s.col) == (2, 3))
    assert red.label == "red-up" and red.frame == 4
    assert np.array_equal(red.tile, views[2, 3])
    assert red.posterized.shape == red.tile.shape
    assert not np.array_equal(red.posterized, red.tile)  # texture flattened


def test_without_posterizing_the_posterized_tile_is_the_tile() -> None:
    labels = LabelFile(None, None, {4: board()})
    samples = labelled_tiles(
        Recording.open(OCEAN), labels, LEVEL, Path("l.txt"), posterized=False, skip_overlays=False
    )
    assert len(samples) == LEVEL.grid.rows * LEVEL.grid.cols
    assert all(np.array_equal(s.tile, s.posterized) for s in samples)


def test_a_frame_missing_from_the_recording_is_named() -> None:
    labels = LabelFile(None, None, {999: board()})
    with pytest.raises(LabelError, match=r"l\.txt: \[frame 999\] is not in .*fling-ocean"):
        labelled_tiles(Recording.open(OCEAN), labels, LEVEL, Path("l.txt"))


def test_labels_of_another_shape_than_the_grid_are_named() -> None:
    labels = LabelFile(None, None, {4: board()[:-1]})
    with pytest.raises(LabelError, match=r"\[frame 4\] has 7x7 labels .* grid has 8x7 tiles"):
        labelled_tiles(Recording.open(OCEAN), labels, LEVEL, Path("l.txt"))


def test_overlay_touch_is_any_overlap() -> None:
    grid = GridSpec(origin_x_px=10, origin_y_px=10, tile_px=10, gap_px=2, rows=3, cols=3)
    assert touches_overlay(grid, [(19, 19, 1, 1)]) == {(0, 0)}
    assert touches_overlay(grid, [(20, 20, 2, 2)]) == set()  # the gap between tiles
    assert touches_overlay(grid, [(0, 0, 100, 11)]) == {(0, 0), (0, 1), (0, 2)}


@pytest.mark.parametrize(
    ("tile_px", "fast_px"), [(64, 16), (48, 16), (30, 15), (20, 10), (16, 16), (9, 9), (37, 37)]
)
def test_fast_px_divides_the_tile(tile_px: int, fast_px: int) -> None:
    assert fast_px_for(tile_px) == fast_px
    assert tile_px % fast_px == 0


def test_thin_digits_get_a_larger_shrunk_side(tmp_path: Path) -> None:
    # Fifteen's numbers at 48 px blur together at 16 px (6 and 8, 5 and 9); bars do not.
    game_id = generate_id("fifteen", "4x4#5")
    image = render("fifteen", game_id, 48, tmp_path)
    truth = [label for row in decode_fifteen(game_id) for label in row]
    grid = grid_of("fifteen", 4, 4, 48)
    tiles = list(tile_views(image, grid).reshape(-1, 48, 48, 3))
    assert choose_fast_px(tiles, truth, 48, 0.05) > 16
    bars = [np.full((48, 48, 3), 60, np.uint8) for _ in range(4)]
    for i, tile in enumerate(bars):
        tile[4 + i * 10 : 12 + i * 10, 8:40] = 220
    assert choose_fast_px(bars, ["a", "b", "c", "d"], 48, 0.05) == 16
