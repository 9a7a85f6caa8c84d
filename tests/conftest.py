"""Shared fixtures: a private Xvfb display for live tests and games launched on it.

Policy for missing programs (Xvfb, /usr/games/sgt-*): with CI=true the test fails, saying
what is missing; elsewhere it is skipped with that reason.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

import pytest

from bot.window import X11Locator
from tests import live


def require(missing: str | None) -> None:
    """Skip the test (fail it under CI=true) when `missing` names something absent."""
    if missing is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"live test cannot run under CI: {missing}", pytrace=False)
    pytest.skip(missing)


@pytest.fixture(scope="session")
def xvfb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A 1280x800x24 Xvfb display for the session; DISPLAY points at it meanwhile.

    Yields the display name (":N"); DISPLAY and XAUTHORITY are restored afterwards.
    """
    require(live.missing_xvfb())
    workdir = tmp_path_factory.mktemp("xvfb")
    with live.live_display(workdir) as display:
        yield display


@pytest.fixture
def locator(xvfb: str) -> Iterator[X11Locator]:
    """A window locator connected to the session's Xvfb display."""
    with X11Locator(xvfb) as opened:
        yield opened


@pytest.fixture
def launch_game(locator: X11Locator) -> Iterator[live.LaunchGame]:
    """A function that starts `/usr/games/sgt-NAME ARGS` with its window moved to `at`."""
    with contextlib.ExitStack() as games:

        def launch(
            name: str,
            *args: str,
            env: Mapping[str, str] | None = None,
            at: tuple[int, int] = live.WINDOW_AT,
        ) -> live.Game:
            require(live.missing_game(name))
            return games.enter_context(live.running_game(name, args, locator, env=env, at=at))

        yield launch
