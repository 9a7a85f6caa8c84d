"""Chromaticity: the same colour in light and in shadow."""

from __future__ import annotations

import numpy as np

from bot.profile import ColourSpec
from bot.vision.color import chromaticity, classify_colour, hue, mean_chromaticity

SPEC = ColourSpec(
    classes={"red": (0.1, 0.1, 0.8), "green": (0.15, 0.7, 0.15), "blue": (0.75, 0.15, 0.1)},
    max_distance=0.08,
)


def test_chromaticity_ignores_brightness() -> None:
    rng = np.random.default_rng(1)
    pixels = rng.integers(20, 120, (16, 16, 3)).astype(np.uint8)
    darker = (pixels.astype(np.float32) * 0.5).round().astype(np.uint8)
    assert np.allclose(chromaticity(pixels), chromaticity(darker), atol=0.02)
    assert np.allclose(chromaticity(pixels).sum(axis=-1), 1.0)
    assert np.allclose(chromaticity(np.zeros((2, 3), np.uint8)), 1 / 3)


def test_shaded_ball_colours_classify_alike() -> None:
    red = np.zeros((10, 10, 3), np.uint8)
    red[..., 2] = np.linspace(60, 240, 10)[None, :]  # a red ramp from shadow to light
    red[..., 0] = red[..., 2] // 8
    red[..., 1] = red[..., 2] // 8
    assert classify_colour(mean_chromaticity(red), SPEC).name == "red"
    lit, dim = mean_chromaticity(red[:, -2:]), mean_chromaticity(red[:, :2])
    assert classify_colour(lit, SPEC).name == classify_colour(dim, SPEC).name == "red"


def test_far_colours_have_no_class() -> None:
    grey = np.full((4, 4, 3), 128, np.uint8)
    match = classify_colour(mean_chromaticity(grey), SPEC)
    assert match.name == "" and match.distance > SPEC.max_distance
    assert classify_colour(np.array([0.1, 0.1, 0.8], np.float32), ColourSpec()).name == ""


def test_weights_and_dark_pixels() -> None:
    pixels = np.zeros((2, 2, 3), np.uint8)
    pixels[0, 0] = (20, 20, 160)
    pixels[0, 1] = (200, 0, 0)
    weight = np.array([[1.0, 0.0], [1.0, 1.0]])  # the black pixels do not count anyway
    assert classify_colour(mean_chromaticity(pixels, weight), SPEC).name == "red"
    assert np.allclose(mean_chromaticity(pixels, np.zeros((2, 2))), 1 / 3)


def test_hue_of_pure_colours() -> None:
    pixels = np.array([[[0, 0, 255], [0, 255, 0], [255, 0, 0]]], np.uint8)
    assert hue(pixels).tolist() == [[0, 60, 120]]
