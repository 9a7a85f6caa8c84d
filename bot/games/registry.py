"""Which policy plays which game: one factory per game name (a profile's `game`).

A factory takes the game ID when the user gave one (`tilebot run --game-id`): what it
says that the board does not show (flip's toggle pattern, the mine count, samegame's
scoring) makes a better player.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from bot.games.fifteen import FifteenPolicy
from bot.games.fling import FlingPolicy
from bot.games.flip import FlipPolicy, rules_from_game_id
from bot.games.mines import MinesPolicy
from bot.games.samegame import SameGamePolicy
from bot.games.sgt import GameIdError
from bot.games.sgt.ids import decode_mines, params_match
from bot.policy import Policy

PolicyFactory = Callable[[str | None], Policy]


def _flip(game_id: str | None) -> Policy:
    if game_id is None:
        return FlipPolicy()  # crosses, sized to the first board
    if ":" in game_id:
        return FlipPolicy(rules_from_game_id(game_id))
    if params_match("flip", game_id).group(0).endswith("r"):
        raise GameIdError(
            f"flip: {game_id!r} has random toggle patterns, which only a descriptive ID "
            f"says; use the one `sgt-flip --generate 1 {game_id!r}` prints"
        )
    return FlipPolicy()


def _mines(game_id: str | None) -> Policy:
    if game_id is None:
        return MinesPolicy()  # no global-count reasoning
    if ":" in game_id:
        return MinesPolicy(decode_mines(game_id).mine_count)
    count = params_match("mines", game_id).group(3)
    return MinesPolicy(int(count) if count and count.isdigit() else None)


def _samegame(game_id: str | None) -> Policy:
    scoresub = params_match("samegame", game_id).group(4) if game_id else None
    return SameGamePolicy(int(scoresub) if scoresub else 2)


POLICIES: MappingProxyType[str, PolicyFactory] = MappingProxyType(
    {
        "fling": lambda _: FlingPolicy(),
        "flip": _flip,
        "fifteen": lambda _: FifteenPolicy(),
        "mines": _mines,
        "samegame": _samegame,
    }
)
"""Game name -> a factory of fresh policies (a policy may keep a plan for one run)."""


def policy_for(game: str, game_id: str | None = None) -> Policy | None:
    """A fresh policy for `game` (told `game_id` if known), or None when Tilebot has none.

    Raises GameIdError (bot.games.sgt) when `game_id` is not an ID of `game`.
    """
    factory = POLICIES.get(game)
    return factory(game_id) if factory else None
