"""Test boards: seeded ground truth and perturbations that do what they say."""

from __future__ import annotations

import numpy as np
import pytest

from bot.demo.boards import PERTURBATIONS, make_board, perturb, random_labels
from bot.demo.render import COLS, LABELS, ROWS, render_board
from bot.errors import FrameError, TilebotError


def test_same_arguments_same_board() -> None:
    a, b = make_board(1000, "night", "jpeg75"), make_board(1000, "night", "jpeg75")
    assert a.labels == b.labels and np.array_equal(a.image, b.image)
    assert a.image.shape == (1080, 1920, 3)


def test_random_labels_respect_the_ball_count() -> None:
    rng = np.random.default_rng(5)
    for _ in range(50):
        labels = random_labels(rng, balls=(4, 14))
        assert len(labels) == ROWS and all(len(r) == COLS for r in labels)
        count = sum(lab != "empty" for row in labels for lab in row)
        assert 4 <= count <= 14
        assert all(lab in LABELS for row in labels for lab in row)


@pytest.mark.parametrize("kind", PERTURBATIONS)
def test_perturbations_never_touch_their_input(kind: str) -> None:
    clean = make_board(1001, "ocean", "clean")
    before = clean.image.copy()
    out = perturb(clean.image, kind, np.random.default_rng(0), 64, clean.grid_origin_xy)
    assert np.array_equal(clean.image, before) and out.shape == before.shape


def test_offset_moves_content_two_pixels() -> None:
    clean = make_board(1002, "desert", "clean").image
    out = perturb(clean, "offset2", np.random.default_rng(0))
    assert np.array_equal(out[2 + 100 : 600, 2 + 100 : 900], clean[100:598, 100:898])


def test_patch_covers_one_tile_only() -> None:
    board = make_board(1003, "ocean", "clean")
    out = perturb(board.image, "patch", np.random.default_rng(1), 64, board.grid_origin_xy)
    changed = np.argwhere(np.any(out != board.image, axis=2))
    (y0, x0), (y1, x1) = changed.min(axis=0), changed.max(axis=0)
    assert y1 - y0 < 48 and x1 - x0 < 48
    gx, gy = board.grid_origin_xy
    assert (y0 - gy) // 64 == (y1 - gy) // 64 and (x0 - gx) // 64 == (x1 - gx) // 64


@pytest.mark.parametrize("kind", ["jpeg60", "noise6", "bright0.8"])
def test_noisy_kinds_stay_close(kind: str) -> None:
    clean = make_board(1004, "night", "clean").image
    out = perturb(clean, kind, np.random.default_rng(2))
    assert 0 < np.abs(out.astype(int) - clean).mean() < 40


def test_random_labels_are_seeded_and_cover_the_extremes() -> None:
    assert random_labels(np.random.default_rng(9)) == random_labels(np.random.default_rng(9))
    assert random_labels(np.random.default_rng(9)) != random_labels(np.random.default_rng(10))
    assert all(
        lab == "empty" for row in random_labels(np.random.default_rng(1), (0, 0)) for lab in row
    )
    full = random_labels(np.random.default_rng(1), (ROWS * COLS, ROWS * COLS))
    assert all(lab != "empty" for row in full for lab in row)
    with pytest.raises(TilebotError, match="balls"):
        random_labels(np.random.default_rng(1), (5, 4))


def test_the_seed_fixes_labels_and_origin_across_themes_and_perturbations() -> None:
    small = (900, 700)
    a = make_board(1005, "ocean", "clean", 48, small)
    b = make_board(1005, "night", "noise6", 48, small)
    assert a.labels == b.labels and a.grid_origin_xy == b.grid_origin_xy
    assert make_board(1006, "ocean", "clean", 48, small).labels != a.labels
    assert b.theme == "night" and b.perturbation == "noise6" and b.seed == 1005


def test_a_clean_board_shows_the_rendered_field_on_its_grid() -> None:
    board = make_board(7, "desert", "clean")
    x, y = board.grid_origin_xy
    field = render_board(board.labels, "desert", 64, seed=7)
    assert np.array_equal(board.image[y : y + ROWS * 64, x : x + COLS * 64], field)
    grid = board.grid
    assert (grid.origin_x_px, grid.origin_y_px, grid.tile_px, grid.rows, grid.cols) == (
        x,
        y,
        64,
        ROWS,
        COLS,
    )
    assert not board.image.flags.writeable


def test_jpeg_quality_orders_the_damage() -> None:
    clean = make_board(1007, "ocean", "clean").image
    errors = [
        float(np.abs(perturb(clean, kind, np.random.default_rng(0)).astype(int) - clean).mean())
        for kind in ("jpeg90", "jpeg75", "jpeg60")
    ]
    assert 0 < errors[0] < errors[1] < errors[2] < 6


def test_noise_has_sigma_six() -> None:
    grey = np.full((200, 300, 3), 128, np.uint8)
    out = perturb(grey, "noise6", np.random.default_rng(3))
    assert 5.8 < float((out.astype(np.float32) - 128).std()) < 6.2
    assert np.array_equal(out, perturb(grey, "noise6", np.random.default_rng(3)))


def test_brightness_scales_and_clips() -> None:
    image = np.array([[[100, 200, 250]]], np.uint8)
    assert perturb(image, "bright0.8", np.random.default_rng(0)).tolist() == [[[80, 160, 200]]]
    assert perturb(image, "bright1.2", np.random.default_rng(0)).tolist() == [[[120, 240, 255]]]


def test_offset_moves_the_whole_field_right_and_down() -> None:
    board = make_board(1008, "night", "offset2")
    clean = make_board(1008, "night", "clean").image
    x, y = board.grid_origin_xy
    h, w = ROWS * 64, COLS * 64
    assert np.array_equal(
        board.image[y + 2 : y + h + 2, x + 2 : x + w + 2], clean[y : y + h, x : x + w]
    )
    assert not np.array_equal(board.image[y : y + h, x : x + w], clean[y : y + h, x : x + w])


def test_patch_blends_a_48_px_square_at_035() -> None:
    grey = np.full((ROWS * 64 + 40, COLS * 64 + 30, 3), 100, np.uint8)
    for seed in range(5):
        out = perturb(grey, "patch", np.random.default_rng(seed), 64, (30, 40))
        changed = np.argwhere(np.any(out != grey, axis=2))
        (y0, x0), (y1, x1) = changed.min(axis=0), changed.max(axis=0)
        assert (y1 - y0 + 1, x1 - x0 + 1) == (48, 48) and len(changed) == 48 * 48
        assert (y0 - 40) // 64 == (y1 - 40) // 64 and (x0 - 30) // 64 == (x1 - 30) // 64
        square = out[y0 : y1 + 1, x0 : x1 + 1].reshape(-1, 3)
        assert np.all(square == square[0])  # one flat colour over a flat image
        # 0.65 * 100 + 0.35 * colour, colour in 0..255: between 65 and 154 per channel.
        assert np.all((square[0] >= 65) & (square[0] <= 155))


def test_patch_refuses_a_grid_outside_the_image() -> None:
    grey = np.full((100, 100, 3), 100, np.uint8)
    with pytest.raises(FrameError, match="does not fit"):
        perturb(grey, "patch", np.random.default_rng(0), 64, (0, 0))


def test_bad_arguments_raise_named_errors() -> None:
    with pytest.raises(TilebotError, match="blur3"):
        make_board(1, "ocean", "blur3")
    with pytest.raises(TilebotError, match="blur3"):
        perturb(np.zeros((4, 4, 3), np.uint8), "blur3", np.random.default_rng(0))
    with pytest.raises(TilebotError, match="sunset"):
        make_board(1, "sunset", "clean")
    with pytest.raises(TilebotError, match="seed"):
        make_board(-1, "ocean", "clean")
    with pytest.raises(FrameError, match="too small"):
        make_board(1, "ocean", "clean", 64, (400, 400))
    with pytest.raises(FrameError, match="uint8"):
        perturb(np.zeros((4, 4, 3), np.float32), "clean", np.random.default_rng(0))
