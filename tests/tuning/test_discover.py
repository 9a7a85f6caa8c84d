"""Discovery steps on real frames: the grid most frames agree on, tiles, sheet, profile."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.errors import FrameError
from bot.frame import Frame
from bot.profile import (
    ColourSpec,
    GridSpec,
    OccupancySpec,
    PosterizeSpec,
    load_profile,
    parse_profile,
)
from bot.recording import Recording
from bot.tuning.discover import (
    SHEET_TILE_PX,
    Discovery,
    DiscoveryError,
    TileSet,
    collect_tiles,
    contact_sheet,
    detect_board_grid,
    discover_kinds,
    empty_cluster,
    flat_colour_classes,
    label_rows,
    starter_profile,
)
from bot.tuning.labels import UNLABELLED

ROOT = Path(__file__).resolve().parents[2]
FLING = load_profile(ROOT / "profiles" / "fling.toml")


def ocean_frames(*indices: int) -> list[Frame]:
    recording = Recording.open(ROOT / "recordings" / "fling-ocean")
    return [recording.load(e) for e in recording.events if e.i in indices]


def test_the_grid_most_frames_show_wins() -> None:
    frames = ocean_frames(4, 22)
    blank = Frame(np.full_like(frames[0].pixels, 40), 99, 0.0)
    assert detect_board_grid([blank, *frames]) == FLING.base.grid
    with pytest.raises(DiscoveryError, match="no grid of tiles found in any chosen frame"):
        detect_board_grid([blank])


def test_tiles_of_every_frame_except_skipped_cells() -> None:
    frames = ocean_frames(4, 22)
    grid = FLING.base.grid
    tiles = collect_tiles(frames, grid, PosterizeSpec(), frozenset({(7, 5), (7, 6)}))
    per_frame = grid.rows * grid.cols - 2
    assert tiles.tiles.shape == (2 * per_frame, 64, 64, 3)
    assert tiles.posterized.shape == tiles.tiles.shape
    assert tiles.cells[0] == (4, 0, 0) and tiles.cells[per_frame] == (22, 0, 0)
    assert (4, 7, 5) not in tiles.cells
    found = discover_kinds(tiles)
    rows = label_rows(found)
    assert set(rows) == {4, 22}
    assert rows[4][7][5] == UNLABELLED and rows[4][0][0] == found.names[0]
    assert rows[4][2][3] != rows[4][0][0]  # the red ball is not the sea
    assert found.names == tuple(f"c{i}" for i in range(found.clustering.count))


def test_a_grid_that_does_not_fit_names_the_frame() -> None:
    grid = GridSpec(origin_x_px=8, origin_y_px=56, tile_px=64, rows=9, cols=7)
    with pytest.raises(FrameError, match="frame 4: the 9x7 grid"):
        collect_tiles(ocean_frames(4), grid, PosterizeSpec())


def test_contact_sheet_has_a_row_per_cluster_with_example_tiles() -> None:
    found = discover_kinds(collect_tiles(ocean_frames(4), FLING.base.grid, PosterizeSpec()))
    sheet = contact_sheet(found)
    rows = found.clustering.count
    assert sheet.dtype == np.uint8 and sheet.shape[0] == rows * (SHEET_TILE_PX + 4) + 4
    # Row 1 holds a ball: its first example is not the white page.
    y = 4 + (SHEET_TILE_PX + 4) + SHEET_TILE_PX // 2
    assert (sheet[y, 150 : 150 + SHEET_TILE_PX] != 255).any()
    # The caption column of row 0 has dark text on white.
    assert (sheet[4 : 4 + SHEET_TILE_PX, :100] < 100).any()


def test_starter_profile_is_valid_and_keeps_a_given_levels_settings() -> None:
    grid = FLING.base.grid
    text = starter_profile("fling", "test", ["c0", "c1"], grid, "bank")
    profile = parse_profile(text)
    assert profile.base.labels == ["c0", "c1"]
    assert profile.base.grid == grid
    assert profile.base.templates.bank == "bank"
    assert profile.base.settle.quiet_ms == 60  # defaults without a level
    night = FLING.level("night")
    kept = parse_profile(starter_profile("fling", "x", ["a", "b"], grid, "b", night)).base
    assert kept.settle == night.settle
    assert kept.overlay_regions == night.overlay_regions
    assert text.startswith("# Starter profile")


def flat_discovery(colours: list[tuple[int, int, int]]) -> Discovery:
    """A discovery over one flat 16 px tile of each BGR colour, each its own cluster."""
    tiles = np.stack([np.full((16, 16, 3), c, np.uint8) for c in colours])
    cells = tuple((0, 0, i) for i in range(len(colours)))
    grid = GridSpec(origin_x_px=0, origin_y_px=0, tile_px=16, rows=1, cols=len(colours))
    return discover_kinds(TileSet(grid, cells, tiles, tiles), count=len(colours))


def test_flat_clusters_get_colour_classes_unless_their_hues_coincide() -> None:
    # Blue, red, and two greys of one hue (light and dark): the greys cannot be told
    # apart by chromaticity, so only blue and red get classes.
    found = flat_discovery([(200, 30, 30), (30, 30, 200), (200, 200, 200), (60, 60, 60)])
    classes = flat_colour_classes(found, ColourSpec())
    blue, red = found.label_of(0), found.label_of(1)
    assert set(classes) == {blue, red}
    assert classes[blue][0] > 0.7 and classes[red][2] > 0.7
    text = starter_profile("g", "d", found.names, found.tiles.grid, "bank", None, classes)
    assert parse_profile(text).base.colour.classes[blue] == pytest.approx(classes[blue])


def test_textured_clusters_get_no_colour_class() -> None:
    found = discover_kinds(collect_tiles(ocean_frames(4), FLING.base.grid, PosterizeSpec()))
    assert flat_colour_classes(found, ColourSpec()) == {}


def test_the_bare_background_is_the_empty_cluster() -> None:
    found = discover_kinds(collect_tiles(ocean_frames(4), FLING.base.grid, PosterizeSpec()))
    sea = found.label_of(found.tiles.cells.index((4, 0, 0)))
    assert empty_cluster(found, OccupancySpec()) == sea
    balls_only = flat_discovery([(200, 30, 30), (30, 30, 200)])
    assert empty_cluster(balls_only, OccupancySpec()) == balls_only.names[0]  # both bare
    text = starter_profile("g", "d", ["c0", "c1"], FLING.base.grid, "b", None, None, "c1")
    assert parse_profile(text).base.occupancy.empty_label == "c1"
