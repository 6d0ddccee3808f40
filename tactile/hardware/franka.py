"""Franka Hand (Panda / FR3 gripper) through the ``franky`` binding (PyPI ``franky-control``).

``franka://172.16.0.2`` (the robot's FCI address). Install with ``pip install "tactile[franka]"``.
The reference grasps of Burgess et al. 2024 were recorded with a Franka Hand.

Why franky: it is maintained (releases through 2026), ships manylinux wheels with libfranka
inside, and exposes the gripper as plain Python methods (``Gripper(host)``, ``move``,
``grasp``, their ``*_async`` forms, ``stop``, ``homing``, ``width``, ``is_grasped``,
``max_width``), units m, m/s and N. ``panda-python`` also binds libfranka but pins one libfranka
version per wheel; ``frankx`` is unmaintained since 2022. The backend touches nothing but those
names, and ``tests/hardware/test_franka.py`` runs it against a fake with the same interface.

Mapping onto :class:`~tactile.hardware.base.Gripper`:

* ``activate()`` homes the fingers only when the hand says it must (``max_width`` is 0 after
  a power cycle or a finger change); an active hand is left alone.
* ``move_to_mm(width, speed, force)``: closing is ``grasp_async(width, speed, force,
  epsilon_inner, epsilon_outer)`` with wide epsilons, so the fingers stop on whatever they meet
  and hold ``force`` newtons; opening is ``move_async``. ``hold()`` is ``stop()``.
* ``state()``: width in mm; MOVING while the last command runs, then CONTACT_CLOSING when
  ``is_grasped`` else AT_POSITION. There are no position counts: the hand reports metres.

Query parameters (:class:`FrankaConfig`): ``min_speed_mm_s`` / ``max_speed_mm_s`` (5 / 100:
speed 0..1), ``min_force_n`` / ``max_force_n`` (20 / 70: the hand's continuous force; force
0..1), ``epsilon_mm`` (1000: any stop counts as a grasp).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from tactile.errors import ConfigError, DeviceError
from tactile.hardware.base import Gripper, GripperState, ObjectStatus, now_s
from tactile.hardware.registry import parse_device_url
from tactile.hardware.url_config import config_from_url


@dataclass(frozen=True)
class FrankaConfig:
    min_speed_mm_s: float = 5.0
    max_speed_mm_s: float = 100.0
    min_force_n: float = 20.0
    max_force_n: float = 70.0
    epsilon_mm: float = 1000.0

    def __post_init__(self) -> None:
        if not (0 < self.min_speed_mm_s <= self.max_speed_mm_s <= 200):
            raise ConfigError(
                f"Franka speeds {self.min_speed_mm_s}..{self.max_speed_mm_s} mm/s are invalid",
                hint="the Franka Hand moves at most 100 mm/s (0.1 m/s)",
            )
        if not (0 <= self.min_force_n <= self.max_force_n <= 140):
            raise ConfigError(
                f"Franka forces {self.min_force_n}..{self.max_force_n} N are invalid",
                hint="the Franka Hand holds 70 N continuously, 140 N at most",
            )


def _binding() -> Any:
    try:
        return importlib.import_module("franky")
    except ImportError as exc:
        raise DeviceError(
            "the Franka Hand backend needs the franky binding",
            hint='pip install "tactile[franka]" (installs franky-control)',
        ) from exc


def _done(future: Any) -> bool:
    if future is None:
        return True
    if hasattr(future, "done"):
        return bool(future.done())
    return bool(future.wait(0))  # franky's futures: wait(timeout_s) -> ready


class FrankaHandGripper(Gripper):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        p = parse_device_url(url)
        self.host = p.netloc or p.path.strip("/")
        if not self.host:
            raise ConfigError(f"Franka URL {url!r} names no robot", hint="franka://172.16.0.2")
        self.config = config_from_url(FrankaConfig, p)
        self._hand: Any = None
        self._future: Any = None
        self._closing = False

    # --- lifecycle ------------------------------------------------------------------------
    def _connect(self) -> None:
        binding = _binding()
        try:
            self._hand = binding.Gripper(self.host)
        except Exception as exc:  # the binding raises its own network errors
            raise DeviceError(
                f"cannot reach the Franka Hand at {self.host}: {exc}",
                hint="check the robot is on, FCI is enabled in Desk, and the address",
            ) from exc

    def _close(self) -> None:
        self._hand = None

    def _h(self) -> Any:
        self._require_connected()
        return self._hand

    # --- properties -------------------------------------------------------------------------
    @property
    def max_width_mm(self) -> float:
        hand = self._hand
        width = float(hand.max_width) * 1000.0 if hand is not None else 0.0
        return width if width > 0 else 80.0  # the hand's stroke before homing says otherwise

    @property
    def min_grip_force_n(self) -> float:
        return self.config.min_force_n

    def speed_mm_s(self, speed: float) -> float:
        c = self.config
        return c.min_speed_mm_s + min(max(speed, 0.0), 1.0) * (c.max_speed_mm_s - c.min_speed_mm_s)

    def force_n(self, force: float) -> float:
        c = self.config
        return c.min_force_n + min(max(force, 0.0), 1.0) * (c.max_force_n - c.min_force_n)

    def force_setting_for(self, force_n: float) -> float:
        c = self.config
        span = c.max_force_n - c.min_force_n
        return min(max((force_n - c.min_force_n) / span, 0.0), 1.0) if span > 0 else 0.0

    # --- commands --------------------------------------------------------------------------
    def activate(self) -> None:
        """Home the fingers only when the hand needs it (``max_width`` 0: not homed)."""
        hand = self._h()
        if float(hand.max_width) <= 0 and not hand.homing():
            raise DeviceError(
                f"{self.name}: homing failed", hint="clear the fingers and check the hand in Desk"
            )

    def move_to_mm(self, width_mm: float, *, speed: float = 1.0, force: float = 1.0) -> None:
        hand = self._h()
        width_m = max(min(width_mm, self.max_width_mm), 0.0) / 1000.0
        speed_m_s = self.speed_mm_s(speed) / 1000.0
        self._closing = width_mm < float(hand.width) * 1000.0
        if self._closing:
            eps = self.config.epsilon_mm / 1000.0
            self._future = hand.grasp_async(width_m, speed_m_s, self.force_n(force), eps, eps)
        else:
            self._future = hand.move_async(width_m, speed_m_s)

    def hold(self) -> None:
        """Stop the fingers where they are (``stop()``)."""
        self._h().stop()
        self._future = None

    def state(self) -> GripperState:
        hand = self._h()
        if not _done(self._future):
            status = ObjectStatus.MOVING
        elif bool(hand.is_grasped):
            status = ObjectStatus.CONTACT_CLOSING
        else:
            status = ObjectStatus.AT_POSITION
        return GripperState(
            t_s=now_s(),
            width_mm=float(hand.width) * 1000.0,
            activated=float(hand.max_width) > 0,
            object_status=status,
        )
