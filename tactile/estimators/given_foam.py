"""The softest densifying foam of a GIVEN shape and radius that a grasp's loading frames allow.

``auto`` with the object's shape and radius given answers with a Hertz (sphere) or line-contact
(cylinder on its side) lower bound where the object's own deformation is not resolvable
(:mod:`tactile.estimators.hertz`, :mod:`tactile.estimators.line`). Those models assume a
*linear* material. A foam squashed past its densification by the hold carries any force there
(the simulator's ``E_eff = E/(1 − ε/ε_d)²``, ε_d 0.5–0.8: the densification regime of Gibson &
Ashby, *Cellular Solids*, CUP 1997, ch. 5), so a bound read at the hold says nothing about it:
on simulated randomised rigs foams and gels of 13–471 kPa were bounded "> 29–660 kPa"
(BENCHMARKS.md, "Given geometry: bounds checked by the blind physics").

Below its densification onset (ε < :data:`~tactile.estimators.blind.FOAM_DENSIFICATION_MIN`
= 0.5) a foam of modulus E stiffens at most by ``1/(1 − ε/0.5)²``. With the object's shape and
radius R known, the force a frame carries bounds E from below: the object and the gel are in
series at one contact (the same contact radius ``a``, Johnson 1985 §4.2), so per pad, at the
approach δ (half the closure less the rig's share)

* sphere: ``F = 4/3·√R·δ^{3/2} / (c_o + c_g)``, with ``c_o = (1 − ν²)/E_eff``;
* cylinder on its side (length L): ``F = πL·b²/(4R) / (c_o + c_g)``, with
  ``δ = b²/(4R)·(2 ln(4R/b) − 1)``;

so ``E ≥ (1 − ν²)·(1 − ε/0.5)² / (K(δ)/F − c_g)`` with ``K`` the shape's factor above and
``ε = δ/R`` (all of the approach credited to the object: at least its strain). ν = 0.5 (the
smallest ``1 − ν²``). :func:`given_foam_bound_pa` takes the largest such bound over the loading
frames below the onset, per Monte Carlo draw of the touch, the rig and the gel, and returns the
draws' 5th percentile. The touch is drawn between the force's first detectable rise and the
widest of: the last frame before the force stood above its noise, and the given diameter plus
the rig's calibrated contact-width bias (where an object of that size touches).

``auto`` uses it with ``gel=False`` (``c_g = 0``: all of the closure credited to the object).
Removing the calibration's gel is not safe: on simulated randomised rigs the calibration keeps
the reference gel (55 kPa) while the rigs' gels are 150–600 kPa, and the gel removed at the
calibrated compliance left the false foam bounds infinite (no cap). Credited to the object, a
rigid ball's closure (the gel's) reads as a foam about as stiff as the gel's Hertz contact; on
the default simulator with its exact calibration steel balls of radius 15–25 mm keep
``stiffer_than_gel`` (bounds 2–6 × 10^5 Pa against its 2 × 10^5 Pa gel), radius 5–10 mm and
cylinders of radius 5–10 mm do not (BENCHMARKS.md, "Given geometry: a bound that knows the
material can densify").
"""

from __future__ import annotations

import math

import numpy as np

from tactile.estimators.blind import (
    FOAM_DENSIFICATION_MIN,
    N_DRAWS,
    _before_first_force_mm,
    _line_half_width,
    contact_width_bias,
    rig_compliance,
)
from tactile.estimators.contact import PA_PER_N_PER_MM2, thin_layer_factor
from tactile.estimators.separation import bottomed_gel_compliance
from tactile.processing.grasp_geometry import force_rise, reconstruct_width_mm
from tactile.processing.grasp_signals import correct_signals
from tactile.sensor import SensorCalibration
from tactile.types import GraspFeatures

#: The object's Poisson ratio the bound assumes (the smallest 1 − ν², so the lowest bound).
FOAM_POISSON = 0.5


def given_foam_bound_pa(
    features: GraspFeatures,
    calibration: SensorCalibration,
    *,
    shape: str,
    radius_mm: float,
    length_mm: float | None = None,
    gel: bool = True,
    seed: int = 0,
) -> float:
    """The smallest Young's modulus (Pa, a 95 % lower bound) of a densifying foam ``shape``
    (``"sphere"`` or ``"cylinder"``, on its side, contact length ``length_mm``) of radius
    ``radius_mm`` that the loading frames allow (module docstring).

    ``gel``: the gel's compliance (the calibration's, drawn with its spread) is removed from the
    series compliance; else all of it is credited to the object. ``inf`` when fewer than 5 % of
    the draws leave the object any compliance on a frame below the onset; 0 when no frame has a
    detectable force."""
    signals = correct_signals(
        features.t_s, features.force_n, features.width_mm,
        calibration.rig_compliance_mm_per_n, measured_lag=features.width_lag,
    )  # fmt: skip
    force_n = np.asarray(signals.force_n, dtype=np.float64)
    width_mm = reconstruct_width_mm(signals.width_mm)
    rise = force_rise(force_n, width_mm)
    upto = int(np.argmax(force_n)) + 1
    baseline_n = rise.baseline_n if rise is not None else 0.0
    f_all_n = force_n[:upto] - baseline_n
    w_all_mm = width_mm[:upto]
    noise_n = max(rise.noise_n if rise is not None else 0.02, 0.01)
    floor_n = max(0.03, 0.01 * float(np.max(f_all_n)), 3.0 * noise_n)
    loaded = f_all_n >= floor_n
    if not loaded.any():
        return 0.0
    f_n, w_mm = f_all_n[loaded], w_all_mm[loaded]
    rise_mm = rise.width_mm if rise is not None else float(w_mm[0])
    rng = np.random.default_rng(seed + 2)
    z = rng.standard_normal((2, N_DRAWS))
    # the touch: no later than the force's first detectable rise, and as early as the last
    # frame before the force stood above its noise (a soft foam carries little at first)
    # and, the size being given, as early as such an object touches: at its diameter plus the
    # rig's calibrated offset between the contact width and the size (a very soft foam's
    # first millimetres of closure carry less than the force's noise)
    bias_mm, _ = contact_width_bias(calibration)
    touch_hi_mm = max(
        _before_first_force_mm(f_all_n, w_all_mm, noise_n, rise_mm),
        2.0 * float(radius_mm) + bias_mm,
        rise_mm,
    )
    touch_mm = rise_mm + (touch_hi_mm - rise_mm) * rng.random(N_DRAWS)
    rig_mean, rig_sd = rig_compliance(calibration)
    rig_mm_per_n = np.maximum(rig_mean + rig_sd * z[0], 0.0)
    scale = 10.0 ** (calibration.gel_modulus_log10_sd * z[1])
    # draws (rows) x loaded frames (columns)
    e_pa = _foam_bounds_pa(
        calibration, shape, radius_mm, length_mm, gel, touch_mm, rig_mm_per_n, scale, f_n, w_mm
    )
    # frames between the widest touch and the rise where the force stayed undetectable: a touch
    # there is ruled out when a foam as stiff as its bound (and so every foam that fits the
    # loaded frames from it) would have carried a force they do not show
    quiet = (~loaded) & (w_all_mm < touch_hi_mm) & (w_all_mm > rise_mm)
    if quiet.any() and gel:
        fq_n, wq_mm = f_all_n[quiet], w_all_mm[quiet]
        shown_n = (
            _linear_force_n(
                calibration, shape, radius_mm, length_mm, e_pa, touch_mm, rig_mm_per_n, scale, wq_mm
            )
            - fq_n[None, :]
        )
        ruled_out = (np.max(shown_n, axis=1) > 3.0 * noise_n + floor_n) & (
            touch_mm > rise_mm + 1e-9
        )
        e_pa = np.where(ruled_out, np.inf, e_pa)
    if np.count_nonzero(np.isfinite(e_pa)) < 0.05 * N_DRAWS:
        return math.inf
    return float(np.percentile(e_pa, 5.0, method="lower"))


def _contact(
    shape: str, radius_mm: float, length_mm: float | None, delta_mm: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(contact radius or strip half-width a, K = F·(c_o + c_g) in mm²) at the approach per pad
    ``delta_mm`` (module docstring)."""
    radius = float(radius_mm)
    if shape == "sphere":
        return np.sqrt(radius * delta_mm), 4.0 / 3.0 * math.sqrt(radius) * delta_mm**1.5
    if shape == "cylinder":
        length = float(length_mm) if length_mm else 35.0
        b = _line_half_width(delta_mm, np.full_like(delta_mm, radius))
        return b, math.pi * length * b**2 / (4.0 * radius)
    raise ValueError(f"given_foam_bound_pa: shape {shape!r} is not 'sphere' or 'cylinder'")


def _gel_per_pa(
    calibration: SensorCalibration,
    scale: np.ndarray,
    contact_mm: np.ndarray,
    delta_mm: np.ndarray,
    total_per_pa: np.ndarray | None,
    c_obj_per_pa: np.ndarray | None = None,
) -> np.ndarray:
    """The gel's reduced compliance (1/Pa) per draw (rows, its modulus scaled by ``scale``) and
    frame: the thin-layer factor at the contact's size, bottoming at the lock depth given the
    series total ``total_per_pa`` (or, iterated, the object's ``c_obj_per_pa``)."""
    g = np.broadcast_to(calibration.gel_reduced_compliance_per_pa / scale[:, None], delta_mm.shape)
    g = g.copy()
    if calibration.thin_layer:
        g = g * thin_layer_factor(contact_mm, calibration.gel_thickness_mm)
    lock = calibration.gel_lock_depth_mm
    if lock is None:
        return g
    if total_per_pa is not None:
        return bottomed_gel_compliance(g, total_per_pa, delta_mm, lock)
    assert c_obj_per_pa is not None
    out = g
    for _ in range(20):
        out = bottomed_gel_compliance(g, c_obj_per_pa + out, delta_mm, lock)
    return out


def _foam_bounds_pa(
    calibration: SensorCalibration,
    shape: str,
    radius_mm: float,
    length_mm: float | None,
    gel: bool,
    touch_mm: np.ndarray,
    rig_mm_per_n: np.ndarray,
    scale: np.ndarray,
    f_n: np.ndarray,
    w_mm: np.ndarray,
) -> np.ndarray:
    """Per draw, the largest foam bound over the loaded frames (``f_n``, ``w_mm``) below the
    densification onset (module docstring); inf where the object took no compliance on such a
    frame, 0 where no frame is below the onset and some has strain."""
    delta_mm = 0.5 * (touch_mm[:, None] - w_mm[None, :] - f_n[None, :] * rig_mm_per_n[:, None])
    delta_mm = np.maximum(delta_mm, 0.0)
    strain = delta_mm / float(radius_mm)
    contact_mm, k_mm2 = _contact(shape, radius_mm, length_mm, delta_mm)
    total_per_pa = k_mm2 / f_n[None, :] / PA_PER_N_PER_MM2  # c_o + c_g
    c_obj_per_pa = total_per_pa
    if gel:
        c_obj_per_pa = total_per_pa - _gel_per_pa(
            calibration, scale, contact_mm, delta_mm, total_per_pa
        )
    onset = FOAM_DENSIFICATION_MIN
    below = (strain > 0.0) & (strain < onset)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_frame = np.where(
            below,
            np.where(
                c_obj_per_pa > 0.0,
                (1.0 - FOAM_POISSON**2) * (1.0 - strain / onset) ** 2 / c_obj_per_pa,
                np.inf,
            ),
            0.0,
        )
    e_pa = per_frame.max(axis=1)
    return np.where(below.any(axis=1), e_pa, np.where((strain <= 0.0).all(axis=1), np.inf, 0.0))


def _linear_force_n(
    calibration: SensorCalibration,
    shape: str,
    radius_mm: float,
    length_mm: float | None,
    modulus_pa: np.ndarray,
    touch_mm: np.ndarray,
    rig_mm_per_n: np.ndarray,
    scale: np.ndarray,
    wq_mm: np.ndarray,
) -> np.ndarray:
    """The least force (N) a foam of ``modulus_pa`` (per draw) touched at ``touch_mm`` carries
    at the openings ``wq_mm`` (no densification, no rig closure: both would raise it), the gel
    in series; 0 where the modulus is not finite and positive."""
    delta_mm = np.maximum(0.5 * (touch_mm[:, None] - wq_mm[None, :]), 0.0)
    contact_mm, k_mm2 = _contact(shape, radius_mm, length_mm, delta_mm)
    ok = np.isfinite(modulus_pa) & (modulus_pa > 0.0)
    e = np.where(ok, modulus_pa, 1.0)
    c_obj = np.broadcast_to(((1.0 - FOAM_POISSON**2) / e)[:, None], delta_mm.shape)
    g = _gel_per_pa(calibration, scale, contact_mm, delta_mm, None, c_obj)
    force_n = k_mm2 / ((c_obj + g) * PA_PER_N_PER_MM2)
    return np.where(ok[:, None], force_n, 0.0)


__all__ = ["FOAM_POISSON", "given_foam_bound_pa"]
