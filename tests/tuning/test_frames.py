"""--frames SPECs: parsing, resolving against real recordings, and the settled frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import TilebotError
from bot.profile import load_profile
from bot.recording import Recording
from bot.tuning.frames import (
    FrameSelectionError,
    parse_frame_spec,
    select_frames,
)

ROOT = Path(__file__).resolve().parents[2]
FLIP = ROOT / "recordings" / "flip-5x5"


def test_parses_numbers_ranges_steps_and_keywords() -> None:
    spec = parse_frame_spec("0, 10,20-30:5,7-9")
    assert spec.keyword is None
    assert spec.ranges == ((0, 0, 1), (10, 10, 1), (20, 30, 5), (7, 9, 1))
    assert parse_frame_spec("settled").keyword == "settled"
    assert parse_frame_spec(" all ").keyword == "all"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "bad item ''"),
        ("1,,2", "bad item ''"),
        ("a", "bad item 'a'"),
        ("5-2", "runs backwards"),
        ("1-4:0", "step must be at least 1"),
        ("-3", "bad item '-3'"),
        ("settled,1", "bad item 'settled'"),
    ],
)
def test_bad_specs_say_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(FrameSelectionError) as caught:
        parse_frame_spec(text)
    assert words in str(caught.value)
    assert isinstance(caught.value, TilebotError)


def test_selects_named_frames_sorted_and_once() -> None:
    recording = Recording.open(FLIP)
    chosen = select_frames(recording, parse_frame_spec("30,0,10,20-30:5,10"))
    assert chosen == (0, 10, 20, 25, 30)
    assert select_frames(recording, parse_frame_spec("all")) == tuple(e.i for e in recording.events)


def test_frames_outside_the_recording_are_named() -> None:
    recording = Recording.open(FLIP)
    last = max(e.i for e in recording.events)
    with pytest.raises(FrameSelectionError, match=rf"frame {last + 1} is not in the recording"):
        select_frames(recording, parse_frame_spec(f"3,{last + 1}"))
    with pytest.raises(FrameSelectionError, match=r"frames 100-999 are outside the recording"):
        select_frames(recording, parse_frame_spec("100-999"))


def test_settled_needs_a_level() -> None:
    with pytest.raises(FrameSelectionError, match="needs a grid"):
        select_frames(Recording.open(FLIP), parse_frame_spec("settled"))


@pytest.mark.parametrize("theme", ["ocean", "night"])
def test_settled_frames_are_where_the_loop_settled_and_read(theme: str) -> None:
    # The golden recordings mark the frames where the live loop found the board settled
    # and read it: the first of each still period, as the settler decides it.
    recording = Recording.open(ROOT / "recordings" / f"fling-{theme}")
    level = load_profile(ROOT / "profiles" / "fling.toml").level(theme)
    settled = select_frames(recording, parse_frame_spec("settled"), level)
    read_by_loop = tuple(e.i for e in recording.events if e.settled)
    assert settled == read_by_loop
    assert len(settled) >= 3


def test_settled_on_an_animation_recording_is_one_frame_per_still_period() -> None:
    recording = Recording.open(FLIP)
    level = load_profile(ROOT / "profiles" / "flip.toml").level(None)
    settled = select_frames(recording, parse_frame_spec("settled"), level)
    # Four clicks by hand with animations between: five still periods.
    assert len(settled) == 5
    assert list(settled) == sorted(settled)
