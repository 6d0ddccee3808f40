"""A shared simulated rig: one object between two gel-covered fingers.

Simulated devices that name the same ``rig`` in their URL (``sim://?rig=a``,
``robotiq-sim://?rig=a``) share one :class:`SimWorld`: the gripper (or the Robotiq emulator) moves
the fingers, the force sensor reads the contact force at the current opening, the camera renders
the gel at that opening. The world is advanced lazily: whoever reads it first brings the finger
motion up to the current monotonic time, so the streams stay consistent without a physics thread.

Contact model: a sphere of radius R pressed between two flat gel pads, Hertz contact on each
side with the object and gel compliances in series (Johnson, *Contact Mechanics*, 1985, eq. 4.22):
``F = 4/3 E* sqrt(R) d^(3/2)``, ``a = sqrt(R d)``, ``1/E* = (1-v_o^2)/E_o + (1-v_g^2)/E_g``, where
``d`` is the approach on one side (half the closure). The gel takes the share
``((1-v_g^2)/E_g) E*`` of the approach, which is what the camera sees.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tactile.calibration.sensor import SensorCalibration, get_calibration
from tactile.errors import ConfigError
from tactile.hardware.base import now_s
from tactile.hardware.registry import DeviceUrl


@dataclass(frozen=True)
class SimObject:
    """A spherical object; ``width_mm`` defaults to its diameter."""

    modulus_pa: float = 2.0e5
    radius_mm: float = 25.0
    poisson: float = 0.45
    width_mm: float | None = None

    def __post_init__(self) -> None:
        for name in ("modulus_pa", "radius_mm"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ConfigError(
                    f"simulated object: {name}={value!r} must be positive",
                    hint="e.g. sim://?modulus_pa=2e5&radius_mm=25",
                )

    @property
    def rest_width_mm(self) -> float:
        return self.width_mm if self.width_mm is not None else 2.0 * self.radius_mm


class SimWorld:
    """The object, the fingers' opening, the contact force and the gel image (thread-safe)."""

    def __init__(
        self,
        obj: SimObject,
        calibration: SensorCalibration,
        *,
        seed: int = 0,
        force_noise_n: float = 0.02,
        open_width_mm: float = 85.0,
    ) -> None:
        self.obj = obj
        self.calibration = calibration
        self.force_noise_n = force_noise_n
        self.lock = threading.RLock()
        self._rng = np.random.default_rng(seed)
        self._seed = seed
        self._width_mm = open_width_mm
        self._advance: Callable[[float], None] | None = None
        self.peak_force_n = 0.0
        self.touches = 0  # how many times the fingers came into contact (grasp counter)
        self._touching = False
        self.glitch_n: float | None = None  # when set, the force sensor reads this (fault tests)

    # --- who moves the fingers -----------------------------------------------------------
    def attach(self, advance: Callable[[float], None] | None) -> None:
        """Let a gripper bring the finger motion up to a given time before each reading."""
        with self.lock:
            self._advance = advance

    def sync(self) -> float:
        """Advance the fingers to now; returns the opening in mm."""
        with self.lock:
            if self._advance is not None:
                self._advance(now_s())
            return self._width_mm

    def set_width_mm(self, width_mm: float) -> None:
        with self.lock:
            self._width_mm = float(width_mm)
            force = self.contact_force_n(width_mm)
            self.peak_force_n = max(self.peak_force_n, force)
            if force > 0 and not self._touching:
                self.touches += 1
            self._touching = force > 0

    def in_grasp(self, k: int) -> bool:
        """True once the fingers touch the object for the ``k``-th time (fault injection)."""
        self.sync()
        with self.lock:
            return self.touches > k or (self.touches == k and self._touching)

    # --- physics --------------------------------------------------------------------------
    @property
    def reduced_modulus_pa(self) -> float:
        cal = self.calibration
        compliance = (1 - self.obj.poisson**2) / self.obj.modulus_pa
        return 1.0 / (compliance + cal.gel_reduced_compliance_per_pa)

    def approach_mm(self, width_mm: float) -> float:
        """Approach on one side (half the closure since first contact), mm."""
        return max(self.obj.rest_width_mm - width_mm, 0.0) / 2.0

    def contact_force_n(self, width_mm: float) -> float:
        d_m = self.approach_mm(width_mm) * 1e-3
        r_m = self.obj.radius_mm * 1e-3
        return 4.0 / 3.0 * self.reduced_modulus_pa * math.sqrt(r_m) * d_m**1.5

    def force_n(self) -> float:
        """Measured force now: contact force plus sensor noise (or an injected glitch)."""
        width = self.sync()
        with self.lock:
            if self.glitch_n is not None:
                return self.glitch_n
            return self.contact_force_n(width) + float(self._rng.normal(0, self.force_noise_n))

    # --- images ---------------------------------------------------------------------------
    def frame(self, height_px: int, width_px: int) -> np.ndarray:
        """The gel image now: fixed background texture, plus the imprint of the contact."""
        width = self.sync()
        with self.lock:
            noise = self._rng.normal(0.0, 1.0, (height_px, width_px, 1))
        return render_gel(self, width, height_px, width_px, noise)


def _background(height_px: int, width_px: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed + 1)
    y, x = np.mgrid[0:height_px, 0:width_px]
    shade = 110 + 30 * x / max(width_px - 1, 1) + 15 * y / max(height_px - 1, 1)
    base = np.stack([shade + 20, shade + 5, shade - 10], axis=-1)
    return base + rng.normal(0, 2.0, (height_px, width_px, 1))


def render_gel(
    world: SimWorld, width_mm: float, height_px: int, width_px: int, noise: np.ndarray
) -> np.ndarray:
    """Render the pad (35 x 25.5 mm, as the sim Wedge) with a lit spherical-cap imprint."""
    img = _background(height_px, width_px, world._seed) + noise
    approach = world.approach_mm(width_mm)
    if approach > 0:
        gel_share = world.calibration.gel_reduced_compliance_per_pa * world.reduced_modulus_pa
        radius_mm = math.sqrt(world.obj.radius_mm * approach)
        depth_mm = approach * gel_share
        mm_x, mm_y = 35.0 / width_px, 25.5 / height_px
        y, x = np.mgrid[0:height_px, 0:width_px]
        r2 = ((x - width_px / 2) * mm_x) ** 2 + ((y - height_px / 2) * mm_y) ** 2
        cap = np.clip(1.0 - r2 / radius_mm**2, 0.0, None) * depth_mm
        img = img + (120.0 * cap)[..., None] * np.array([1.0, 0.8, 0.6])
    return np.clip(img, 0, 255).astype(np.uint8)


_WORLDS: dict[str, SimWorld] = {}
_WORLDS_LOCK = threading.Lock()


def world_for_url(url: DeviceUrl) -> SimWorld:
    """The world named by ``?rig=`` (default ``default``), created from the URL's object params."""
    name = url.get_str("rig", "default")
    with _WORLDS_LOCK:
        if name not in _WORLDS:
            obj = SimObject(
                modulus_pa=url.get_float("modulus_pa", 2.0e5),
                radius_mm=url.get_float("radius_mm", 25.0),
                width_mm=url.get_float("object_width_mm", 0.0) or None,
            )
            _WORLDS[name] = SimWorld(
                obj,
                get_calibration(url.get_str("calibration", "sim-wedge-v1")),
                seed=url.get_int("seed", 0),
                force_noise_n=url.get_float("force_noise_n", 0.02),
            )
        return _WORLDS[name]


def get_world(name: str = "default") -> SimWorld | None:
    with _WORLDS_LOCK:
        return _WORLDS.get(name)


def reset_worlds() -> None:
    """Forget every simulated rig (tests call this between cases)."""
    with _WORLDS_LOCK:
        _WORLDS.clear()
