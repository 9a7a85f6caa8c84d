"""Template banks: building, files without pickle, rotations, masks and the NCC scores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bot.vision.templates import (
    VEIL_ALPHA_MAX,
    VEIL_ITERATIONS,
    VEIL_STARTS,
    BankError,
    Matcher,
    TemplateBank,
    best_matches,
    build_bank,
    load_bank_file,
    save_bank,
    shrink_masked,
    shrink_tiles,
    veiled_scores,
)

ROTATE = {"up": "right", "right": "down", "down": "left", "left": "up"}


def arrow(direction: str, rng: np.random.Generator) -> np.ndarray:
    """A 32 px tile: noisy grey with a bright bar from the centre towards `direction`."""
    tile = np.clip(rng.normal(100, 4, (32, 32, 3)), 0, 255).astype(np.uint8)
    tile[14:18, 14:18] = 230
    if direction == "up":
        tile[2:16, 14:18] = 230
    elif direction == "down":
        tile[16:30, 14:18] = 230
    elif direction == "left":
        tile[14:18, 2:16] = 230
    else:
        tile[14:18, 16:30] = 230
    return tile


def turn(label: str, quarter_turns: int) -> str:
    for _ in range(quarter_turns):
        label = ROTATE[label]
    return label


def samples(directions: tuple[str, ...], n: int, seed: int = 0) -> list[tuple[np.ndarray, str]]:
    rng = np.random.default_rng(seed)
    return [(arrow(d, rng), d) for d in directions for _ in range(n)]


def test_bank_scores_its_own_labels_best() -> None:
    bank = build_bank(samples(("up", "down", "left", "right"), 4), fast_px=8)
    assert bank.labels == ("down", "left", "right", "up")
    test = samples(("up", "down", "left", "right"), 3, seed=9)
    tiles = shrink_tiles(np.stack([t for t, _ in test]), 8).reshape(len(test), -1)
    idx, score, margin = best_matches(bank.fast.scores(tiles), bank.labels)
    assert [bank.labels[i] for i in idx] == [lab for _, lab in test]
    assert score.min() > 0.9 and margin.min() > 0.2


def test_scores_ignore_gain_and_offset() -> None:
    bank = build_bank(samples(("up", "left"), 3), fast_px=8)
    tile = shrink_tiles(arrow("up", np.random.default_rng(4)), 8).reshape(1, -1)
    base = bank.fast.scores(tile)
    assert np.allclose(bank.fast.scores(tile * 0.7 + 20), base, atol=1e-4)


def veil(tile: np.ndarray, box: tuple[int, int, int, int], bgr: tuple[int, int, int],
         alpha: float) -> np.ndarray:  # fmt: skip
    """`tile` with a square of colour `bgr` at opacity `alpha` over box (x, y, w, h)."""
    out = tile.astype(np.float64)
    x, y, w, h = box
    out[y : y + h, x : x + w] += alpha * (np.array(bgr, np.float64) - out[y : y + h, x : x + w])
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("bgr", [(20, 200, 240), (250, 30, 90), (0, 0, 0)])
def test_veiled_scores_see_through_a_veil(bgr: tuple[int, int, int]) -> None:
    bank = build_bank(samples(("up", "down", "left", "right"), 4), fast_px=8)
    tile = veil(arrow("left", np.random.default_rng(3)), (5, 3, 24, 24), bgr, 0.35)
    flat = shrink_tiles(tile, 8).reshape(-1)
    plain = bank.fast.scores(flat[None, :])[0]
    seen = veiled_scores(bank.fast, flat)
    left = bank.labels.index("left")
    assert int(np.argmax(seen)) == left
    assert seen[left] > 0.95 and seen[left] > plain[left]
    assert seen[left] - np.delete(seen, left).max() > 0.1


def test_veiled_scores_do_not_see_through_an_opaque_cover() -> None:
    bank = build_bank(samples(("up", "down", "left", "right"), 4), fast_px=8)
    tile = veil(arrow("left", np.random.default_rng(3)), (0, 0, 32, 18), (90, 200, 30), 1.0)
    seen = veiled_scores(bank.fast, shrink_tiles(tile, 8).reshape(-1))
    assert seen.max() < 0.9


def test_veiled_scores_of_a_clean_tile_stay_high_for_its_label() -> None:
    bank = build_bank(samples(("up", "down", "left", "right"), 4), fast_px=8)
    flat = shrink_tiles(arrow("up", np.random.default_rng(4)), 8).reshape(-1)
    plain = bank.fast.scores(flat[None, :])[0]
    seen = veiled_scores(bank.fast, flat)
    up = bank.labels.index("up")
    assert int(np.argmax(seen)) == up and seen[up] > 0.99
    assert abs(seen[up] - plain[up]) < 0.01


def direct_veil_score(matcher: Matcher, tile: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    """veiled_scores as its docstring states it, one template and one start at a time."""
    out = []
    for k in range(matcher.templates.shape[0]):
        t = matcher.templates[k].reshape(-1, 3).astype(np.float64)
        w = matcher.weights[k, ::3].astype(np.float64)
        if keep is not None:
            w = w * keep.reshape(-1, 3)[:, 0]
        y = tile.reshape(-1, 3).astype(np.float64)
        d = y - t
        top = np.argsort(-(d * d).sum(axis=1), kind="stable")[: len(t) // 4]
        best = -1.0
        for start in VEIL_STARTS:
            colour = np.clip(np.median((t + d / start)[top], axis=0), 0.0, 255.0)
            for step in range(VEIL_ITERATIONS + 1):
                towards = colour - t
                alpha = (d * towards).sum(axis=1) / np.maximum((towards**2).sum(axis=1), 1e-6)
                alpha = np.clip(alpha, 0.0, VEIL_ALPHA_MAX)
                if step == VEIL_ITERATIONS:
                    break
                rest = y - (1.0 - alpha[:, None]) * t
                num = (w[:, None] * alpha[:, None] * rest).sum(axis=0)
                colour = np.clip(num / max((w * alpha * alpha).sum(), 1e-9), 0.0, 255.0)
            unveiled = t + (y - (t + alpha[:, None] * (colour - t))) / (1.0 - alpha[:, None])
            ww = np.repeat(w[:, None], 3, axis=1)
            da = unveiled - (ww * unveiled).sum() / ww.sum()
            db = t - (ww * t).sum() / ww.sum()
            var = (ww * da * da).sum() * (ww * db * db).sum()
            best = max(best, (ww * da * db).sum() / np.sqrt(var) if var > 1e-12 else 0.0)
        full = matcher.weights[k, ::3].sum()
        out.append(best if w.sum() > 0.05 * full else 0.0)
    result: np.ndarray = np.clip(np.array(out), -1.0, 1.0)
    return result


@pytest.mark.parametrize("masked", [False, True])
def test_veiled_scores_are_the_direct_fit(masked: bool) -> None:
    bank = build_bank(samples(("up", "down", "left", "right"), 4), fast_px=8)
    rng = np.random.default_rng(8)
    for bgr, alpha in (((20, 200, 240), 0.35), ((250, 30, 90), 0.2), ((0, 0, 0), 0.6)):
        tile = veil(arrow("down", rng), (4, 6, 20, 22), bgr, alpha)
        flat = shrink_tiles(tile, 8).reshape(-1)
        keep = rng.uniform(0.0, 1.0, flat.shape).astype(np.float32) if masked else None
        if keep is not None:
            keep = np.repeat(keep.reshape(-1, 3)[:, :1], 3, axis=1).reshape(-1)
        expected = direct_veil_score(bank.fast, flat, keep)
        assert np.allclose(veiled_scores(bank.fast, flat, keep), expected, atol=1e-5)


def test_veiled_scores_of_a_masked_out_tile_are_zero() -> None:
    bank = build_bank(samples(("up", "down"), 3), fast_px=8)
    flat = shrink_tiles(arrow("up", np.random.default_rng(5)), 8).reshape(-1)
    assert np.all(veiled_scores(bank.fast, flat, np.zeros_like(flat)) == 0.0)


def test_rotations_make_the_missing_labels() -> None:
    bank = build_bank(samples(("up",), 3), fast_px=8, rotation=turn)
    assert bank.labels == ("down", "left", "right", "up")
    assert bank.samples.tolist() == [3, 3, 3, 3]
    right = shrink_tiles(arrow("right", np.random.default_rng(2)), 8).reshape(1, -1)
    idx, _, _ = best_matches(bank.fast.scores(right), bank.labels)
    assert bank.labels[int(idx[0])] == "right"
    partial = build_bank(
        samples(("up",), 2), fast_px=8, rotation=lambda lab, k: "down" if k == 2 else None
    )
    assert partial.labels == ("down", "up")


def test_masks_give_weight_zero() -> None:
    mask = np.ones((32, 32), bool)
    mask[:, :16] = False
    bank = build_bank(samples(("up", "left"), 3), fast_px=8, masks={"left": mask})
    left = bank.labels.index("left")
    assert np.all(bank.weights[left][:, :4] == 0)
    assert np.all(bank.weights[left][:, 4:] > 0)


def test_shrink_masked_means_only_kept_pixels() -> None:
    tiles = np.full((1, 8, 8, 3), 10, np.uint8)
    tiles[0, :2, :2] = 250
    ignore = np.zeros((1, 8, 8), bool)
    ignore[0, :2, :2] = True
    means, keep = shrink_masked(tiles, ignore, 2)
    assert np.allclose(means, 10)
    assert keep.reshape(2, 2, 3)[0, 0, 0] == pytest.approx(12 / 16)


def test_save_and_load_round_trip_without_pickle(tmp_path: Path) -> None:
    bank = build_bank(samples(("up", "down"), 2), fast_px=8, meta={"source": "test"})
    npz, sidecar = save_bank(bank, tmp_path / "banks" / "arrows")
    with np.load(npz, allow_pickle=False) as data:
        assert set(data.files) == {"means", "weights", "posterized", "samples"}
        assert all(data[name].dtype != object for name in data.files)
    assert json.loads(sidecar.read_text())["labels"] == ["down", "up"]
    loaded = load_bank_file(tmp_path / "banks" / "arrows.npz")
    assert loaded.labels == bank.labels and loaded.meta == {"source": "test"}
    assert np.allclose(loaded.means, bank.means, atol=0.5)
    assert np.allclose(loaded.weights, bank.weights, atol=1e-3)


def test_damaged_banks_raise_bank_errors(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="no such"):
        load_bank_file(tmp_path / "missing")
    bank = build_bank(samples(("up", "down"), 2), fast_px=8)
    npz, sidecar = save_bank(bank, tmp_path / "b")
    sidecar.write_text("{not json")
    with pytest.raises(BankError, match="cannot read"):
        load_bank_file(npz)
    save_bank(bank, tmp_path / "b")
    npz.write_bytes(b"garbage")
    with pytest.raises(BankError, match=str(npz.name)):
        load_bank_file(npz)


def test_bad_samples_raise() -> None:
    with pytest.raises(BankError, match="no samples"):
        build_bank([])
    rng = np.random.default_rng(0)
    with pytest.raises(BankError, match="expected"):
        build_bank([(arrow("up", rng), "up"), (np.zeros((16, 16, 3), np.uint8), "down")])
    with pytest.raises(BankError, match="at least 2"):
        build_bank(samples(("up",), 2))
    assert isinstance(build_bank(samples(("up", "down"), 1)), TemplateBank)
