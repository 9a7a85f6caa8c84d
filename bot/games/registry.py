"""Which policy plays which game: one factory per game name (a profile's `game`)."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from bot.games.fling import FlingPolicy
from bot.policy import Policy

PolicyFactory = Callable[[], Policy]

POLICIES: MappingProxyType[str, PolicyFactory] = MappingProxyType({"fling": FlingPolicy})
"""Game name -> a factory of fresh policies (a policy may keep a plan for one run)."""


def policy_for(game: str) -> Policy | None:
    """A fresh policy for `game`, or None when Tilebot has no policy for it yet."""
    factory = POLICIES.get(game)
    return factory() if factory else None
