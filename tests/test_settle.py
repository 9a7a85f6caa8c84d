"""Settling counts quiet time on the clock, not identical grabs."""

from __future__ import annotations

from bot.profile import GridSpec, SettleSpec
from bot.settle import SettleState, settle_step
from tests.scenes import rolling_frames

GRID = GridSpec(origin_x_px=0, origin_y_px=0, tile_px=20, rows=6, cols=8)


def verdicts(quiet_ms: int, dt: float = 0.02) -> list[bool]:
    spec = SettleSpec(quiet_ms=quiet_ms)
    state, out = SettleState(), []
    for f in rolling_frames(40, still_every=10, dt=dt):
        state, result = settle_step(state, f, GRID, spec, f.timestamp)
        out.append(result.settled)
    return out


def test_never_settled_while_moving_and_settles_after_quiet_time() -> None:
    v = verdicts(quiet_ms=60)  # 3 frame gaps of 20 ms
    moving = [i for i in range(40) if (i // 10) % 2 == 0]
    assert not any(v[i] for i in moving)
    # rest starts at frame 10 (same as frame 9, the last change): settled from 9 + 3 = 12
    assert [i for i in range(10, 20) if v[i]] == list(range(12, 20))
    assert [i for i in range(30, 40) if v[i]] == list(range(32, 40))


def test_two_identical_grabs_are_not_enough() -> None:
    v = verdicts(quiet_ms=100)
    assert not v[10] and not v[11] and not v[13] and v[14]


def test_expected_change_restarts_quiet_time() -> None:
    spec = SettleSpec(quiet_ms=40)
    frames = rolling_frames(20, still_every=10)
    state = SettleState()
    for f in frames[:15]:
        state, r = settle_step(state, f, GRID, spec, f.timestamp)
    assert r.settled
    state = state.expect_change(frames[14].timestamp)
    state, r = settle_step(state, frames[15], GRID, spec, frames[15].timestamp)
    assert not r.settled and abs(r.quiet_ms - 20.0) < 1e-6
