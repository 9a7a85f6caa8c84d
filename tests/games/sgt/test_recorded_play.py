"""Recorded live games (recordings/sgt-*): replays decide exactly as the live bot did.

Each recording is the bot playing one game live on Xvfb (`python -m tests.sgt_live`),
with its game ID in the manifest: the replay fits the same level and grid, reads every
settled frame again and must take the same action on the same frame. The recordings also
hold the game's own verdict in their last frame, which the judge must read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.replay import replay
from bot.games.sgt.ids import Game
from bot.games.sgt.judge import judge
from bot.profile import load_profile
from bot.recording import Recording
from tests.sgt_live import descriptive_id, start_labels

ROOT = Path(__file__).resolve().parents[3]
GAMES: tuple[Game, ...] = ("flip", "fifteen", "mines", "samegame")


@pytest.mark.parametrize("game", GAMES)
def test_replay_takes_every_recorded_decision(game: Game) -> None:
    recording = Recording.open(ROOT / "recordings" / f"sgt-{game}")
    game_id = recording.manifest.game_id
    assert game_id is not None
    path = ROOT / "profiles" / f"{game}.toml"
    outcome = replay(recording, load_profile(path), None, path)
    assert outcome.golden and outcome.diffs == ()
    assert len(outcome.result.actions) > 3
    first = next(s.board for s in outcome.steps if s.board is not None)
    want = start_labels(game, game_id, descriptive_id(game, game_id))
    assert tuple(tuple(c.label for c in row) for row in first.cells) == want


@pytest.mark.parametrize("game", GAMES)
def test_the_judge_reads_the_games_verdict_from_the_recorded_frames(game: Game) -> None:
    recording = Recording.open(ROOT / "recordings" / f"sgt-{game}")
    first = recording.load(recording.events[0]).pixels
    last = recording.load(recording.events[-1]).pixels
    assert not judge(game, first).over
    assert judge(game, last).over
