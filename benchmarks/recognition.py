"""Recognition benchmark on Fling demo boards; prints one JSON line of figures.

    python benchmarks/recognition.py               # full run (>= 20 boards per case)
    python benchmarks/recognition.py --quick       # smoke run
    python benchmarks/recognition.py --build-bank  # regenerate profiles/fling/*.npz|json

Banks come from make_board seeds 0-9 (clean) with their ground-truth labels; accuracy is
measured on seeds from 1000 in every theme and perturbation. Timing is single-threaded
(cv2.setNumThreads(1)) with the grid known. The veil_* figures score every patched
tile through the veil fit, doubtful or not: how far wrong labels stay from the truth.
The peer is pyscreeze.locateAll over the 20 ball sprites, measured in the same run on
5 fixed boards.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.board import UNKNOWN  # noqa: E402
from bot.demo.boards import PERTURBATIONS, TestBoard, make_board  # noqa: E402
from bot.demo.render import tile_sprite  # noqa: E402
from bot.demo.themes import COLS, LABELS, ROWS, THEMES  # noqa: E402
from bot.frame import Frame, Pixels  # noqa: E402
from bot.profile import LevelProfile, PosterizeSpec, load_profile, resolve  # noqa: E402
from bot.vision.grid import tile_views  # noqa: E402
from bot.vision.posterize import posterize  # noqa: E402
from bot.vision.read import load_bank, read_board, read_cells  # noqa: E402
from bot.vision.templates import (  # noqa: E402
    TemplateBank,
    build_bank,
    save_bank,
    shrink_tiles,
    veiled_scores,
)

PROFILE = ROOT / "profiles" / "fling.toml"
TRAIN_SEEDS = tuple(range(10))
TEST_SEED0 = 1000
PEER_SEEDS = (2000, 2001, 2002, 2003, 2004)
PEER_CONFIDENCE = 0.8


def fling_samples(
    theme: str, seeds: Sequence[int], spec: PosterizeSpec
) -> tuple[list[tuple[Pixels, str]], list[Pixels]]:
    """Labelled tiles of clean make_board frames, and the same tiles posterized.

    Each board's field is posterized as a whole, so tiles see their neighbours as a
    live frame's doubtful tile does.
    """
    samples: list[tuple[Pixels, str]] = []
    posts: list[Pixels] = []
    for seed in seeds:
        board = make_board(seed, theme, "clean")
        grid = board.grid
        tiles = tile_views(board.image, grid)
        x, y = board.grid_origin_xy
        pad = 8
        area = board.image[y - pad : y + grid.height_px + pad, x - pad : x + grid.width_px + pad]
        flat = posterize(area, spec)[pad:-pad, pad:-pad]
        post_tiles = tile_views(flat, grid.model_copy(update={"origin_x_px": 0, "origin_y_px": 0}))
        for r in range(ROWS):
            for c in range(COLS):
                samples.append((np.ascontiguousarray(tiles[r, c]), board.labels[r][c]))
                posts.append(np.ascontiguousarray(post_tiles[r, c]))
    return samples, posts


def build_fling_bank(theme: str, spec: PosterizeSpec, fast_px: int = 16) -> TemplateBank:
    """The bank of one Fling theme from make_board seeds 0-9 (clean), deterministically."""
    samples, posts = fling_samples(theme, TRAIN_SEEDS, spec)
    meta = {
        "source": "bot.demo.boards.make_board",
        "theme": theme,
        "seeds": list(TRAIN_SEEDS),
        "perturbation": "clean",
        "posterize": spec.model_dump(),
    }
    return build_bank(samples, fast_px=fast_px, posterized=posts, meta=meta)


def build_banks(profile_path: Path = PROFILE) -> list[str]:
    """Regenerate every level's bank of the Fling profile; return the files written."""
    profile = load_profile(profile_path)
    written = []
    for name in profile.level_names():
        level = profile.level(name)
        if level.templates.bank is None:
            continue
        bank = build_fling_bank(name, level.posterize)
        for path in save_bank(bank, resolve(profile_path, level.templates.bank)):
            written.append(str(path.relative_to(ROOT)))
    return written


def _level_for(level: LevelProfile, board: TestBoard, posterize_on: bool = True) -> LevelProfile:
    update: dict[str, Any] = {"grid": board.grid}
    if not posterize_on:
        update["posterize"] = level.posterize.model_copy(update={"on_doubtful_tiles": False})
    return level.model_copy(update=update)


def _time_reads(levels: dict[str, LevelProfile], banks: dict[str, TemplateBank], n: int) -> float:
    times = []
    for i, theme in enumerate(THEMES):
        for seed in range(TEST_SEED0, TEST_SEED0 + max(1, n // 3)):
            board = make_board(seed + i, theme, "clean")
            frame = Frame(board.image, 0, 0.0)
            level = _level_for(levels[theme], board)
            read_board(frame, level, banks[theme])  # warm
            for _ in range(40):
                t0 = time.perf_counter()
                read_board(frame, level, banks[theme])
                times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def _sweep(
    levels: dict[str, LevelProfile], banks: dict[str, TemplateBank], boards: int
) -> dict[str, Any]:
    cells = wrong = unknown = unknown_np = wrong_np = 0
    per_kind: dict[str, list[int]] = {p: [0, 0] for p in PERTURBATIONS}  # cells, unknown
    clean_right = clean_cells = 0
    wrong_examples: list[str] = []
    paths: dict[str, int] = {}
    min_ok_score = 1.0
    max_bad_score = -1.0  # highest score of a best label that is not the truth
    for theme in THEMES:
        for kind in PERTURBATIONS:
            for seed in range(TEST_SEED0, TEST_SEED0 + boards):
                board = make_board(seed, theme, kind)
                frame = Frame(board.image, 0, 0.0)
                read, details = read_cells(frame, _level_for(levels[theme], board), banks[theme])
                plain = read_board(frame, _level_for(levels[theme], board, False), banks[theme])
                for r in range(ROWS):
                    for c in range(COLS):
                        truth = board.labels[r][c]
                        got, got_np = read.cells[r][c].label, plain.cells[r][c].label
                        d = details[r][c]
                        if d.best != truth:
                            max_bad_score = max(max_bad_score, d.score)
                        paths[d.path] = paths.get(d.path, 0) + 1
                        cells += 1
                        per_kind[kind][0] += 1
                        if got == UNKNOWN:
                            unknown += 1
                            per_kind[kind][1] += 1
                        elif got != truth:
                            wrong += 1
                            wrong_examples.append(f"{theme}/{kind}/{seed} ({r},{c}) {truth}->{got}")
                        else:
                            min_ok_score = min(min_ok_score, d.score)
                        unknown_np += got_np == UNKNOWN
                        wrong_np += got_np not in (UNKNOWN, truth)
                        if kind == "clean":
                            clean_cells += 1
                            clean_right += got == truth
    rates = {p: u / n for p, (n, u) in per_kind.items()}
    return {
        "boards": boards * len(THEMES) * len(PERTURBATIONS),
        "cells": cells,
        "accuracy": round((cells - wrong - unknown) / cells, 5),
        "clean_accuracy": round(clean_right / clean_cells, 5),
        "wrong_labels": wrong,
        "wrong_examples": wrong_examples[:5],
        "unknown_rate": round(unknown / cells, 5),
        "unknown_rate_max": round(max(rates.values()), 5),
        "unknown_rate_max_kind": max(rates, key=lambda p: rates[p]),
        "unknown_rate_by_kind": {p: round(v, 5) for p, v in rates.items()},
        "unknown_rate_without_posterize": round(unknown_np / cells, 5),
        "wrong_labels_without_posterize": wrong_np,
        "paths": paths,
        "min_accepted_score": round(min_ok_score, 4),
        "max_wrong_best_score": round(max_bad_score, 4),
    }


def _veil_gap(banks: dict[str, TemplateBank], boards: int) -> dict[str, Any]:
    """Veiled scores of every patched tile, doubtful or not: how far wrong labels stay.

    The patched tile is where a "patch" board differs from the clean board of its seed.
    """
    tiles = truth_best = 0
    min_truth_margin = 2.0  # truth minus the best wrong label, when the truth is best
    max_wrong = -1.0  # highest veiled score of any wrong label
    max_wrong_best = -1.0  # highest veiled score of a wrong label that beats the truth
    for theme in THEMES:
        bank = banks[theme]
        for seed in range(TEST_SEED0, TEST_SEED0 + boards):
            board = make_board(seed, theme, "patch")
            clean = make_board(seed, theme, "clean")
            ys, xs = np.nonzero((board.image != clean.image).any(axis=-1))
            if len(ys) == 0:
                continue
            x0, y0 = board.grid_origin_xy
            r, c = (int(ys.min()) - y0) // 64, (int(xs.min()) - x0) // 64
            tile = board.image[y0 + 64 * r : y0 + 64 * r + 64, x0 + 64 * c : x0 + 64 * c + 64]
            scores = veiled_scores(bank.fast, shrink_tiles(tile, bank.fast_px).reshape(-1))
            k = bank.labels.index(board.labels[r][c])
            wrong = float(np.delete(scores, k).max())
            tiles += 1
            max_wrong = max(max_wrong, wrong)
            if scores[k] > wrong:
                truth_best += 1
                min_truth_margin = min(min_truth_margin, float(scores[k]) - wrong)
            else:
                max_wrong_best = max(max_wrong_best, wrong)
    return {
        "veil_patched_tiles": tiles,
        "veil_truth_best_rate": round(truth_best / max(tiles, 1), 5),
        "veil_min_truth_margin": round(min_truth_margin, 4),
        "veil_max_wrong_score": round(max_wrong, 4),
        "veil_max_wrong_best_score": round(max_wrong_best, 4),
    }


def _posterize_costs(spec: PosterizeSpec) -> tuple[float, float]:
    board = make_board(TEST_SEED0, "ocean", "clean")
    x, y = board.grid_origin_xy
    area = np.ascontiguousarray(board.image[y : y + 510, x : x + 450])
    tile = np.ascontiguousarray(board.image[y : y + 64, x : x + 64])
    posterize(area, spec)
    t0 = time.perf_counter()
    for _ in range(3):
        posterize(area, spec)
    board_ms = (time.perf_counter() - t0) / 3 * 1e3
    t0 = time.perf_counter()
    for _ in range(20):
        posterize(tile, spec)
    return board_ms, (time.perf_counter() - t0) / 20 * 1e3


def _peer(grayscale: bool) -> tuple[float, float]:
    """pyscreeze.locateAll over the 20 ball sprites: ms per board and cell accuracy."""
    import pyscreeze

    times, right, total = [], 0, 0
    for i, seed in enumerate(PEER_SEEDS):
        theme = list(THEMES)[i % len(THEMES)]
        board = make_board(seed, theme, "clean")
        image = np.ascontiguousarray(board.image)
        found: dict[tuple[int, int], str] = {}
        t0 = time.perf_counter()
        for label in LABELS[1:]:
            needle = tile_sprite(label, theme, 64)
            try:
                boxes = list(
                    pyscreeze.locateAll(
                        needle, image, grayscale=grayscale, confidence=PEER_CONFIDENCE
                    )
                )
            except pyscreeze.ImageNotFoundException:
                boxes = []
            for box in boxes:
                col = (box.left + box.width // 2 - board.grid_origin_xy[0]) // 64
                row = (box.top + box.height // 2 - board.grid_origin_xy[1]) // 64
                if 0 <= row < ROWS and 0 <= col < COLS:
                    found.setdefault((int(row), int(col)), label)
        times.append(time.perf_counter() - t0)
        for r in range(ROWS):
            for c in range(COLS):
                total += 1
                right += found.get((r, c), "empty") == board.labels[r][c]
    return statistics.median(times) * 1e3, right / total


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or rebuild the banks) and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--build-bank", action="store_true", help="regenerate the Fling banks")
    parser.add_argument("--boards", type=int, default=20, help="boards per theme and perturbation")
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)
    if args.build_bank:
        print(json.dumps({"written": build_banks()}))
        return 0
    profile = load_profile(PROFILE)
    levels = {name: profile.level(name) for name in THEMES}
    banks = {name: load_bank(PROFILE, levels[name]) for name in THEMES}
    boards = 2 if args.quick else args.boards
    read_ms = _time_reads(levels, banks, 3 if args.quick else 15)
    figures: dict[str, Any] = {"read_ms_median": round(read_ms, 4)}
    figures.update(_sweep(levels, banks, boards))
    figures.update(_veil_gap(banks, boards))
    board_ms, tile_ms = _posterize_costs(levels["ocean"].posterize)
    figures["posterize_board_ms"] = round(board_ms, 1)
    figures["posterize_tile_ms"] = round(tile_ms, 2)
    gray_ms, gray_acc = _peer(True)
    bgr_ms, bgr_acc = _peer(False)
    figures["peer_confidence"] = PEER_CONFIDENCE
    figures["peer_locateall_gray_ms"] = round(gray_ms, 1)
    figures["peer_locateall_gray_accuracy"] = round(gray_acc, 4)
    figures["peer_locateall_bgr_ms"] = round(bgr_ms, 1)
    figures["peer_locateall_bgr_accuracy"] = round(bgr_acc, 4)
    figures["speedup_vs_locateall_bgr"] = round(bgr_ms / read_ms, 1)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
