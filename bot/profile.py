"""Recognition profiles: strict pydantic models, one TOML file per game, levels inside.

A profile file has a `base` level and named `levels` that inherit it and override any field
(deep merge, then validation). Profiles are data only: TOML parsed by tomlkit (which keeps
comments when a later tool writes tuned values back), never pickle or code.

    format = 1
    game = "fling"
    [base.grid]
    origin_x_px = 32
    ...
    [levels.night.grid]
    origin_x_px = 40
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import tomlkit
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from tomlkit.exceptions import ParseError

from bot.errors import ProfileError


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GridSpec(_Strict):
    """Where the board's tiles sit inside the frame, in frame pixels.

    Tile (row, col) covers x in [origin_x_px + col * pitch, + tile_px),
    y in [origin_y_px + row * pitch, + tile_px), where pitch = tile_px + gap_px.
    """

    origin_x_px: int = Field(ge=0, description="x of the top-left tile's left edge")
    origin_y_px: int = Field(ge=0, description="y of the top-left tile's top edge")
    tile_px: int = Field(gt=0, description="tile width and height")
    gap_px: int = Field(0, ge=0, description="space between neighbouring tiles")
    rows: int = Field(gt=0)
    cols: int = Field(gt=0)

    @property
    def pitch_px(self) -> int:
        """Distance between the left edges of neighbouring tiles."""
        return self.tile_px + self.gap_px

    @property
    def width_px(self) -> int:
        """Width of the whole board, first tile's left edge to last tile's right edge."""
        return self.cols * self.pitch_px - self.gap_px

    @property
    def height_px(self) -> int:
        """Height of the whole board."""
        return self.rows * self.pitch_px - self.gap_px

    def cell_box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """Frame-pixel box (x, y, w, h) of tile (row, col)."""
        p = self.pitch_px
        return self.origin_x_px + col * p, self.origin_y_px + row * p, self.tile_px, self.tile_px

    def cell_centre(self, row: int, col: int) -> tuple[float, float]:
        """Frame-pixel centre (x, y) of tile (row, col)."""
        x, y, w, h = self.cell_box(row, col)
        return x + (w - 1) / 2, y + (h - 1) / 2


class OccupancySpec(_Strict):
    """Border statistics: is there something on a tile, or only its background?"""

    ring_px: int = Field(3, gt=0, description="width of the edge ring sampled as background")
    inset_px: int = Field(0, ge=0, description="the ring starts this far inside the tile edge")
    z_limit: float = Field(4.0, gt=0, description="a pixel is foreground above this z-score")
    min_blob_px: int = Field(40, ge=1, description="smallest foreground blob that occupies")
    empty_label: str = Field("empty", description="label of an unoccupied tile")
    reads_empty: bool = Field(
        False,
        description="a tile the veil fit names empty, clearing score_min and margin_min but "
        "not the veil's stricter bars, reads empty when these statistics find nothing on it",
    )


class ColourSpec(_Strict):
    """Colour classes in chromaticity space (r, g, b each over their sum)."""

    classes: dict[str, tuple[float, float, float]] = Field(default_factory=dict)
    max_distance: float = Field(0.05, gt=0, description="largest accepted distance")
    flat_std_max: float = Field(
        2.0,
        ge=0,
        description="a tile the templates leave in doubt whose largest channel standard "
        "deviation (levels) is at most this is named by the nearest class",
    )


class PosterizeSpec(_Strict):
    """Mean-shift posterizing (cv2.pyrMeanShiftFiltering) parameters and when to use it."""

    spatial_radius_px: int = Field(10, gt=0)
    colour_radius: float = Field(20.0, gt=0)
    on_doubtful_tiles: bool = Field(True, description="retry doubtful tiles posterized")


class TemplateSpec(_Strict):
    """Template matching: where the bank lives and how sure a match must be."""

    bank: str | None = Field(None, description="template bank file, relative to the profile")
    score_min: float = Field(0.80, ge=-1, le=1, description="lowest accepted match score")
    margin_min: float = Field(0.05, ge=0, le=2, description="lowest best-minus-runner-up")
    search_px: int = Field(3, ge=0, description="slow path: search window radius")
    confirm_below: float = Field(
        0.95,
        ge=0,
        le=1,
        description="a tile named other than empty from a score below this must be "
        "confirmed by the veil fit (0: never); guards against coloured veils",
    )


class SettleSpec(_Strict):
    """When the board counts as still: no change for `quiet_ms` of clock time.

    quiet_ms must exceed both the game's longest gap between animation redraws and the
    delay from an action to its first redraw (two identical grabs are not enough).
    "quiet+confident" also requires a read with no unknown cell before acting (the loop
    never acts on an uncertain read in either case). surprise_quiet_ms: a board the
    policy did not expect (Policy.expects) is acted on only after this long a quiet; games
    that flash the board on completion redraw it more slowly than they animate a move.
    """

    method: Literal["quiet", "quiet+confident"] = "quiet"
    quiet_ms: int = Field(60, ge=0, description="no change for this long means settled")
    max_wait_ms: int = Field(3000, gt=0, description="still moving after this long: timed out")
    pixel_tolerance: int = Field(8, ge=0, le=255, description="change below this is noise")
    min_changed_px: int = Field(1, ge=1, description="fewer changed pixels than this are noise")
    ignore_regions: list[tuple[int, int, int, int]] = Field(
        default_factory=list, description="frame boxes (x, y, w, h) that never count: timers"
    )
    surprise_quiet_ms: int = Field(
        0, ge=0, description="quiet needed before acting on a board the policy did not expect"
    )


class Timing(_Strict):
    """Pacing and patience of the bot."""

    max_actions_per_s: float = Field(10.0, gt=0)
    unknown_wait_ms: int = Field(2000, gt=0, description="give up on a board uncertain this long")
    no_effect_limit: int = Field(3, gt=0, description="stop after this many actions with no effect")


class LevelProfile(_Strict):
    """Everything the pipeline needs to read and play one level."""

    description: str = ""
    grid: GridSpec
    labels: list[str] = Field(default_factory=list, description="labels this level can show")
    overlay_regions: list[tuple[int, int, int, int]] = Field(
        default_factory=list,
        description="frame boxes (x, y, w, h) of static overlays (logos, HUD) over the board: "
        "their pixels weigh nothing in reading and settling",
    )
    occupancy: OccupancySpec = OccupancySpec()
    colour: ColourSpec = ColourSpec()
    posterize: PosterizeSpec = PosterizeSpec()
    templates: TemplateSpec = TemplateSpec()
    settle: SettleSpec = SettleSpec()
    timing: Timing = Timing()

    @model_validator(mode="after")
    def _ring_fits(self) -> LevelProfile:
        occupancy, t = self.occupancy, self.grid.tile_px
        if occupancy.reads_empty and 2 * (occupancy.inset_px + occupancy.ring_px) + 1 > t:
            raise ValueError(
                f"occupancy: a ring of {occupancy.ring_px} px inset {occupancy.inset_px} px "
                f"does not fit the grid's {t} px tiles"
            )
        return self


class SceneSpec(_Strict):
    """Scene identification: which screen is showing, so the loop picks the level itself.

    bank: a scene bank folder (scenes.json + thumbnails), relative to the profile.
    levels: scene name -> level name to play on that screen. Scenes not listed (a menu,
    a popup, game over) pause the bot; an unknown screen keeps the current level.
    """

    bank: str
    max_distance: float = Field(0.25, gt=0, le=1)
    min_margin: float = Field(0.02, ge=0, le=1)
    levels: dict[str, str] = Field(default_factory=dict)


class Profile(_Strict):
    """One game's profile: a base level and named levels that override it."""

    format: Literal[1] = 1
    game: str = Field(min_length=1)
    description: str = ""
    base: LevelProfile
    levels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    scenes: SceneSpec | None = None

    def level_names(self) -> list[str]:
        """The named levels, in file order."""
        return list(self.levels)

    def level(self, name: str | None = None) -> LevelProfile:
        """The base level (name None) or `name` merged over it; KeyError if unknown."""
        if name is None:
            return self.base
        if name not in self.levels:
            raise KeyError(name)
        merged = _deep_merge(self.base.model_dump(), self.levels[name])
        try:
            return LevelProfile.model_validate(merged)
        except ValidationError as exc:
            raise _relocate(exc, ("levels", name)) from None


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _relocate(exc: ValidationError, prefix: tuple[str, ...]) -> ValidationError:
    errors = [dict(e, loc=(*prefix, *e["loc"])) for e in exc.errors()]
    return ValidationError.from_exception_data(exc.title, errors)  # type: ignore[arg-type]


def load_profile(path: str | Path) -> Profile:
    """Read and validate a profile file; raise ProfileError listing every problem.

    Each problem reads `file: field.path: message`.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError([f"{path}: no such profile file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError([f"{path}: cannot read: {exc}"]) from None
    return parse_profile(text, source=str(path))


def parse_profile(text: str, source: str = "<profile>") -> Profile:
    """Validate profile TOML text; `source` names it in error messages."""
    try:
        data = tomlkit.parse(text).unwrap()
    except ParseError as exc:
        where = f"line {exc.line} column {exc.col}"
        raise ProfileError([f"{source}: {where}: {_toml_reason(exc)}"]) from None
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError([_format_error(source, e) for e in exc.errors()]) from None
    problems: list[str] = []
    for name in profile.levels:
        try:
            profile.level(name)
        except ValidationError as exc:
            problems += [_format_error(source, e) for e in exc.errors()]
    if profile.scenes is not None:
        for scene, level in profile.scenes.levels.items():
            if level not in profile.levels and level != "base":
                problems.append(f"{source}: scenes.levels.{scene}: no level named {level!r}")
    if problems:
        raise ProfileError(problems)
    return profile


def _toml_reason(exc: ParseError) -> str:
    msg = str(exc)
    return msg.split(" at line ", maxsplit=1)[0]


def _format_error(source: str, error: Any) -> str:
    loc = ".".join(str(part) for part in error["loc"]) or "(top level)"
    return f"{source}: {loc}: {error['msg']}"


def profile_schema() -> str:
    """The JSON schema of a profile file, for editors (TOML editors accept JSON schema)."""
    return json.dumps(Profile.model_json_schema(), indent=2)


def resolve(profile_path: str | Path, relative: str) -> Path:
    """A path written in a profile, taken relative to the profile file's folder."""
    return (Path(profile_path).parent / relative).resolve()
