"""Recordings of real puzzle-collection boards with their true labels, for tuning tests.

Each frame of such a recording is one board drawn by `sgt-NAME --screenshot` (start
positions and positions after random moves), one second apart; the truth comes from the
game IDs (bot.games.sgt). Also: purity figures of a clustering against true labels.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.frame import Frame
from bot.games.sgt.ids import Game, Labels
from bot.games.sgt.savefile import labels_after, random_moves, write_save
from bot.games.sgt.screenshot import grid_of, render
from bot.profile import GridSpec
from bot.recording import RecordingWriter
from tests.games.sgt import generate_id


@dataclass(frozen=True, slots=True)
class BoardRecording:
    """A recording of sgt boards: its folder, the boards' grid and each frame's labels."""

    path: Path
    grid: GridSpec
    truth: Mapping[int, Labels]


def record_boards(
    game: Game, params: str, boards: int, tile_px: int, folder: Path, seed: int = 1
) -> BoardRecording:
    """Record `boards` boards of `game` at `params` (even ones at the start, odd ones after
    3-12 random moves) drawn at `tile_px`, as frames 0.. of a new recording at `folder`."""
    rng = random.Random(f"{game}-{params}-{seed}")
    truth: dict[int, Labels] = {}
    scratch = folder.parent / f".{folder.name}-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    grid: GridSpec | None = None
    with RecordingWriter(folder, source=f"sgt-{game} screenshots", codec="png") as writer:
        for index in range(boards):
            game_id = generate_id(game, f"{params}#{rng.randrange(10**9)}")
            moves = random_moves(game, game_id, rng.randint(3, 12), rng) if index % 2 else []
            source: str | Path = game_id
            if moves:
                source = write_save(game, game_id, moves, scratch / f"board{index}.sav")
            labels = labels_after(game, game_id, moves)
            image = render(game, source, tile_px, scratch)
            writer.write(Frame(image, index, float(index)))
            truth[index] = labels
            grid = grid_of(game, len(labels), len(labels[0]), tile_px)
    assert grid is not None
    return BoardRecording(folder, grid, truth)


@dataclass(frozen=True, slots=True)
class Agreement:
    """How clusters relate to true kinds.

    kinds: distinct true labels; clusters: distinct cluster names; mixed: clusters holding
    more than one kind; split: kinds spread over more than one cluster; purity: share of
    tiles whose cluster's most common kind is their own.
    """

    kinds: int
    clusters: int
    mixed: int
    split: int
    purity: float


def agreement(pairs: Sequence[tuple[str, str]]) -> Agreement:
    """Compare (true label, cluster name) pairs."""
    by_cluster: dict[str, Counter[str]] = defaultdict(Counter)
    by_kind: dict[str, set[str]] = defaultdict(set)
    for kind, cluster in pairs:
        by_cluster[cluster][kind] += 1
        by_kind[kind].add(cluster)
    majority = sum(counts.most_common(1)[0][1] for counts in by_cluster.values())
    return Agreement(
        kinds=len(by_kind),
        clusters=len(by_cluster),
        mixed=sum(len(counts) > 1 for counts in by_cluster.values()),
        split=sum(len(clusters) > 1 for clusters in by_kind.values()),
        purity=majority / max(1, len(pairs)),
    )
