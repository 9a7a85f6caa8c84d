"""Recording format v1: a directory with a manifest, lossless frames and events.jsonl.

    <dir>/manifest.json      {"format": "tilebot-recording", "version": 1, "started_at": ...,
                              "codec": "qoi" | "png", "region": {...} | null,
                              "profile": str | null, "level": str | null, "playing": bool}
    <dir>/frames/000000.qoi  one file per stored frame, written to a temporary name first
                             and renamed into place when complete; with QOI, most files
                             hold the difference to an earlier file (its "base"), and
                             every `keyframe_interval`-th stored frame is whole
    <dir>/events.jsonl       one JSON object per grabbed frame, appended and flushed in order,
                             each only after its frame file is in place

An event: {"i": frame index, "t": seconds since the recording began, "frame": path of the
frame file relative to <dir> (identical consecutive frames share one file), "base": the
file it is a difference to (absent for a whole frame), "size": [w, h],
"origin": [x, y] screen position of pixel (0, 0)}, and when the bot was playing also
"level", "settled", "board" (labels and confidence), "action" (or null) and "stage_ms".
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final, Literal

import cv2
import numpy as np
import qoi
from pydantic import BaseModel, ConfigDict, Field

from bot.frame import Pixels

FORMAT_NAME: Final = "tilebot-recording"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
FRAMES = "frames"

Codec = Literal["qoi", "png"]
EXTENSIONS: MappingProxyType[str, str] = MappingProxyType({"qoi": ".qoi", "png": ".png"})


class RegionModel(BaseModel):
    """A screen region as stored in a manifest."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    x: int
    y: int
    width: int = Field(gt=0)
    height: int = Field(gt=0)


class Manifest(BaseModel):
    """What a recording is: its format, when and where it was made, what was playing."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    format: Literal["tilebot-recording"] = FORMAT_NAME
    version: int
    started_at: str = Field(description="ISO 8601 wall-clock time of the first frame")
    codec: Codec = "qoi"
    keyframe_interval: int = Field(
        1, ge=1, description="every n-th stored frame is whole; the others are differences"
    )
    region: RegionModel | None = None
    source: str = Field("", description="what was captured: window title, pid or region")
    profile: str | None = None
    level: str | None = None
    game_id: str | None = Field(None, description="the game ID the bot was told, if any")
    playing: bool = Field(False, description="events carry the bot's boards and actions")


class Event(BaseModel):
    """One grabbed frame and, when the bot was playing, what it made of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    i: int = Field(ge=0)
    t: float = Field(ge=0)
    frame: str
    base: str | None = None
    size: tuple[int, int]
    origin: tuple[int, int] = (0, 0)
    level: str | None = None
    settled: bool | None = None
    board: dict[str, Any] | None = None
    action: dict[str, Any] | None = None
    stage_ms: dict[str, float] | None = None


def encode(pixels: Pixels, codec: Codec, png_level: int = 1) -> bytes:
    """Encode (H, W, 3) uint8 BGR pixels losslessly; QOI files hold RGB as the format says."""
    if codec == "qoi":
        rgb = np.asarray(cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        return bytes(qoi.encode(rgb))
    ok, buf = cv2.imencode(".png", pixels, [cv2.IMWRITE_PNG_COMPRESSION, png_level])
    if not ok:
        raise ValueError("PNG encoder failed")
    return buf.tobytes()


def decode(data: bytes, codec: Codec) -> Pixels:
    """Decode a frame file's bytes to (H, W, 3) uint8 BGR; ValueError when corrupt."""
    if codec == "qoi":
        try:
            rgb = qoi.decode(data)
        except Exception as exc:  # the binding raises a bare ValueError/RuntimeError
            raise ValueError(f"corrupt QOI data ({exc})") from None
        if rgb is None or rgb.ndim != 3 or rgb.shape[2] not in (3, 4):
            raise ValueError("corrupt QOI data")
        code = cv2.COLOR_RGBA2BGR if rgb.shape[2] == 4 else cv2.COLOR_RGB2BGR
        return np.asarray(cv2.cvtColor(rgb, code), dtype=np.uint8)
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise ValueError("corrupt PNG data")
    return np.asarray(img, dtype=np.uint8)


def difference(pixels: Pixels, base: Pixels) -> Pixels:
    """(pixels - base) modulo 256, per channel: mostly zeros where little moved."""
    return np.subtract(pixels, base, dtype=np.uint8)


def undo_difference(delta: Pixels, base: Pixels) -> Pixels:
    """Inverse of `difference`: (delta + base) modulo 256."""
    return np.add(delta, base, dtype=np.uint8)
