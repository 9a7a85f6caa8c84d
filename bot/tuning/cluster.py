"""Group tiles by appearance: a small feature vector per tile and average-linkage clustering.

Features of a tile (t x t, BGR), all in grey levels (0..255):

- background: the tile's edge ring (border statistics, bot.vision.border.ring_stats) as
  its brightness (mean of the channels) and its chromaticity (bot.vision.color) times 255:
  4 numbers that tell a lit square from a dark one and one flat colour from another,
  whatever the shading;
- content: the posterized tile (bot.vision.posterize: texture collapsed into flat regions)
  minus the ring's mean colour, shrunk to FEATURE_PX x FEATURE_PX x 3 (area mean): the
  shape of what sits on the background, and its colour relative to it.

Distance between two tiles: the root mean square of their feature differences after
taking TOLERANCE_LEVELS off each (|a - b| - tolerance, at least 0): the shading of a
textured background, a drifting haze and rendering noise stay below it, while a symbol,
a ball's eyes or another colour exceed it by far. Content and background are weighed
1 - BACKGROUND_SHARE and BACKGROUND_SHARE.

Clustering: identical feature vectors (the same tile seen in many frames) are counted
once, with their number as weight; average linkage (UPGMA) then merges the nearest groups
until one is left. Model selection: the dendrogram is cut where merge heights jump by
the largest factor, h[k-1] / max(h[k], HEIGHT_FLOOR) with heights sorted from the top
merge down. Tiles of one kind merge at heights set by noise and texture, different kinds
at heights set by what tells them apart; the largest relative jump is the boundary, with
no distance threshold to tune per game. Measured on Fling recordings and sgt-puzzles
boards (tests/tuning/test_cluster.py), no cluster mixed two true kinds; where the jump
is ambiguous the rule errs towards splitting a kind (a static overlay, a haze), which a
person merges by giving two clusters one name.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from bot.errors import TilebotError
from bot.vision.border import ring_stats
from bot.vision.color import chromaticity

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.intp]

FEATURE_PX = 24
"""Side of the shrunk content image (at most the tile's side)."""

TOLERANCE_LEVELS = 16.0
"""Feature differences up to this many grey levels count as nothing (shading, texture)."""

BACKGROUND_SHARE = 0.25
"""Weight of the background block in the squared distance (content gets the rest)."""

HEIGHT_FLOOR = 1.0
"""Merge heights below this (grey levels) are rounding: the jump ratio uses at least this."""

MAX_CLUSTERS = 64
"""The model selection considers at most this many clusters."""

MAX_DISTINCT = 600
"""Distinct tiles clustered directly; beyond this an evenly spread subset is clustered
and every other tile joins the cluster of its nearest clustered tile."""


class ClusterError(TilebotError):
    """Tiles cannot be clustered: too few, or all alike, or a bad cluster count asked for."""


@dataclass(frozen=True, slots=True, eq=False)
class TileFeatures:
    """Appearance features of N tiles.

    content: (N, FEATURE_PX * FEATURE_PX * 3) float32, posterized tile minus ring mean.
    background: (N, 4) float32, ring brightness and ring chromaticity (b, g, r) * 255.
    """

    content: FloatArray
    background: FloatArray

    def __len__(self) -> int:
        return int(self.content.shape[0])

    def take(self, rows: IntArray) -> TileFeatures:
        """The features of tiles `rows` (an index array), in that order."""
        return TileFeatures(self.content[rows], self.background[rows])


@dataclass(frozen=True, slots=True, eq=False)
class Dendrogram:
    """Average-linkage merges of n groups, in the order they happened.

    pairs: (n - 1, 2) intp, the two groups merged at each step, each named by one of its
    members (0..n-1). heights: (n - 1,) float64, average distance between them.
    """

    pairs: IntArray
    heights: npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Clustering:
    """Cluster of every tile and how the count was chosen.

    labels: (N,) intp in 0..count-1, numbered by size (0 the largest; ties by first tile).
    jump: the height ratio at the chosen cut (0 when the count was given).
    heights: merge heights from the top down (at most MAX_CLUSTERS), for reports.
    """

    labels: IntArray
    count: int
    jump: float
    heights: tuple[float, ...]


def tile_features(
    tiles: npt.NDArray[np.uint8], posterized: npt.NDArray[np.uint8], ring_px: int | None = None
) -> TileFeatures:
    """Features of (N, t, t, 3) uint8 BGR tiles and the same tiles posterized (never modified).

    ring_px: width of the background ring (default max(1, t // 16)).
    """
    if tiles.ndim != 4 or tiles.shape[3] != 3 or tiles.shape[1] != tiles.shape[2]:
        raise ClusterError(f"tiles: expected (N, t, t, 3), got {tiles.shape}")
    if posterized.shape != tiles.shape:
        raise ClusterError(f"posterized tiles {posterized.shape} differ from tiles {tiles.shape}")
    n, t = tiles.shape[0], tiles.shape[1]
    side = min(FEATURE_PX, t)
    ring = ring_px if ring_px is not None else max(1, t // 16)
    if n == 0:
        return TileFeatures(
            np.zeros((0, side * side * 3), np.float32), np.zeros((0, 4), np.float32)
        )
    mean, _ = ring_stats(np.ascontiguousarray(tiles)[None], ring)
    ring_mean = mean[0]  # (N, 3)
    content = np.empty((n, side, side, 3), np.float32)
    for i in range(n):
        small = cv2.resize(
            np.ascontiguousarray(posterized[i]), (side, side), interpolation=cv2.INTER_AREA
        )
        content[i] = np.asarray(small, np.float32) - ring_mean[i]
    brightness = ring_mean.mean(axis=1, keepdims=True)
    ring_pixels = np.clip(np.rint(ring_mean), 0, 255).astype(np.uint8)
    chroma = chromaticity(ring_pixels) * np.float32(255.0)
    background = np.concatenate([brightness, chroma], axis=1).astype(np.float32)
    return TileFeatures(content.reshape(n, -1), background)


def distances(a: TileFeatures, b: TileFeatures | None = None) -> npt.NDArray[np.float64]:
    """(len(a), len(b)) distances between tiles of `a` and `b` (b = a when None), levels."""
    other = a if b is None else b
    out = np.empty((len(a), len(other)), np.float64)
    for i in range(len(a)):
        dc = np.maximum(np.abs(other.content - a.content[i]) - TOLERANCE_LEVELS, 0.0)
        db = np.maximum(np.abs(other.background - a.background[i]) - TOLERANCE_LEVELS, 0.0)
        out[i] = np.sqrt(
            (1.0 - BACKGROUND_SHARE) * np.mean(dc * dc, axis=1)
            + BACKGROUND_SHARE * np.mean(db * db, axis=1)
        )
    return out


def average_linkage(dist: npt.NDArray[np.float64], weights: npt.NDArray[np.floating]) -> Dendrogram:
    """Average-linkage (UPGMA) dendrogram of n weighted points from their (n, n) distances.

    weights: (n,) positive, how many tiles each point stands for. The average distance
    between two groups counts every pair of tiles. Deterministic: ties go to the lowest
    indices.
    """
    n = dist.shape[0]
    if dist.shape != (n, n) or weights.shape != (n,):
        raise ClusterError(f"average_linkage: distances {dist.shape}, weights {weights.shape}")
    d = np.array(dist, dtype=np.float64)
    np.fill_diagonal(d, np.inf)
    size = np.asarray(weights, np.float64).copy()
    pairs = np.zeros((max(n - 1, 0), 2), np.intp)
    heights = np.zeros(max(n - 1, 0), np.float64)
    for step in range(n - 1):
        flat = int(np.argmin(d))
        a, b = divmod(flat, n)
        a, b = min(a, b), max(a, b)
        pairs[step] = (a, b)
        heights[step] = d[a, b]
        joined = (size[a] * d[a] + size[b] * d[b]) / (size[a] + size[b])
        d[a, :] = joined
        d[:, a] = joined
        d[a, a] = np.inf
        d[b, :] = np.inf
        d[:, b] = np.inf
        size[a] += size[b]
    return Dendrogram(pairs, heights)


def cut(tree: Dendrogram, count: int) -> IntArray:
    """Group of each of the n points when the dendrogram is cut into `count` groups.

    Returns (n,) intp group numbers in order of each group's first point.
    """
    n = tree.pairs.shape[0] + 1
    if not 1 <= count <= n:
        raise ClusterError(f"cannot cut {n} points into {count} clusters")
    parent = np.arange(n)

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for a, b in tree.pairs[: n - count]:
        parent[root(int(b))] = root(int(a))
    roots = [root(i) for i in range(n)]
    numbers: dict[int, int] = {}
    return np.array([numbers.setdefault(r, len(numbers)) for r in roots], np.intp)


def choose_count(tree: Dendrogram, max_clusters: int = MAX_CLUSTERS) -> tuple[int, float]:
    """The cluster count at the largest relative jump in merge height, and that jump.

    Heights sorted from the top merge down, h[0] >= h[1] >= ...; cutting into k clusters
    undoes the top k - 1 merges, so the jump for k is h[k-2] / max(h[k-1], HEIGHT_FLOOR)
    (h[k-1] = 0 for k = n). k ranges over 2..min(max_clusters, n).
    """
    n = tree.pairs.shape[0] + 1
    if n < 2:
        raise ClusterError("clustering needs at least two distinct tiles")
    h = np.maximum(np.sort(tree.heights)[::-1], HEIGHT_FLOOR)
    h = np.append(h, HEIGHT_FLOOR)
    top = min(max_clusters, n)
    jumps = h[: top - 1] / h[1:top]
    best = int(np.argmax(jumps))
    return best + 2, float(jumps[best])


def cluster_tiles(
    features: TileFeatures, count: int | None = None, max_clusters: int = MAX_CLUSTERS
) -> Clustering:
    """Cluster tiles by appearance; `count` forces the number of clusters.

    Raises ClusterError with fewer than two distinct tiles, or a `count` above the number
    of distinct tiles.
    """
    n = len(features)
    if n == 0:
        raise ClusterError("no tiles to cluster")
    keys = np.rint(np.concatenate([features.content, features.background], axis=1))
    _, first, inverse, counts = np.unique(
        keys.astype(np.int32), axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    inverse = inverse.reshape(-1)
    # Distinct tiles in order of first appearance: results do not depend on np.unique's order.
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    distinct_rows = first[order]
    distinct_counts = counts[order].astype(np.float64)
    of_tile = rank[inverse]
    m = distinct_rows.size
    if m < 2:
        raise ClusterError(f"all {n} tiles look alike: nothing to tell apart")
    if count is not None and not 1 <= count <= m:
        raise ClusterError(f"cannot make {count} clusters of {m} distinct tiles")
    sampled = np.arange(m) if m <= MAX_DISTINCT else np.linspace(0, m - 1, MAX_DISTINCT)
    sampled = np.unique(np.rint(sampled).astype(np.intp))
    sample_features = features.take(distinct_rows[sampled])
    tree = average_linkage(distances(sample_features), distinct_counts[sampled])
    jump = 0.0
    if count is None:
        count, jump = choose_count(tree, max_clusters)
    groups = cut(tree, min(count, sampled.size))
    distinct_group = np.empty(m, np.intp)
    distinct_group[sampled] = groups
    rest = np.setdiff1d(np.arange(m), sampled)
    if rest.size:
        near = distances(features.take(distinct_rows[rest]), sample_features)
        distinct_group[rest] = groups[np.argmin(near, axis=1)]
    labels = _by_size(distinct_group[of_tile])
    heights = tuple(float(h) for h in np.sort(tree.heights)[::-1][:max_clusters])
    return Clustering(labels, int(labels.max()) + 1, jump, heights)


MEDOID_SAMPLE = 200
"""Members of a large cluster that medoid_order ranks (an evenly spread subset)."""


def medoid_order(features: TileFeatures, members: IntArray) -> IntArray:
    """`members` (tile rows of one cluster) from the most typical to the least.

    Typical: smallest mean distance to the other members (the first is the medoid).
    A cluster of more than MEDOID_SAMPLE tiles is ranked on an evenly spread subset of
    that many, and only that subset is returned.
    """
    if members.size > MEDOID_SAMPLE:
        members = members[
            np.unique(np.linspace(0, members.size - 1, MEDOID_SAMPLE).astype(np.intp))
        ]
    if members.size <= 2:
        return members
    d = distances(features.take(members))
    return members[np.argsort(d.mean(axis=1), kind="stable")]


def _by_size(groups: IntArray) -> IntArray:
    """Renumber groups 0.. by decreasing size; ties by first appearance."""
    ids, first, counts = np.unique(groups, return_index=True, return_counts=True)
    order = sorted(range(ids.size), key=lambda i: (-counts[i], first[i]))
    renumber = np.empty(int(ids.max()) + 1, np.intp)
    for new, i in enumerate(order):
        renumber[ids[i]] = new
    return renumber[groups]
