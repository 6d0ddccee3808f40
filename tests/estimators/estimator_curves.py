"""Generators of loading curves with a known modulus (the forward models the estimators invert)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from tactile.errors import ConfigError
from tactile.estimators.contact import (
    DEFAULT_OBJECT_POISSON,
    PA_PER_N_PER_MM2,
    gel_punch_compliance_mm_per_n,
    thin_layer_factor,
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


# --- forward models of the estimators (what they invert), for curves of known E ---


def reduced_compliance_per_pa(modulus_pa: float, poisson: float) -> float:
    """``(1 − ν²) / E``, one body's share of ``1/E*`` (1/Pa)."""
    if not (modulus_pa > 0 and math.isfinite(modulus_pa)):
        raise ConfigError(
            f"modulus_pa={modulus_pa!r} must be positive and finite",
            hint="give Young's modulus in pascals",
        )
    if not 0.0 <= poisson < 0.5 + 1e-12:
        raise ConfigError(
            f"poisson={poisson!r} must be in [0, 0.5]", hint="rubbers 0.5, metals ~0.3"
        )
    return (1.0 - poisson**2) / modulus_pa


def effective_modulus_pa(
    object_modulus_pa: float,
    gel_modulus_pa: float,
    *,
    object_poisson: float = DEFAULT_OBJECT_POISSON,
    gel_poisson: float = 0.48,
) -> float:
    """Hertz effective modulus E* of object and gel in series (Pa)."""
    c = reduced_compliance_per_pa(object_modulus_pa, object_poisson)
    c += reduced_compliance_per_pa(gel_modulus_pa, gel_poisson)
    return 1.0 / c


def hertz_sphere_curves(
    object_modulus_pa: float,
    radius_mm: float,
    closure_mm: np.ndarray,
    *,
    gel_modulus_pa: float,
    gel_poisson: float = 0.48,
    object_poisson: float = DEFAULT_OBJECT_POISSON,
    gel_thickness_mm: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Force (N), contact radius (mm) and gel indentation depth (mm) of a sphere between two gels.

    ``closure_mm`` is the gripper closure since first contact (2δ). With ``gel_thickness_mm`` the
    gel is a thin bonded layer that stiffens as the contact grows, ``E_g,eff = E_g·(1 + 0.33·
    (a/h)³)`` (Shull 2002, eq. 37). This is the forward model the Hertz estimator inverts.
    """
    c_obj = reduced_compliance_per_pa(object_modulus_pa, object_poisson) * PA_PER_N_PER_MM2
    c_gel0 = reduced_compliance_per_pa(gel_modulus_pa, gel_poisson) * PA_PER_N_PER_MM2
    delta = np.maximum(np.asarray(closure_mm, dtype=np.float64), 0.0) / 2.0
    a = np.sqrt(radius_mm * delta)
    c_gel = np.full_like(a, c_gel0)
    if gel_thickness_mm:
        c_gel = c_gel0 * thin_layer_factor(a, gel_thickness_mm)
    e_star = 1.0 / (c_obj + c_gel)
    force = 4.0 / 3.0 * e_star * a * delta
    depth = c_gel * e_star * delta
    return force, a, depth


def elastic_block_curves(
    object_modulus_pa: float,
    thickness_mm: float,
    contact_area_mm2: float,
    force_n: np.ndarray,
    *,
    gel_modulus_pa: float,
    gel_poisson: float = 0.48,
    gel_thickness_mm: float | None = None,
) -> np.ndarray:
    """Closure (mm) of a block (uniaxial compression) between two gel pads at ``force_n``.

    Springs in series: ``closure = F·L/(E·A) + 2·F·C_gel(a)`` with a the radius of the circle of
    the contact's area (thin-layer gel when ``gel_thickness_mm`` is given). Forward model of the
    elastic estimator.
    """
    force = np.asarray(force_n, dtype=np.float64)
    e_obj = object_modulus_pa / PA_PER_N_PER_MM2
    a = math.sqrt(contact_area_mm2 / math.pi)
    c_gel = gel_punch_compliance_mm_per_n(
        a, gel_modulus_pa=gel_modulus_pa, gel_poisson=gel_poisson, gel_thickness_mm=gel_thickness_mm
    )
    return force * thickness_mm / (e_obj * contact_area_mm2) + 2.0 * force * c_gel


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
