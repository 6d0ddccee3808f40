"""A stepping model of the whole rig for simulated hardware backends (``sim://`` URLs).

The backends move the gripper (``set_width_mm``) and poll the force gauge, the encoder and the
camera at their own pace; the rig answers from the same physics as :func:`simulate_grasp`.
It is deterministic for a seed (given the same call sequence) and cheap per call: the contact
curve is tabulated once and the last few images are cached.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tactile.errors import ConfigError
from tactile.sensor import SIM_WEDGE, SensorCalibration
from tactile.sim.objects import SimObject
from tactile.sim.render import Optics
from tactile.sim.scene import Scene
from tactile.sim.sensors import ImageNoise, SensorNoise


class SimRig:
    """Simulated gripper + gel sensor + force gauge around one object (centred, symmetric)."""

    def __init__(
        self,
        obj: SimObject,
        calibration: SensorCalibration = SIM_WEDGE,
        seed: int = 0,
        *,
        noise: SensorNoise | None = None,
        optics: Optics | None = None,
        size_hw: tuple[int, int] = (240, 320),
        open_width_mm: float | None = None,
    ) -> None:
        self.obj = obj
        self.calibration = calibration
        self.noise = noise if noise is not None else SensorNoise()
        rng_scene, self._rng = (
            np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2)
        )
        self.scene = Scene(
            obj,
            calibration,
            optics=optics if optics is not None else Optics(),
            size_hw=size_hw,
            center_offset_mm=(0.0, 0.0),
            rng=rng_scene,
        )
        self._image_noise = ImageNoise(self.noise, size_hw, self._rng)
        self.open_width_mm = open_width_mm if open_width_mm is not None else obj.size_z_mm + 10.0
        self._width_mm = self.open_width_mm

    @property
    def min_width_mm(self) -> float:
        """Narrowest gap the model can represent (the object's deformation limit)."""
        return max(self.obj.size_z_mm - 2.0 * self.scene.curve.max_delta_mm, 0.0)

    def set_width_mm(self, width_mm: float) -> None:
        """Move the fingers to this gel-to-gel gap (clipped to what the object allows)."""
        if not math.isfinite(width_mm):
            raise ConfigError(
                f"SimRig.set_width_mm({width_mm!r}): width must be finite",
                hint="pass the gripper opening in millimetres",
            )
        self._width_mm = max(float(width_mm), self.min_width_mm)

    @property
    def delta_mm(self) -> float:
        return max((self.obj.size_z_mm - self._width_mm) / 2.0, 0.0)

    def true_force_n(self) -> float:
        return float(self.scene.curve.at(self.delta_mm)["force_n"])

    def force_n(self) -> float:
        """Force gauge reading (compression positive) with noise and optional glitches."""
        f = self.true_force_n()
        n = self.noise
        if n.force_noise_sd_n > 0:
            f += float(self._rng.normal(0.0, n.force_noise_sd_n))
        if n.force_spike_probability > 0 and self._rng.random() < n.force_spike_probability:
            f = n.force_spike_n
        if n.force_max_n is not None:
            f = min(f, n.force_max_n)
        return f

    def width_mm(self) -> float:
        """Encoder reading of the gap (noisy, quantised)."""
        w = self._width_mm
        n = self.noise
        if n.width_noise_sd_mm > 0:
            w += float(self._rng.normal(0.0, n.width_noise_sd_mm))
        if n.width_resolution_mm > 0:
            w = round(w / n.width_resolution_mm) * n.width_resolution_mm
        return w

    def frame(self) -> np.ndarray:
        """Current uint8 BGR (H, W, 3) tactile image."""
        image, _, _ = self.scene.fields(self.delta_mm)
        return self._image_noise.apply(image)

    def reference_frame(self) -> np.ndarray:
        """A no-contact image of the pad (with sensor noise)."""
        return self._image_noise.apply(self.scene.background)

    def truth(self) -> dict[str, Any]:
        """True state now: width, approach, force, gel depth, object deformation, contact area."""
        state = self.scene.state(self.delta_mm)
        _, _, mask = self.scene.fields(self.delta_mm)
        return {
            "width_mm": self._width_mm,
            **state,
            "contact_area_mm2": self.scene.contact_area_mm2(mask),
        }
