"""Annotated replay reports: what the bot saw, with its grid, labels and actions drawn."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from types import MappingProxyType

import cv2
import numpy as np

from bot.board import Board
from bot.frame import Pixels
from bot.loop import Step
from bot.profile import GridSpec, Profile
from bot.recording import Recording

_ARROWS = MappingProxyType({"up": "^", "down": "v", "left": "<", "right": ">"})


def short_label(label: str) -> str:
    """A two-character tag: "r^" for red-up, "." for empty, "?" for unknown."""
    if label == "empty":
        return "."
    if label == "unknown":
        return "?"
    colour, _, direction = label.partition("-")
    return colour[:1] + _ARROWS.get(direction, direction[:1])


def annotate(pixels: Pixels, grid: GridSpec, board: Board, action: str | None) -> Pixels:
    """A copy of `pixels` ((H, W, 3) uint8 BGR) with each cell boxed and tagged: green for a
    read label, red for unknown; the action, if any, written at the top."""
    out = np.ascontiguousarray(pixels.copy())
    for (r, c), cell in board:
        x, y, w, h = grid.cell_box(r, c)
        colour = (0, 0, 230) if cell.is_unknown else (0, 200, 0)
        cv2.rectangle(out, (x + 1, y + 1), (x + w - 2, y + h - 2), colour, 1)
        cv2.putText(
            out,
            short_label(cell.label),
            (x + 3, y + 14),
            cv2.FONT_HERSHEY_PLAIN,
            0.9,
            (255, 255, 255),
            2,
            cv2.LINE_AA,
        )
        cv2.putText(
            out,
            short_label(cell.label),
            (x + 3, y + 14),
            cv2.FONT_HERSHEY_PLAIN,
            0.9,
            colour,
            1,
            cv2.LINE_AA,
        )
    if action:
        cv2.putText(out, action, (4, 14), cv2.FONT_HERSHEY_PLAIN, 1.0, (0, 0, 0), 3)
        cv2.putText(out, action, (4, 14), cv2.FONT_HERSHEY_PLAIN, 1.0, (0, 255, 255), 1)
    return out


def write_report(recording: Recording, steps: Sequence[Step], profile: Profile, out: Path) -> Path:
    """Write one PNG per frame the bot acted on (and the last read) plus an index.html."""
    out.mkdir(parents=True, exist_ok=True)
    by_index = {e.i: e for e in recording.events}
    chosen = [s for s in steps if s.action is not None]
    last_read = next((s for s in reversed(steps) if s.board is not None), None)
    if last_read is not None and last_read not in chosen:
        chosen.append(last_read)
    rows = []
    for step in chosen:
        assert step.board is not None
        frame = recording.load(by_index[step.index])
        grid = profile.level(step.level).grid
        action = None
        if step.action is not None:
            action = f"{type(step.action).__name__} {getattr(step.action, 'cell', '')}"
            direction = getattr(step.action, "direction", None)
            action += f" {direction.value}" if direction is not None else ""
        image = annotate(frame.pixels, grid, step.board, action)
        name = f"frame-{step.index:06d}.png"
        cv2.imwrite(str(out / name), image)
        ms = ", ".join(f"{k} {v:.2f}" for k, v in step.stage_ms.items())
        rows.append(
            f"<figure><img src='{name}'><figcaption>frame {step.index}, t={step.t:.3f} s, "
            f"level {html.escape(str(step.level))}: {html.escape(action or 'no action')}; "
            f"{step.board.unknown_count} unknown; ms: {html.escape(ms)}</figcaption></figure>"
        )
    page = (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(recording.path.name)}</title>"
        f"<h1>{html.escape(recording.path.name)}</h1>" + "\n".join(rows)
    )
    (out / "index.html").write_text(page, encoding="utf-8")
    _write_top_index(out.parent)
    return out / "index.html"


def _write_top_index(folder: Path) -> None:
    links = "".join(
        f"<li><a href='{p.name}/index.html'>{html.escape(p.name)}</a></li>"
        for p in sorted(folder.iterdir())
        if (p / "index.html").is_file()
    )
    (folder / "index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>Tilebot demo</title><ul>{links}</ul>",
        encoding="utf-8",
    )
