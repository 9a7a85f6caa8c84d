"""Level selection per frame: the scene on screen says which level profile applies."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.frame import Frame
from bot.profile import LevelProfile, Profile, SceneSpec, resolve
from bot.scene import SceneBank, identify


@dataclass(frozen=True, slots=True)
class LevelChoice:
    """The level to play on a frame.

    name: the level's name (None for the base level). level: its profile, or None when
    the screen is not one to play on (a menu, a popup, game over: the bot waits).
    scene: the scene recognised, or None when unknown or not identified.
    """

    name: str | None
    level: LevelProfile | None
    scene: str | None = None


class LevelSelector:
    """Chooses a frame's level from the profile's scene bank (`[scenes]`)."""

    def __init__(self, profile: Profile, spec: SceneSpec, bank: SceneBank) -> None:
        self.spec = spec
        self.bank = bank
        names = {None if lv == "base" else lv for lv in spec.levels.values()}
        self._levels = {name: profile.level(name) for name in names}

    def choose(self, frame: Frame, current: LevelChoice) -> LevelChoice:
        """The level for `frame`; an unknown screen keeps `current`."""
        match = identify(
            frame, self.bank, max_distance=self.spec.max_distance, min_margin=self.spec.min_margin
        )
        if match.name is None:
            return current
        level_name = self.spec.levels.get(match.name)
        if level_name is None:
            return LevelChoice(current.name, None, match.name)
        name = None if level_name == "base" else level_name
        return LevelChoice(name, self._levels[name], match.name)


def load_selector(profile: Profile, profile_path: Path) -> LevelSelector | None:
    """The profile's level selector, or None when it has no `[scenes]` section."""
    if profile.scenes is None:
        return None
    bank = SceneBank.load(resolve(profile_path, profile.scenes.bank))
    return LevelSelector(profile, profile.scenes, bank)
