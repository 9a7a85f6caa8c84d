"""Capture benchmark: live grabs on a private Xvfb display. Prints one JSON line.

    python benchmarks/capture.py            # the full figures
    python benchmarks/capture.py --quick    # a small smoke run

Starts its own Xvfb (1280x800x24) and an sgt-flip window (tile 48, 288x350 at (100,100)),
then measures medians in milliseconds of one `ScreenSource.grab()` (BGR frame ready):
grab_full_ms (the whole 1280x800 screen), grab_region_ms (a 450x520 region, target
<= 1 ms), grab_window_ms (the followed flip window, geometry query included) and
window_geometry_ms (that query alone). The peer, measured in the same run, is
peer_pyautogui_screenshot_ms: `pyautogui.screenshot()` of the full screen (it needs the
Debian package scrot and XDG_SESSION_TYPE=x11); when it cannot run, the figure is null
and peer_error says why.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

# Runnable from a checkout without installing the package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._timing import median_ms
from bot.capture import ScreenSource
from bot.clock import RealClock
from bot.frame import Region
from bot.window import X11Locator
from tests.live import (
    SCREEN_HEIGHT_PX,
    SCREEN_WIDTH_PX,
    live_display,
    missing_game,
    missing_xvfb,
    running_game,
)

FLIP_ID = (
    "5x5:c400007100001c4000071000018400043100011c400047100011c400046100010c400047100011c40"
    "00471000118400043100011c400047100011c400046100010c000047000011c0000470000118,40521a0"
)
"""`sgt-flip --generate 1 '5x5c#7'`: a fixed 5x5 board."""
REGION = Region(100, 100, 450, 520)


def own_figures(locator: X11Locator, window: int, repeats: int) -> dict[str, Any]:
    """Grab times of ScreenSource: full screen, a 450x520 region, the followed window."""
    clock = RealClock()
    full = Region(0, 0, SCREEN_WIDTH_PX, SCREEN_HEIGHT_PX)
    figures: dict[str, Any] = {}
    with ScreenSource.of_region(full, clock) as source:
        figures["grab_full_ms"] = median_ms(source.grab, repeats)
    with ScreenSource.of_region(REGION, clock) as source:
        figures["grab_region_ms"] = median_ms(source.grab, repeats)
    with ScreenSource.of_window(window, locator, clock) as source:
        figures["grab_window_ms"] = median_ms(source.grab, repeats)
        size = source.grab().region
        figures["window_px"] = [size.width, size.height]
    figures["window_geometry_ms"] = median_ms(lambda: locator.geometry(window), repeats)
    return figures


def peer_figures(repeats: int, workdir: Path) -> dict[str, Any]:
    """pyautogui.screenshot() of the full screen; null with peer_error when it cannot run.

    Runs in `workdir`: the screenshot passes through a PNG file in the current directory.
    """
    if shutil.which("scrot") is None:
        return {"peer_pyautogui_screenshot_ms": None, "peer_error": "scrot is not installed"}
    os.environ["XDG_SESSION_TYPE"] = "x11"
    try:
        # pyautogui talks on stdout in places; this program's stdout is its JSON line.
        with contextlib.redirect_stdout(sys.stderr), contextlib.chdir(workdir):
            import pyautogui

            shot = pyautogui.screenshot()
            if shot.size != (SCREEN_WIDTH_PX, SCREEN_HEIGHT_PX):
                raise RuntimeError(f"screenshot size {shot.size}")
            ms = median_ms(pyautogui.screenshot, repeats)
    except Exception as exc:  # any failure of the peer is reported, not raised
        return {"peer_pyautogui_screenshot_ms": None, "peer_error": f"{type(exc).__name__}: {exc}"}
    return {"peer_pyautogui_screenshot_ms": ms}


def figures(quick: bool) -> dict[str, Any]:
    """All figures, from one Xvfb display and one flip window."""
    repeats, peer_repeats = (20, 3) if quick else (500, 20)
    for missing in (missing_xvfb(), missing_game("flip")):
        if missing is not None:
            raise SystemExit(f"capture benchmark cannot run: {missing}")
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_display(Path(tmp)) as display,
        X11Locator(display) as locator,
        running_game("flip", [FLIP_ID], locator, env={"FLIP_TILESIZE": "48"}) as game,
    ):
        result: dict[str, Any] = {"repeats": repeats, "region_px": [REGION.width, REGION.height]}
        result |= own_figures(locator, game.window, repeats)
        result |= peer_figures(peer_repeats, Path(tmp))
    peer = result["peer_pyautogui_screenshot_ms"]
    if peer is not None:
        result["full_speedup_vs_peer"] = round(peer / result["grab_full_ms"], 1)
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure and print one JSON line of figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    print(json.dumps(figures(args.quick)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
