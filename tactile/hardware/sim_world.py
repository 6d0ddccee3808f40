"""A shared simulated rig: one object between two gel-covered fingers.

Simulated devices that name the same ``rig`` in their URL (``sim://?rig=a``,
``robotiq-sim://?rig=a``) share one :class:`SimWorld`: the gripper (or the Robotiq emulator) moves
the fingers, the force sensor reads the contact force at the current opening, the camera renders
the gel at that opening. The world is advanced lazily: whoever reads it first brings the finger
motion up to the current monotonic time, so the streams stay consistent without a physics thread.

Mechanics and images come from the physics model in :mod:`tactile.sim` (a
:class:`tactile.sim.scene.Scene` per frame size: contact curve of object and gel in series,
gel height map, GelSight-style shading); this module only adds time, shared state and noise.
The approach on each side is half the closure: ``delta = (size_z - width) / 2``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import numpy as np

from tactile.errors import ConfigError
from tactile.hardware.base import now_s
from tactile.hardware.registry import DeviceUrl
from tactile.sensor import SensorCalibration, get_calibration
from tactile.sim import Optics, SimObject
from tactile.sim.scene import Scene

#: URL parameters that describe the simulated object (all optional).
OBJECT_PARAMS = (
    "shape", "radius_mm", "modulus_pa", "poisson", "length_mm", "size_mm", "foam", "roughness_mm",
)  # fmt: skip


class SimWorld:
    """The object, the fingers' opening, the contact force and the gel image (thread-safe)."""

    def __init__(
        self,
        obj: SimObject,
        calibration: SensorCalibration,
        *,
        seed: int = 0,
        force_noise_n: float = 0.02,
        image_noise: float = 0.75,
        open_width_mm: float = 85.0,
    ) -> None:
        self.obj = obj
        self.calibration = calibration
        self.force_noise_n = force_noise_n
        self.image_noise = image_noise
        self.lock = threading.RLock()  # finger state and force
        self._render_lock = threading.Lock()  # scenes (rendering can be slow)
        self._rng = np.random.default_rng(seed)
        self._image_rng = np.random.default_rng(seed + 1)
        self._seed = seed
        self._scenes: dict[tuple[int, int], Scene] = {}
        self._curve = self.scene((48, 64)).curve
        self._width_mm = open_width_mm
        self._advance: Callable[[float], None] | None = None
        self.actuator: object | None = None  # the emulator moving the fingers (for inspection)
        self.peak_force_n = 0.0
        self.touches = 0  # how many times the fingers came into contact (grasp counter)
        self._touching = False

    def scene(self, size_hw: tuple[int, int]) -> Scene:
        """The renderer for one frame size, created and warmed up on first use."""
        with self._render_lock:
            if size_hw not in self._scenes:
                scene = Scene(
                    self.obj,
                    self.calibration,
                    optics=Optics(),
                    size_hw=size_hw,
                    center_offset_mm=(0.0, 0.0),
                    rng=np.random.default_rng(self._seed),
                )
                # a deep press once, now: it pulls in lazy imports (hundreds of ms) before a
                # grasp, not in the middle of one
                scene.fields(scene.curve.max_delta_mm / 2)
                self._scenes[size_hw] = scene
            return self._scenes[size_hw]

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
    def approach_mm(self, width_mm: float) -> float:
        """Approach on one side (half the closure since first contact), mm."""
        return max(self.obj.size_z_mm - width_mm, 0.0) / 2.0

    def contact_force_n(self, width_mm: float) -> float:
        """Noise-free grip force at this opening (N)."""
        delta = self.approach_mm(width_mm)
        return float(self._curve.at(delta)["force_n"]) if delta > 0 else 0.0

    def force_n(self) -> float:
        """Measured force now: contact force plus sensor noise."""
        width = self.sync()
        with self.lock:
            return self.contact_force_n(width) + float(self._rng.normal(0, self.force_noise_n))

    def frame(self, height_px: int, width_px: int) -> np.ndarray:
        """The gel image now, (H, W, 3) uint8 BGR, with camera noise."""
        width = self.sync()
        scene = self.scene((height_px, width_px))
        with self._render_lock:  # not the world lock: the force thread must never wait on it
            image = scene.fields(self.approach_mm(width))[0]
            noise = self._image_rng.normal(0.0, self.image_noise, image.shape)
        return np.clip(image + noise, 0, 255).astype(np.uint8)


def object_from_url(url: DeviceUrl) -> SimObject:
    """A :class:`tactile.sim.SimObject` from URL parameters (``size_mm=40,30,20``)."""
    size = url.params.get("size_mm")
    try:
        size_mm = tuple(float(v) for v in size.split(",")) if size else None
    except ValueError as exc:
        raise ConfigError(
            f"device URL {url.raw!r}: size_mm={size!r} is not three numbers",
            hint="write size_mm=40,30,20 (x, y, z in mm; z is squeezed)",
        ) from exc
    return SimObject(
        shape=url.get_str("shape", "sphere"),
        radius_mm=url.get_float("radius_mm", 25.0),
        modulus_pa=url.get_float("modulus_pa", 2.0e5),
        poisson=url.get_float("poisson", 0.5),
        length_mm=url.get_float("length_mm", 40.0),
        size_mm=size_mm,  # type: ignore[arg-type]
        foam=url.get_bool("foam", False),
        roughness_mm=url.get_float("roughness_mm", 0.0),
    )


_WORLDS: dict[str, SimWorld] = {}
_WORLDS_LOCK = threading.Lock()


def world_for_url(url: DeviceUrl) -> SimWorld:
    """The world named by ``?rig=`` (default ``default``), created from the URL's object params.

    The first device to name a rig creates it; later devices share it whatever their params.
    """
    name = url.get_str("rig", "default")
    with _WORLDS_LOCK:
        if name not in _WORLDS:
            _WORLDS[name] = SimWorld(
                object_from_url(url),
                get_calibration(url.get_str("calibration", "sim-wedge-v1")),
                seed=url.get_int("seed", 0),
                force_noise_n=url.get_float("force_noise_n", 0.02),
                image_noise=url.get_float("image_noise", 0.75),
            )
        return _WORLDS[name]


def get_world(name: str = "default") -> SimWorld | None:
    with _WORLDS_LOCK:
        return _WORLDS.get(name)


def reset_worlds() -> None:
    """Forget every simulated rig (tests call this between cases)."""
    with _WORLDS_LOCK:
        _WORLDS.clear()
