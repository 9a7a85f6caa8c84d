"""Guessing static overlays from discovered clusters (bot.tuning.overlays), on windows the
Fling demo draws itself and on real puzzle-collection boards."""

from __future__ import annotations

from pathlib import Path

from bot.demo.game import make_layout, window_at_rest
from bot.demo.themes import EMPTY, theme_named
from bot.frame import Frame
from bot.profile import LevelProfile, load_profile
from bot.recording import Recording
from bot.tuning.discover import collect_tiles, detect_board_grid, discover_kinds, empty_cluster
from bot.tuning.overlays import OverlayGuess, guess_overlays, without_cells
from tests.vision.night import Rows, night_frame

ROOT = Path(__file__).resolve().parents[2]
FLING = ROOT / "profiles" / "fling.toml"
LOGO_CELLS = ((7, 5), (7, 6))


def level() -> LevelProfile:
    """The Fling grid and nothing else: no overlay regions."""
    return LevelProfile(grid=load_profile(FLING).base.grid)


def guesses_in(frames: list[Frame], at: LevelProfile) -> tuple[OverlayGuess, ...]:
    discovery = discover_kinds(collect_tiles(frames, at.grid, at.posterize))
    return guess_overlays(discovery, empty_cluster(discovery, at.occupancy))


def within_logo(box: tuple[int, int, int, int]) -> bool:
    """True when `box` lies inside the logo's rectangle widened by a pixel each way."""
    logo = make_layout(64).logo
    x, y, w, h = box
    return (
        x >= logo.x - 1 and y >= logo.y - 1 and x + w <= logo.right + 1 and y + h <= logo.bottom + 1
    )


def test_the_logo_is_found_over_its_two_cells() -> None:
    theme = theme_named("desert")
    frames = []
    for seed in range(10):
        _, rows = night_frame(seed)  # a random board, the logo's cells left empty
        board: Rows = tuple(
            tuple(EMPTY if (r, c) in LOGO_CELLS else label for c, label in enumerate(row))
            for r, row in enumerate(rows)
        )
        pixels = window_at_rest(board, theme, 64, seed + 1, (f"level {seed}", seed, 60.0 * seed))
        frames.append(Frame(pixels, seed, float(seed)))
    at = level()
    discovery = discover_kinds(collect_tiles(frames, at.grid, at.posterize))
    guesses = guess_overlays(discovery, empty_cluster(discovery, at.occupancy))
    assert [g.cells for g in guesses] == [LOGO_CELLS]
    logo = make_layout(64).logo
    x, y, w, h = guesses[0].box
    # It holds the whole badge and at most a pixel more on each side.
    assert x <= logo.x and y <= logo.y and x + w >= logo.right and y + h >= logo.bottom
    assert within_logo(guesses[0].box)
    # Without those cells, no tile is left whose look comes from the badge.
    left = without_cells(discovery.tiles, frozenset(LOGO_CELLS))
    assert all((r, c) not in LOGO_CELLS for _, r, c in left.cells)
    assert len(left.cells) == len(discovery.tiles.cells) - 2 * len(frames)


def test_on_random_night_boards_what_is_guessed_lies_on_the_logo() -> None:
    at = level()
    frames = [Frame(night_frame(seed)[0], seed, float(seed)) for seed in range(10)]
    guesses = guesses_in(frames, at)
    # Balls pass over the logo and the cloud drifts: the cell (7, 5) under the badge's
    # left end looks close enough to the bare slate to join the empty cluster.
    assert [g.cells for g in guesses] == [((7, 6),)]
    assert within_logo(guesses[0].box)


def test_a_piece_that_never_moves_is_not_an_overlay() -> None:
    theme = theme_named("desert")
    frames = []
    for seed in range(8):
        _, rows = night_frame(seed)
        board: Rows = tuple(
            tuple(
                "red-up" if (r, c) == (2, 2) else EMPTY if label == "red-up" else label
                for c, label in enumerate(row)
            )
            for r, row in enumerate(rows)
        )
        pixels = window_at_rest(board, theme, 64, seed + 1, ("level", 0, 0.0))
        frames.append(Frame(pixels, seed, float(seed)))
    at = level()
    discovery = discover_kinds(collect_tiles(frames, at.grid, at.posterize))
    stuck = {
        discovery.label_of(i)
        for i, (_, r, c) in enumerate(discovery.tiles.cells)
        if (r, c) == (2, 2)
    }
    assert len(stuck) == 1  # the piece has a cluster of its own, on one cell
    guesses = guess_overlays(discovery, empty_cluster(discovery, at.occupancy))
    assert all((2, 2) not in g.cells for g in guesses)


def test_puzzle_collection_boards_have_no_overlay() -> None:
    for name in ("sgt-flip", "sgt-fifteen"):
        recording = Recording.open(ROOT / "recordings" / name)
        frames = [recording.load(e) for e in recording.events[::10]]
        at = LevelProfile(grid=detect_board_grid(frames))
        assert guesses_in(frames, at) == (), name


def test_without_an_empty_cluster_nothing_is_guessed() -> None:
    at = level()
    frames = [Frame(night_frame(seed)[0], seed, float(seed)) for seed in range(4)]
    discovery = discover_kinds(collect_tiles(frames, at.grid, at.posterize))
    assert guess_overlays(discovery, None) == ()
    assert guess_overlays(discovery, "no such cluster") == ()
