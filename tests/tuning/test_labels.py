"""Label files: round trips, aligned writing, and every malformed input named by line."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import TilebotError
from bot.tuning.labels import (
    UNLABELLED,
    LabelError,
    LabelFile,
    format_labels,
    parse_labels,
    read_labels,
    write_labels,
)

GOOD = """\
# hand labels for the ocean level
profile = profiles/fling.toml
level = ocean

[frame 0]
red-up ?         empty
empty  blue-left empty

# a comment between sections
[frame 12]
empty empty red-up
?     ?     ?
"""


def test_reads_headers_frames_and_unknowns(tmp_path: Path) -> None:
    path = tmp_path / "labels.txt"
    path.write_text(GOOD, encoding="utf-8")
    labels = read_labels(path)
    assert labels.profile == "profiles/fling.toml"
    assert labels.level == "ocean"
    assert list(labels.frames) == [0, 12]
    assert labels.frames[0] == (("red-up", UNLABELLED, "empty"), ("empty", "blue-left", "empty"))
    assert labels.frames[12][1] == (UNLABELLED,) * 3


def test_headers_are_optional() -> None:
    labels = parse_labels("[frame 3]\na b\nc d\n")
    assert labels.profile is None and labels.level is None
    assert labels.frames[3] == (("a", "b"), ("c", "d"))


def test_write_then_read_round_trips_with_aligned_columns(tmp_path: Path) -> None:
    labels = LabelFile(
        profile="p.toml",
        level=None,
        frames={5: (("a", "longer"), ("ccc", "?")), 1: (("x", "y"), ("z", "w"))},
    )
    path = tmp_path / "sub" / "labels.txt"
    write_labels(path, labels)
    text = path.read_text(encoding="utf-8")
    assert text.index("[frame 1]") < text.index("[frame 5]")
    assert "a   longer" in text and "ccc ?" in text
    back = read_labels(path)
    assert back.profile == "p.toml" and back.level is None
    assert dict(back.frames) == dict(labels.frames)
    assert [p.name for p in path.parent.iterdir()] == ["labels.txt"]


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "labels.txt"
    path.write_text("old", encoding="utf-8")
    write_labels(path, LabelFile(None, None, {0: (("a",),)}))
    assert read_labels(path).frames[0] == (("a",),)


LABEL = st.text(alphabet="abcdefgh-_?0123456789", min_size=1, max_size=8).filter(
    lambda s: s[0] not in "#["
)


@given(
    st.integers(1, 4).flatmap(
        lambda rows: st.integers(1, 4).flatmap(
            lambda cols: st.dictionaries(
                st.integers(0, 10_000),
                st.tuples(*[st.tuples(*[LABEL] * cols)] * rows),
                max_size=4,
            )
        )
    )
)
def test_format_parse_round_trip(frames: dict[int, tuple[tuple[str, ...], ...]]) -> None:
    labels = LabelFile(profile="x y.toml", level="night", frames=frames)
    back = parse_labels(format_labels(labels))
    assert dict(back.frames) == frames
    assert (back.profile, back.level) == ("x y.toml", "night")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("[frame 0]\na b\nc\n", 3, "row has 1 cells, expected 2"),
        ("[frame 0]\na b\n[frame 1]\na b c\n", 4, "expected 2"),
        ("[frame 0]\na\nb\n[frame 1]\na\n", 4, "has 1 rows, earlier frames have 2"),
        ("[frame 0]\na\n[frame 0]\na\n", 3, "appears twice"),
        ("[frame x]\na\n", 1, "'x' is not an integer"),
        ("[frame -2]\na\n", 1, "negative"),
        ("[frames 1]\na\n", 1, "bad section"),
        ("colour = red\n[frame 0]\na\n", 1, "unknown header 'colour'"),
        ("level = a\nlevel = b\n", 2, "header 'level' appears twice"),
        ("level =\n", 1, "has no value"),
        ("just words\n", 1, "expected 'profile = PATH'"),
        ("[frame 4]\n\n[frame 5]\na\n", 1, "[frame 4] has no rows"),
    ],
)
def test_malformed_files_name_file_line_and_fault(
    tmp_path: Path, text: str, line: int, words: str
) -> None:
    path = tmp_path / "labels.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LabelError) as caught:
        read_labels(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: "), message
    assert words in message


def test_missing_file_is_a_tilebot_error(tmp_path: Path) -> None:
    with pytest.raises(TilebotError, match="no such label file"):
        read_labels(tmp_path / "absent.txt")


@pytest.mark.parametrize(
    "frames",
    [
        {0: (("a", "b"), ("c",))},
        {0: (("a",),), 1: (("a", "b"),)},
        {0: (("has space",),)},
        {0: (("#x",),)},
        {-1: (("a",),)},
    ],
)
def test_write_refuses_what_cannot_be_read_back(
    tmp_path: Path, frames: dict[int, tuple[tuple[str, ...], ...]]
) -> None:
    path = tmp_path / "labels.txt"
    with pytest.raises(LabelError):
        write_labels(path, LabelFile(None, None, frames))
    assert not path.exists()
