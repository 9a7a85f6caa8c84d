"""`tilebot inspect`: annotated PNGs and one HTML report for chosen frames."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import cv2
import pytest

from bot.commands.inspect import add_arguments, inspect_command
from bot.errors import FrameError, ProfileError
from bot.recording import Recording
from bot.tuning.frames import FrameSelectionError
from bot.tuning.report import CAPTION_PX

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "fling.toml"
OCEAN = ROOT / "recordings" / "fling-ocean"


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return inspect_command(parser.parse_args(list(argv)))


def test_a_recording_gives_a_picture_and_a_section_per_settled_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    code = run(str(OCEAN), "--profile", str(PROFILE), "--out", str(out))

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    shown = [
        int(m.group(1)) for line in lines if (m := re.match(r"frame (\d+)  level ocean", line))
    ]
    assert len(shown) >= 3  # the level's start and a board after each move
    assert all("unknown 0/56" in line for line in lines[: len(shown)])
    assert sorted(p.name for p in out.glob("*.png")) == [f"frame-{i:06d}.png" for i in shown]
    picture = cv2.imread(str(out / f"frame-{shown[0]:06d}.png"))
    assert picture is not None and picture.shape == (CAPTION_PX + 576, 464, 3)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert re.findall(r"<section id='frame-(\d+)'>", page) == [str(i) for i in shown]
    assert page.count("data:image/png;base64,") == len(shown)
    assert lines[-1] == f"wrote {len(shown)} PNGs to {out} and the report {out / 'report.html'}"


def test_named_frames_and_a_report_path_of_its_own(tmp_path: Path) -> None:
    report = tmp_path / "r" / "inspect.html"

    code = run(
        str(OCEAN), "--profile", str(PROFILE), "--frames", "2,4", "--out", str(tmp_path / "png"),
        "--html", str(report),
    )  # fmt: skip

    assert code == 0
    assert sorted(p.name for p in (tmp_path / "png").iterdir()) == [
        "frame-000002.png",
        "frame-000004.png",
    ]
    assert re.findall(r"<section id='frame-(\d+)'>", report.read_text(encoding="utf-8")) == [
        "2",
        "4",
    ]


def test_an_image_is_frame_0_read_with_the_level_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = Recording.open(OCEAN)
    frame = recording.load(next(e for e in recording.events if e.settled))
    image = tmp_path / "board.png"
    cv2.imwrite(str(image), frame.pixels)

    code = run(str(image), "--profile", str(PROFILE), "--level", "ocean", "--out", str(tmp_path))

    assert code == 0
    assert capsys.readouterr().out.startswith("frame 0  level ocean  grab ")
    assert (tmp_path / "frame-000000.png").is_file()
    assert (tmp_path / "report.html").is_file()


def test_read_with_another_level_the_cells_are_unknown_and_tabled(tmp_path: Path) -> None:
    code = run(
        str(OCEAN), "--profile", str(PROFILE), "--level", "night", "--frames", "4",
        "--out", str(tmp_path),
    )  # fmt: skip

    assert code == 0
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    unknown = int(re.search(r"; (\d+) unknown cells</p>", page).group(1))  # type: ignore[union-attr]
    assert unknown > 0
    assert page.count("<tr><td>(") == unknown


def test_a_frame_the_recording_lacks_is_named(tmp_path: Path) -> None:
    with pytest.raises(FrameSelectionError, match=r"fling-ocean: frame 5000 is not in the"):
        run(str(OCEAN), "--profile", str(PROFILE), "--frames", "5000", "--out", str(tmp_path))


def test_an_image_has_only_frame_0(tmp_path: Path) -> None:
    recording = Recording.open(OCEAN)
    image = tmp_path / "board.png"
    cv2.imwrite(str(image), recording.load(recording.events[0]).pixels)

    with pytest.raises(FrameSelectionError, match=r"board.png: an image has only frame 0"):
        run(str(image), "--profile", str(PROFILE), "--frames", "3", "--out", str(tmp_path))


def test_sources_that_are_neither_recording_nor_png_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    fake = tmp_path / "fake.png"
    fake.write_text("not a picture", encoding="utf-8")

    with pytest.raises(FrameError, match=r"missing: no such recording folder or image"):
        run(str(tmp_path / "missing"), "--profile", str(PROFILE))
    with pytest.raises(FrameError, match=r"notes.txt: expected a recording folder or a PNG"):
        run(str(text), "--profile", str(PROFILE))
    with pytest.raises(FrameError, match=r"fake.png: not a readable PNG image"):
        run(str(fake), "--profile", str(PROFILE))


def test_an_unknown_level_lists_the_levels(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as caught:
        run(str(OCEAN), "--profile", str(PROFILE), "--level", "dusk", "--out", str(tmp_path))

    assert caught.value.problems == [
        f"{PROFILE}: levels.dusk: no such level (levels: ocean, desert, night)"
    ]
