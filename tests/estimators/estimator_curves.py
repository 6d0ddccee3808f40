"""Generators of loading curves with a known modulus (the forward models the estimators invert)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from tactile.estimators.contact import (
    effective_modulus_pa,
    elastic_block_curves,
    hertz_sphere_curves,
)
from tactile.sensor import SIM_WEDGE, SensorCalibration
from tactile.types import GraspFeatures, GraspMetadata

#: The sensor of these curves: the simulator's Wedge with a gel that never bottoms out (the
#: forward models here are pure Hertz / elastic, without the simulator's bottoming).
CURVES_CAL: SensorCalibration = replace(
    SIM_WEDGE, calibration_id="curves-half-space", gel_max_strain=None
)

N_BEFORE = 5
N_LOADING = 30
WIDTH_OPEN_MM = 60.0


def _features(
    force: np.ndarray,
    area: np.ndarray,
    closure: np.ndarray,
    width_at_contact_mm: float,
    depth: np.ndarray | None = None,
) -> GraspFeatures:
    n = force.size
    return GraspFeatures(
        grasp_id="g",
        t_s=np.arange(n) / 30.0,
        force_n=force,
        width_mm=width_at_contact_mm - closure,
        contact_area_mm2=area,
        contact_index=N_BEFORE,
        peak_index=int(np.argmax(force)),
        reference_index=0,
        depth_mm=depth,
    )


def sphere_features(
    modulus_pa: float,
    radius_mm: float = 25.0,
    *,
    calibration: SensorCalibration = CURVES_CAL,
    peak_force_n: float = 15.0,
    noise: float = 0.0,
    seed: int = 0,
    hold_frames: int = 6,
    thin_gel: bool = False,
    width_lag_frames: int = 0,
    max_strain: float = 0.25,
) -> GraspFeatures:
    """A sphere of modulus E squeezed up to ``peak_force_n`` (approach capped at 0.25 R), then
    held there; optionally with a thin-layer gel and a width signal lagging the force."""
    e_star = effective_modulus_pa(
        modulus_pa, calibration.gel_modulus_pa, gel_poisson=calibration.gel_poisson
    )
    delta_max = (3 * peak_force_n / (4 * e_star / 1e6 * math.sqrt(radius_mm))) ** (2 / 3)
    delta_max = min(delta_max, max_strain * radius_mm)
    closure = np.concatenate(
        [
            np.zeros(N_BEFORE),
            np.linspace(0, 2 * delta_max, N_LOADING),
            np.full(hold_frames, 2 * delta_max),
        ]
    )
    force, a, depth = hertz_sphere_curves(
        modulus_pa,
        radius_mm,
        closure,
        gel_modulus_pa=calibration.gel_modulus_pa,
        gel_poisson=calibration.gel_poisson,
        gel_thickness_mm=calibration.gel_thickness_mm if thin_gel else None,
    )
    if width_lag_frames:
        closure = np.concatenate([np.zeros(width_lag_frames), closure[:-width_lag_frames]])
    area = math.pi * a**2
    if noise:
        rng = np.random.default_rng(seed)
        force = force * (1 + noise * rng.standard_normal(force.size))
        force = force + 0.02 * rng.standard_normal(force.size)
        area = area * (1 + noise * rng.standard_normal(area.size))
        closure = closure + 0.01 * rng.standard_normal(closure.size)
    return _features(force, area, closure, 2 * radius_mm, depth)


def block_features(
    modulus_pa: float,
    *,
    thickness_mm: float = 40.0,
    area_mm2: float = 300.0,
    calibration: SensorCalibration = CURVES_CAL,
    peak_force_n: float = 15.0,
) -> GraspFeatures:
    force = np.concatenate([np.zeros(N_BEFORE), np.linspace(0, peak_force_n, N_LOADING)])
    closure = elastic_block_curves(
        modulus_pa,
        thickness_mm,
        area_mm2,
        force,
        gel_modulus_pa=calibration.gel_modulus_pa,
        gel_poisson=calibration.gel_poisson,
    )
    area = np.where(force > 0, area_mm2, 0.0)
    return _features(force, area, closure, thickness_mm)


def sphere_meta(radius_mm: float | None = 25.0, shape: str | None = "sphere") -> GraspMetadata:
    return GraspMetadata(
        object_id="ball", shape=shape, radius_mm=radius_mm, calibration_id="sim-wedge-v1"
    )
