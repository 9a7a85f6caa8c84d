"""Fling's vocabulary (grid size, colours, directions, labels) and the looks it is drawn in.

A `Theme` is a plain value: tile colours and texture, the lines and bevels between
tiles, the ball palette and how balls are shaded. Drawing lives in `bot.demo.render`.
Colours are BGR tuples of ints in [0, 255].
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass

from bot.errors import TilebotError

ROWS = 8
"""Rows of the Fling field."""

COLS = 7
"""Columns of the Fling field."""

COLOURS = ("red", "green", "blue", "yellow", "purple")
"""Ball colours, in the order of `Theme.ball_bgr`."""

DIRECTIONS = ("up", "down", "left", "right")
"""Where a ball's eyes look."""

EMPTY = "empty"
"""The label of a tile with no ball."""

LABELS = (EMPTY, *(f"{colour}-{direction}" for colour in COLOURS for direction in DIRECTIONS))
"""All 21 tile labels: "empty", then "colour-direction" for each colour and direction."""

PATTERNS = ("waves", "sand", "slate")
"""Tile textures a theme can ask for."""

BGR = tuple[int, int, int]


def split_label(label: str) -> tuple[str, str] | None:
    """Return (colour, direction) of a ball label, None for "empty"; TilebotError otherwise."""
    if label == EMPTY:
        return None
    colour, _, direction = label.partition("-")
    if colour not in COLOURS or direction not in DIRECTIONS:
        raise TilebotError(
            f"label {label!r} is not a Fling label; expected {EMPTY!r} or 'colour-direction' "
            f"with colour in {COLOURS} and direction in {DIRECTIONS}"
        )
    return colour, direction


def _rgb(red: int, green: int, blue: int) -> BGR:
    """A BGR triple written in the familiar RGB order."""
    return (blue, green, red)


@dataclass(frozen=True, slots=True)
class Theme:
    """How a Fling field looks: tiles, lines between them, balls and the window around it.

    Amplitudes are in 8-bit intensity levels; shading factors are unitless multipliers
    of the ball colour. `ball_bgr` follows the order of `COLOURS`.
    """

    name: str
    tile_bgr: BGR  # tiles where (row + col) is even
    tile_alt_bgr: BGR  # the other half of the subtle checker
    pattern: str  # one of PATTERNS
    pattern_amp: float  # levels added at the pattern's peaks
    grain_amp: float  # standard deviation of per-pixel grain, levels
    tile_jitter: float  # standard deviation of per-tile brightness, as a fraction
    line_bgr: BGR  # grid lines along every tile edge
    bevel_amp: float  # levels added at the top-left edges and taken at the bottom-right
    ball_bgr: tuple[BGR, BGR, BGR, BGR, BGR]
    ambient: float  # ball brightness facing away from the light
    diffuse: float  # extra brightness facing the light
    specular: float  # strength of the white highlight, 0..1
    shininess: float  # highlight exponent; larger is a smaller, sharper spot
    rim: float  # darkening towards the ball's edge, 0..1
    outline_bgr: BGR  # thin ring around each ball
    shadow_alpha: float  # opacity of the drop shadow under a ball
    eye_white_bgr: BGR
    pupil_bgr: BGR
    chrome_bgr: BGR  # the game window's frame, title bar and status strip
    text_bgr: BGR  # text on the window chrome

    def __post_init__(self) -> None:
        if self.pattern not in PATTERNS:
            raise TilebotError(
                f"theme {self.name!r}: pattern {self.pattern!r} is not one of {PATTERNS}"
            )
        if len(self.ball_bgr) != len(COLOURS):
            raise TilebotError(
                f"theme {self.name!r}: ball_bgr has {len(self.ball_bgr)} colours, "
                f"expected {len(COLOURS)} ({', '.join(COLOURS)})"
            )

    def ball_colour(self, colour: str) -> BGR:
        """The base BGR of the ball colour named `colour` (one of COLOURS)."""
        return self.ball_bgr[COLOURS.index(colour)]


OCEAN = Theme(
    name="ocean",
    tile_bgr=_rgb(156, 212, 214),
    tile_alt_bgr=_rgb(142, 201, 206),
    pattern="waves",
    pattern_amp=14.0,
    grain_amp=2.5,
    tile_jitter=0.03,
    line_bgr=_rgb(46, 104, 128),
    bevel_amp=26.0,
    ball_bgr=(
        _rgb(226, 40, 44),
        _rgb(48, 180, 64),
        _rgb(28, 78, 222),
        _rgb(252, 212, 30),
        _rgb(150, 56, 196),
    ),
    ambient=0.50,
    diffuse=0.62,
    specular=0.75,
    shininess=28.0,
    rim=0.25,
    outline_bgr=_rgb(20, 44, 60),
    shadow_alpha=0.38,
    eye_white_bgr=_rgb(250, 250, 250),
    pupil_bgr=_rgb(16, 20, 34),
    chrome_bgr=_rgb(30, 88, 118),
    text_bgr=_rgb(236, 248, 250),
)

DESERT = Theme(
    name="desert",
    tile_bgr=_rgb(226, 192, 140),
    tile_alt_bgr=_rgb(216, 180, 128),
    pattern="sand",
    pattern_amp=9.0,
    grain_amp=6.0,
    tile_jitter=0.035,
    line_bgr=_rgb(138, 96, 58),
    bevel_amp=22.0,
    ball_bgr=(
        _rgb(206, 30, 36),
        _rgb(40, 156, 66),
        _rgb(36, 96, 214),
        _rgb(255, 230, 20),
        _rgb(142, 54, 184),
    ),
    ambient=0.55,
    diffuse=0.55,
    specular=0.45,
    shininess=12.0,
    rim=0.35,
    outline_bgr=_rgb(74, 44, 20),
    shadow_alpha=0.45,
    eye_white_bgr=_rgb(252, 248, 238),
    pupil_bgr=_rgb(40, 22, 10),
    chrome_bgr=_rgb(150, 92, 48),
    text_bgr=_rgb(255, 240, 214),
)

NIGHT = Theme(
    name="night",
    tile_bgr=_rgb(40, 46, 70),
    tile_alt_bgr=_rgb(33, 38, 60),
    pattern="slate",
    pattern_amp=7.0,
    grain_amp=2.0,
    tile_jitter=0.05,
    line_bgr=_rgb(86, 102, 150),
    bevel_amp=12.0,
    ball_bgr=(
        _rgb(240, 64, 64),
        _rgb(60, 214, 104),
        _rgb(64, 136, 255),
        _rgb(248, 216, 56),
        _rgb(196, 84, 240),
    ),
    ambient=0.38,
    diffuse=0.62,
    specular=0.55,
    shininess=40.0,
    rim=0.15,
    outline_bgr=_rgb(8, 10, 18),
    shadow_alpha=0.55,
    eye_white_bgr=_rgb(236, 238, 246),
    pupil_bgr=_rgb(10, 10, 20),
    chrome_bgr=_rgb(22, 26, 40),
    text_bgr=_rgb(170, 184, 226),
)

THEMES: Mapping[str, Theme] = types.MappingProxyType(
    {theme.name: theme for theme in (OCEAN, DESERT, NIGHT)}
)
"""Every built-in theme by name."""


def theme_named(theme: Theme | str) -> Theme:
    """Return `theme` itself, or the built-in theme of that name; TilebotError if unknown."""
    if isinstance(theme, Theme):
        return theme
    try:
        return THEMES[theme]
    except (KeyError, TypeError):
        raise TilebotError(
            f"theme {theme!r} is unknown; expected one of {', '.join(THEMES)}"
        ) from None
