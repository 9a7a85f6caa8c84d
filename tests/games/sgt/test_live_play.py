"""Live acceptance: the bot wins real puzzle-collection games on Xvfb, as the games say.

Each test starts the game with a fixed game ID on the session's Xvfb display, runs
`tilebot run --pid PID --game-id ID` in-process (tests/sgt_live.py) and then asks the
game's own status bar (bot.games.sgt.judge) whether it was won; the first board the bot
read must be the one the game ID describes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.games.sgt.ids import Game
from bot.window import X11Locator
from tests.games.sgt import require_game
from tests.live import LaunchGame
from tests.sgt_live import play_live

pytestmark = pytest.mark.live


@pytest.mark.parametrize(
    ("game", "game_id"),
    [
        ("flip", "5x5c#3"),
        ("fifteen", "4x4#3"),
        ("mines", "9x9n10#3"),  # all covered at first: the mines are laid at the first click
        ("mines", "9x9:5,6,mb14a3705b48e8c05235a0"),  # 9x9n10#3 laid out, start opened
    ],
)
def test_bot_solves_the_game_and_the_game_says_so(
    game: Game, game_id: str, locator: X11Locator, tmp_path: Path
) -> None:
    require_game(game)
    run = play_live(game, game_id, locator, tmp_path / "rec")
    assert run.first_board == run.truth
    assert run.verdict.won, (run.verdict, run.stopped_because)
    assert run.illegal_clicks == 0
    assert run.stopped_because == "the policy has no further move"


def test_samegame_is_played_to_the_end_without_an_illegal_click(
    locator: X11Locator, tmp_path: Path
) -> None:
    require_game("samegame")
    run = play_live("samegame", "10x10c3s2#3", locator, tmp_path / "rec")
    assert run.first_board == run.truth
    assert run.verdict.over, (run.verdict, run.stopped_because)
    assert run.illegal_clicks == 0
    assert run.actions > 5


def test_the_judge_sees_no_win_on_a_fresh_game(
    launch_game: LaunchGame, locator: X11Locator
) -> None:
    from bot.capture import ScreenSource
    from bot.clock import RealClock
    from bot.games.sgt.judge import judge

    for game, game_id in (("flip", "5x5c#3"), ("samegame", "10x10c3s2#3")):
        launched = launch_game(game, game_id)
        with ScreenSource.of_window(launched.window, locator, RealClock()) as source:
            verdict = judge(game, source.grab().pixels)
        assert not verdict.won and not verdict.over and not verdict.words, game
