"""``sim://`` gripper: fingers moving in a :class:`~tactile.hardware.sim_world.SimWorld`.

No bytes involved (for that, use ``robotiq-sim://``). Query parameters: ``rig`` and the object
parameters of the world, ``open_mm`` (85), ``min_speed_mm_s`` / ``max_speed_mm_s`` (20 / 150),
``min_force_n`` / ``max_force_n`` (20 / 235): a force setting f in 0..1 stops the fingers when
the grip force reaches ``min_force_n + f (max_force_n - min_force_n)``, like the 2F-85.
"""

from __future__ import annotations

from tactile.hardware.base import Gripper, GripperState, ObjectStatus, now_s
from tactile.hardware.fingers import FingerMotion
from tactile.hardware.registry import parse_device_url
from tactile.hardware.sim_world import SimWorld, world_for_url


class SimGripper(Gripper):
    """A simulated parallel gripper sharing a world with sim force sensors and cameras."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.parsed = parse_device_url(url)
        p = self.parsed
        self.open_mm = p.get_float("open_mm", 85.0)
        self.speed_range = (
            p.get_float("min_speed_mm_s", 20.0),
            p.get_float("max_speed_mm_s", 150.0),
        )
        self.force_range = (p.get_float("min_force_n", 20.0), p.get_float("max_force_n", 235.0))
        self.world: SimWorld | None = None
        self.fingers: FingerMotion | None = None

    @property
    def max_width_mm(self) -> float:
        return self.open_mm

    def _connect(self) -> None:
        world = world_for_url(self.parsed)
        self.world = world
        world.set_width_mm(self.open_mm)
        self.fingers = FingerMotion(self.open_mm, world.contact_force_n, world.set_width_mm)
        world.attach(self.fingers.advance)

    def _close(self) -> None:
        if self.world is not None:
            self.world.attach(None)

    def _parts(self) -> tuple[SimWorld, FingerMotion]:
        self._require_connected()
        if self.world is None or self.fingers is None:
            raise RuntimeError("connected SimGripper without a world")  # not reachable
        return self.world, self.fingers

    def move_to_mm(self, width_mm: float, *, speed: float = 1.0, force: float = 1.0) -> None:
        world, fingers = self._parts()
        speed = min(max(speed, 0.0), 1.0)
        force = min(max(force, 0.0), 1.0)
        lo, hi = self.speed_range
        f_lo, f_hi = self.force_range
        target = min(max(width_mm, 0.0), self.open_mm)
        with world.lock:
            fingers.command(target, lo + speed * (hi - lo), f_lo + force * (f_hi - f_lo), now_s())

    def force_setting_for(self, force_n: float) -> float:
        lo, hi = self.force_range
        return min(max((force_n - lo) / (hi - lo), 0.0), 1.0)

    def hold(self) -> None:
        world, fingers = self._parts()
        with world.lock:
            fingers.stop(now_s())

    def state(self) -> GripperState:
        world, fingers = self._parts()
        world.sync()
        with world.lock:
            status = ObjectStatus.MOVING if fingers.moving else fingers.status
            return GripperState(
                t_s=now_s(),
                width_mm=fingers.width_mm,
                activated=True,
                object_status=status,
            )
