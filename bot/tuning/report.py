"""Inspection pictures and reports: what the reader made of a frame, drawn and tabulated.

`annotate` draws one frame: the level's overlay mask tinted, the grid, each cell's label
and confidence, unknown cells highlighted, and a caption strip with the per-stage
milliseconds. `render_html` puts annotated frames into one self-contained HTML page
(images embedded as base64 data URIs) with a table of each frame's unknown cells.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.board import Board
from bot.errors import FrameError
from bot.frame import Pixels, check_pixels
from bot.profile import GridSpec
from bot.vision.read import CellRead

GRID_BGR = (255, 255, 0)
"""Colour of the grid lines (cyan)."""

UNKNOWN_BGR = (0, 0, 255)
"""Colour of an unknown cell's box and tint (red)."""

OVERLAY_BGR = (255, 0, 255)
"""Tint of the level's overlay mask (magenta)."""

KNOWN_TEXT_BGR = (255, 255, 255)
"""Colour of cell text (outlined in black)."""

CAPTION_BGR = (32, 32, 32)
TINT_ALPHA = 0.45
"""Opacity of the overlay and unknown-cell tints."""

CAPTION_PX = 22
"""Height of the caption strip above the picture, in output pixels."""

MIN_CELL_PX = 64
"""Cells are enlarged (nearest neighbour, whole factors up to MAX_SCALE) to at least this
many output pixels so that their text stays legible."""

MAX_SCALE = 4

_FONT = cv2.FONT_HERSHEY_SIMPLEX


@dataclass(frozen=True, slots=True)
class FrameReport:
    """One inspected frame: where it came from, how it read, and its annotated picture.

    stage_ms: stage name -> milliseconds ("grab", "read"). image: (H, W, 3) uint8 BGR,
    the output of `annotate`. reads: rows x cols CellRead of the reader.
    """

    index: int
    level: str
    stage_ms: Mapping[str, float]
    board: Board
    reads: tuple[tuple[CellRead, ...], ...]
    image: Pixels


def scale_for(grid: GridSpec) -> int:
    """The whole enlargement factor (1..MAX_SCALE) that makes a cell MIN_CELL_PX or more."""
    return int(min(MAX_SCALE, max(1, -(-MIN_CELL_PX // grid.tile_px))))


def annotate(
    pixels: Pixels,
    grid: GridSpec,
    board: Board,
    mask: npt.NDArray[np.bool_] | None = None,
    caption: str = "",
    reads: Sequence[Sequence[CellRead]] | None = None,
) -> Pixels:
    """A new picture of `pixels` with the reading drawn over it.

    pixels: (H, W, 3) uint8 BGR, never modified. board: the read of `grid`'s cells.
    mask: optional (H, W) bool, True over the level's static overlays (tinted OVERLAY_BGR).
    Unknown cells are tinted and boxed UNKNOWN_BGR; grid lines are GRID_BGR; each cell
    shows its label and confidence, an unknown one "?" and, given `reads` (the reader's
    rows x cols CellRead), its best label and score. The picture is enlarged by scale_for(grid)
    and a CAPTION_PX strip holding `caption` is added on top: the result is
    (CAPTION_PX + k*H, k*W, 3) uint8 BGR. Raises FrameError on bad pixels or mask, or a
    board whose shape is not the grid's.
    """
    check_pixels(pixels, "annotate")
    height, width = pixels.shape[:2]
    if (board.rows, board.cols) != (grid.rows, grid.cols):
        raise FrameError(
            f"annotate: board is {board.rows}x{board.cols} cells but the grid "
            f"{grid.rows}x{grid.cols}"
        )
    out = pixels.astype(np.float32)
    if mask is not None:
        if mask.shape != (height, width) or mask.dtype != np.bool_:
            raise FrameError(f"annotate: mask must be ({height}, {width}) bool, got {mask.shape}")
        _tint(out, mask, OVERLAY_BGR)
    unknown = np.zeros((height, width), np.bool_)
    for (r, c), cell in board:
        if cell.is_unknown:
            x, y, w, h = grid.cell_box(r, c)
            unknown[max(y, 0) : y + h, max(x, 0) : x + w] = True
    _tint(out, unknown, UNKNOWN_BGR)
    k = scale_for(grid)
    big = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    if k > 1:
        big = np.asarray(
            cv2.resize(big, (width * k, height * k), interpolation=cv2.INTER_NEAREST), np.uint8
        )
    _draw_grid(big, grid, k)
    for (r, c), cell in board:
        x, y, w, h = (v * k for v in grid.cell_box(r, c))
        if cell.is_unknown:
            cv2.rectangle(big, (x + 2, y + 2), (x + w - 3, y + h - 3), UNKNOWN_BGR, 2)
        text, value = cell.label, cell.confidence
        if cell.is_unknown:
            text, value = (
                ("?", value) if reads is None else (f"?{reads[r][c].best}", reads[r][c].score)
            )
        _text(big, text, (x + 3, y + 3), w - 6, KNOWN_TEXT_BGR)
        _text(big, f"{value:.2f}", (x + 3, y + h // 2), w - 6, KNOWN_TEXT_BGR)
    strip = np.empty((CAPTION_PX, big.shape[1], 3), np.uint8)
    strip[...] = CAPTION_BGR
    _text(strip, caption, (4, 4), big.shape[1] - 8, (240, 240, 240), largest=0.5)
    return np.ascontiguousarray(np.vstack([strip, big]))


def _tint(out: npt.NDArray[np.float32], where: npt.NDArray[np.bool_], bgr: tuple[int, ...]) -> None:
    """Blend `bgr` over out[where] at TINT_ALPHA, in place (out is a private float copy)."""
    if where.any():
        out[where] = out[where] * (1 - TINT_ALPHA) + np.asarray(bgr, np.float32) * TINT_ALPHA


def _draw_grid(image: Pixels, grid: GridSpec, k: int) -> None:
    """Draw every cell's outline in GRID_BGR onto `image` (enlarged k times), in place."""
    for r in range(grid.rows):
        for c in range(grid.cols):
            x, y, w, h = (v * k for v in grid.cell_box(r, c))
            cv2.rectangle(image, (x, y), (x + w - 1, y + h - 1), GRID_BGR, 1)


def _text(
    image: Pixels,
    text: str,
    top_left: tuple[int, int],
    max_width: int,
    colour: tuple[int, int, int],
    largest: float = 0.4,
) -> None:
    """Write `text` with a dark outline, its top-left at `top_left`, shrunk (down to 0.3)
    and then cut to fit `max_width` pixels; in place."""
    if not text or max_width < 8:
        return
    scale = largest
    (w, h), _ = cv2.getTextSize(text, _FONT, scale, 1)
    if w > max_width:
        scale = max(0.3, largest * max_width / w)
    while len(text) > 1 and cv2.getTextSize(text, _FONT, scale, 1)[0][0] > max_width:
        text = text[:-1]
    h = cv2.getTextSize(text, _FONT, scale, 1)[0][1]
    x, y = top_left[0], top_left[1] + h
    # The outline is the text itself moved a pixel each way: a thicker stroke would also
    # widen Hershey glyphs' advance and drift away from the text along a long line.
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        cv2.putText(image, text, (x + dx, y + dy), _FONT, scale, (0, 0, 0), 1, cv2.LINE_AA)
    cv2.putText(image, text, (x, y), _FONT, scale, colour, 1, cv2.LINE_AA)


def encode_png(image: Pixels) -> bytes:
    """PNG bytes of a (H, W, 3) uint8 BGR picture; FrameError when it cannot be encoded."""
    check_pixels(image, "encode_png")
    ok, buffer = cv2.imencode(".png", image)
    if not ok:
        raise FrameError(f"encode_png: the PNG encoder failed for {image.shape}")
    return buffer.tobytes()


def caption_for(report_index: int, level: str, stage_ms: Mapping[str, float], board: Board) -> str:
    """The caption line of a frame: index, level, stage milliseconds, unknown count."""
    ms = "  ".join(f"{name} {value:.1f} ms" for name, value in stage_ms.items())
    cells = board.rows * board.cols
    return f"frame {report_index}  level {level}  {ms}  unknown {board.unknown_count}/{cells}"


_STYLE = """
body { font-family: sans-serif; margin: 12px; background: #fafafa; color: #222; }
section { margin-bottom: 28px; }
img { display: block; max-width: 100%; image-rendering: pixelated; }
table { border-collapse: collapse; margin-top: 6px; font-size: 13px; }
td, th { border: 1px solid #bbb; padding: 2px 6px; text-align: left; }
h1 { font-size: 18px; margin: 0 0 8px 0; } h2 { font-size: 15px; margin: 8px 0 4px 0; }
"""


def render_html(title: str, summary: Sequence[str], frames: Sequence[FrameReport]) -> str:
    """One self-contained HTML page: `summary` lines, then per frame its annotated picture
    (a PNG data URI), its stage milliseconds and a table of its unknown cells (best label,
    score, margin, path and offset the reader found)."""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    parts += [f"<p>{html.escape(line)}</p>" for line in summary]
    for frame in frames:
        data = base64.b64encode(encode_png(frame.image)).decode("ascii")
        ms = ", ".join(f"{name} {value:.2f} ms" for name, value in frame.stage_ms.items())
        unknown = frame.board.unknown_count
        parts.append(f"<section id='frame-{frame.index}'>")
        parts.append(f"<h2>frame {frame.index}, level {html.escape(frame.level)}</h2>")
        parts.append(f"<img alt='frame {frame.index}' src='data:image/png;base64,{data}'>")
        parts.append(f"<p>{html.escape(ms)}; {unknown} unknown cells</p>")
        parts.append(_unknown_table(frame))
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _unknown_table(frame: FrameReport) -> str:
    rows = []
    for (r, c), cell in frame.board:
        if not cell.is_unknown:
            continue
        read = frame.reads[r][c]
        dx, dy = read.offset_xy
        cells = (
            f"({r}, {c})",
            read.best,
            f"{read.score:.3f}",
            f"{read.margin:.3f}",
            read.path,
            f"{dx:+d}, {dy:+d}",
        )
        rows.append("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in cells) + "</tr>")
    if not rows:
        return "<p>no unknown cells</p>"
    head = "".join(
        f"<th>{h}</th>" for h in ("cell", "best label", "score", "margin", "path", "offset x, y")
    )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"
