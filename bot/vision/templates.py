"""Labelled template banks: build them from labelled tiles, save and load them as data, match.

A bank holds, per label, the mean of its sample tiles and a weight map (how much each
pixel can be trusted: the inverse of its variance across samples, so a ball's textured
background counts little and the ball itself much). Matching is weighted normalised
cross-correlation (NCC): invariant to brightness gain and offset, in [-1, 1], 1 a perfect
match. Every tile is scored against every template at once as a handful of matrix
products over tiles shrunk to `fast_px` (a 64 px tile to 16 px: block means).

Files: `<name>.npz` (numeric arrays only, loaded with allow_pickle=False) beside
`<name>.json` (labels, sizes, provenance). Nothing is ever pickled.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import FrameError, TilebotError

FloatArray = npt.NDArray[np.float32]

BANK_FORMAT = 1
"""Version of the bank file layout."""

VAR_FLOOR = 8.0
"""Smallest per-pixel variance (levels squared) in a weight map: noise and compression
never vanish, and without a floor a pixel that never changed in training would dominate."""

PRIOR_SAMPLES = 4.0
"""How many samples' worth of the pooled variance a label's own variance is blended with,
so that a label seen once or twice still gets a sensible weight map."""

VEIL_ALPHA_MAX = 0.5
"""Most opaque veil `veiled_scores` explains away: content must stay at least half visible,
so an opaque cover is never taken for a veil."""

VEIL_STARTS = (0.5, 0.3)
"""Opacities the veil colour is first guessed at (the fit keeps the best start per label)."""

VEIL_ITERATIONS = 6
"""Alternations between the veil's opacities and its colour."""

ONE_THREAD_MACS = 65536 * 4
"""Largest matrix product (multiply-adds) OpenBLAS computes on the calling thread by
default (its GEMM_MULTITHREAD_THRESHOLD of 4 times 65536)."""

LabelRotation = Callable[[str, int], str | None]
"""Maps (label, quarter turns clockwise in 1..3) to the rotated tile's label, or None."""


class BankError(TilebotError):
    """A template bank is missing, damaged, or does not fit what it is used for."""


@dataclass(frozen=True, slots=True, eq=False)
class Matcher:
    """A bank prepared for scoring: flat templates and the sums that never change.

    templates, weights: (K, D) float32 with D = fast_px * fast_px * 3; a pixel's weight
    is the same in its three channels, and pixel_weights (K, D / 3) holds it once.
    """

    templates: FloatArray
    weights: FloatArray
    weighted: FloatArray  # weights * templates
    sum_w: FloatArray  # (K,)
    sum_wt: FloatArray  # (K,)
    sum_wtt: FloatArray  # (K,)
    pixel_weights: FloatArray

    @classmethod
    def of(cls, means: FloatArray, weights: FloatArray) -> Matcher:
        """Prepare (K, f, f, 3) means with (K, f, f) weights."""
        k = means.shape[0]
        t = means.reshape(k, -1).astype(np.float32)
        w = np.repeat(weights[..., None], 3, axis=-1).reshape(k, -1).astype(np.float32)
        wt = w * t
        pixel = np.ascontiguousarray(weights.reshape(k, -1), dtype=np.float32)
        return cls(t, w, wt, w.sum(axis=1), wt.sum(axis=1), (wt * t).sum(axis=1), pixel)

    def scores(self, tiles: FloatArray, keep: FloatArray | None = None) -> FloatArray:
        """Weighted NCC of every tile against every template: (N, K) float32 in [-1, 1].

        tiles: (N, D) float32 shrunk tiles. keep: (N, D) float32 in [0, 1], the fraction
        of each shrunk pixel that counts (a static overlay's share counts zero); the
        tiles' values must then be means over the kept part alone.
        """
        if keep is None:
            # The weights repeat over a pixel's channels: sum the channels first.
            sq = tiles * tiles
            sw = self.sum_w[None, :]
            swa = _times_t(_channel_sums(tiles), self.pixel_weights)
            swaa = _times_t(_channel_sums(sq), self.pixel_weights)
            swt = self.sum_wt[None, :]
            swtt = self.sum_wtt[None, :]
            swat = _times_t(tiles, self.weighted)
        else:
            ka = keep * tiles
            sw = _times_t(keep, self.weights)
            swa = _times_t(ka, self.weights)
            swaa = _times_t(ka * tiles, self.weights)
            swt = _times_t(keep, self.weighted)
            swtt = _times_t(keep, self.weighted * self.templates)
            swat = _times_t(ka, self.weighted)
        safe = np.maximum(sw, 1e-6)
        cov = swat - swa * swt / safe
        var_a = np.maximum(swaa - swa * swa / safe, 0.0)
        var_t = np.maximum(swtt - swt * swt / safe, 0.0)
        denom = np.sqrt(var_a * var_t)
        out = np.where(denom > 1e-6 * safe * safe, cov / np.maximum(denom, 1e-30), 0.0)
        # Too little left to compare (almost all masked): no evidence, score 0.
        out = np.where(sw > 0.05 * self.sum_w[None, :], out, 0.0)
        return np.clip(out, -1.0, 1.0).astype(np.float32)


def _channel_sums(tiles: FloatArray) -> FloatArray:
    """(N, P * 3) channel-interleaved rows to (N, P) sums of each pixel's channels."""
    out: FloatArray = tiles[:, 0::3] + tiles[:, 1::3] + tiles[:, 2::3]
    return out


def _times_t(a: FloatArray, b: FloatArray) -> FloatArray:
    """a @ b.T for (N, D) a and (K, D) b: (N, K) float32, in row blocks of at most
    ONE_THREAD_MACS multiply-adds.

    Above that size OpenBLAS hands a product to worker threads, which then spin for
    milliseconds waiting for more work: read 60 times a second, they keep a core busy
    (1.6 s of CPU per 1.9 s, against 0.08 s in blocks) and the game being watched stalls.
    """
    n, k = a.shape[0], b.shape[0]
    most = max(1, ONE_THREAD_MACS // max(1, k * a.shape[1]))
    if n <= most:
        small: FloatArray = a @ b.T
        return small
    blocks = -(-n // most)
    rows = -(-n // blocks)  # even blocks: 49 rows in two of 25 and 24, not 48 and 1
    out = np.empty((n, k), np.float32)
    for i in range(0, n, rows):
        np.matmul(a[i : i + rows], b.T, out=out[i : i + rows])
    return out


@dataclass(frozen=True, slots=True, eq=False)
class TemplateBank:
    """Templates of every label at two sizes, and the weights that score them.

    labels: K names. tile_px: size of the tiles the bank was built from (and reads).
    fast_px: side of the shrunk tiles the fast path compares (tile_px % fast_px == 0).
    means: (K, fast_px, fast_px, 3) float32 BGR mean tiles.
    weights: (K, fast_px, fast_px) float32 in [0, 1], per-pixel trust (0 = ignored).
    posterized: (K, fast_px, fast_px, 3) float32 BGR means of the posterized samples.
    samples: (K,) int32 real samples behind each label (rotations count too).
    meta: JSON-ready provenance (how and from what the bank was built).
    fast, fast_posterized: the means and the posterized means prepared for scoring.
    """

    labels: tuple[str, ...]
    tile_px: int
    fast_px: int
    means: FloatArray
    weights: FloatArray
    posterized: FloatArray
    samples: npt.NDArray[np.int32]
    meta: Mapping[str, Any] = field(default_factory=dict)
    fast: Matcher = field(init=False, repr=False)
    fast_posterized: Matcher = field(init=False, repr=False)

    def __post_init__(self) -> None:
        k, f = len(self.labels), self.fast_px
        if k < 2:
            raise BankError(f"a bank needs at least 2 labels, got {k}")
        if len(set(self.labels)) != k:
            raise BankError(f"bank labels repeat: {self.labels}")
        if f < 1 or self.tile_px % f:
            raise BankError(f"fast_px {f} must divide tile_px {self.tile_px}")
        for name, arr, shape in (
            ("means", self.means, (k, f, f, 3)),
            ("weights", self.weights, (k, f, f)),
            ("posterized", self.posterized, (k, f, f, 3)),
            ("samples", self.samples, (k,)),
        ):
            if arr.shape != shape:
                raise BankError(f"bank {name}: expected shape {shape}, got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise BankError(f"bank {name}: not all values are finite")
        object.__setattr__(self, "fast", Matcher.of(self.means, self.weights))
        object.__setattr__(self, "fast_posterized", Matcher.of(self.posterized, self.weights))

    @property
    def size(self) -> int:
        """Number of labels K."""
        return len(self.labels)


# ---------------------------------------------------------------- building


def shrink_tiles(tiles: npt.NDArray[np.uint8], fast_px: int) -> FloatArray:
    """Block means of tiles: (..., t, t, 3) uint8 -> (..., fast_px, fast_px, 3) float32.

    t must be a multiple of fast_px. Never modifies `tiles` (a view is fine).
    """
    t = tiles.shape[-2]
    if tiles.shape[-3] != t or t % fast_px:
        raise FrameError(f"tiles {tiles.shape}: square tiles whose side {fast_px} divides")
    k = t // fast_px
    lead = tiles.shape[:-3]
    blocks = tiles.reshape(*lead, fast_px, k, fast_px, k, 3).astype(np.float32)
    out: FloatArray = blocks.mean(axis=(-4, -2), dtype=np.float32)
    return out


def rotate_samples(
    samples: Iterable[tuple[npt.NDArray[np.uint8], str]], rotation: LabelRotation
) -> list[tuple[npt.NDArray[np.uint8], str]]:
    """The samples plus their 90/180/270 degree clockwise turns under their mapped labels.

    Tiles are (..., t, t, 3); the last three axes are turned. A turn whose label
    `rotation(label, quarter_turns)` returns None is left out.
    """
    out: list[tuple[npt.NDArray[np.uint8], str]] = []
    for tile, label in samples:
        out.append((tile, label))
        for turns in (1, 2, 3):
            turned = rotation(label, turns)
            if turned is not None:
                out.append((np.ascontiguousarray(np.rot90(tile, -turns, axes=(-3, -2))), turned))
    return out


def build_bank(
    samples: Iterable[tuple[npt.NDArray[np.uint8], str]],
    *,
    fast_px: int = 16,
    posterized: Sequence[npt.NDArray[np.uint8]] | None = None,
    masks: Mapping[str, npt.NDArray[np.bool_]] | None = None,
    rotation: LabelRotation | None = None,
    meta: Mapping[str, Any] | None = None,
) -> TemplateBank:
    """Build a bank from labelled sample tiles ((t, t, 3) uint8 BGR, label) pairs.

    Several samples per label are averaged; each label's weight map is the inverse of
    its per-pixel variance across samples (blended with the variance pooled over all
    labels, PRIOR_SAMPLES strong), scaled to a maximum of 1. posterized: the same tiles
    posterized, in the same order (the posterized means are the raw ones when None).
    masks: optional (t, t) bool per label, False where the template must not look
    (weight zero there). rotation: also add turned copies of every sample under the
    labels it maps them to. Labels come out sorted. Raises BankError on no samples,
    mixed tile sizes or a posterized list of another length.
    """
    pairs = list(samples)
    posts = list(posterized) if posterized is not None else [tile for tile, _ in pairs]
    if len(posts) != len(pairs):
        raise BankError(f"build_bank: {len(pairs)} samples but {len(posts)} posterized tiles")
    if not pairs:
        raise BankError("build_bank: no samples")
    t = pairs[0][0].shape[0]
    for (tile, label), post in zip(pairs, posts, strict=True):
        for arr in (tile, post):
            if arr.dtype != np.uint8 or arr.shape != (t, t, 3):
                raise BankError(f"build_bank: sample {label!r} is {arr.shape} {arr.dtype}, "
                                f"expected ({t}, {t}, 3) uint8")  # fmt: skip
    if rotation is not None:
        stacked = [(np.stack([a, b]), lab) for (a, lab), b in zip(pairs, posts, strict=True)]
        turned = rotate_samples(stacked, rotation)
        pairs = [(np.ascontiguousarray(both[0]), lab) for both, lab in turned]
        posts = [np.ascontiguousarray(both[1]) for both, _ in turned]
    labels = tuple(sorted({label for _, label in pairs}))
    by_label: dict[str, list[FloatArray]] = {lab: [] for lab in labels}
    post_by_label: dict[str, list[FloatArray]] = {lab: [] for lab in labels}
    for (tile, label), post in zip(pairs, posts, strict=True):
        by_label[label].append(shrink_tiles(tile, fast_px))
        post_by_label[label].append(shrink_tiles(post, fast_px))
    means = np.stack([np.mean(by_label[lab], axis=0) for lab in labels]).astype(np.float32)
    post_means = np.stack([np.mean(post_by_label[lab], axis=0) for lab in labels])
    counts = np.array([len(by_label[lab]) for lab in labels], np.int32)
    # Within-label variance per pixel (mean over channels), and its pool over labels.
    own = np.zeros((len(labels), fast_px, fast_px), np.float32)
    pooled_parts = []
    for i, lab in enumerate(labels):
        if counts[i] > 1:
            own[i] = np.var(np.stack(by_label[lab]), axis=0, ddof=1).mean(axis=-1)
            pooled_parts.append(own[i])
    pooled = np.mean(pooled_parts, axis=0) if pooled_parts else np.zeros_like(own[0])
    dof = (counts - 1).astype(np.float32)[:, None, None]
    var = (dof * own + PRIOR_SAMPLES * pooled) / (dof + PRIOR_SAMPLES)
    weights = 1.0 / (var + VAR_FLOOR)
    if masks:
        for i, lab in enumerate(labels):
            if lab in masks:
                weights[i] *= _shrink_mask(masks[lab], t, fast_px)
    top = weights.reshape(len(labels), -1).max(axis=1)
    weights = weights / np.maximum(top, 1e-12)[:, None, None]
    return TemplateBank(
        labels=labels,
        tile_px=t,
        fast_px=fast_px,
        means=means,
        weights=weights.astype(np.float32),
        posterized=post_means.astype(np.float32),
        samples=counts,
        meta=dict(meta or {}),
    )


def _shrink_mask(mask: npt.NDArray[np.bool_], t: int, fast_px: int) -> FloatArray:
    if mask.shape != (t, t):
        raise BankError(f"template mask {mask.shape}, expected ({t}, {t})")
    k = t // fast_px
    frac: FloatArray = mask.reshape(fast_px, k, fast_px, k).mean(axis=(1, 3), dtype=np.float32)
    return frac


# ---------------------------------------------------------------- files


def save_bank(bank: TemplateBank, path: str | Path) -> tuple[Path, Path]:
    """Write `bank` as `<path>.npz` (arrays, compressed) and `<path>.json`; return both paths.

    `path` may end in .npz or have no suffix.
    """
    base = Path(path).with_suffix("")
    npz, sidecar = base.with_suffix(".npz"), base.with_suffix(".json")
    npz.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        npz,
        means=bank.means.astype(np.float16),
        weights=bank.weights.astype(np.float16),
        posterized=bank.posterized.astype(np.float16),
        samples=bank.samples,
    )
    info = {
        "format": BANK_FORMAT,
        "labels": list(bank.labels),
        "tile_px": bank.tile_px,
        "fast_px": bank.fast_px,
        "meta": dict(bank.meta),
    }
    sidecar.write_text(json.dumps(info, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return npz, sidecar


def load_bank_file(path: str | Path) -> TemplateBank:
    """Read a bank written by save_bank (`<path>.npz` + `<path>.json`); BankError if bad."""
    base = Path(path).with_suffix("")
    npz, sidecar = base.with_suffix(".npz"), base.with_suffix(".json")
    try:
        info = json.loads(sidecar.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BankError(f"{sidecar}: no such template bank file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BankError(f"{sidecar}: cannot read: {exc}") from None
    if not isinstance(info, dict) or info.get("format") != BANK_FORMAT:
        raise BankError(f"{sidecar}: not a template bank of format {BANK_FORMAT}")
    try:
        labels = tuple(str(v) for v in info["labels"])
        tile_px, fast_px = int(info["tile_px"]), int(info["fast_px"])
        meta = dict(info.get("meta", {}))
    except (KeyError, TypeError, ValueError) as exc:
        raise BankError(f"{sidecar}: missing or bad field: {exc}") from None
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {name: np.asarray(data[name]) for name in data.files}
    except FileNotFoundError:
        raise BankError(f"{npz}: no such template bank file") from None
    except (OSError, ValueError) as exc:
        raise BankError(f"{npz}: cannot read: {exc}") from None
    try:
        return TemplateBank(
            labels=labels,
            tile_px=tile_px,
            fast_px=fast_px,
            means=arrays["means"].astype(np.float32),
            weights=arrays["weights"].astype(np.float32),
            posterized=arrays["posterized"].astype(np.float32),
            samples=arrays["samples"].astype(np.int32),
            meta=meta,
        )
    except KeyError as exc:
        raise BankError(f"{npz}: missing array {exc}") from None
    except BankError as exc:
        raise BankError(f"{npz}: {exc}") from None


# ---------------------------------------------------------------- matching


def best_matches(
    scores: FloatArray, labels: tuple[str, ...]
) -> tuple[npt.NDArray[np.intp], FloatArray, FloatArray]:
    """Best template index, its score and its margin to the runner-up, per row of (N, K)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    rows = np.arange(scores.shape[0])
    best = scores[rows, order[:, 0]]
    second = scores[rows, order[:, 1]] if len(labels) > 1 else np.full_like(best, -1.0)
    return order[:, 0], best.astype(np.float32), (best - second).astype(np.float32)


def shrink_region(
    region: npt.NDArray[np.uint8], rows: int, cols: int, tile_px: int, fast_px: int
) -> FloatArray:
    """Shrink a gapless block of rows x cols tiles to (rows*cols, fast_px*fast_px*3) float32.

    region: (rows*tile_px, cols*tile_px, 3) uint8, a view is fine; block means via one
    cv2.resize (INTER_AREA at an integer factor is an exact block mean).
    """
    small = cv2.resize(region, (cols * fast_px, rows * fast_px), interpolation=cv2.INTER_AREA)
    arr = np.asarray(small).reshape(rows, fast_px, cols, fast_px, 3).transpose(0, 2, 1, 3, 4)
    return arr.reshape(rows * cols, -1).astype(np.float32)


def shrink_masked(
    tiles: npt.NDArray[np.uint8], ignore: npt.NDArray[np.bool_], fast_px: int
) -> tuple[FloatArray, FloatArray]:
    """Shrink (N, t, t, 3) tiles skipping ignored pixels: means over kept pixels and keep.

    ignore: (N, t, t) bool, True for pixels of weight zero. Returns (N, D) means (0 where
    nothing is kept) and (N, D) kept fractions in [0, 1].
    """
    n, t = tiles.shape[0], tiles.shape[1]
    k = t // fast_px
    keep = (~ignore).astype(np.float32)
    total = np.empty((n, fast_px, fast_px, 3), np.float32)
    count = np.empty((n, fast_px, fast_px, 3), np.float32)
    for j in range(n):
        total[j] = _block_sums(tiles[j].astype(np.float32) * keep[j][..., None], k)
        count[j] = _block_sums(keep[j], k)[..., None]
    means = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    return (
        means.reshape(n, -1).astype(np.float32),
        (count / (k * k)).reshape(n, -1).astype(np.float32),
    )


def _block_sums(image: FloatArray, k: int) -> FloatArray:
    """Sums of the k x k blocks of a (t, t[, C]) float32 image holding integers: (t/k, t/k[, C]).

    Box sums anchored at each block's top-left, taken every k pixels; exact while a block's
    sum stays below 2**24 (always, for 8-bit pixels).
    """
    sums = cv2.boxFilter(image, cv2.CV_32F, (k, k), anchor=(0, 0), normalize=False)
    out: FloatArray = np.asarray(sums, dtype=np.float32)[::k, ::k]
    return out


def veiled_scores(
    matcher: Matcher,
    tile: FloatArray,
    keep: FloatArray | None = None,
    alpha_max: float = VEIL_ALPHA_MAX,
) -> FloatArray:
    """Weighted NCC of one tile against every template seen through a fitted veil: (K,) float32.

    A veil is a semi-transparent overlay of one colour c (a patch, a tooltip, a tint):
    each shrunk pixel p of the tile is modelled as (1 - a_p) * template_p + a_p * c with
    its own opacity a_p in [0, alpha_max] (0 outside the veil, fractions along its edge)
    and c inside the 0..255 cube. Per template, c and the a_p are fitted by alternating
    least squares from each of VEIL_STARTS; the score is the best start's weighted NCC of
    the template with the tile with the veil taken off (its residual to the veiled
    template, divided by 1 - a_p, added back to the template). The content must show
    through the veil, so a wrong template (or an opaque cover) cannot be explained away.
    tile: (D,) float32 shrunk tile, D = f * f * 3. keep: (D,) float32 kept fractions (as
    for Matcher.scores) or None. Costs ~1 ms for 21 templates of 16 x 16 pixels.
    """
    k = matcher.templates.shape[0]
    starts = len(VEIL_STARTS)
    # Channel planes (3, S * K, P): every start fitted at once, no reduction over a
    # 3-long axis (slow in numpy).
    t1 = matcher.templates.reshape(k, -1, 3).transpose(2, 0, 1).astype(np.float64)
    w1 = matcher.weights[:, ::3].astype(np.float64)
    if keep is not None:
        w1 = w1 * keep.reshape(-1, 3)[:, 0][None, :]
    y = tile.reshape(-1, 3).T.astype(np.float64)  # (3, P)
    d1 = y[:, None, :] - t1
    strength = _dot3(d1, d1)
    # The colour is first guessed from the quarter of pixels the veil changed most.
    quarter = strength.shape[1] // 4
    top = np.argpartition(-strength, quarter, axis=1)[:, :quarter]
    t, d, w = np.tile(t1, (1, starts, 1)), np.tile(d1, (1, starts, 1)), np.tile(w1, (starts, 1))
    start = np.repeat(np.asarray(VEIL_STARTS), k)[None, :, None]
    implied = np.take_along_axis(t + d / start, np.tile(top, (starts, 1))[None], axis=2)
    colour = np.clip(_median(implied), 0.0, 255.0)  # (3, S * K)
    fit = _VeilFit(t, d, _dot3(t, t), _dot3(d, t), alpha_max)
    for _ in range(VEIL_ITERATIONS):
        alpha = fit.opacities(colour)
        wa = w * alpha
        # Least-squares colour given the opacities: rest = y - (1 - a) t = a c.
        num = (wa @ y.T).T - np.einsum("rp,crp->cr", wa * (1.0 - alpha), t)
        den = np.maximum((wa * alpha).sum(axis=1), 1e-9)
        colour = np.clip(num / den[None, :], 0.0, 255.0)
    alpha = fit.opacities(colour)
    # Scored behind the veil: the tile with the veil taken off, against the template,
    # so that the veil's own contrast never props the score up.
    towards = colour[:, :, None] - t
    unveiled = t + (d - alpha[None] * towards) / (1.0 - alpha)[None]
    best = _weighted_ncc(unveiled, t, w).reshape(starts, k).max(axis=0)
    # Too little left to compare (almost all masked): no evidence, score 0.
    full = matcher.weights[:, ::3].astype(np.float64).sum(axis=1)
    out: FloatArray = np.where(w1.sum(axis=1) > 0.05 * full, best, 0.0).astype(np.float32)
    return np.clip(out, -1.0, 1.0)


def _median(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """np.median over the last axis, to the bit, without its overhead."""
    n = values.shape[-1]
    if n % 2:
        odd: npt.NDArray[np.float64] = np.partition(values, n // 2, axis=-1)[..., n // 2]
        return odd
    part = np.partition(values, (n // 2 - 1, n // 2), axis=-1)
    out: npt.NDArray[np.float64] = (part[..., n // 2 - 1] + part[..., n // 2]) / 2.0
    return out


def _dot3(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per-pixel dot product of two (3, K, P) channel planes: (K, P)."""
    out: npt.NDArray[np.float64] = a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
    return out


@dataclass(frozen=True, slots=True)
class _VeilFit:
    """What every opacity update of one veil fit shares.

    t, d: (3, R, P) template planes and the tile minus them; tt, dt: (R, P) their
    per-pixel dot products t.t and d.t.
    """

    t: npt.NDArray[np.float64]
    d: npt.NDArray[np.float64]
    tt: npt.NDArray[np.float64]
    dt: npt.NDArray[np.float64]
    alpha_max: float

    def opacities(self, colour: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Per-pixel opacity (R, P) that best moves each template toward colour (3, R)
        by d: the projection of d on (c - t), clipped to [0, alpha_max]."""
        dc = np.einsum("crp,cr->rp", self.d, colour)
        tc = np.einsum("crp,cr->rp", self.t, colour)
        cc = (colour * colour).sum(axis=0)[:, None]
        towards = np.maximum(cc - 2.0 * tc + self.tt, 1e-6)
        out: npt.NDArray[np.float64] = np.clip((dc - self.dt) / towards, 0.0, self.alpha_max)
        return out


def _weighted_ncc(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], w: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """NCC of (3, K, P) channel planes a and b per row K, pixels weighted by (K, P) w,
    channels pooled: (K,)."""
    total = np.maximum(3.0 * w.sum(axis=1), 1e-9)
    da = a - ((a * w[None]).sum(axis=(0, 2)) / total)[None, :, None]
    db = b - ((b * w[None]).sum(axis=(0, 2)) / total)[None, :, None]
    cov = (w * _dot3(da, db)).sum(axis=1)
    var = (w * _dot3(da, da)).sum(axis=1) * (w * _dot3(db, db)).sum(axis=1)
    out: npt.NDArray[np.float64] = np.where(var > 1e-12, cov / np.sqrt(np.maximum(var, 1e-30)), 0.0)
    return out
