"""Inspection pictures and the HTML report, down to what a browser shows of it."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from bot.board import UNKNOWN, Board, Cell
from bot.errors import FrameError
from bot.frame import Frame
from bot.profile import load_profile
from bot.recording import Recording
from bot.settle import regions_mask
from bot.tuning.report import (
    CAPTION_PX,
    GRID_BGR,
    OVERLAY_BGR,
    TINT_ALPHA,
    UNKNOWN_BGR,
    FrameReport,
    annotate,
    render_html,
    scale_for,
)
from bot.vision.read import CellRead, load_bank, read_cells
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "profiles" / "fling.toml"


def ocean_read() -> tuple[Frame, Board, tuple[tuple[CellRead, ...], ...]]:
    """The golden ocean session's first settled frame and the reader's view of it."""
    recording = Recording.open(ROOT / "recordings" / "fling-ocean")
    frame = recording.load(next(e for e in recording.events if e.settled))
    level = load_profile(PROFILE).level("ocean")
    mask = regions_mask(frame.height, frame.width, level.overlay_regions)
    board, reads = read_cells(frame, level, load_bank(PROFILE, level), mask)
    return frame, board, reads


def with_unknown(board: Board, cells: set[tuple[int, int]]) -> Board:
    """`board` with `cells` declined."""
    return Board(
        tuple(
            tuple(Cell(UNKNOWN, 0.0) if (r, c) in cells else cell for c, cell in enumerate(row))
            for r, row in enumerate(board.cells)
        )
    )


def test_annotate_draws_grid_unknown_cells_and_overlay() -> None:
    frame, board, reads = ocean_read()
    level = load_profile(PROFILE).level("ocean")
    grid = level.grid
    mask = regions_mask(frame.height, frame.width, level.overlay_regions)
    before = frame.pixels.copy()

    known = annotate(frame.pixels, grid, board, mask, "caption")
    doubted = annotate(frame.pixels, grid, with_unknown(board, {(3, 3)}), mask, "caption", reads)

    assert np.array_equal(frame.pixels, before)
    k = scale_for(grid)
    assert k == 1
    assert known.shape == (CAPTION_PX + frame.height, frame.width, 3)
    x, y, _, h = grid.cell_box(3, 3)
    assert tuple(known[CAPTION_PX + y + h // 2, x]) == GRID_BGR
    # The declined cell is tinted red and boxed; the rest of the picture is as it was.
    inner = (slice(CAPTION_PX + y + 6, CAPTION_PX + y + 14), slice(x + 40, x + 60))
    red_shift = doubted[inner].astype(int) - known[inner].astype(int)
    assert red_shift[..., 2].mean() > 20 and red_shift[..., 0].mean() < -20
    assert tuple(doubted[CAPTION_PX + y + h // 2, x + 3]) == UNKNOWN_BGR
    other = (slice(CAPTION_PX + 200, CAPTION_PX + 240), slice(20, 60))
    assert np.array_equal(doubted[other], known[other])
    # The logo's region is tinted magenta, pixel for pixel.
    rx, ry, _, rh = level.overlay_regions[0]
    px, py = rx + 20, ry + rh - 3
    tinted = before[py, px] * (1 - TINT_ALPHA) + np.asarray(OVERLAY_BGR) * TINT_ALPHA
    assert np.abs(known[CAPTION_PX + py, px].astype(float) - tinted).max() <= 1


def test_small_tiles_are_enlarged_for_their_text() -> None:
    frame, _, _ = ocean_read()
    grid = load_profile(PROFILE).level("ocean").grid.model_copy(update={"tile_px": 16})
    small = Board.from_labels([["empty"] * grid.cols for _ in range(grid.rows)])

    out = annotate(frame.pixels, grid, small)

    assert scale_for(grid) == 4
    assert out.shape == (CAPTION_PX + 4 * frame.height, 4 * frame.width, 3)
    x, y, _, _ = grid.cell_box(1, 1)
    assert tuple(out[CAPTION_PX + 4 * y + 10, 4 * x]) == GRID_BGR


def test_a_board_of_another_shape_is_refused() -> None:
    frame, board, _ = ocean_read()
    grid = load_profile(PROFILE).level("ocean").grid.model_copy(update={"rows": 7})

    with pytest.raises(FrameError, match=r"annotate: board is 8x7 cells but the grid 7x7"):
        annotate(frame.pixels, grid, board)


def report_for(frame: Frame, board: Board, reads: tuple[tuple[CellRead, ...], ...]) -> str:
    level = load_profile(PROFILE).level("ocean")
    image = annotate(frame.pixels, level.grid, board, None, "frame 4", reads)
    stage_ms = {"grab": 1.25, "read": 12.5}
    frames = [FrameReport(frame.index, "ocean", stage_ms, board, reads, image)]
    return render_html("inspect <ocean>", ["source x & y"], frames)


def test_the_report_embeds_the_picture_and_tables_unknown_cells() -> None:
    frame, board, reads = ocean_read()
    doubted = with_unknown(board, {(2, 1), (5, 4)})

    page = report_for(frame, doubted, reads)

    assert "<title>inspect &lt;ocean&gt;</title>" in page
    assert "source x &amp; y" in page
    assert "grab 1.25 ms, read 12.50 ms; 2 unknown cells" in page
    data = re.search(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert data is not None
    decoded = cv2.imdecode(np.frombuffer(base64.b64decode(data.group(1)), np.uint8), 1)
    assert decoded is not None
    level = load_profile(PROFILE).level("ocean")
    assert np.array_equal(
        decoded, annotate(frame.pixels, level.grid, doubted, None, "frame 4", reads)
    )
    rows = re.findall(r"<tr><td>\((\d), (\d)\)</td><td>([^<]+)</td><td>([^<]+)</td>", page)
    assert [(r, c, best) for r, c, best, _ in rows] == [
        ("2", "1", reads[2][1].best),
        ("5", "4", reads[5][4].best),
    ]
    assert rows[0][3] == f"{reads[2][1].score:.3f}"
    assert f"<td>{reads[5][4].path}</td>" in page


def test_a_frame_with_nothing_unknown_says_so() -> None:
    frame, board, reads = ocean_read()

    assert "<p>no unknown cells</p>" in report_for(frame, board, reads)


def missing_chromium() -> str | None:
    """Why the report cannot be shown in a browser here, or None when it can."""
    if shutil.which("chromium") is None:
        return "chromium is not installed (Debian package chromium)"
    return None


def test_a_browser_shows_the_embedded_frame(tmp_path: Path) -> None:
    require(missing_chromium())
    frame, board, reads = ocean_read()
    page = tmp_path / "report.html"
    page.write_text(report_for(frame, with_unknown(board, {(1, 1)}), reads), encoding="utf-8")
    shot = tmp_path / "shot.png"
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={home / 'profile'}",
            "--window-size=1200,900",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        env=env,
        check=True,
        capture_output=True,
    )

    image = cv2.imread(str(shot))
    assert image is not None and image.shape == (900, 1200, 3)
    grid_px = np.abs(image.astype(int) - GRID_BGR).max(axis=2) <= 8
    # 7 x 8 cells of 64 px outlined: thousands of grid-coloured pixels, nothing else
    # on the page is that colour.
    assert grid_px.sum() > 3000
    boxed = np.abs(image.astype(int) - UNKNOWN_BGR).max(axis=2) <= 8
    assert boxed.sum() > 200
