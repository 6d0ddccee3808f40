"""Finger motion of a simulated parallel gripper: constant speed, stop on force or position.

Shared by the Robotiq firmware emulator and the ``sim://`` gripper so both behave like the real
2F-85: the fingers move at the commanded speed and stop either at the requested position
(``AT_POSITION``) or when the grip force reaches the force setting (``CONTACT_CLOSING``). The
point where the force reaches the setting is found by bisection inside a time step; with
``decel_mm_s2 > 0`` the fingers then need v^2 / (2 a) to stop (a decelerating motor), so the
force overshoots the setting the more the faster they closed, as on a real gripper.
"""

from __future__ import annotations

from collections.abc import Callable

from tactile.hardware.base import ObjectStatus


class FingerMotion:
    """Opening ``width_mm`` moving towards ``target_mm``; ``force_at`` gives force vs opening."""

    def __init__(
        self,
        width_mm: float,
        force_at: Callable[[float], float],
        on_move: Callable[[float], None] | None = None,
        *,
        decel_mm_s2: float = 0.0,
    ) -> None:
        self.width_mm = width_mm
        self.decel_mm_s2 = decel_mm_s2
        self.target_mm = width_mm
        self.speed_mm_s = 0.0
        self.force_limit_n = float("inf")
        self.moving = False
        self.status = ObjectStatus.AT_POSITION
        self._force_at = force_at
        self._on_move = on_move
        self._t_s: float | None = None

    def command(
        self, target_mm: float, speed_mm_s: float, force_limit_n: float, t_s: float
    ) -> None:
        self.advance(t_s)
        self.target_mm = target_mm
        self.speed_mm_s = speed_mm_s
        self.force_limit_n = force_limit_n
        self.moving = True
        self.status = ObjectStatus.MOVING

    def stop(self, t_s: float) -> None:
        """Halt where the fingers are; touching the object counts as stopped on contact."""
        self.advance(t_s)
        if self.moving:
            touching = self._force_at(self.width_mm) > 0
            self.status = ObjectStatus.CONTACT_CLOSING if touching else ObjectStatus.AT_POSITION
        self.moving = False

    def advance(self, t_s: float) -> None:
        last, self._t_s = self._t_s, t_s
        if last is None or not self.moving or t_s <= last:
            return
        step = self.speed_mm_s * (t_s - last)
        delta = self.target_mm - self.width_mm
        closing = delta < 0
        new = (
            self.target_mm if abs(delta) <= step else self.width_mm + (step if delta > 0 else -step)
        )
        if closing and self._force_at(new) >= self.force_limit_n:
            new = self.squeeze_point(self.width_mm, new, self.force_limit_n)
            new = max(new - self.stopping_mm(), self.target_mm)
            self.moving = False
            self.status = ObjectStatus.CONTACT_CLOSING
        elif new == self.target_mm:
            self.moving = False
            self.status = ObjectStatus.AT_POSITION
        self.width_mm = new
        if self._on_move is not None:
            self._on_move(new)

    def stopping_mm(self) -> float:
        """Travel from full speed to a stop (0 without a deceleration limit)."""
        return self.speed_mm_s**2 / (2 * self.decel_mm_s2) if self.decel_mm_s2 > 0 else 0.0

    def place(self, width_mm: float, status: ObjectStatus, t_s: float) -> None:
        """Put the fingers at ``width_mm``, stopped (e.g. where an activation stroke ended)."""
        self.advance(t_s)
        self.moving = False
        self.status = status
        self.width_mm = self.target_mm = width_mm
        if self._on_move is not None:
            self._on_move(width_mm)

    def squeeze_point(self, open_mm: float, closed_mm: float, limit_n: float) -> float:
        """Largest closure between the two openings whose force stays within ``limit_n``."""
        lo, hi = closed_mm, open_mm  # force(lo) >= limit, force(hi) < limit (or hi = start)
        if self._force_at(hi) >= limit_n:
            return hi
        if self._force_at(lo) < limit_n:
            return lo
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            if self._force_at(mid) >= limit_n:
                lo = mid
            else:
                hi = mid
        return hi
