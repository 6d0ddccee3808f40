"""One object against one sensor: mechanics and rendering shared by grasps and the rig."""

from __future__ import annotations

import math

import numpy as np

from tactile.sensor import SensorCalibration
from tactile.sim.contact import ContactCurve, GelModel, contact_curve
from tactile.sim.heightmap import (
    PadGrid,
    dimple_field,
    gel_depth_map,
    ridge_field,
    texture_field,
)
from tactile.sim.objects import SimObject
from tactile.sim.render import Optics, Shader

_CACHE_SIZE = 4


class Scene:
    """Object + gel pad + optics for frames of ``size_hw``; renders float images by approach.

    The last few renders are cached by approach (rounded to 0.1 um), so hold phases and the
    unloaded pad cost one render each.
    """

    def __init__(
        self,
        obj: SimObject,
        calibration: SensorCalibration,
        *,
        optics: Optics,
        size_hw: tuple[int, int],
        center_offset_mm: tuple[float, float],
        rng: np.random.Generator,
    ) -> None:
        self.obj = obj
        self.calibration = calibration
        self.size_hw = size_hw
        self.grid = PadGrid.for_calibration(calibration, size_hw, center_offset_mm=center_offset_mm)
        self.gel = GelModel.from_calibration(calibration)
        pad_x, pad_y = self.grid.pad_mm
        self.curve: ContactCurve = contact_curve(obj, self.gel, pad_x_mm=pad_x, pad_y_mm=pad_y)
        self.shader = Shader(optics, size_hw, (self.grid.mm_per_px_x, self.grid.mm_per_px_y))
        self.texture = texture_field(rng, size_hw, obj.roughness_mm)
        if obj.dimple_pitch_mm > 0:
            mm_px = (self.grid.mm_per_px_x, self.grid.mm_per_px_y)
            pitch, depth = obj.dimple_pitch_mm, obj.dimple_depth_mm
            self.texture = self.texture + dimple_field(rng, size_hw, mm_px, pitch, depth)
        ridged = obj.ridge_pitch_mm > 0 and obj.ridge_depth_mm > 0
        if ridged:
            mm_px = (self.grid.mm_per_px_x, self.grid.mm_per_px_y)
            self.texture = self.texture + ridge_field(
                rng, size_hw, mm_px, obj.ridge_pitch_mm, obj.ridge_depth_mm,
                angle_deg=obj.ridge_angle_deg,
            )  # fmt: skip
        dimpled = obj.dimple_pitch_mm > 0 and obj.dimple_depth_mm > 0
        self._textured = obj.roughness_mm > 0 or dimpled or ridged
        self._cache: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    @property
    def max_gel_depth_mm(self) -> float:
        """The deepest the gel can be pressed (it sits on a rigid window)."""
        return self.gel.max_strain * self.gel.thickness_mm

    @property
    def background(self) -> np.ndarray:
        return self.shader.background

    def state(self, delta_mm: float) -> dict[str, float]:
        return {k: float(v) for k, v in self.curve.at(delta_mm).items()}

    def fields(self, delta_mm: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(float32 image, gel depth map in mm, contact mask) at this approach."""
        key = round(max(delta_mm, 0.0) * 1e4)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        if key == 0:
            depth = np.zeros(self.size_hw, np.float32)
            out = (self.background, depth, np.zeros(self.size_hw, bool))
        else:
            st = self.state(key / 1e4)
            depth, mask = gel_depth_map(
                self.grid,
                self.curve.kind,
                st,
                (self.curve.radius_x_mm, self.curve.radius_y_mm),
                flat_circle=self.obj.shape == "cylinder_end",
                thickness_mm=self.gel.thickness_mm,
            )
            if self._textured:
                share = st["gel_depth_mm"] / max(st["delta_mm"], 1e-12)
                depth = depth + self.texture * np.float32(share) * mask
                # the texture's peaks cannot push the gel through to the window either, and
                # its valleys cannot pull the gel out of its rest surface
                np.clip(depth, np.float32(0.0), np.float32(self.max_gel_depth_mm), out=depth)
            out = (self.shader.render(depth, st["force_n"]), depth, mask)
        self._cache[key] = out
        if len(self._cache) > _CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        return out

    def contact_area_mm2(self, mask: np.ndarray) -> float:
        return float(mask.sum()) * self.grid.mm_per_px_x * self.grid.mm_per_px_y


def equivalent_radius_mm(area_mm2: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(area_mm2, 0.0) / math.pi)
