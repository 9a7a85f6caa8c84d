"""The Fling renderer: deterministic, the right shapes, every tile kind clearly distinct."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from bot.demo.render import (
    COLOURS,
    COLS,
    LABELS,
    ROWS,
    THEMES,
    render_board,
    render_frame,
    render_scene,
    tile_sprite,
)
from bot.errors import FrameError, TilebotError


def labels_with(label: str) -> list[list[str]]:
    grid = [["empty"] * COLS for _ in range(ROWS)]
    grid[3][2] = label
    return grid


def test_deterministic_and_shaped() -> None:
    board = labels_with("red-up")
    a = render_board(board, "ocean", 64, seed=3)
    assert a.shape == (ROWS * 64, COLS * 64, 3) and a.dtype == np.uint8
    assert np.array_equal(a, render_board(board, "ocean", 64, seed=3))
    assert not np.array_equal(a, render_board(board, "ocean", 64, seed=4))  # texture varies


def test_scene_with_integer_positions_is_the_board() -> None:
    board = labels_with("green-left")
    scene = render_scene([("green-left", 3, 2)], "desert", 48, seed=1)
    assert np.array_equal(scene, render_board(board, "desert", 48, seed=1))


@pytest.mark.parametrize("tile_px", [32, 64])
@pytest.mark.parametrize("theme", sorted(THEMES))
def test_every_tile_kind_differs_clearly(theme: str, tile_px: int) -> None:
    sprites = {lab: tile_sprite(lab, theme, tile_px).astype(np.float32) for lab in LABELS}
    for a, b in itertools.combinations(LABELS, 2):
        diff = np.abs(sprites[a] - sprites[b]).max(axis=2)
        assert (diff > 40).sum() >= 8, f"{a} and {b} look alike in {theme} at {tile_px} px"


def test_bad_label_is_named() -> None:
    with pytest.raises(TilebotError, match="pink-up"):
        render_board(labels_with("pink-up"), "ocean")


def ball_board(label: str, row: int, col: int) -> list[list[str]]:
    grid = [["empty"] * COLS for _ in range(ROWS)]
    grid[row][col] = label
    return grid


@pytest.mark.parametrize("tile_px", [32, 64])
def test_a_ball_stays_inside_its_own_tile(tile_px: int) -> None:
    empty = render_board(ball_board("empty", 0, 0), "night", tile_px, seed=2)
    board = render_board(ball_board("yellow-right", 5, 4), "night", tile_px, seed=2)
    changed = np.argwhere(np.any(board != empty, axis=2))
    (y0, x0), (y1, x1) = changed.min(axis=0), changed.max(axis=0)
    assert 5 * tile_px <= y0 and y1 < 6 * tile_px and 4 * tile_px <= x0 and x1 < 5 * tile_px
    assert len(changed) > 0.3 * tile_px * tile_px  # and it is a ball, not a speck


def test_the_seed_varies_the_texture_but_not_the_ball() -> None:
    a = render_board(ball_board("blue-down", 2, 3), "desert", 64, seed=0)
    b = render_board(ball_board("blue-down", 2, 3), "desert", 64, seed=9)
    core = (slice(2 * 64 + 16, 2 * 64 + 48), slice(3 * 64 + 16, 3 * 64 + 48))
    assert np.array_equal(a[core], b[core])
    assert np.abs(a.astype(int) - b).mean() > 1.0


def test_tile_sprite_is_tile_zero_of_the_board() -> None:
    for label in ("empty", "purple-left"):
        board = render_board(ball_board(label, 0, 0), "ocean", 40, seed=0)
        assert np.array_equal(tile_sprite(label, "ocean", 40), board[:40, :40])


@pytest.mark.parametrize("theme", sorted(THEMES))
def test_empty_tiles_are_textured_and_vary(theme: str) -> None:
    board = render_board(ball_board("empty", 0, 0), theme, 64, seed=1).astype(np.float32)
    inner = [board[r * 64 + 8 : r * 64 + 56, c * 64 + 8 : c * 64 + 56] for r, c in [(0, 0), (2, 4)]]
    assert all(float(tile.std(axis=(0, 1)).mean()) > 1.5 for tile in inner)  # not flat
    assert np.abs(inner[0] - inner[1]).mean() > 2.0  # same checker parity, other texture
    edge, middle = board[64:128, 64].mean(), board[64:128, 96].mean()
    assert abs(edge - middle) > 10  # a grid line runs along every tile edge


def test_ball_colours_stay_apart_in_every_theme() -> None:
    for theme in THEMES:
        means = []
        for colour in COLOURS:
            sprite = tile_sprite(f"{colour}-up", theme, 64)
            lab = cv2.cvtColor(sprite, cv2.COLOR_BGR2LAB).astype(np.float32)
            means.append(lab[36:50, 24:40].reshape(-1, 3).mean(axis=0))  # lower body, no eyes
        for (ca, a), (cb, b) in itertools.combinations(zip(COLOURS, means, strict=True), 2):
            assert np.linalg.norm(a - b) > 20, f"{ca} and {cb} look alike in {theme}"


def test_eyes_look_where_the_label_says() -> None:
    """The white of the eyes sits in the half of the ball the label names."""
    for direction, (axis, sign) in {
        "up": (0, -1),
        "down": (0, 1),
        "left": (1, -1),
        "right": (1, 1),
    }.items():
        sprite = tile_sprite(f"red-{direction}", "night", 32).astype(np.int32)
        white = np.argwhere(sprite.min(axis=2) > 200)  # red balls have no white of their own
        assert len(white) >= 6
        offset = white[:, axis].mean() + 0.5 - 16
        assert sign * offset > 4, f"{direction}: eye whites at offset {offset:.1f} px"


def test_fractional_positions_move_the_ball_by_whole_pixels() -> None:
    at_tile = render_scene([("green-up", 1, 1)], "ocean", 64, seed=0)
    halfway = render_scene([("green-up", 1.5, 1.25)], "ocean", 64, seed=0)
    core = (slice(64 + 16, 64 + 48), slice(64 + 16, 64 + 48))
    moved = (slice(96 + 16, 96 + 48), slice(80 + 16, 80 + 48))
    assert np.array_equal(at_tile[core], halfway[moved])


def test_balls_off_the_field_are_clipped_and_empty_draws_nothing() -> None:
    empty = render_scene([], "night", 32, seed=0)
    assert np.array_equal(render_scene([("empty", 2, 2), ("red-up", -3, 9)], "night", 32), empty)
    edge = render_scene([("red-up", -0.5, 6.5)], "night", 32)
    assert edge.shape == empty.shape and not np.array_equal(edge, empty)


def test_results_are_fresh_arrays() -> None:
    first = render_board(labels_with("red-up"), "ocean", 32, seed=7)
    first[:] = 0  # must not reach any cache
    again = render_board(labels_with("red-up"), "ocean", 32, seed=7)
    assert again.flags.writeable and again.any()


def test_render_frame_pastes_the_board_at_the_origin() -> None:
    board = labels_with("yellow-left")
    frame = render_frame(board, "desert", (900, 700), (300, 150), 64, seed=4)
    field = render_board(board, "desert", 64, seed=4)
    assert frame.shape == (700, 900, 3) and frame.dtype == np.uint8
    assert np.array_equal(frame[150 : 150 + ROWS * 64, 300 : 300 + COLS * 64], field)
    assert np.array_equal(frame, render_frame(board, "desert", (900, 700), (300, 150), 64, 4))
    outside = frame[:, :280].astype(np.float32)
    assert float(outside.std(axis=(0, 1)).mean()) > 5  # a desktop, not a flat colour


def test_render_frame_refuses_a_field_off_the_canvas() -> None:
    with pytest.raises(FrameError, match="does not fit"):
        render_frame(labels_with("red-up"), "ocean", (800, 600), (400, 100), 64)


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: render_board(labels_with("red-up")[:-1], "ocean"), "rows"),
        (lambda: render_board(labels_with("red-up"), "sunset"), "sunset"),
        (lambda: render_board(labels_with("red-up"), "ocean", tile_px=8), "tile_px"),
        (lambda: render_board(labels_with("red-up"), "ocean", seed=-1), "seed"),
        (lambda: render_scene([("red-up", float("nan"), 0)], "ocean"), "finite"),
        (lambda: render_scene([("red-sideways", 0, 0)], "ocean"), "red-sideways"),
        (lambda: tile_sprite("blue", "ocean"), "blue"),
    ],
)
def test_bad_arguments_raise_named_errors(call: Callable[[], object], needle: str) -> None:
    with pytest.raises(TilebotError, match=needle):
        call()


def test_bad_label_names_its_position() -> None:
    grid = labels_with("empty")
    grid[6][5] = "green-north"
    with pytest.raises(TilebotError, match=r"'green-north' at \(row 6, col 5\)"):
        render_board(grid, "night")
