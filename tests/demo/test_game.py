"""The Fling demo game: its pure parts, and the real window on Xvfb played with XTEST drags.

Live tests start `python -m bot.demo` as its own process and only look at what a bot
could see (screen pixels, window geometry) plus the game's stdout and state log.
Pixel check: the field part of a window grab must equal render_board of the logged
labels exactly everywhere outside the logo rectangle (which must differ), and on the
night theme also outside the cloud: pixels that differ there must lie inside the
cloud's rectangle as predicted from the grab's time, and each must sit between the
board's colour and the cloud's, at most CLOUD_ALPHA of the way.
"""

from __future__ import annotations

import contextlib
import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.actions import Direction
from bot.capture import ScreenSource
from bot.clock import RealClock
from bot.demo.__main__ import main as demo_main
from bot.demo.game import (
    CLOUD_ALPHA,
    MIN_DRAG_TILES,
    Layout,
    RollAnimation,
    ShakeAnimation,
    cloud_position,
    cloud_sprite,
    draw_hud,
    format_clock,
    labels_after,
    logo_sprite,
    make_layout,
    paint_field,
    placed_balls,
    plan_rolls,
    read_drag,
    to_ppm,
)
from bot.demo.levels import Labels, format_rows, puzzle_labels
from bot.demo.render import render_board
from bot.demo.themes import COLS, EMPTY, ROWS, theme_named
from bot.errors import TilebotError
from bot.frame import Pixels, Region
from bot.games.fling_rules import (
    Move,
    apply_move,
    balls_from_labels,
    legal_moves,
)
from bot.games.fling_solver import solve
from bot.window import X11Locator, open_x11

WAIT_S = 30.0
"""Guard against a hung game: how long to wait for a line it should write (not a bound)."""
AT = (100, 100)
"""Where the game window is placed on the screen."""

# ---------------------------------------------------------------- layout and input


def test_layout_at_64_px() -> None:
    layout = make_layout(64)
    assert (layout.width, layout.height) == (464, 576)
    assert layout.hud == Region(0, 0, 464, 48)
    assert layout.field == Region(8, 56, 448, 512)
    assert layout.logo == Region(354, 546, 102, 22)
    assert layout.cell_at(8, 56) == (0, 0) and layout.cell_at(455, 567) == (7, 6)
    assert layout.cell_at(7, 56) is None and layout.cell_at(100, 568) is None


@pytest.mark.parametrize("tile_px", [32, 48, 64, 80, 128])
def test_logo_covers_at_most_40_percent_of_two_edge_tiles(tile_px: int) -> None:
    layout = make_layout(tile_px)
    cover = {
        (r, c): layout.logo_cover(r, c)
        for r in range(ROWS)
        for c in range(COLS)
        if layout.logo_cover(r, c) > 0
    }
    assert set(cover) == {(ROWS - 1, COLS - 2), (ROWS - 1, COLS - 1)}
    assert max(cover.values()) <= 0.4
    assert layout.field.contains(layout.logo.x, layout.logo.y)
    assert layout.logo.right == layout.field.right and layout.logo.bottom == layout.field.bottom


def test_bad_tile_size() -> None:
    with pytest.raises(TilebotError, match="tile_px 16"):
        make_layout(16)


@pytest.mark.parametrize(
    ("dx", "dy", "direction"),
    [(30, 4, Direction.RIGHT), (-30, 10, Direction.LEFT), (2, 40, Direction.DOWN),
     (-25, -26, Direction.UP)],
)  # fmt: skip
def test_drag_direction_is_the_dominant_axis(dx: int, dy: int, direction: Direction) -> None:
    layout = make_layout(64)
    press = (8 + 64 * 3 + 10, 56 + 64 * 2 + 50)
    read = read_drag(layout, press, (press[0] + dx, press[1] + dy))
    assert read is not None and read.cell == (2, 3) and read.direction is direction


def test_short_diagonal_and_outside_drags() -> None:
    layout = make_layout(64)
    short = 64 * MIN_DRAG_TILES - 1
    read = read_drag(layout, (100, 100), (100 + short, 100))
    assert read is not None and read.direction is None and "shorter" in read.reason
    read = read_drag(layout, (100, 100), (140, 140))
    assert read is not None and read.direction is None and "diagonal" in read.reason
    assert read_drag(layout, (100, 20), (200, 20)) is None  # pressed on the HUD


# ---------------------------------------------------------------- moves and animation


def sample_moves() -> Iterator[tuple[Labels, Move]]:
    for seed in range(12):
        labels = puzzle_labels(seed, 4 + seed % 8)
        for move in legal_moves(balls_from_labels(labels)):
            yield labels, move


def test_labels_after_follows_the_rules() -> None:
    for labels, move in sample_moves():
        result = apply_move(balls_from_labels(labels), move)
        after = labels_after(labels, result)
        assert balls_from_labels(after) == result.balls
        moved = {roll.start: roll.end for roll in result.rolls}
        for r, row in enumerate(labels):
            for c, label in enumerate(row):
                end = moved.get((r, c), (r, c))
                if label != EMPTY and end is not None:
                    assert after[end[0]][end[1]] == label


def test_roll_animation_starts_and_ends_at_rest() -> None:
    speed = 20.0
    for labels, move in sample_moves():
        result = apply_move(balls_from_labels(labels), move)
        anim = plan_rolls(labels, result, move.direction, speed)
        assert sorted(anim.balls_at(0.0)) == sorted(placed_balls(labels))
        final = anim.balls_at(anim.duration_s)
        assert sorted(final) == sorted(placed_balls(labels_after(labels, result)))
        # Chain order: each roll starts when the one before it ends, at constant speed.
        for before, after in zip(anim.glides, anim.glides[1:], strict=False):
            assert after.t0_s == before.t1_s
        for glide in anim.glides:
            cells = abs(glide.end[0] - glide.start[0]) + abs(glide.end[1] - glide.start[1])
            assert glide.t1_s - glide.t0_s == pytest.approx(cells / speed)
        gone = anim.glides[-1]
        assert not (0 <= gone.end[0] < ROWS and 0 <= gone.end[1] < COLS)  # wholly off


def test_roll_animation_moves_one_ball_at_a_time() -> None:
    labels = puzzle_labels(4, 6)
    move = legal_moves(balls_from_labels(labels))[0]
    result = apply_move(balls_from_labels(labels), move)
    anim: RollAnimation = plan_rolls(labels, result, move.direction, 10.0)
    seen_moving: set[str] = set()
    for k in range(1, 40):
        between = anim.balls_at(anim.duration_s * k / 40)
        fractional = [b for b in between if b[1] % 1 or b[2] % 1]
        assert len(fractional) <= 1
        seen_moving.update(label for label, _, _ in fractional)
    assert len(seen_moving) >= 2 and len(anim.glides) >= 2


def test_shake_returns_to_rest() -> None:
    labels = puzzle_labels(2, 5)
    cell = next(iter(balls_from_labels(labels)))
    shake = ShakeAnimation(labels, cell, Direction.LEFT)
    rest = sorted(placed_balls(labels))
    assert sorted(shake.balls_at(0.0)) == rest
    assert sorted(shake.balls_at(shake.duration_s)) == rest
    assert sorted(shake.balls_at(shake.duration_s / 12)) != rest


# ---------------------------------------------------------------- pictures


def test_logo_changes_only_its_rectangle() -> None:
    layout = make_layout(64)
    board = render_board(puzzle_labels(1, 8), "desert", 64)
    shown = paint_field(board, theme_named("desert"), 64)
    logo = logo_mask(layout)
    assert np.array_equal(shown[~logo], board[~logo])
    assert np.abs(shown[logo].astype(int) - board[logo]).mean() > 20


def test_cloud_is_faint_soft_and_drifts() -> None:
    board = render_board(puzzle_labels(1, 8), "night", 64)
    at = cloud_position(64, 2.0)
    shown = paint_field(board, theme_named("night"), 64, cloud_at=at)
    _, alpha = cloud_sprite(64)
    assert alpha.max() == pytest.approx(CLOUD_ALPHA) and alpha[0].max() == 0
    differ = check_cloud_only(shown, board, make_layout(64), 2.0)
    assert differ > 1000
    xs = [cloud_position(64, t)[0] for t in (0.0, 1.0, 2.0)]
    assert xs[0] < xs[1] < xs[2]
    assert cloud_position(64, 1000.0)[0] >= -alpha.shape[1]  # wraps round


def test_hud_timer_changes_only_the_right_side() -> None:
    layout = make_layout(64)
    theme = theme_named("ocean")
    a = draw_hud(layout, theme, "lagoon", 3, 61.2)
    b = draw_hud(layout, theme, "lagoon", 3, 62.9)
    assert a.shape == (48, 464, 3)
    columns = np.flatnonzero((a != b).any(axis=(0, 2)))
    assert columns.size > 0 and columns.min() > layout.width * 2 // 3
    assert not np.array_equal(a, draw_hud(layout, theme, "lagoon", 4, 61.2))
    assert format_clock(61.9) == "01:01" and format_clock(3600) == "60:00"


def test_ppm_bytes() -> None:
    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 0] = (1, 2, 3)  # BGR
    data = to_ppm(image)
    assert data.startswith(b"P6 3 2 255 ") and data[11:14] == bytes((3, 2, 1))
    assert len(data) == 11 + 2 * 3 * 3


def test_logo_sprite_is_semi_opaque() -> None:
    _, alpha = logo_sprite(theme_named("ocean"), 64)
    assert 0.55 <= float(np.median(alpha)) <= 0.65 and alpha.max() <= 0.9 + 1e-6


# ---------------------------------------------------------------- pixel checks


def logo_mask(layout: Layout) -> np.ndarray:
    """(8t, 7t) bool, True under the logo rectangle, in field pixels."""
    mask = np.zeros((ROWS * layout.tile_px, COLS * layout.tile_px), bool)
    logo, fld = layout.logo, layout.field
    mask[logo.y - fld.y : logo.bottom - fld.y, logo.x - fld.x : logo.right - fld.x] = True
    return mask


def check_cloud_only(shown: Pixels, board: Pixels, layout: Layout, elapsed_s: float) -> int:
    """Assert every pixel of `shown` outside the logo is the board's or the board under the
    cloud (near its predicted place); return how many differ."""
    tile = layout.tile_px
    premultiplied, alpha = cloud_sprite(tile)
    colour = premultiplied.reshape(-1, 3)[alpha.reshape(-1).argmax()] / alpha.max()
    outside = ~logo_mask(layout)
    diff = np.abs(shown.astype(int) - board).max(axis=2)
    differ = (diff > 0) & outside
    if not differ.any():
        return 0
    ys, xs = np.nonzero(differ)
    x, y = cloud_position(tile, elapsed_s)
    slack = tile // 2  # the cloud is redrawn every 0.1 s; allow for a slow machine
    h, w = alpha.shape[:2]
    assert x - slack <= xs.min() and xs.max() < x + w + slack, (xs.min(), xs.max(), x)
    assert y - slack <= ys.min() and ys.max() < y + h + slack, (ys.min(), ys.max(), y)
    room = np.abs(colour[None, :] - board[differ]).astype(np.float32)
    assert (np.abs(shown[differ].astype(int) - board[differ]) <= CLOUD_ALPHA * room + 1).all()
    return int(differ.sum())


# ---------------------------------------------------------------- the live game


@dataclass
class Demo:
    """A running demo game: its process, window, stdout and state log."""

    process: subprocess.Popen[bytes]
    window: int
    log_path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    _offset: int = 0
    _cursor: int = 0

    def line(self) -> str:
        """The next stdout line, waiting for it."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], WAIT_S)
        assert ready, "the game printed nothing"
        return self.process.stdout.readline().decode().strip()

    def next_event(self, *events: str) -> dict[str, Any]:
        """The next state-log record whose event is one of `events`, skipping others."""
        deadline = time.monotonic() + WAIT_S
        while True:
            with self.log_path.open("rb") as log:
                log.seek(self._offset)
                chunk = log.read()
            end = chunk.rfind(b"\n") + 1
            self._offset += end
            self.records += [json.loads(raw) for raw in chunk[:end].splitlines()]
            while self._cursor < len(self.records):
                record = self.records[self._cursor]
                self._cursor += 1
                if record["event"] in events:
                    return record
            assert time.monotonic() < deadline, f"no {events} in the state log"
            time.sleep(0.02)


@contextlib.contextmanager
def running_demo(locator: X11Locator, tmp_path: Path, levels: str, *args: str) -> Iterator[Demo]:
    """Start the game on the test display with `levels` (TOML text); yield it once ready."""
    levels_path = tmp_path / "levels.toml"
    levels_path.write_text(levels, encoding="utf-8")
    log_path = tmp_path / "state.jsonl"
    command = [sys.executable, "-m", "bot.demo", "--levels", str(levels_path)]
    command += ["--state-log", str(log_path), "--geometry", f"+{AT[0]}+{AT[1]}", *args]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        demo = Demo(process, 0, log_path)
        assert demo.line() == "ready"
        demo.window = locator.find_by_pid(process.pid)
        yield demo
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=WAIT_S)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def level_toml(name: str, theme: str, labels: Labels) -> str:
    rows = ",\n".join(f'  "{row}"' for row in format_rows(labels))
    return f'[[level]]\nname = "{name}"\ntheme = "{theme}"\nrows = [\n{rows},\n]\n'


def drag(display: str, cell: tuple[int, int], direction: Direction, tiles: float = 0.6) -> None:
    """Drag with XTEST from the centre of `cell` `tiles` tiles towards `direction`."""
    from Xlib import X
    from Xlib.ext import xtest

    layout = make_layout(64)
    box = layout.tile_box(*cell)
    x0, y0 = AT[0] + box.x + box.width // 2, AT[1] + box.y + box.height // 2
    dr, dc = direction.delta
    length = round(tiles * layout.tile_px)
    conn = open_x11(display)
    try:
        xtest.fake_input(conn, X.MotionNotify, x=x0, y=y0)
        xtest.fake_input(conn, X.ButtonPress, 1)
        for step in range(1, 5):
            part = length * step // 4
            xtest.fake_input(conn, X.MotionNotify, x=x0 + dc * part, y=y0 + dr * part)
            conn.sync()
        xtest.fake_input(conn, X.ButtonRelease, 1)
        conn.sync()
    finally:
        conn.close()


def grab_field(demo: Demo, locator: X11Locator) -> tuple[Pixels, float]:
    """The field part of a window grab, and the grab's time.monotonic()."""
    layout = make_layout(64)
    with ScreenSource.of_window(demo.window, locator, RealClock()) as source:
        frame = source.grab()
    f = layout.field
    return frame.pixels[f.y : f.bottom, f.x : f.right], frame.timestamp


def assert_field_shows(shown: Pixels, record: dict[str, Any]) -> None:
    """The grabbed field equals render_board of the record's labels outside the logo."""
    board = render_board(record["labels"], record["theme"], 64, record["texture"])
    logo = logo_mask(make_layout(64))
    assert np.array_equal(shown[~logo], board[~logo])
    assert not np.array_equal(shown[logo], board[logo])


def expected_after(labels: list[list[str]], move: Move) -> list[list[str]]:
    """The labels after `move`, worked out from apply_move's rolls."""
    result = apply_move(balls_from_labels(labels), move)
    grid = [row[:] for row in labels]
    for roll in result.rolls:
        grid[roll.start[0]][roll.start[1]] = EMPTY
    for roll in result.rolls:
        if roll.end is not None:
            grid[roll.end[0]][roll.end[1]] = labels[roll.start[0]][roll.start[1]]
    return grid


@pytest.mark.live
def test_drags_play_by_the_rules(locator: X11Locator, tmp_path: Path, xvfb: str) -> None:
    labels = puzzle_labels(101, 7)
    moves = solve(balls_from_labels(labels))
    assert moves is not None and len(moves) == 6
    with running_demo(locator, tmp_path, level_toml("bay", "ocean", labels)) as demo:
        layout = make_layout(64)
        assert locator.geometry(demo.window) == Region(*AT, layout.width, layout.height)
        assert locator.title(demo.window) == "Tilebot Fling"
        record = demo.next_event("level")
        assert record["labels"] == [list(row) for row in labels] and record["moves"] == 0
        shown, _ = grab_field(demo, locator)
        assert_field_shows(shown, record)
        for n, move in enumerate(moves[:-1], start=1):
            before = record["labels"]
            drag(xvfb, move.cell, move.direction)
            start = demo.next_event("anim_start")
            assert start["kind"] == "roll" and start["cell"] == list(move.cell)
            record = demo.next_event("settled", "rejected", "win")
            assert record["event"] == "settled" and record["moves"] == n
            assert record["labels"] == expected_after(before, move)
            assert record["t"] > start["t"] and record["frames"] >= 1
            shown, _ = grab_field(demo, locator)
            assert_field_shows(shown, record)
        demo.process.terminate()
        assert demo.process.wait(timeout=WAIT_S) == 0  # SIGTERM closes cleanly


@pytest.mark.live
def test_illegal_drags_are_rejected(locator: X11Locator, tmp_path: Path, xvfb: str) -> None:
    grid = [["empty"] * COLS for _ in range(ROWS)]
    grid[3][1], grid[3][2], grid[3][5], grid[0][2] = (
        "red-up",
        "blue-down",
        "green-left",
        "yellow-up",
    )
    labels = tuple(tuple(row) for row in grid)
    with running_demo(locator, tmp_path, level_toml("knot", "desert", labels)) as demo:
        start = demo.next_event("level")
        tries = [
            ((3, 1), Direction.RIGHT, 0.6, "next cell holds a ball"),  # shakes
            ((3, 1), Direction.UP, 0.6, "no ball that way"),  # shakes
            ((0, 0), Direction.DOWN, 0.6, "no ball on that tile"),
            ((3, 5), Direction.DOWN, 0.2, "shorter than a third"),
        ]
        for cell, direction, tiles, reason in tries:
            drag(xvfb, cell, direction, tiles)
            record = demo.next_event("rejected", "settled")
            assert record["event"] == "rejected" and reason in record["reason"]
            assert record["labels"] == start["labels"] and record["moves"] == 0
        shakes = [r for r in demo.records if r["event"] == "anim_start"]
        assert [r["kind"] for r in shakes] == ["shake", "shake"]
        shown, _ = grab_field(demo, locator)
        assert_field_shows(shown, record)
        # The game still plays after refusing: blue flung right pushes green off.
        drag(xvfb, (3, 2), Direction.RIGHT)
        record = demo.next_event("settled", "rejected")
        assert record["event"] == "settled" and record["moves"] == 1
        assert record["labels"] == expected_after(start["labels"], Move((3, 2), Direction.RIGHT))


@pytest.mark.live
def test_solving_wins_and_advances(locator: X11Locator, tmp_path: Path, xvfb: str) -> None:
    first, second = puzzle_labels(7, 3), puzzle_labels(8, 2)
    levels = level_toml("tiny-a", "ocean", first) + level_toml("tiny-b", "night", second)
    with running_demo(locator, tmp_path, levels) as demo:
        for name, theme, labels in (("tiny-a", "ocean", first), ("tiny-b", "night", second)):
            start = demo.next_event("level")
            assert (start["level"], start["theme"]) == (name, theme)
            assert start["labels"] == [list(row) for row in labels]
            if theme == "night":
                shown, when = grab_field(demo, locator)
                board = render_board(labels, theme, 64, start["texture"])
                elapsed = when - start["t"]
                differ = check_cloud_only(shown, board, make_layout(64), elapsed)
                x, _ = cloud_position(64, elapsed)
                width = cloud_sprite(64)[1].shape[1]
                if -0.75 * width < x < COLS * 64 - 0.25 * width:  # a quarter or more shows
                    assert differ > 0
            moves = solve(balls_from_labels(labels))
            assert moves
            for move in moves:
                drag(xvfb, move.cell, move.direction)
                assert demo.next_event("settled", "rejected")["event"] == "settled"
            win = demo.next_event("win")
            assert win["level"] == name and win["moves"] == len(moves)
            assert len(balls_from_labels(win["labels"])) == 1
            assert demo.line() == f"WIN level={name} moves={len(moves)}"
        assert demo.next_event("all_done")["level"] == "tiny-b"
        assert demo.line() == "ALL DONE"
        demo.process.terminate()
        assert demo.process.wait(timeout=WAIT_S) == 0
        events = [r["event"] for r in demo.records]
        assert events.count("level") == 2 and events.count("win") == 2


# ---------------------------------------------------------------- command line


def test_command_line_mistakes_exit_2_naming_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[level]]\ntheme = "lava"\nseed = 1\nballs = 3\n', encoding="utf-8")
    assert demo_main(["--levels", str(bad)]) == 2
    assert f"{bad}: level 1 (lava-1): field 'theme'" in capsys.readouterr().err
    assert demo_main(["--seed", "1", "--level", "7"]) == 2
    assert "--level '7': expected a number 1..6" in capsys.readouterr().err
    assert demo_main(["--seed", "1", "--tile-px", "20"]) == 2
    assert "tile_px 20" in capsys.readouterr().err
