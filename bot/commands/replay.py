"""`tilebot replay`: the loop over a recording, with the golden-decision diff."""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass
from pathlib import Path

from loguru import logger
from tqdm import tqdm

from bot.act import RecordingActuator
from bot.actions import action_to_json
from bot.clock import VirtualClock
from bot.errors import ProfileError
from bot.games.registry import policy_for
from bot.games.sgt.fit import fit_level
from bot.games.sgt.ids import GAMES
from bot.levels import load_selector
from bot.loop import LoopResult, Step, run_loop
from bot.profile import LevelProfile, Profile, load_profile
from bot.reading import make_reader
from bot.recording import Recording, ReplaySource


@dataclass(frozen=True, slots=True)
class DecisionDiff:
    """A frame where the replayed decision differs from the recorded one."""

    index: int
    recorded: dict[str, object] | None
    replayed: dict[str, object] | None


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """A replay's loop result, per-frame steps and decision differences (if golden)."""

    result: LoopResult
    steps: tuple[Step, ...]
    diffs: tuple[DecisionDiff, ...]
    golden: bool


def pick_level(profile: Profile, name: str | None, source: Path) -> LevelProfile:
    """`profile`'s level `name` (base when None); ProfileError listing the levels if unknown."""
    try:
        return profile.level(name)
    except KeyError:
        known = ", ".join(profile.level_names()) or "none"
        raise ProfileError([f"{source}: levels.{name}: no such level (levels: {known})"]) from None


def choose_level(
    profile: Profile,
    source: Path,
    name: str | None,
    game_id: str | None,
    size_px: tuple[int, int],
) -> tuple[str | None, LevelProfile]:
    """(level name, level) to play: `name` (base when None), or fitted to a game ID.

    With a game ID (puzzle-collection games only) the level is the one for the window's
    tile size, its grid where a `size_px` (width, height) window draws the ID's board
    (bot.games.sgt.fit). ProfileError when both are given or the game is not covered.
    """
    if game_id is None:
        return name, pick_level(profile, name, source)
    if name is not None:
        raise ProfileError(
            [f"{source}: give --level or --game-id, not both (the game ID picks the level)"]
        )
    if profile.game not in GAMES:
        raise ProfileError(
            [
                f"{source}: game: --game-id fits puzzle-collection games "
                f"({', '.join(GAMES)}), not {profile.game!r}"
            ]
        )
    return fit_level(profile, source, game_id, *size_px)


def replay(
    recording: Recording,
    profile: Profile,
    level_name: str | None,
    profile_path: Path,
    progress: bool = False,
    decide: bool | None = None,
) -> ReplayOutcome:
    """Run the loop over `recording` with a virtual clock and a recording actuator.

    decide: run the game's policy (default: when the recording holds decisions).
    """
    if decide is None:
        decide = recording.is_playing
    manifest = recording.manifest
    game_id = manifest.game_id
    if game_id is not None and level_name is None and recording.events:
        width, height = recording.events[0].size
        level_name, level = choose_level(profile, profile_path, None, game_id, (width, height))
    else:
        level = pick_level(profile, level_name, profile_path)
    clock = VirtualClock()
    source = ReplaySource(recording, clock)
    steps: list[Step] = []
    bar = tqdm(total=len(recording), unit="frame", disable=not progress, leave=False)

    def on_step(step: Step) -> None:
        steps.append(step)
        bar.update(1)

    try:
        result = run_loop(
            source,
            clock,
            level,
            make_reader(profile_path),
            policy=policy_for(profile.game, game_id) if decide else None,
            actuator=RecordingActuator(),
            level_name=level_name,
            selector=load_selector(profile, profile_path),
            on_step=on_step,
        )
    finally:
        bar.close()
    diffs = _diff_decisions(recording, steps) if recording.is_playing else []
    return ReplayOutcome(result, tuple(steps), tuple(diffs), recording.is_playing)


def _diff_decisions(recording: Recording, steps: list[Step]) -> list[DecisionDiff]:
    replayed = {s.index: action_to_json(s.action) if s.action else None for s in steps}
    diffs = []
    for event in recording.events:
        mine = replayed.get(event.i)
        if event.action != mine:
            diffs.append(DecisionDiff(event.i, event.action, mine))
    return diffs


def replay_command(args: argparse.Namespace) -> int:
    """Replay, print a summary; exit 1 when replayed decisions differ from recorded ones."""
    recording = Recording.open(args.recording, skip_damaged=args.skip_damaged)
    profile = load_profile(args.profile)
    outcome = replay(
        recording,
        profile,
        args.level,
        args.profile,
        progress=not args.no_progress,
        decide=True if args.decide else None,
    )
    result = outcome.result
    unknown = [s.board.unknown_count for s in outcome.steps if s.board is not None]
    read_ms = [s.stage_ms["read"] for s in outcome.steps if "read" in s.stage_ms]
    print(
        f"recording: {recording.path} ({len(recording)} frames, codec {recording.manifest.codec})"
    )
    actions = len(result.actions)
    print(f"frames replayed: {result.frames}; boards read: {result.reads}; actions: {actions}")
    if unknown:
        print(f"unknown cells per read: median {statistics.median(unknown)}, max {max(unknown)}")
    if read_ms:
        print(f"read ms: median {statistics.median(read_ms):.2f}, max {max(read_ms):.2f}")
    print(f"stopped: {result.stopped_because}")
    for warning in recording.warnings:
        print(f"warning: {warning}")
    if not outcome.golden:
        print("decisions: the recording holds no decisions to compare")
        return 0
    if not outcome.diffs:
        print(f"decisions: all {len(recording)} frames agree with the recording")
        return 0
    print(f"decisions: {len(outcome.diffs)} frames differ from the recording")
    for diff in outcome.diffs[:10]:
        logger.error(
            "frame {}: recorded {} but replayed {}", diff.index, diff.recorded, diff.replayed
        )
    return 1
