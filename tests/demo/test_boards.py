"""Test boards: seeded ground truth and perturbations that do what they say."""

from __future__ import annotations

import numpy as np
import pytest

from bot.demo.boards import PERTURBATIONS, make_board, perturb, random_labels
from bot.demo.render import COLS, LABELS, ROWS


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
