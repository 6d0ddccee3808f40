"""``sim://`` gripper: fingers moving in a :class:`~tactile.hardware.sim_world.SimWorld`.

No bytes involved (for that, use ``robotiq-sim://``). Query parameters (:class:`SimGripperConfig`
plus the world's, :class:`~tactile.hardware.sim_world.WorldConfig`): ``open_mm`` (85),
``min_speed_mm_s`` / ``max_speed_mm_s`` (20 / 150), ``min_force_n`` / ``max_force_n``
(20 / 235): a force setting f in 0..1 stops the fingers when the grip force reaches
``min_force_n + f (max_force_n - min_force_n)``, like the 2F-85. Fault injection:
``ignore_hold=1`` makes the fingers ignore hold commands (a gripper whose stop never arrives),
so only the force limit or the safety check ends the squeeze.
"""

from __future__ import annotations

from dataclasses import dataclass

from tactile.errors import ConfigError
from tactile.hardware.base import Gripper, GripperState, ObjectStatus, now_s
from tactile.hardware.fingers import FingerMotion
from tactile.hardware.registry import parse_device_url
from tactile.hardware.sim_world import SimRigs, SimWorld, WorldConfig, world_config
from tactile.hardware.url_config import config_from_url


@dataclass(frozen=True)
class SimGripperConfig:
    open_mm: float = 85.0
    min_speed_mm_s: float = 20.0
    max_speed_mm_s: float = 150.0
    min_force_n: float = 20.0
    max_force_n: float = 235.0
    ignore_hold: bool = False

    def __post_init__(self) -> None:
        if not (self.open_mm > 0 and 0 < self.min_speed_mm_s <= self.max_speed_mm_s):
            raise ConfigError(
                f"sim gripper open_mm={self.open_mm}, speeds {self.min_speed_mm_s}.."
                f"{self.max_speed_mm_s} mm/s are invalid",
                hint="need open_mm > 0 and 0 < min_speed_mm_s <= max_speed_mm_s",
            )
        if not 0 <= self.min_force_n <= self.max_force_n:
            raise ConfigError(
                f"sim gripper forces {self.min_force_n}..{self.max_force_n} N are invalid",
                hint="need 0 <= min_force_n <= max_force_n",
            )


class SimGripper(Gripper):
    """A simulated parallel gripper sharing a world with sim force sensors and cameras."""

    shares_rig = True

    def __init__(self, url: str, *, rigs: SimRigs | None = None) -> None:
        super().__init__(url)
        parsed = parse_device_url(url)
        self.config = config_from_url(SimGripperConfig, parsed, shared=(WorldConfig,))
        self.world_config = world_config(parsed)
        self.rigs = rigs if rigs is not None else SimRigs()
        c = self.config
        self.open_mm = c.open_mm
        self.speed_range = (c.min_speed_mm_s, c.max_speed_mm_s)
        self.force_range = (c.min_force_n, c.max_force_n)
        self.world: SimWorld | None = None
        self.fingers: FingerMotion | None = None

    @property
    def max_width_mm(self) -> float:
        return self.open_mm

    @property
    def min_grip_force_n(self) -> float:
        return self.config.min_force_n

    @property
    def width_calibrated(self) -> bool:
        return True  # simulated fingers report their true opening

    def _connect(self) -> None:
        world = self.rigs.world(self.world_config)
        world.set_open_width_mm(self.open_mm)  # ConfigError if the object does not fit
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

    def speed_mm_s(self, speed: float) -> float:
        lo, hi = self.speed_range
        return lo + min(max(speed, 0.0), 1.0) * (hi - lo)

    def move_to_mm(self, width_mm: float, *, speed: float = 1.0, force: float = 1.0) -> None:
        world, fingers = self._parts()
        force = min(max(force, 0.0), 1.0)
        f_lo, f_hi = self.force_range
        target = min(max(width_mm, 0.0), self.open_mm)
        with world.lock:
            t = world.now()
            fingers.command(target, self.speed_mm_s(speed), f_lo + force * (f_hi - f_lo), t)

    def force_setting_for(self, force_n: float) -> float:
        lo, hi = self.force_range
        return min(max((force_n - lo) / (hi - lo), 0.0), 1.0) if hi > lo else 0.0

    def hold(self) -> None:
        world, fingers = self._parts()
        if self.config.ignore_hold:
            return
        with world.lock:
            fingers.stop(world.now())

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
