"""Scene identification on screens the sgt-puzzles games draw: levels, popups, game over."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

import cv2
import numpy as np
import pytest

from bot.errors import FrameError, ProfileError
from bot.frame import Frame, Pixels
from bot.recording import Recording
from bot.scene import SceneBank, identify, thumbnail
from tests.conftest import require
from tests.live import GAMES_DIR, missing_game
from tests.overlay_scenes import jpeg

RECORDINGS = Path(__file__).resolve().parents[1] / "recordings"
EXAMPLES = (1, 2, 3)
"""Seeds of the boards a scene is built from; the probes use other seeds."""
UNSEEN = (4, 5)
LEVELS: dict[str, tuple[str, str, dict[str, str]]] = {
    # scene: (game, parameters, environment)
    "flip": ("flip", "5x5c", {}),
    "flip-orange": ("flip", "5x5c", {"FLIP_COLOUR_2": "ff8800"}),
    "fifteen": ("fifteen", "4x4", {}),
    "samegame": ("samegame", "5x5c3s2", {}),
    "mines": ("mines", "9x9n10", {}),
    "flood": ("flood", "12x12c6m5", {}),
}

Screens = Mapping[str, Mapping[int, Pixels]]


def render(game: str, params: str, env: Mapping[str, str], out: Path) -> Pixels:
    """The board `sgt-GAME` draws for `--generate 1 params`, as (H, W, 3) uint8 BGR."""
    binary = str(GAMES_DIR / f"sgt-{game}")
    run_env = {"PATH": "/usr/bin:/bin", **env}
    game_id = subprocess.run(
        [binary, "--generate", "1", params], env=run_env, check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run([binary, "--screenshot", str(out), game_id], env=run_env, check=True)
    image = cv2.imread(str(out), cv2.IMREAD_COLOR)
    assert image is not None, f"{out} could not be read"
    return np.asarray(image, dtype=np.uint8)


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Screens:
    """Every level's boards for seeds 1-5, and an unrelated game's (net) as seed 0."""
    for game in {g for g, _, _ in LEVELS.values()} | {"net"}:
        require(missing_game(game))
    folder = tmp_path_factory.mktemp("screens")
    out: dict[str, dict[int, Pixels]] = {}
    for name, (game, params, env) in LEVELS.items():
        out[name] = {
            s: render(game, f"{params}#{s}", env, folder / f"{name}-{s}.png")
            for s in (*EXAMPLES, *UNSEEN)
        }
    out["net"] = {0: render("net", "5x5#1", {}, folder / "net.png")}
    return out


def popup(board: Pixels) -> Pixels:
    """A "Solved!" dialog drawn over the middle of `board` (a new image)."""
    out = board.copy()
    h, w = out.shape[:2]
    cv2.rectangle(out, (w // 6, h // 3), (5 * w // 6, 2 * h // 3), (235, 235, 235), -1)
    cv2.rectangle(out, (w // 6, h // 3), (5 * w // 6, 2 * h // 3), (60, 60, 60), 2)
    cv2.putText(out, "Solved!", (w // 6 + 10, h // 2 + 5), cv2.FONT_HERSHEY_SIMPLEX, w / 300,
                (0, 0, 0), 2)  # fmt: skip
    return out


def game_over(board: Pixels) -> Pixels:
    """`board` darkened with GAME OVER across it (a new image)."""
    out = np.asarray(board * 0.35, dtype=np.uint8)
    h, w = out.shape[:2]
    cv2.putText(out, "GAME OVER", (w // 10, h // 2), cv2.FONT_HERSHEY_SIMPLEX, w / 250,
                (40, 40, 230), 3)  # fmt: skip
    return out


def bank_of(screens: Screens) -> SceneBank:
    """Eight scenes: six levels, a popup (over flip and fifteen) and game over (samegame)."""
    refs: dict[str, list[Pixels]] = {name: [screens[name][s] for s in EXAMPLES] for name in LEVELS}
    refs["popup"] = [popup(screens[g][s]) for g in ("flip", "fifteen") for s in (1, 2)]
    refs["game-over"] = [game_over(screens["samegame"][s]) for s in EXAMPLES]
    return SceneBank.build(refs)


@pytest.mark.parametrize("seed", UNSEEN)
@pytest.mark.parametrize("level", sorted(LEVELS))
def test_an_unseen_board_of_a_level_is_told_by_its_level(
    screens: Screens, level: str, seed: int
) -> None:
    bank = bank_of(screens)
    board = screens[level][seed]
    for shown in (board, jpeg(board, 70)):
        match = identify(Frame(shown, 0, 0.0), bank)
        assert match.name == level, {n: round(s.distance, 3) for n, s in match.scores.items()}
        assert match.margin > 0.02


@pytest.mark.parametrize("seed", UNSEEN)
def test_popups_and_game_over_are_noticed(screens: Screens, seed: int) -> None:
    bank = bank_of(screens)
    for game in ("flip", "fifteen"):
        assert identify(popup(screens[game][seed]), bank).name == "popup"
    assert identify(game_over(screens["samegame"][seed]), bank).name == "game-over"


def test_screens_of_no_scene_in_the_bank_are_unknown(screens: Screens) -> None:
    bank = bank_of(screens)
    unknown = [
        screens["net"][0],
        game_over(screens["flood"][4]),
        np.full((300, 300, 3), 255, np.uint8),
    ]
    for shown in unknown:
        match = identify(shown, bank)
        assert match.name is None, {n: round(s.distance, 3) for n, s in match.scores.items()}
    assert min(s.distance for s in identify(unknown[0], bank).scores.values()) > 0.25


def test_every_score_is_reported_and_identical_screens_score_perfectly(screens: Screens) -> None:
    bank = SceneBank.build({name: screens[name][1] for name in LEVELS})
    match = identify(screens["mines"][1], bank)
    assert set(match.scores) == set(LEVELS)
    best = match.scores["mines"]
    assert best.ssim == pytest.approx(1.0) and best.nrmse == 0.0 and best.hist == 0.0
    assert best.distance == pytest.approx(0.0, abs=1e-6)
    assert match.margin == pytest.approx(
        min(s.distance for n, s in match.scores.items() if n != "mines")
    )


def test_recorded_game_windows_are_told_apart_during_animations() -> None:
    flip = list(Recording.open(RECORDINGS / "flip-anim").frames())
    fifteen = list(Recording.open(RECORDINGS / "fifteen-anim").frames())
    bank = SceneBank.build({"flip": flip[0].pixels, "fifteen": fifteen[0].pixels})
    for frame in flip[::40]:
        assert identify(frame, bank).name == "flip"
    for frame in fifteen[::40]:
        assert identify(frame, bank).name == "fifteen"


def test_a_bank_is_saved_as_png_and_json_and_loads_the_same(
    screens: Screens, tmp_path: Path
) -> None:
    bank = bank_of(screens)
    bank.save(tmp_path / "bank")
    files = sorted(p.name for p in (tmp_path / "bank").iterdir())
    assert "scenes.json" in files and all(f.endswith(".png") for f in files if f != "scenes.json")
    assert "popup.3.png" in files and "flip.2.png" in files and len(files) == 1 + 6 * 3 + 4 + 3
    loaded = SceneBank.load(tmp_path / "bank")
    assert loaded.names == bank.names and loaded.thumbnail_px == bank.thumbnail_px
    probe = screens["flood"][5]
    assert identify(probe, loaded).scores == identify(probe, bank).scores


def test_damaged_banks_are_refused_naming_file_and_field(screens: Screens, tmp_path: Path) -> None:
    folder = tmp_path / "bank"
    SceneBank.build({"flip": screens["flip"][1], "mines": screens["mines"][1]}).save(folder)
    index = json.loads((folder / "scenes.json").read_text())

    def broken(change: dict[str, object]) -> None:
        (folder / "scenes.json").write_text(json.dumps({**index, **change}))

    broken({"version": 2})
    with pytest.raises(ProfileError, match=r"scenes.json: version: 2 is not 1"):
        SceneBank.load(folder)
    broken({"scenes": [{"name": "../x", "files": ["flip.0.png"]}]})
    with pytest.raises(ProfileError, match=r"scenes.0.name: '../x' is not a valid scene name"):
        SceneBank.load(folder)
    broken({"scenes": [{"name": "flip", "files": ["../flip.0.png"]}]})
    with pytest.raises(ProfileError, match=r"scenes.0.files.0: '../flip.0.png' must be a file"):
        SceneBank.load(folder)
    broken({})
    (folder / "mines.0.png").unlink()
    with pytest.raises(ProfileError, match=r"scenes.1.files.0: .*mines.0.png is missing"):
        SceneBank.load(folder)
    (folder / "scenes.json").write_text("{not json")
    with pytest.raises(ProfileError, match=r"scenes.json: unreadable scene bank index"):
        SceneBank.load(folder)
    with pytest.raises(ProfileError, match=r"no such scene bank index"):
        SceneBank.load(tmp_path / "nowhere")


def test_bad_references_are_refused() -> None:
    screen = np.zeros((40, 60, 3), np.uint8)
    with pytest.raises(FrameError, match="scene name 'a b'"):
        SceneBank.build({"a b": screen})
    with pytest.raises(FrameError, match="scene 'grey' example 0: expected shape"):
        SceneBank.build({"grey": np.zeros((40, 60), np.uint8)})
    with pytest.raises(FrameError, match="needs 1 to 8 examples"):
        SceneBank.build({"many": [screen] * 9})
    with pytest.raises(FrameError, match="at least 8x8"):
        SceneBank.build({"tiny": screen}, thumbnail_px=(4, 4))


def test_an_empty_bank_knows_no_scene() -> None:
    match = identify(np.zeros((40, 60, 3), np.uint8), SceneBank.build({}))
    assert match.name is None and not match.scores


def test_thumbnails_average_areas() -> None:
    image = np.zeros((400, 640, 3), np.uint8)
    image[:, 320:] = 200
    thumb = thumbnail(image, (64, 40))
    assert thumb.shape == (40, 64, 3)
    assert (thumb[:, :32] == 0).all() and (thumb[:, 32:] == 200).all()
