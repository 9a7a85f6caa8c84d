"""Which policy plays which game: one factory per game name (a profile's `game`)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from bot.games.fifteen import FifteenPolicy
from bot.games.fling import FlingPolicy
from bot.games.flip import FlipPolicy
from bot.games.mines import MinesPolicy
from bot.games.samegame import SameGamePolicy
from bot.policy import Policy

PolicyFactory = Callable[[], Policy]

POLICIES: MappingProxyType[str, PolicyFactory] = MappingProxyType(
    {
        "fling": FlingPolicy,
        "flip": FlipPolicy,  # crosses toggles sized to the first board
        "fifteen": FifteenPolicy,
        "mines": MinesPolicy,  # without the mine count: no global-count reasoning
        "samegame": SameGamePolicy,
    }
)
"""Game name -> a factory of fresh policies (a policy may keep a plan for one run)."""


def policy_for(game: str) -> Policy | None:
    """A fresh policy for `game`, or None when Tilebot has no policy for it yet."""
    factory = POLICIES.get(game)
    return factory() if factory else None
