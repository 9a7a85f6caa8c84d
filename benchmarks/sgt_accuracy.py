"""Reading accuracy on boards drawn by the real sgt-puzzles games, at seven tile sizes.

Every board's labels are known: a descriptive game ID (`sgt-NAME --generate`) decodes to
the start position, and moves appended to a save file (bot.games.sgt.savefile) give
mid-game positions whose labels the rules predict. The game itself draws each board
(`--screenshot`, NAME_TILESIZE); the reader labels it with the level of profiles/NAME.toml
for that tile size and the result is compared cell by cell.

Scale: banks are built from boards drawn at 16, 32, 48 and 64 px. The other sizes (24,
40, 56, and mines' live 20) get banks made from the drawings of the next larger built
size, each tile resized to the target size (cv2.INTER_AREA): no drawing at those sizes
goes into any bank, so reading them measures how the banks carry across scale. The
exception is fifteen (DRAWN_AT_EVERY_SIZE), whose banks are drawn at every size.

    python benchmarks/sgt_accuracy.py [--quick] [--boards-per-size N] [--seed S]
    python benchmarks/sgt_accuracy.py --build-banks      # rewrite profiles/sgt/*

Prints one JSON line: per game boards, accuracy, wrong_labels, unknown_rate,
labels_seen, detect_grid_within_1px, per-size accuracy; and the overall accuracy.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.board import UNKNOWN
from bot.errors import TilebotError
from bot.frame import Frame
from bot.games.sgt.ids import GAMES, Game, Labels
from bot.games.sgt.savefile import labels_after, random_moves, write_save
from bot.games.sgt.screenshot import binary_path, grid_of, render
from bot.profile import GridSpec, LevelProfile, load_profile
from bot.vision.grid_detect import detect_grid
from bot.vision.read import load_bank, read_board
from bot.vision.templates import TemplateBank, build_bank, save_bank

ROOT = Path(__file__).resolve().parents[1]
SIZES = (16, 24, 32, 40, 48, 56, 64)
BUILT_SIZES = (16, 32, 48, 64)
DERIVED_FROM = {20: 32, 24: 32, 40: 48, 56: 64}
"""Tile sizes whose banks are resized from the drawings of a built size."""

PARAMS: dict[Game, tuple[str, ...]] = {
    "flip": ("5x5c", "4x4r", "6x5c"),
    "samegame": ("10x10c9s2", "6x5c4s2", "8x8c6s2"),
    "fifteen": ("4x4", "3x3"),
    "mines": ("9x9n35", "10x8n30", "9x9n20"),
}
"""Game parameters the boards are drawn from, in turn (mines also gets dense random
layouts of its own, see `crafted_mines_id`)."""

DRAWN_AT_EVERY_SIZE = frozenset({"fifteen"})
"""Games whose banks are drawn at every size: fifteen's numbers are text, hinted anew at
each size, and templates resized from 32 px read 24 px tiles at NCC 0.75-0.8 with 5/6/8
confused; drawn at 24 px they read cleanly."""

BANK_SEED = 20260101
BANK_BOARDS = 24


@dataclass(frozen=True, slots=True)
class TestBoard:
    """One board: the game, its descriptive ID, the moves played and the labels they give."""

    game: Game
    game_id: str
    moves: tuple[str, ...]
    labels: Labels

    @property
    def rows(self) -> int:
        """Rows of tiles."""
        return len(self.labels)

    @property
    def cols(self) -> int:
        """Columns of tiles."""
        return len(self.labels[0])


def generate_id(game: Game, params_seed: str) -> str:
    """The descriptive ID `sgt-NAME --generate 1 PARAMS#SEED` prints."""
    done = subprocess.run(
        [str(binary_path(game)), "--generate", "1", params_seed],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def crafted_mines_id(rng: random.Random, rows: int = 9, cols: int = 9) -> str:
    """A plain ('u') mines ID of a dense random layout, nothing opened: many 6s to 8s."""
    n = rows * cols
    mines = set(rng.sample(range(n), int(n * 0.6)))
    bits = "".join("1" if i in mines else "0" for i in range(n))
    bits += "0" * (-len(bits) % 4)
    hex_digits = "".join(f"{int(bits[i : i + 4], 2):x}" for i in range(0, len(bits), 4))
    return f"{cols}x{rows}:u{hex_digits}"


def make_boards(game: Game, count: int, rng: random.Random) -> list[TestBoard]:
    """`count` boards of `game`: even ones at the start, odd ones after random moves."""
    boards = []
    for i in range(count):
        mid = i % 2 == 1
        if game == "mines" and mid and i % 4 == 3:
            game_id = crafted_mines_id(rng)
        else:
            params = PARAMS[game][(i // 2) % len(PARAMS[game])]
            game_id = generate_id(game, f"{params}#{rng.randrange(10**9)}")
        moves = random_moves(game, game_id, rng.randint(3, 12), rng) if mid else []
        labels = labels_after(game, game_id, moves)
        boards.append(TestBoard(game, game_id, tuple(moves), labels))
    return boards


def source_of(board: TestBoard, tmp_dir: Path) -> str | Path:
    """What `render` draws the board from: its ID, or a save file with its moves."""
    if not board.moves:
        return board.game_id
    fd, name = tempfile.mkstemp(prefix=f"{board.game}-", suffix=".sav", dir=tmp_dir)
    os.close(fd)
    return write_save(board.game, board.game_id, board.moves, Path(name))


def fast_px_for(game: Game, tile_px: int) -> int:
    """The bank's shrunk side for tiles of `tile_px`: a divisor, as near 16 as sensible.

    Fifteen's numbers are thin strokes of one colour on one face: shrunk to 10-12 px,
    5/6/8/9 blur together, so its banks keep up to 32 px.
    """
    most = 32 if game == "fifteen" else 16
    divisors = [d for d in range(1, tile_px + 1) if tile_px % d == 0]
    below = max(d for d in divisors if d <= most)
    return below if below >= 8 else min(d for d in divisors if d >= 8)


def tile_crops(image: npt.NDArray[np.uint8], grid: GridSpec) -> list[npt.NDArray[np.uint8]]:
    """Every tile of `grid` in `image`, row-major: (tile, tile, 3) uint8 copies."""
    crops = []
    for r in range(grid.rows):
        for c in range(grid.cols):
            x, y, w, h = grid.cell_box(r, c)
            crops.append(np.ascontiguousarray(image[y : y + h, x : x + w]))
    return crops


def bank_samples(
    game: Game, tile_px: int, tmp_dir: Path
) -> list[tuple[npt.NDArray[np.uint8], str]]:
    """Labelled tiles of the bank boards (fixed seed) drawn at `tile_px`."""
    boards = make_boards(game, BANK_BOARDS, random.Random(f"{BANK_SEED}-{game}"))
    samples = []
    for board in boards:
        image = render(game, source_of(board, tmp_dir), tile_px, tmp_dir)
        grid = grid_of(game, board.rows, board.cols, tile_px)
        labels = [label for row in board.labels for label in row]
        samples += list(zip(tile_crops(image, grid), labels, strict=True))
    return samples


def resized(
    samples: Sequence[tuple[npt.NDArray[np.uint8], str]], box_px: int
) -> list[tuple[npt.NDArray[np.uint8], str]]:
    """The samples with every tile resized to (box_px, box_px) by area averaging."""
    return [
        (
            np.asarray(cv2.resize(tile, (box_px, box_px), interpolation=cv2.INTER_AREA), np.uint8),
            label,
        )
        for tile, label in samples
    ]


def build_banks(out_dir: Path = ROOT / "profiles" / "sgt") -> list[str]:
    """Write the banks of every game at every size into `out_dir/GAME/tN.{npz,json}`."""
    written = []
    with tempfile.TemporaryDirectory(prefix="sgt-banks-") as folder:
        tmp_dir = Path(folder)
        for game in GAMES:
            native = SIZES if game in DRAWN_AT_EVERY_SIZE else BUILT_SIZES
            drawn = {t: bank_samples(game, t, tmp_dir) for t in native}
            for t in sorted({*SIZES, *DERIVED_FROM}):
                if game != "mines" and t == 20:
                    continue
                box = grid_of(game, 1, 1, t).tile_px
                source = t if t in drawn else DERIVED_FROM[t]
                samples = drawn[t] if t in drawn else resized(drawn[source], box)
                meta = {
                    "game": game,
                    "drawn_at_px": source,
                    "resized_to_px": box if source != t else None,
                    "boards": BANK_BOARDS,
                    "seed": BANK_SEED,
                    "builder": "benchmarks/sgt_accuracy.py --build-banks",
                }
                bank = build_bank(samples, fast_px=fast_px_for(game, box), meta=meta)
                for path in save_bank(bank, out_dir / game / f"t{t}"):
                    written.append(str(path.relative_to(ROOT)))
    return written


def level_for(game: Game, tile_px: int) -> tuple[LevelProfile, TemplateBank]:
    """The screenshot level `tN` of profiles/GAME.toml and its bank."""
    path = ROOT / "profiles" / f"{game}.toml"
    level = load_profile(path).level(f"t{tile_px}")
    return level, load_bank(path, level)


def read_labels(
    image: npt.NDArray[np.uint8], level: LevelProfile, bank: TemplateBank, grid: GridSpec
) -> Labels:
    """The reader's labels of `image` with `level`'s settings on `grid` (the board's size)."""
    frame = Frame(pixels=image, index=0, timestamp=0.0)
    board = read_board(frame, level.model_copy(update={"grid": grid}), bank)
    return tuple(tuple(cell.label for cell in row) for row in board.cells)


def within_1px(found: GridSpec, want: GridSpec) -> bool:
    """True when a detected grid has the right shape and pitch and is at most 1 px off."""
    return (
        (found.rows, found.cols, found.pitch_px) == (want.rows, want.cols, want.pitch_px)
        and abs(found.tile_px - want.tile_px) <= 1
        and abs(found.origin_x_px - want.origin_x_px) <= 1
        and abs(found.origin_y_px - want.origin_y_px) <= 1
    )


@dataclass
class Tally:
    """Counts of one game (or one game at one size)."""

    boards: int = 0
    cells: int = 0
    right: int = 0
    wrong: int = 0
    unknown: int = 0
    detected: int = 0

    def add(self, truth: Labels, read: Labels, detected: bool) -> None:
        """Count one board."""
        self.boards += 1
        self.detected += detected
        for want_row, got_row in zip(truth, read, strict=True):
            for want, got in zip(want_row, got_row, strict=True):
                self.cells += 1
                self.right += got == want
                self.unknown += got == UNKNOWN
                self.wrong += got not in (want, UNKNOWN)

    def accuracy(self) -> float:
        """Share of cells read right."""
        return round(self.right / self.cells, 6) if self.cells else 0.0


def sweep(boards_per_size: int, seed: int, sizes: Sequence[int] = SIZES) -> dict[str, object]:
    """Draw and read `boards_per_size` fresh boards per game and size; the figures."""
    rng = random.Random(seed)
    figures: dict[str, object] = {"seed": seed, "boards_per_size": boards_per_size}
    total = Tally()
    with tempfile.TemporaryDirectory(prefix="sgt-sweep-") as folder:
        tmp_dir = Path(folder)
        for game in GAMES:
            tally = Tally()
            per_size: dict[str, float] = {}
            seen: set[str] = set()
            mistakes: list[str] = []
            for t in sizes:
                level, bank = level_for(game, t)
                size_tally = Tally()
                for board in make_boards(game, boards_per_size, rng):
                    image = render(game, source_of(board, tmp_dir), t, tmp_dir)
                    grid = grid_of(game, board.rows, board.cols, t)
                    read = read_labels(image, level, bank, grid)
                    try:
                        detected = within_1px(detect_grid(image), grid)
                    except TilebotError:
                        detected = False
                    for tl in (tally, size_tally, total):
                        tl.add(board.labels, read, detected)
                    seen |= {label for row in board.labels for label in row}
                    if read != board.labels and len(mistakes) < 3:
                        mistakes.append(f"t{t} {board.game_id} moves={list(board.moves)}")
                per_size[f"t{t}"] = size_tally.accuracy()
                per_size[f"t{t}_detect"] = round(size_tally.detected / size_tally.boards, 3)
            figures[game] = {
                "boards": tally.boards,
                "accuracy": tally.accuracy(),
                "wrong_labels": tally.wrong,
                "unknown_rate": round(tally.unknown / tally.cells, 6),
                "labels_seen": sorted(seen, key=lambda s: (len(s), s)),
                "detect_grid_within_1px": round(tally.detected / tally.boards, 3),
                "per_size": per_size,
                "first_misreads": mistakes,
            }
    figures["accuracy"] = total.accuracy()
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep (or rebuild the banks) and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 boards per game and size")
    parser.add_argument("--boards-per-size", type=int, default=50, help="boards per game/size")
    parser.add_argument("--seed", type=int, default=None, help="board seed (default: fresh)")
    parser.add_argument("--build-banks", action="store_true", help="rewrite profiles/sgt/*")
    args = parser.parse_args(argv)
    if args.build_banks:
        print(json.dumps({"written": build_banks()}))
        return 0
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    count = 4 if args.quick else args.boards_per_size
    print(json.dumps(sweep(count, seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
