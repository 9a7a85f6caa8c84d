"""The live actuator: pyautogui drives the real mouse and keyboard, after safety checks.

pyautogui is imported when the actuator is made, never at module import (it needs a
display). Its global pause is left alone and switched off per call (`_pause=False`), so a
click costs our overhead only. Its fail-safe stays on: moving the pointer into a screen
corner stops the bot (raised as `Stopped`).

Input coordinates may differ from capture pixels (a scaled desktop): input = capture *
`scale` + `offset`. The self-test (`bot.selftest`) checks that mapping on the live screen.
"""

from __future__ import annotations

import warnings
from types import ModuleType
from typing import Any

from loguru import logger

from bot.act import Placement
from bot.actions import Action
from bot.errors import CaptureError, Stopped, UnsafeAction
from bot.frame import Region
from bot.safety import Point, ScreenPlan, plan_action


class PyAutoGuiActuator:
    """Send checked actions with pyautogui.

    scale, offset: input = capture pixel * scale + offset (1.0 and (0, 0) on a plain X11
    screen). drag steps are pyautogui's tween over `duration_s`.
    """

    def __init__(self, *, scale: float = 1.0, offset: tuple[int, int] = (0, 0)) -> None:
        self.scale = scale
        self.offset = offset
        self._gui = _import_pyautogui()
        width, height = self._gui.size()
        self.screen = Region(0, 0, int(width), int(height))
        self.sent: list[ScreenPlan] = []

    def to_input(self, point: Point) -> Point:
        """Capture/screen pixel -> input coordinates."""
        return (
            round(point[0] * self.scale + self.offset[0]),
            round(point[1] * self.scale + self.offset[1]),
        )

    def move_to(self, point: Point) -> None:
        """Move the pointer to capture pixel `point` (self-test and key focus)."""
        self._call(self._gui.moveTo, *self.to_input(point))

    def perform(self, action: Action, placement: Placement) -> None:
        """Check `action` (UnsafeAction, nothing sent), then send it."""
        plan = plan_action(action, placement, self.screen)
        gui = self._gui
        if plan.kind == "click":
            x, y = self.to_input(plan.points[0])
            self._call(gui.click, x, y, clicks=plan.clicks, button=plan.button.value)
        elif plan.kind == "drag":
            (x0, y0), (x1, y1) = (self.to_input(p) for p in plan.points)
            self._call(gui.moveTo, x0, y0)
            self._call(gui.dragTo, x1, y1, duration=plan.duration_s, button=plan.button.value)
        else:
            key = _pressable(plan.key)
            if not gui.isValidKey(key):
                # pyautogui silently presses nothing for a name it does not know.
                raise UnsafeAction(
                    f"key {plan.key!r} is not a key name pyautogui knows; nothing was sent"
                )
            self.move_to(plan.points[0])
            self._call(gui.press, key)
        self.sent.append(plan)
        logger.debug("sent {} at {}", plan.kind, plan.points)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, _pause=False, **kwargs)
        except self._gui.FailSafeException:
            raise Stopped(
                "pyautogui fail-safe: the pointer is in a corner of the screen; stopping"
            ) from None


def _pressable(key: str | None) -> str:
    """`key` as pyautogui's press looks it up: names longer than one letter in lower case."""
    name = key or ""
    return name.lower() if len(name) > 1 else name


def _import_pyautogui() -> ModuleType:
    # Importing pyautogui runs `which` through subprocess pipes that it never closes
    # (pyscreeze, mouseinfo) and drops some of them at once; those ResourceWarnings are
    # about the library, not the caller, and would fail a run that treats warnings as errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        return _import_quietly()


def _import_quietly() -> ModuleType:
    try:
        import pyautogui
    except KeyError as exc:  # pyautogui reads os.environ["DISPLAY"] at import
        raise CaptureError(f"no display for mouse and keyboard input ({exc} is not set)") from None
    except Exception as exc:
        raise CaptureError(f"cannot drive mouse and keyboard: {exc}") from None
    module: ModuleType = pyautogui
    return module
