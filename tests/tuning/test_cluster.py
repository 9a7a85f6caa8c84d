"""Tile clustering: linkage against a brute-force reference, the model selection rule, and
clusters against true kinds on real boards (sgt-puzzles drawings, Fling recordings)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.board import UNKNOWN
from bot.games.sgt.ids import decode_samegame
from bot.games.sgt.screenshot import grid_of, render
from bot.profile import PosterizeSpec, load_profile
from bot.reading import make_reader
from bot.recording import Recording
from bot.tuning.cluster import (
    ClusterError,
    Dendrogram,
    average_linkage,
    choose_count,
    cluster_tiles,
    cut,
    distances,
    medoid_order,
    tile_features,
)
from bot.tuning.frames import events_by_index, parse_frame_spec, select_frames
from bot.vision.grid import tile_views
from bot.vision.posterize import posterize
from tests.games.sgt import generate_id
from tests.tuning.boards import agreement

ROOT = Path(__file__).resolve().parents[2]


def naive_upgma(dist: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]) -> list[float]:
    """Merge heights of weighted average linkage, recomputed from every pair each step."""
    groups = [[i] for i in range(len(dist))]
    heights = []
    while len(groups) > 1:
        best = None
        for a, b in itertools.combinations(range(len(groups)), 2):
            w = np.outer(weights[groups[a]], weights[groups[b]])
            d = float((dist[np.ix_(groups[a], groups[b])] * w).sum() / w.sum())
            if best is None or d < best[0]:
                best = (d, a, b)
        assert best is not None
        d, a, b = best
        heights.append(d)
        groups[a] = groups[a] + groups[b]
        del groups[b]
    return heights


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 9).flatmap(
        lambda n: st.tuples(
            st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=n, max_size=n),
            st.lists(st.integers(1, 5), min_size=n, max_size=n),
        )
    )
)
def test_average_linkage_matches_brute_force(
    data: tuple[list[tuple[float, float]], list[int]],
) -> None:
    points = np.array(data[0])
    weights = np.array(data[1], np.float64)
    dist = np.sqrt(((points[:, None] - points[None]) ** 2).sum(-1))
    tree = average_linkage(dist, weights)
    assert np.allclose(tree.heights, naive_upgma(dist, weights), atol=1e-9)
    assert np.all(np.diff(tree.heights) >= -1e-9)  # average linkage never inverts


def test_cut_makes_the_groups_the_merges_leave() -> None:
    # Points 0,1 close, 2,3 close, 4 far away.
    x = np.array([0.0, 1.0, 10.0, 11.0, 50.0])
    tree = average_linkage(np.abs(x[:, None] - x[None]), np.ones(5))
    assert list(cut(tree, 5)) == [0, 1, 2, 3, 4]
    assert list(cut(tree, 3)) == [0, 0, 1, 1, 2]
    assert list(cut(tree, 2)) == [0, 0, 0, 0, 1]
    assert list(cut(tree, 1)) == [0] * 5
    with pytest.raises(ClusterError):
        cut(tree, 6)


def test_count_is_chosen_at_the_largest_relative_jump() -> None:
    def tree(heights: list[float]) -> Dendrogram:
        pairs = np.array([(0, i + 1) for i in range(len(heights))], np.intp)
        return Dendrogram(pairs, np.array(heights, np.float64))

    # Sorted from the top: 90, 80, 70 | 5, 4 -> cut below 70: four clusters.
    assert choose_count(tree([4, 5, 70, 80, 90])) == (4, 14.0)
    # Heights below the floor count as the floor: 10 over 0 is a jump of 10, not infinite.
    assert choose_count(tree([0, 0, 10])) == (2, 10.0)
    # Every tile its own kind: the last jump is to the floor.
    assert choose_count(tree([30, 31, 32]))[0] == 4
    assert choose_count(tree([4, 5, 70, 80, 90]), max_clusters=3)[0] == 3  # 80/70 > 90/80


def sgt_board(
    game: str, params_seed: str, tile_px: int, tmp: Path
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8], list[str]]:
    """Tiles (N, t, t, 3), the same posterized, and their true labels, of one drawn board."""
    game_id = generate_id(game, params_seed)
    image = render(game, game_id, tile_px, tmp)
    truth = decode_samegame(game_id)
    grid = grid_of(game, len(truth), len(truth[0]), tile_px)
    tiles = tile_views(image, grid).reshape(-1, grid.tile_px, grid.tile_px, 3)
    flat = tile_views(posterize(image, PosterizeSpec()), grid).reshape(tiles.shape)
    return (
        np.ascontiguousarray(tiles),
        np.ascontiguousarray(flat),
        [label for row in truth for label in row],
    )


def test_samegame_colours_are_found_exactly(tmp_path: Path) -> None:
    tiles, flat, truth = sgt_board("samegame", "10x10c9s2#11", 32, tmp_path)
    before = tiles.copy()
    features = tile_features(tiles, flat)
    assert np.array_equal(tiles, before)
    assert features.content.shape[0] == features.background.shape[0] == 100
    found = cluster_tiles(features)
    names = [f"c{k}" for k in found.labels]
    fig = agreement(list(zip(truth, names, strict=True)))
    assert (fig.mixed, fig.split) == (0, 0)
    assert found.count == len(set(truth)) == fig.kinds
    # Numbered by size: c0 is the most common colour.
    sizes = np.bincount(found.labels)
    assert list(sizes) == sorted(sizes, reverse=True)


def test_a_forced_count_is_obeyed(tmp_path: Path) -> None:
    tiles, flat, _ = sgt_board("samegame", "10x10c9s2#11", 32, tmp_path)
    found = cluster_tiles(tile_features(tiles, flat), count=3)
    assert found.count == 3 and found.jump == 0.0
    with pytest.raises(ClusterError, match="cannot make 500 clusters"):
        cluster_tiles(tile_features(tiles, flat), count=500)


def test_tiles_all_alike_cannot_be_clustered() -> None:
    tiles = np.full((6, 16, 16, 3), 90, np.uint8)
    with pytest.raises(ClusterError, match="all 6 tiles look alike"):
        cluster_tiles(tile_features(tiles, tiles))


def test_shading_below_the_tolerance_is_not_a_kind() -> None:
    # Four flat greys 6 levels apart and one very different tile: two kinds.
    tiles = np.stack([np.full((16, 16, 3), v, np.uint8) for v in (100, 106, 112, 118)])
    odd = np.full((1, 16, 16, 3), 100, np.uint8)
    odd[0, 4:12, 4:12] = (0, 0, 255)
    both = np.concatenate([tiles, odd])
    found = cluster_tiles(tile_features(both, both))
    assert list(found.labels) == [0, 0, 0, 0, 1]
    d = distances(tile_features(both, both))
    assert d[0, 2] == 0.0 and 0 < d[0, 3] < 1 and d[0, 4] > 40


def test_fling_kinds_are_never_mixed() -> None:
    # Fling balls differ only in colour and eye direction; the empty tiles are textured.
    profile = ROOT / "profiles" / "fling.toml"
    level = load_profile(profile).level("desert")
    recording = Recording.open(ROOT / "recordings" / "fling-desert")
    events = events_by_index(recording)
    read = make_reader(profile)
    tiles, flats, truth = [], [], []
    for index in select_frames(recording, parse_frame_spec("settled"), level):
        frame = recording.load(events[index])
        board = read(frame, level)
        tiles.append(tile_views(frame.pixels, level.grid).reshape(-1, 64, 64, 3))
        flats.append(
            tile_views(posterize(frame.pixels, level.posterize), level.grid).reshape(-1, 64, 64, 3)
        )
        truth += [cell.label for row in board.cells for cell in row]
    features = tile_features(np.concatenate(tiles), np.concatenate(flats))
    found = cluster_tiles(features)
    pairs = [(t, f"c{k}") for t, k in zip(truth, found.labels, strict=True) if t != UNKNOWN]
    fig = agreement(pairs)
    assert fig.kinds == 5
    assert fig.mixed == 0
    # The logo's two tiles may stand apart; nothing else splits.
    assert fig.clusters <= fig.kinds + 2


def test_medoid_order_puts_the_typical_tile_first() -> None:
    tiles = np.stack([np.full((16, 16, 3), v, np.uint8) for v in (100, 150, 160, 170)])
    features = tile_features(tiles, tiles)
    order = medoid_order(features, np.arange(4))
    assert order[0] in (1, 2) and order[-1] == 0
