"""Capture the demo's reference screens for the Fling profile's scene bank.

    python -m bot.demo.make_scenes OUT_FOLDER      (needs a display: DISPLAY or Xvfb)

Starts the demo game once per level, grabs its window once the first frame shows, and
saves a scene bank with one scene per theme (each level of a theme is one example).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections import defaultdict

from bot.capture import ScreenSource
from bot.clock import RealClock
from bot.demo.levels import DEFAULT_LEVELS, load_levels
from bot.frame import Pixels
from bot.scene import SceneBank
from bot.window import default_locator


def capture_level(number: int) -> Pixels:
    """The demo window's pixels at the start of level `number` (from 1)."""
    game = subprocess.Popen(
        [sys.executable, "-m", "bot.demo", "--level", str(number), "--geometry", "+60+60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert game.stdout is not None
        if game.stdout.readline().strip() != "ready":
            raise RuntimeError("the demo game did not start")
        time.sleep(0.3)  # the first frame is on screen once "ready" is printed; be generous
        locator = default_locator()
        try:
            window = locator.find_by_pid(game.pid)
            with ScreenSource.of_window(window, locator, RealClock()) as source:
                return source.grab().pixels.copy()
        finally:
            locator.close()
    finally:
        game.terminate()
        game.wait()


def main(argv: list[str]) -> int:
    """Capture every level's opening screen and save the bank to argv[0]."""
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    screens: dict[str, list[Pixels]] = defaultdict(list)
    for number, level in enumerate(load_levels(DEFAULT_LEVELS), start=1):
        screens[level.theme].append(capture_level(number))
    SceneBank.build(screens).save(argv[0])
    print(f"saved {sum(map(len, screens.values()))} screens of {sorted(screens)} to {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
