"""Ground truth from Simon Tatham's Portable Puzzle Collection (the Debian `sgt-puzzles`).

Four games are covered: flip, samegame, fifteen and mines. Their descriptive game IDs
(`params:description`, as printed by `sgt-NAME --generate 1 'PARAMS#SEED'`) decode to boards
of labels (`ids`), save files with moves in each game's own syntax give mid-game boards
(`savefile`), and the real binary draws any of them into an image (`screenshot`), so a
recognizer can be measured against boards whose every label is known.

The errors of this package are drawn here, in one place.
"""

from __future__ import annotations

from bot.errors import TilebotError


class SgtError(TilebotError):
    """Root of the errors of the puzzle-collection ground truth."""


class GameIdError(SgtError):
    """A game name or game ID is not understood; says which game and what is wrong."""


class MoveError(SgtError):
    """A move that the game would refuse or that would corrupt its state; says which and why."""


class SaveFileError(SgtError):
    """A save file is malformed; says which file, which line and what is wrong."""


class RenderError(SgtError):
    """The game binary is missing, failed, or wrote no readable image; carries its message."""
