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
#: Correlation length (mm) of an object's random surface texture (``roughness_mm``).
TEXTURE_CORRELATION_MM = 0.5
#: Correlation length (mm, Gaussian sigma) of the contact texture (``Optics.contact_texture_mm``):
#: the real Wedge pad's fine texture has an autocorrelation half-width of ~1 mm (its no-contact
#: frames, high-passed below 1.5 mm), i.e. a Gaussian sigma of ~0.6 mm.
CONTACT_TEXTURE_CORRELATION_MM = 0.6


def texture_share(obj: SimObject, gel: GelModel) -> float:
    """The share of a surface texture's height the gel takes where the object touches it.

    A texture's features (sub-mm roughness, dimples and ridges of a few mm) are small against
    the contact, so both bodies meet them as half-spaces: the gel takes
    ``c_g / (c_g + c_o)`` with ``c = (1 - nu^2) / E`` of each (Johnson, *Contact Mechanics*,
    1985, ch. 13: a wavy surface pressed flat shares its amplitude by the bodies'
    compliances). This is *not* the gel's share of the whole approach, which for a large
    contact on a thin bonded gel is far smaller (the layer stiffens as (a/h)^3): a soft ball
    flattened over the pad still prints its surface into the gel, as on the real sensor.
    """
    c_gel = (1.0 - gel.poisson**2) / gel.modulus_pa
    c_obj = (1.0 - obj.poisson**2) / obj.modulus_pa
    return c_gel / (c_gel + c_obj)


class Scene:
    """Object + gel pad + optics for frames of ``size_hw``; renders float images by approach.

    The contact curve is computed for a pad of the frame's extent (``size_hw`` times the
    calibration's mm per px) unless ``pad_mm`` (width, height) names the gel pad the object
    presses: a frame of another size then shows the same mechanics.

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
        pad_mm: tuple[float, float] | None = None,
    ) -> None:
        self.obj = obj
        self.calibration = calibration
        self.size_hw = size_hw
        self.grid = PadGrid.for_calibration(calibration, size_hw, center_offset_mm=center_offset_mm)
        self.gel = GelModel.from_calibration(calibration)
        # the pad the mechanics press (a flat or line contact's area is clipped to it): the frame's
        # own extent by default, or the whole gel pad when the frame shows only part of it
        pad_x, pad_y = pad_mm if pad_mm is not None else self.grid.pad_mm
        self.curve: ContactCurve = contact_curve(obj, self.gel, pad_x_mm=pad_x, pad_y_mm=pad_y)
        self.shader = Shader(optics, size_hw, (self.grid.mm_per_px_x, self.grid.mm_per_px_y))
        corr_px = TEXTURE_CORRELATION_MM / math.sqrt(self.grid.mm_per_px_x * self.grid.mm_per_px_y)
        self.texture = texture_field(rng, size_hw, obj.roughness_mm, corr_px=corr_px)
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
        self.texture_share = texture_share(obj, self.gel)
        # the coating's contact texture: its own random stream, so the object's draws are unchanged
        self.contact_texture = (
            texture_field(
                np.random.default_rng(rng.integers(2**63)),
                size_hw,
                optics.contact_texture_mm,
                corr_px=CONTACT_TEXTURE_CORRELATION_MM
                / math.sqrt(self.grid.mm_per_px_x * self.grid.mm_per_px_y),
            )
            if optics.contact_texture_mm > 0
            else None
        )
        self._contact_pressure_pa = optics.contact_texture_pressure_pa
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
                depth = depth + self.texture * np.float32(self.texture_share) * mask
                # the texture's peaks cannot push the gel through to the window either, and
                # its valleys cannot pull the gel out of its rest surface
                np.clip(depth, np.float32(0.0), np.float32(self.max_gel_depth_mm), out=depth)
            shade = depth
            if self.contact_texture is not None and mask.any():
                # mean contact pressure per finger (N / mm² -> Pa) over the true contact
                pressure = st["force_n"] / max(self.contact_area_mm2(mask), 1e-9) * 1e6
                weight = min(pressure / self._contact_pressure_pa, 1.0)
                shade = depth + self.contact_texture * np.float32(weight) * mask
            out = (self.shader.render(shade, st["force_n"]), depth, mask)
        self._cache[key] = out
        if len(self._cache) > _CACHE_SIZE:
            self._cache.pop(next(iter(self._cache)))
        return out

    def contact_area_mm2(self, mask: np.ndarray) -> float:
        return float(mask.sum()) * self.grid.mm_per_px_x * self.grid.mm_per_px_y


def equivalent_radius_mm(area_mm2: np.ndarray) -> np.ndarray:
    return np.sqrt(np.maximum(area_mm2, 0.0) / math.pi)
