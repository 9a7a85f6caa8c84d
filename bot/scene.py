"""Which screen is showing: a frame against a bank of reference screens.

A scene (menu, a level's theme, game over, a popup) is kept as one or a few example
screens shrunk to small thumbnails. A frame is shrunk the same way and compared with
every scene by three measures: SSIM of the grey thumbnails (layout), RMSE of the colour
thumbnails over 255 (look) and the Hellinger distance of the colour histograms (palette,
blind to where things are). With several examples a part of the frame counts as
matching when it matches that part of any example (the per-pixel best SSIM and smallest
error), so a level with boards in many states is told by its frame, background, palette
and tile shapes rather than by one board. The scene distance is the mean of
(1 - SSIM) / 2, NRMSE and the histogram distance; the nearest scene wins when close
enough, else the scene is unknown.

A bank is data, saved as a folder: `scenes.json` and one PNG thumbnail per example.

    {"format": "tilebot-scenes", "version": 1, "thumbnail_px": [64, 40],
     "scenes": [{"name": "menu", "files": ["menu.0.png"]}, ...]}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError, ProfileError
from bot.frame import Frame, Pixels, check_pixels

FloatArray = npt.NDArray[np.float32]

FORMAT_NAME = "tilebot-scenes"
FORMAT_VERSION = 1
INDEX = "scenes.json"
THUMBNAIL_PX = (64, 40)
"""Default thumbnail size (width, height)."""
MAX_DISTANCE = 0.25
"""Default largest scene distance (0 same, 1 opposite) still accepted as a match."""
MIN_MARGIN = 0.02
"""Default smallest lead over the runner-up: a screen about as near two scenes is unknown."""
MAX_EXAMPLES = 8
"""Most example screens one scene may have."""
HIST_BINS = 4
"""Histogram bins per colour channel (4 x 4 x 4 in all)."""
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2
_SIGMA = 1.5


@dataclass(frozen=True, slots=True)
class SceneScore:
    """How a frame compares with one scene.

    ssim: structural similarity of grey thumbnails, -1..1 (1 identical). nrmse: RMSE of
    colour thumbnails over 255, 0..1. hist: Hellinger distance of colour histograms,
    0..1. distance: the mean of (1 - ssim) / 2, nrmse and hist, 0..1 (0 identical).
    """

    ssim: float
    nrmse: float
    hist: float
    distance: float


@dataclass(frozen=True, slots=True)
class SceneMatch:
    """The verdict for one frame.

    name: the nearest scene, or None when none is close enough (an unknown scene).
    scores: every scene's SceneScore by name. margin: the runner-up's distance minus
    the best's (1.0 with a single scene, 0.0 with none).
    """

    name: str | None
    scores: Mapping[str, SceneScore]
    margin: float


@dataclass(frozen=True, slots=True)
class _Probe:
    """A thumbnail with what every comparison needs of it."""

    colour: FloatArray  # (h, w, 3)
    grey: FloatArray  # (h, w)
    mean: FloatArray  # (h, w) local mean of grey
    var: FloatArray  # (h, w) local variance of grey
    hist: FloatArray  # (bins,) sums to 1


@dataclass(frozen=True, slots=True)
class _Stack:
    """Every example of every scene side by side, made once per bank.

    Example slot k of scene s sits at index k * scenes + s of the last axis; scenes with
    fewer examples than the most repeat their first (a repeat changes no best match).
    """

    slots: int
    grey: FloatArray  # (h, w, e)
    mean: FloatArray  # (h, w, e) local mean of grey
    mean2: FloatArray  # (h, w, e) 2 * mean
    mean_sq: FloatArray  # (h, w, e) mean ** 2 + C1
    var: FloatArray  # (h, w, e) local variance + C2
    colour: FloatArray  # (e, 3 * h * w): each example's channel planes, one after another
    hist: FloatArray  # (scenes, bins): each scene's mean example histogram


@dataclass(frozen=True, slots=True)
class SceneBank:
    """Named scenes, each one to MAX_EXAMPLES thumbnails (h, w, 3) uint8 BGR of size
    `thumbnail_px` = (w, h).

    Build one from full-size screens with `SceneBank.build`; `save` and `load` keep it
    as PNG files and a JSON index.
    """

    thumbnail_px: tuple[int, int]
    examples: Mapping[str, tuple[Pixels, ...]]
    _stack: _Stack | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        w, h = self.thumbnail_px
        if w < 8 or h < 8:
            raise FrameError(f"scene thumbnails must be at least 8x8 px, got {w}x{h}")
        for name, thumbs in self.examples.items():
            _check_name(name)
            if not 1 <= len(thumbs) <= MAX_EXAMPLES:
                raise FrameError(f"scene {name!r}: needs 1 to {MAX_EXAMPLES} examples")
            for k, thumb in enumerate(thumbs):
                check_pixels(thumb, what=f"scene {name!r} example {k}")
                if thumb.shape[:2] != (h, w):
                    raise FrameError(
                        f"scene {name!r} example {k}: thumbnail is {thumb.shape[1]}x"
                        f"{thumb.shape[0]}, the bank's size is {w}x{h}"
                    )
        frozen = {name: tuple(thumbs) for name, thumbs in self.examples.items()}
        object.__setattr__(self, "examples", MappingProxyType(frozen))
        object.__setattr__(self, "_stack", _stack(frozen) if frozen else None)

    @classmethod
    def build(
        cls,
        references: Mapping[str, Pixels | Sequence[Pixels]],
        thumbnail_px: tuple[int, int] = THUMBNAIL_PX,
    ) -> SceneBank:
        """A bank of `references`: name -> one screen, or a few screens of one scene.

        Each screen: (H, W, 3) uint8 BGR of any size (shrunk to the thumbnail size).
        Names: letters, digits, `_` and `-`, up to 64, starting with a letter or digit.
        """
        examples = {}
        for name, given in references.items():
            screens = [given] if isinstance(given, np.ndarray) else list(given)
            for k, image in enumerate(screens):
                check_pixels(image, what=f"scene {name!r} example {k}")
            examples[name] = tuple(thumbnail(x, thumbnail_px) for x in screens)
        return cls(thumbnail_px, examples)

    @property
    def names(self) -> tuple[str, ...]:
        """The scene names, in the order they were given."""
        return tuple(self.examples)

    def save(self, folder: str | Path) -> None:
        """Write the bank into `folder` (created if needed): scenes.json and NAME.K.png."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        scenes = []
        for name, thumbs in self.examples.items():
            files = [f"{name}.{k}.png" for k in range(len(thumbs))]
            for file, thumb in zip(files, thumbs, strict=True):
                if not cv2.imwrite(str(folder / file), thumb):
                    raise FrameError(f"{folder / file}: cannot write scene {name!r}")
            scenes.append({"name": name, "files": files})
        index = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "thumbnail_px": list(self.thumbnail_px),
            "scenes": scenes,
        }
        (folder / INDEX).write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path) -> SceneBank:
        """Read a bank saved by `save`; ProfileError naming the file and field when damaged."""
        folder = Path(folder)
        path = folder / INDEX
        index = _read_index(path)
        w, h = index["thumbnail_px"]
        examples: dict[str, tuple[Pixels, ...]] = {}
        for n, entry in enumerate(index["scenes"]):
            name, files = entry["name"], entry["files"]
            where = f"{path}: scenes.{n}"
            if not isinstance(name, str) or not NAME.match(name):
                raise ProfileError([f"{where}.name: {name!r} is not a valid scene name"])
            if name in examples:
                raise ProfileError([f"{where}.name: scene {name!r} appears twice"])
            if not isinstance(files, list) or not 1 <= len(files) <= MAX_EXAMPLES:
                raise ProfileError([f"{where}.files: expected 1 to {MAX_EXAMPLES} file names"])
            examples[name] = tuple(
                _read_png(folder, file, f"{where}.files.{k}", (w, h))
                for k, file in enumerate(files)
            )
        return cls((w, h), examples)


def thumbnail(pixels: Pixels, size: tuple[int, int] = THUMBNAIL_PX) -> Pixels:
    """`pixels` ((H, W, 3) uint8 BGR) shrunk to size (w, h) by area averaging; a new array.

    Halves the image while it is at least four times the size (fast), then resizes.
    """
    w, h = size
    small = pixels
    while small.shape[1] >= 4 * w and small.shape[0] >= 4 * h:
        half = (small.shape[1] // 2, small.shape[0] // 2)
        small = np.asarray(cv2.resize(small, half, interpolation=cv2.INTER_AREA), np.uint8)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def identify(
    frame: Frame | Pixels,
    bank: SceneBank,
    *,
    max_distance: float = MAX_DISTANCE,
    min_margin: float = MIN_MARGIN,
) -> SceneMatch:
    """Which of the bank's scenes `frame` shows, or None (unknown) when none is close.

    frame: a Frame or (H, W, 3) uint8 BGR pixels; never modified. A match needs a
    distance of at most `max_distance` and a lead of at least `min_margin` over the
    runner-up. Under a millisecond for a 1920x1080 frame against 8 scenes, about half
    of it spent shrinking the frame.
    """
    pixels = frame.pixels if isinstance(frame, Frame) else frame
    check_pixels(pixels, what="frame")
    refs = bank._stack
    if refs is None:
        return SceneMatch(None, MappingProxyType({}), 0.0)
    ssim, nrmse, hist = _compare(_probe(thumbnail(pixels, bank.thumbnail_px)), refs)
    distance = ((1.0 - ssim) / 2.0 + nrmse + hist) / 3.0
    scores = {
        name: SceneScore(float(ssim[k]), float(nrmse[k]), float(hist[k]), float(distance[k]))
        for k, name in enumerate(bank.names)
    }
    order = np.argsort(distance, kind="stable")
    best = float(distance[order[0]])
    margin = float(distance[order[1]]) - best if len(order) > 1 else 1.0
    name = bank.names[int(order[0])] if best <= max_distance and margin >= min_margin else None
    return SceneMatch(name, MappingProxyType(scores), margin)


def _probe(thumb: Pixels) -> _Probe:
    grey = np.asarray(cv2.cvtColor(thumb, cv2.COLOR_BGR2GRAY), np.float32)
    mean = np.asarray(cv2.GaussianBlur(grey, (0, 0), _SIGMA), np.float32)
    var = np.asarray(cv2.GaussianBlur(grey * grey, (0, 0), _SIGMA), np.float32) - mean * mean
    return _Probe(thumb.astype(np.float32), grey, mean, var, _histogram(thumb))


def _histogram(thumb: Pixels) -> FloatArray:
    """The (bins,) colour histogram of an (h, w, 3) uint8 image, summing to 1."""
    levels = (thumb // (256 // HIST_BINS)).astype(np.intp)
    codes = (levels[..., 0] * HIST_BINS + levels[..., 1]) * HIST_BINS + levels[..., 2]
    hist = np.bincount(codes.ravel(), minlength=HIST_BINS**3).astype(np.float32)
    return hist / np.float32(codes.size)


def _stack(examples: Mapping[str, tuple[Pixels, ...]]) -> _Stack:
    """The bank's examples prepared side by side."""
    scenes = list(examples.values())
    slots = max(len(thumbs) for thumbs in scenes)
    probes = [
        _probe(thumbs[k if k < len(thumbs) else 0]) for k in range(slots) for thumbs in scenes
    ]
    hists = [np.mean([_histogram(t) for t in thumbs], axis=0) for thumbs in scenes]
    mean = np.stack([p.mean for p in probes], axis=-1)
    return _Stack(
        slots=slots,
        grey=np.stack([p.grey for p in probes], axis=-1),
        mean=mean,
        mean2=2 * mean,
        mean_sq=mean * mean + np.float32(_C1),
        var=np.stack([p.var for p in probes], axis=-1) + np.float32(_C2),
        colour=np.stack([_planes(p.colour) for p in probes]),
        hist=np.stack(hists).astype(np.float32),
    )


def _compare(p: _Probe, r: _Stack) -> tuple[FloatArray, FloatArray, FloatArray]:
    """SSIM, NRMSE and Hellinger distance of the probe to every scene: (scenes,) each."""
    h, w, e = r.grey.shape
    n = h * w
    pm, pv = p.mean[..., None], p.var[..., None]
    cov = np.asarray(cv2.GaussianBlur(p.grey[..., None] * r.grey, (0, 0), _SIGMA), np.float32)
    cov = cov.reshape(r.grey.shape) - pm * r.mean  # OpenCV drops a last axis of length 1
    num = (pm * r.mean2 + np.float32(_C1)) * (2 * cov + np.float32(_C2))
    den = (pm * pm + r.mean_sq) * (pv + r.var)
    ssim_map = _best_of_slots(np.asarray(num / den, np.float32).reshape(n, e), r.slots, np.maximum)
    diff = r.colour - _planes(p.colour)
    diff *= diff
    per_pixel = diff[:, :n] + diff[:, n : 2 * n] + diff[:, 2 * n :]
    sq = _best_of_slots(np.asarray(per_pixel.T, np.float32), r.slots, np.minimum)
    ones = np.ones(n, np.float32)
    ssim = ones @ ssim_map / n
    nrmse = np.sqrt(ones @ sq / (3 * n)) / 255.0
    overlap = np.sum(np.sqrt(p.hist[None, :] * r.hist), axis=1)
    hist = np.sqrt(np.clip(1.0 - overlap, 0.0, 1.0))
    return ssim.astype(np.float32), nrmse.astype(np.float32), hist.astype(np.float32)


def _planes(colour: FloatArray) -> FloatArray:
    """An (h, w, 3) image as its three channel planes in a row: (3 * h * w,)."""
    return np.ascontiguousarray(colour.transpose(2, 0, 1)).ravel()


def _best_of_slots(values: FloatArray, slots: int, pick: np.ufunc) -> FloatArray:
    """(n, slots * scenes) -> (n, scenes): per pixel, the best over each scene's slots."""
    scenes = values.shape[1] // slots
    best = values[:, :scenes].copy()
    for k in range(1, slots):
        pick(best, values[:, k * scenes : (k + 1) * scenes], out=best)
    return best


def _check_name(name: str) -> None:
    if not isinstance(name, str) or not NAME.match(name):
        raise FrameError(
            f"scene name {name!r}: use letters, digits, '_' and '-' (up to 64), "
            "starting with a letter or digit"
        )


def _read_png(folder: Path, file: object, where: str, size: tuple[int, int]) -> Pixels:
    """One example thumbnail of the bank; ProfileError naming the field when bad."""
    if not isinstance(file, str) or Path(file).name != file:
        raise ProfileError([f"{where}: {file!r} must be a file name in {folder}"])
    image = cv2.imread(str(folder / file), cv2.IMREAD_COLOR)
    if image is None:
        raise ProfileError([f"{where}: {folder / file} is missing or not an image"])
    w, h = size
    if image.shape[:2] != (h, w):
        raise ProfileError([f"{where}: {file} is {image.shape[1]}x{image.shape[0]}, not {w}x{h}"])
    return np.asarray(image, dtype=np.uint8)


def _read_index(path: Path) -> dict[str, Any]:
    """The bank's index, checked for shape; ProfileError naming file and field otherwise."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError([f"{path}: no such scene bank index"]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProfileError([f"{path}: unreadable scene bank index: {exc}"]) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT_NAME:
        raise ProfileError([f"{path}: format: expected {FORMAT_NAME!r}"])
    if raw.get("version") != FORMAT_VERSION:
        raise ProfileError([f"{path}: version: {raw.get('version')!r} is not {FORMAT_VERSION}"])
    size = raw.get("thumbnail_px")
    if not (
        isinstance(size, list)
        and len(size) == 2
        and all(isinstance(v, int) and v >= 8 for v in size)
    ):
        raise ProfileError([f"{path}: thumbnail_px: expected [width, height], each >= 8"])
    scenes = raw.get("scenes")
    if not isinstance(scenes, list) or not all(
        isinstance(s, dict) and set(s) == {"name", "files"} for s in scenes
    ):
        raise ProfileError([f"{path}: scenes: expected a list of {{name, files}} objects"])
    return raw
