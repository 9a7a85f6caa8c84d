"""Judge a puzzle-collection game from its own status bar, not from the bot's board reader.

The games write their verdict below the board: flip, fifteen and mines "COMPLETED!",
samegame "COMPLETE!" when the grid is cleared and "Cannot move!" when no group is left.
Grey images of the words "COMPLETE" and "Cannot move!" were cut once from live windows
(Xvfb, the GTK default font) and are kept in profiles/sgt/status/. The games paint the
status bar in their own background grey, so words are compared as ink: pixels at least
half way from the background (the image's median grey) to TEXT_LEVEL, which is where
anti-aliased edges cross over whatever the background. A word is seen where its ink
matches the bottom strip's in all but MAX_MISMATCH of its pixels.

    verdict = judge("flip", window_pixels)
    verdict.won  # True once the game says COMPLETED!
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import cv2
import numpy as np
import numpy.typing as npt

from bot.frame import Pixels, check_pixels
from bot.games.sgt import SgtError
from bot.games.sgt.fit import STATUS_BAR_PX, STATUS_BAR_SLACK_PX
from bot.games.sgt.ids import check_game

STATUS_DIR = Path(__file__).resolve().parents[3] / "profiles" / "sgt" / "status"
"""Where the word images live (grey PNGs)."""

WORDS = MappingProxyType({"complete": "complete.png", "cannot_move": "cannot-move.png"})
"""Word name -> its image in STATUS_DIR."""

TEXT_LEVEL = 50
"""Grey level of the status text (the backgrounds are 200-230)."""

MAX_MISMATCH = 0.03
"""Largest share of a word's pixels whose ink may differ at a match."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the game's status bar says: the words seen, and whether it was won or is over.

    won: the game says it is solved (samegame: the grid is cleared). over: no move is
    left (won, or samegame's "Cannot move!").
    """

    words: frozenset[str]
    won: bool
    over: bool


def load_words(folder: Path = STATUS_DIR) -> dict[str, npt.NDArray[np.uint8]]:
    """The word images: name -> (h, w) uint8 grey. SgtError names a missing or bad file."""
    words: dict[str, npt.NDArray[np.uint8]] = {}
    for name, file in WORDS.items():
        path = folder / file
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise SgtError(f"{path}: status word image missing or unreadable")
        words[name] = np.asarray(image, np.uint8)
    return words


def words_seen(
    window: Pixels, words: dict[str, npt.NDArray[np.uint8]] | None = None
) -> frozenset[str]:
    """The names of the words found in the status bar of a window image.

    window: (H, W, 3) uint8 BGR, the game window's client area (menu bar at the top).
    Only the bottom STATUS_BAR_PX + STATUS_BAR_SLACK_PX rows are searched.
    """
    check_pixels(window, "status bar")
    known = load_words() if words is None else words
    bottom = np.ascontiguousarray(window[-(STATUS_BAR_PX + STATUS_BAR_SLACK_PX) :])
    strip = np.asarray(cv2.cvtColor(bottom, cv2.COLOR_BGR2GRAY), np.uint8)
    ink = _ink(strip)
    found = set()
    for name, word in known.items():
        if strip.shape[0] < word.shape[0] or strip.shape[1] < word.shape[1]:
            continue
        differ = cv2.matchTemplate(ink, _ink(word), cv2.TM_SQDIFF)
        if float(differ.min()) <= MAX_MISMATCH * word.size:
            found.add(name)
    return frozenset(found)


def _ink(grey: npt.NDArray[np.uint8]) -> npt.NDArray[np.float32]:
    """1.0 where a (h, w) grey image is text, else 0.0 (float32, for matchTemplate)."""
    background = float(np.median(grey))
    ink: npt.NDArray[np.float32] = (grey < (background + TEXT_LEVEL) / 2).astype(np.float32)
    return ink


def judge(
    game: str, window: Pixels, words: dict[str, npt.NDArray[np.uint8]] | None = None
) -> Verdict:
    """The game's own verdict, read from its window image (see words_seen)."""
    known = check_game(game)
    seen = words_seen(window, words)
    won = "complete" in seen
    over = won or (known == "samegame" and "cannot_move" in seen)
    return Verdict(seen, won, over)
