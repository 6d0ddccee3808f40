"""A shared simulated rig: one object between two gel-covered fingers.

Simulated devices opened with the same :class:`SimRigs` that name the same ``rig`` in their URL
(``sim://?rig=a``, ``robotiq-sim://?rig=a``) share one :class:`SimWorld`: the gripper (or the
Robotiq emulator) moves the fingers, the force sensor reads the contact force at the current
opening, the camera renders the gel at that opening. The world is advanced lazily: whoever reads
it first brings the finger motion up to the current monotonic time, so the streams stay
consistent without a physics thread.

By default the world runs in wall time (a user watching ``tactile collect`` on ``sim://`` sees the
fingers move in real time). With ``max_step_s`` > 0 (a URL key of every simulated device) the
world has its own clock: each interaction with it (a force reading, a frame, a gripper command
or status poll) advances it by the wall time since the previous interaction, but by at most
``max_step_s``. A host that stalls (a loaded machine, a slow thread) then finds the fingers moved
by at most ``max_step_s`` of motion, not by the whole stall, so whether a host-side force check
stops the fingers in time does not depend on how the host was scheduled. Tests use it; the
world's clock lags wall time by the stalls it skipped (sample timestamps stay wall time).

Mechanics and images come from the physics model in :mod:`tactile.sim`: one contact curve of
object and gel in series for the calibration's whole gel pad (``pad_size_mm``; the force the
load cell and the gripper read), and a :class:`tactile.sim.scene.Scene` per frame size for the
images (gel height map, GelSight-style shading), each computed on that same pad, so a flat or
line contact is equally stiff whatever the camera's frame size. This module only adds time,
shared state and noise. The approach on each side is half the closure:
``delta = (size_z - width) / 2``. An object must fit between the open fingers (its size along
the squeeze below the opening): one that does not would be squeezed before any grasp starts.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from tactile.errors import ConfigError, ObjectDoesNotFitError
from tactile.hardware.base import now_s
from tactile.hardware.registry import DeviceUrl
from tactile.hardware.url_config import config_from_url, url_fields
from tactile.sensor import SensorCalibration, get_calibration
from tactile.sim import ContactCurve, GelModel, Optics, SimObject, contact_curve
from tactile.sim.scene import Scene

#: Where the fingers start when no gripper has said how far it opens (a Robotiq 2F-85's stroke).
DEFAULT_OPEN_WIDTH_MM = 85.0
#: The gel pad (width, height, mm) when the calibration does not give ``pad_size_mm``.
DEFAULT_PAD_MM = (35.0, 25.5)


def physics_pad_mm(calibration: SensorCalibration) -> tuple[float, float]:
    """The gel pad (width, height, mm) the simulated object presses: the calibration's."""
    pad = calibration.pad_size_mm
    return (float(pad[0]), float(pad[1])) if pad is not None else DEFAULT_PAD_MM


def check_fits(obj: SimObject, open_width_mm: float) -> None:
    """ObjectDoesNotFitError (a ConfigError) unless ``obj`` fits between fingers open to
    ``open_width_mm``.

    An object as large as the opening (or larger) is squeezed with the fingers fully open: the
    recorder would tare that force away before the grasp and the estimate would be false.
    """
    if obj.size_z_mm >= open_width_mm:
        raise ObjectDoesNotFitError(
            f"the simulated {obj.shape} ({obj.size_z_mm:g} mm along the squeeze) does not fit "
            f"between the open fingers ({open_width_mm:g} mm)",
            size_mm=obj.size_z_mm,
            open_mm=open_width_mm,
            hint=f"use an object smaller than {open_width_mm:g} mm along the squeeze "
            "(e.g. radius_mm=25, or size_mm=x,y,z with z the squeezed side), or a gripper "
            "that opens wider",
        )


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
        open_width_mm: float | None = DEFAULT_OPEN_WIDTH_MM,
        max_step_s: float = 0.0,
    ) -> None:
        """``open_width_mm``: how far the fingers open (the object must fit, :func:`check_fits`);
        None: not known yet, checked when a gripper says (:meth:`set_open_width_mm`)."""
        if open_width_mm is not None:
            check_fits(obj, open_width_mm)
        self.obj = obj
        self.calibration = calibration
        self.force_noise_n = force_noise_n
        self.image_noise = image_noise
        self.lock = threading.RLock()  # finger state and force
        self.max_step_s = max_step_s  # 0: wall time; > 0: capped clock (module doc)
        self._wall_s = self._sim_s = now_s()
        self._render_lock = threading.Lock()  # scenes (rendering can be slow)
        self._rng = np.random.default_rng(seed)
        self._image_rng = np.random.default_rng(seed + 1)
        self._seed = seed
        self._scenes: dict[tuple[int, int], Scene] = {}
        self.pad_mm = physics_pad_mm(calibration)
        self._curve = self._physics_curve(obj)
        self.scene((48, 64))  # warm-up only (see scene())
        self.open_width_mm = open_width_mm
        self._width_mm = open_width_mm if open_width_mm is not None else DEFAULT_OPEN_WIDTH_MM
        self._advance: Callable[[float], None] | None = None
        self.actuator: object | None = None  # the emulator moving the fingers (for inspection)
        self.peak_force_n = 0.0
        self.touches = 0  # how many times the fingers came into contact (grasp counter)
        self._touching = False
        self.object_present = True  # False: nothing between the fingers (see SimOperator)
        self.external_load_n = 0.0  # a weight on the load cell (gauge calibration)

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
                    pad_mm=self.pad_mm,
                )
                # a deep press once, now: it pulls in lazy imports (hundreds of ms) before a
                # grasp, not in the middle of one
                scene.fields(scene.curve.max_delta_mm / 2)
                self._scenes[size_hw] = scene
            return self._scenes[size_hw]

    def _physics_curve(self, obj: SimObject) -> ContactCurve:
        """The contact force curve of ``obj`` on the whole gel pad (not a frame's extent)."""
        gel = GelModel.from_calibration(self.calibration)
        return contact_curve(obj, gel, pad_x_mm=self.pad_mm[0], pad_y_mm=self.pad_mm[1])

    # --- who moves the fingers -----------------------------------------------------------
    def attach(self, advance: Callable[[float], None] | None) -> None:
        """Let a gripper bring the finger motion up to a given time before each reading."""
        with self.lock:
            self._advance = advance

    def now(self) -> float:
        """The world's time: wall time, or with ``max_step_s`` the capped clock (module doc).

        Every reading and command of a simulated device takes its time here, so each call is one
        interaction with the world.
        """
        with self.lock:
            wall = now_s()
            if self.max_step_s <= 0:
                return wall
            self._sim_s += min(max(wall - self._wall_s, 0.0), self.max_step_s)
            self._wall_s = wall
            return self._sim_s

    def sync(self) -> float:
        """Advance the fingers to now; returns the opening in mm."""
        with self.lock:
            if self._advance is not None:
                self._advance(self.now())
            return self._width_mm

    def set_open_width_mm(self, open_width_mm: float) -> None:
        """A gripper says how far its fingers open (ObjectDoesNotFitError: the object does not
        fit)."""
        with self.lock:
            check_fits(self.obj, open_width_mm)
            self.open_width_mm = float(open_width_mm)

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
        """Noise-free grip force at this opening (N); 0 with no object between the fingers."""
        delta = self.approach_mm(width_mm)
        if delta <= 0 or not self.object_present:
            return 0.0
        return float(self._curve.at(delta)["force_n"])

    def set_object(self, obj: SimObject) -> None:
        """Swap the object between the fingers (an operator's hands, in simulation).

        ObjectDoesNotFitError (and the object unchanged) if it does not fit between the open
        fingers: a sort rejects that item and goes on.
        """
        if self.open_width_mm is not None:
            check_fits(obj, self.open_width_mm)
        curve = self._physics_curve(obj)
        with self.lock:
            self.obj = obj
            self._curve = curve
        with self._render_lock:
            self._scenes.clear()

    def force_n(self) -> float:
        """Measured force now: contact force plus sensor noise."""
        width = self.sync()
        with self.lock:
            noise = float(self._rng.normal(0, self.force_noise_n))
            return self.contact_force_n(width) + self.external_load_n + noise

    def frame(self, height_px: int, width_px: int) -> np.ndarray:
        """The gel image now, (H, W, 3) uint8 BGR, with camera noise."""
        width = self.sync()
        scene = self.scene((height_px, width_px))
        with self._render_lock:  # not the world lock: the force thread must never wait on it
            delta = self.approach_mm(width) if self.object_present else 0.0
            image = scene.fields(delta)[0]
            noise = self._image_rng.normal(0.0, self.image_noise, image.shape)
        return np.clip(image + noise, 0, 255).astype(np.uint8)


@dataclass(frozen=True)
class WorldConfig:
    """URL parameters of a simulated rig: its name, sensor calibration, noise and the object.

    Every ``sim://`` device (and ``robotiq-sim://``) accepts these keys; the first device to name
    a rig creates its world from them, later ones share it.
    """

    rig: str = "default"
    calibration: str = "sim-wedge-v1"
    seed: int = 0
    force_noise_n: float = 0.02
    image_noise: float = 0.75
    shape: str = "sphere"
    radius_mm: float = 25.0
    modulus_pa: float = 2.0e5
    poisson: float = 0.5
    length_mm: float = 40.0
    size_mm: str = ""  # "x,y,z" in mm (z is squeezed)
    foam: bool = False
    roughness_mm: float = 0.0
    max_step_s: float = 0.0  # > 0: the world's clock advances at most this per interaction

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_step_s) and self.max_step_s >= 0):
            raise ConfigError(
                f"max_step_s={self.max_step_s} must be >= 0",
                hint="0 runs the simulated rig in wall time; e.g. max_step_s=0.02 in tests",
            )

    def sim_object(self) -> SimObject:
        try:
            size = tuple(float(v) for v in self.size_mm.split(",")) if self.size_mm else None
        except ValueError as exc:
            raise ConfigError(
                f"size_mm={self.size_mm!r} is not three numbers",
                hint="write size_mm=40,30,20 (x, y, z in mm; z is squeezed)",
            ) from exc
        return SimObject(
            shape=self.shape,
            radius_mm=self.radius_mm,
            modulus_pa=self.modulus_pa,
            poisson=self.poisson,
            length_mm=self.length_mm,
            size_mm=size,  # type: ignore[arg-type]
            foam=self.foam,
            roughness_mm=self.roughness_mm,
        )


class SimRigs:
    """The simulated rigs one program (or one test) works with, by name.

    Pass the same ``SimRigs`` to ``open_gripper`` / ``open_tactile_sensor`` /
    ``open_force_sensor`` (``rigs=``) and devices naming the same ``?rig=`` share one world.
    There is no global registry: a device opened without ``rigs`` gets a world of its own, and
    two sessions (or two tests) never see each other's objects.
    """

    def __init__(self) -> None:
        self._worlds: dict[str, SimWorld] = {}
        self._lock = threading.Lock()

    def world(self, config: WorldConfig) -> SimWorld:
        """The world named ``config.rig``, created from ``config`` on first use."""
        with self._lock:
            if config.rig not in self._worlds:
                self._worlds[config.rig] = SimWorld(
                    config.sim_object(),
                    get_calibration(config.calibration),
                    seed=config.seed,
                    force_noise_n=config.force_noise_n,
                    image_noise=config.image_noise,
                    max_step_s=config.max_step_s,
                    open_width_mm=None,  # the gripper that opens on it says (and checks the fit)
                )
            return self._worlds[config.rig]

    def get(self, rig: str = "default") -> SimWorld | None:
        """The world named ``rig`` if a device created it (tests inspect it)."""
        with self._lock:
            return self._worlds.get(rig)

    def __contains__(self, rig: object) -> bool:
        with self._lock:
            return rig in self._worlds


def world_config(url: DeviceUrl) -> WorldConfig:
    """The world part of a simulated device's URL (other keys are checked by the device)."""
    keys = url_fields(WorldConfig)
    sub = DeviceUrl(
        raw=url.raw, scheme=url.scheme, params={k: v for k, v in url.params.items() if k in keys}
    )
    return config_from_url(WorldConfig, sub)
