"""Discover a game's tile kinds without a profile: find the grid, cluster the tiles, and
draw the clusters for a person to name.

The steps the `tilebot discover` command chains, each a function over frames and arrays:
`detect_board_grid` (the grid most frames agree on), `collect_tiles` (tiles and their
posterized versions), `discover_kinds` (features and clustering, see bot.tuning.cluster),
`contact_sheet` (one row of example tiles per cluster), `flat_colour_classes` (for tiles
templates cannot score), `empty_cluster` and `starter_profile` (TOML text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import tomlkit

from bot.errors import FrameError, TilebotError
from bot.frame import Frame, Pixels
from bot.profile import (
    ColourSpec,
    GridSpec,
    LevelProfile,
    OccupancySpec,
    PosterizeSpec,
    SettleSpec,
    parse_profile,
)
from bot.tuning.cluster import Clustering, TileFeatures, cluster_tiles, medoid_order, tile_features
from bot.tuning.labels import UNLABELLED, Rows
from bot.tuning.samples import posterized_tiles
from bot.vision.border import occupancy
from bot.vision.color import mean_chromaticity
from bot.vision.grid import check_grid_fits, tile_views
from bot.vision.grid_detect import detect_grid

CLUSTER_PREFIX = "c"
"""Clusters are named c0, c1, ... by decreasing size."""

SHEET_EXAMPLES = 8
"""Example tiles per row of the contact sheet."""

SHEET_TILE_PX = 48
"""Side of an example tile on the contact sheet."""

SHEET_CAPTION_PX = 150
"""Width of the caption column of the contact sheet."""


class DiscoveryError(TilebotError):
    """Discovery cannot proceed: no grid found in the frames, or no tiles to cluster."""


@dataclass(frozen=True, slots=True, eq=False)
class TileSet:
    """Tiles of chosen frames.

    cells: (frame index, row, col) of each tile. tiles, posterized: (N, t, t, 3) uint8 BGR.
    """

    grid: GridSpec
    cells: tuple[tuple[int, int, int], ...]
    tiles: Pixels
    posterized: Pixels


@dataclass(frozen=True, slots=True, eq=False)
class Discovery:
    """Tiles, their features and clusters, and the cluster names (index = cluster number)."""

    tiles: TileSet
    features: TileFeatures
    clustering: Clustering
    names: tuple[str, ...]

    def label_of(self, tile: int) -> str:
        """The cluster name of tile `tile` (a row of tiles.cells)."""
        return self.names[int(self.clustering.labels[tile])]


def detect_board_grid(frames: Sequence[Frame]) -> GridSpec:
    """The grid detect_grid finds in most of `frames` (ties: the earliest found).

    Frames where no grid is found are passed over; DiscoveryError when none has one.
    """
    found: list[GridSpec] = []
    failures: list[str] = []
    for frame in frames:
        try:
            found.append(detect_grid(frame.pixels))
        except FrameError as exc:
            failures.append(f"frame {frame.index}: {exc}")
    if not found:
        detail = "; ".join(failures[:3])
        raise DiscoveryError(f"no grid of tiles found in any chosen frame ({detail})")
    counts = Counter(g.model_dump_json() for g in found)
    best = max(counts.values())
    return next(g for g in found if counts[g.model_dump_json()] == best)


def collect_tiles(
    frames: Sequence[Frame],
    grid: GridSpec,
    spec: PosterizeSpec,
    skip: frozenset[tuple[int, int]] = frozenset(),
) -> TileSet:
    """Every tile of `grid` in each frame (cells in `skip` left out), with its posterized
    version (bot.tuning.samples.posterized_tiles).

    Raises FrameError naming the frame when the grid does not fit it.
    """
    cells: list[tuple[int, int, int]] = []
    tiles: list[Pixels] = []
    posts: list[Pixels] = []
    previous: Frame | None = None
    flat: Pixels | None = None
    for frame in frames:
        check_grid_fits(frame.pixels.shape, grid, f"frame {frame.index}")
        views = tile_views(frame.pixels, grid)
        # A still board repeats frame after frame: posterize it once (~0.3 s a board).
        if flat is None or previous is None or not np.array_equal(previous.pixels, frame.pixels):
            flat = posterized_tiles(frame.pixels, grid, spec)
        previous = frame
        for r in range(grid.rows):
            for c in range(grid.cols):
                if (r, c) in skip:
                    continue
                cells.append((frame.index, r, c))
                tiles.append(views[r, c])
                posts.append(flat[r, c])
    if not cells:
        raise DiscoveryError("no tiles to cluster in the chosen frames")
    return TileSet(grid, tuple(cells), np.stack(tiles), np.stack(posts))


def discover_kinds(tiles: TileSet, count: int | None = None) -> Discovery:
    """Cluster the tiles by appearance; `count` forces the number of clusters."""
    features = tile_features(tiles.tiles, tiles.posterized)
    clustering = cluster_tiles(features, count)
    names = tuple(f"{CLUSTER_PREFIX}{i}" for i in range(clustering.count))
    return Discovery(tiles, features, clustering, names)


def label_rows(discovery: Discovery) -> dict[int, Rows]:
    """Per frame, the rows of cluster names (UNLABELLED for cells that were left out)."""
    grid = discovery.tiles.grid
    boards: dict[int, list[list[str]]] = {}
    for i, (index, r, c) in enumerate(discovery.tiles.cells):
        board = boards.setdefault(index, [[UNLABELLED] * grid.cols for _ in range(grid.rows)])
        board[r][c] = discovery.label_of(i)
    return {index: tuple(tuple(row) for row in rows) for index, rows in boards.items()}


def contact_sheet(discovery: Discovery, examples: int = SHEET_EXAMPLES) -> Pixels:
    """One row per cluster: its name and size, then up to `examples` distinct tiles from
    the most typical (left) to the least. (H, W, 3) uint8 BGR."""
    side = SHEET_TILE_PX
    pad = 4
    count = discovery.clustering.count
    width = SHEET_CAPTION_PX + examples * (side + pad) + pad
    sheet = np.full((count * (side + pad) + pad, width, 3), 255, np.uint8)
    labels = discovery.clustering.labels
    for k in range(count):
        members = np.flatnonzero(labels == k)
        y = pad + k * (side + pad)
        caption = f"{discovery.names[k]}  x{members.size}"
        cv2.putText(sheet, caption, (6, y + side // 2 + 6), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                    (0, 0, 0), 1, cv2.LINE_AA)  # fmt: skip
        for j, tile in enumerate(_examples(discovery, members, examples)):
            x = SHEET_CAPTION_PX + j * (side + pad)
            shown = cv2.resize(discovery.tiles.tiles[tile], (side, side),
                               interpolation=cv2.INTER_AREA)  # fmt: skip
            sheet[y : y + side, x : x + side] = shown
    return sheet


def flat_colour_classes(
    discovery: Discovery, spec: ColourSpec
) -> dict[str, tuple[float, float, float]]:
    """Colour classes for the clusters whose tiles are all one flat colour.

    Template matching cannot score a flat tile (no contrast to correlate), so the reader
    names such tiles by mean chromaticity (bot.vision.read, colour.flat_std_max). A
    cluster is flat when every tile's largest channel standard deviation is at most
    spec.flat_std_max; its class is the mean chromaticity (b, g, r) of its tiles. Classes
    nearer than 2 * spec.max_distance to another are left out: the reader could not tell
    them apart (two greys of one hue), and those clusters must be told by templates.
    """
    tiles = discovery.tiles.tiles
    n = tiles.shape[0]
    spread = tiles.reshape(n, -1, 3).astype(np.float32).std(axis=1).max(axis=1)
    centres: dict[str, npt.NDArray[np.float32]] = {}
    for k, name in enumerate(discovery.names):
        members = np.flatnonzero(discovery.clustering.labels == k)
        if members.size and float(spread[members].max()) <= spec.flat_std_max:
            chroma = [mean_chromaticity(tiles[i]) for i in members.tolist()]
            centres[name] = np.mean(chroma, axis=0).astype(np.float32)
    kept: dict[str, tuple[float, float, float]] = {}
    for name, centre in centres.items():
        others = [c for other, c in centres.items() if other != name]
        if all(float(np.linalg.norm(centre - c)) >= 2 * spec.max_distance for c in others):
            b, g, r = (round(float(v), 4) for v in centre)
            kept[name] = (b, g, r)
    return kept


def empty_cluster(discovery: Discovery, spec: OccupancySpec) -> str | None:
    """The largest cluster whose tiles border statistics mostly find unoccupied, or None.

    The reader treats the profile's empty label specially (a ball-like label read below
    templates.confirm_below must be confirmed; the empty one need not): the
    bare background is the cluster with nothing on its tiles. None when every cluster is
    mostly occupied or the tiles are too small for the ring.
    """
    tiles = discovery.tiles.tiles
    try:
        found = occupancy(np.ascontiguousarray(tiles)[None], spec).occupied[0]
    except FrameError:
        return None
    for k in range(discovery.clustering.count):  # clusters are numbered by size
        members = np.flatnonzero(discovery.clustering.labels == k)
        if members.size and float(np.mean(found[members])) < 0.5:
            return discovery.names[k]
    return None


def starter_profile(
    game: str,
    description: str,
    names: Sequence[str],
    grid: GridSpec,
    bank: str,
    base: LevelProfile | None = None,
    colour_classes: Mapping[str, tuple[float, float, float]] | None = None,
    empty_label: str | None = None,
) -> str:
    """TOML text of a starter profile: grid, the cluster names as labels, a bank path
    (relative to the profile), colour classes for flat clusters (see flat_colour_classes),
    the empty label (see empty_cluster), and the settle, posterize, occupancy and overlay
    settings of `base` (defaults when None). Validated before it is returned."""
    doc = tomlkit.document()
    doc.add(tomlkit.comment("Starter profile written by `tilebot discover`."))
    doc.add(tomlkit.comment("Labels c0, c1, ... are clusters of tiles that look alike (see"))
    doc.add(tomlkit.comment("clusters.png): rename them in labels.txt and here, give two"))
    doc.add(tomlkit.comment("clusters one name to merge them, then rebuild the bank with"))
    doc.add(tomlkit.comment("`tilebot templates RECORDING --labels labels.txt --profile THIS`."))
    doc["format"] = 1
    doc["game"] = game
    doc["description"] = description
    level = base if base is not None else LevelProfile(grid=grid)
    table = tomlkit.table()
    table["labels"] = list(names)
    if level.overlay_regions:
        table["overlay_regions"] = [list(r) for r in level.overlay_regions]
    table["grid"] = grid.model_dump()
    table["templates"] = {"bank": bank}
    table["posterize"] = level.posterize.model_dump()
    if empty_label is not None:
        table["occupancy"] = {**level.occupancy.model_dump(), "empty_label": empty_label}
    if colour_classes:
        colour = level.colour.model_dump(exclude={"classes"})
        colour["classes"] = {name: list(c) for name, c in colour_classes.items()}
        table["colour"] = colour
    settle: SettleSpec = level.settle
    table["settle"] = {k: v for k, v in settle.model_dump().items() if v != []}
    doc["base"] = table
    text = tomlkit.dumps(doc)
    parse_profile(text, "<starter profile>")
    return text


def _examples(discovery: Discovery, members: npt.NDArray[np.intp], count: int) -> list[int]:
    """Up to `count` members with distinct features, spread from typical to atypical."""
    ordered = medoid_order(discovery.features, members)
    keys: set[bytes] = set()
    distinct: list[int] = []
    for tile in ordered.tolist():
        key = np.rint(discovery.features.content[tile]).astype(np.int32).tobytes()
        if key not in keys:
            keys.add(key)
            distinct.append(tile)
    if len(distinct) <= count:
        return distinct
    picks = np.unique(np.linspace(0, len(distinct) - 1, count).astype(np.intp))
    return [distinct[i] for i in picks]
