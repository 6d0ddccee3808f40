"""``blind``: Young's modulus from the grasp alone — no label table, shape or radius.

Three springs in series close the gripper: the object, the gel on both pads, and the rig
(fingers, mount, gripper). Between the first squeeze and the force-controlled hold the
reading closes by ``s = w_c − w_hold`` (:mod:`tactile.processing.grasp_geometry`), of which the
rig takes ``c_rig·F`` (``SensorCalibration.rig_compliance_mm_per_n``, fitted by
``tactile calibrate rig`` on rigid presses) and the object and gel the rest.

Two geometry hypotheses, each with the object's size from the contact width:

* **sphere** of radius ``R = size/2`` (Hertz, Johnson 1985 §4.2): per pad
  ``δ = (s − c_rig·F)/2``, ``E* = 3F/(4√R·δ^{3/2})``, the gel's compliance (thin-layer factor
  at ``a = √(Rδ)``, bottoming when the gel model has it) removed as in :mod:`.separation`;
* **flat** face covering the pad (a block of thickness ``L = size`` pressed over the pad's area
  ``A``): ``strain = (s − c_rig·F − 2F·C_gel)/L``, ``E = (F/A)/strain`` on the loading frames of
  low strain (0.05–0.3, force ≥ 20 % of the peak), where a foam has not densified yet; at the
  hold when the whole press stays below that strain.

The contact width is drawn with its measured spread but never below the opening at which the
force first reached 20 % of its peak (the object was squeezed by then).

The imprint decides between them when it is clear (:func:`classify_shape`); otherwise both
are kept, their Monte Carlo draws pooled, so the interval spans both. For big soft objects the
two agree within about 0.2 dex (a squashed ball's contact fills the pad); for stiff ones they
differ, and the imprint is then strong.

**Stiffer than resolvable.** Every draw varies the contact width (its measured spread), the rig
compliance (its calibrated spread) and the gel (``gel_modulus_log10_sd``). When more than
2.5 % of the draws leave the object no compliance (the closure is all gel and rig), the
object's own deformation is not resolvable: ``stiffer_than_gel``, and the lower bound is the
smallest over the hypotheses of ``k / c95`` (the 95th percentile of the object compliance,
never below half its 68 % spread) — the flat face over the whole pad is the most compliant
geometry for a given closure, so the bound holds whatever the shape. When the estimates of the
first squeeze disagree (one reads it much wider: a very soft object whose force rises slowly,
or a force sensor creeping while the gripper closes), the object is flagged only if it is
unresolved from the widest reading too; otherwise the estimate from that reading is returned
with ``poor_fit`` and a note. This keeps bounds true at the price of leaving a rigid object
unflagged when a creeping force sensor fakes an early contact.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from tactile.errors import EstimatorError
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.contact import (
    DEFAULT_OBJECT_POISSON,
    PA_PER_N_PER_MM2,
    thin_layer_factor,
)
from tactile.estimators.elastic import pad_area_mm2
from tactile.estimators.hertz import large_strain_log10_sd
from tactile.estimators.loading import loading_curve
from tactile.estimators.separation import UNRESOLVED_SHARE, bottomed_gel_compliance
from tactile.processing.grasp_geometry import (
    GraspGeometry,
    infer_geometry,
    reconstruct_width_mm,
)
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

N_DRAWS = 2000
#: Object strain range used by the flat hypothesis (a foam densifies beyond it).
FLAT_STRAIN_RANGE = (0.05, 0.3)
#: Share of the peak force above which loading frames are used (and the object is surely
#: squeezed: the contact width is at least the opening where the force first reaches it).
LOADED_FORCE_FRACTION = 0.2
#: Reading resolution of the width at the hold (mm): one encoder step and interpolation.
HOLD_WIDTH_SD_MM = 0.1
#: Pad area (mm²) assumed when the calibration says nothing (a 35 x 25.5 mm Wedge pad).
DEFAULT_PAD_AREA_MM2 = 35.0 * 25.5


def rig_compliance(calibration: SensorCalibration) -> tuple[float, float]:
    """(rig compliance, its sd) in mm/N, both fingers together; 0 when not calibrated."""
    return calibration.rig_compliance_mm_per_n, calibration.rig_compliance_sd_mm_per_n


def contact_width_bias(calibration: SensorCalibration) -> tuple[float, float]:
    """(contact width − object size, its sd) in mm, from the rig calibration; default (0, 2)."""
    return calibration.contact_width_bias_mm, calibration.contact_width_bias_sd_mm


def geometry_of(features: GraspFeatures, calibration: SensorCalibration) -> GraspGeometry:
    """:func:`infer_geometry` with the calibration's width bias and pad area."""
    bias, bias_sd = contact_width_bias(calibration)
    return infer_geometry(
        features.force_n,
        features.width_mm,
        area_mm2=features.contact_area_mm2,
        pad_area_mm2=pad_area_mm2(calibration),
        contact_width_bias_mm=bias,
        contact_width_bias_sd_mm=bias_sd,
    )


@dataclass(frozen=True)
class _Draws:
    """Monte Carlo draws of one hypothesis: object compliance k/E (1/Pa) per draw."""

    compliance_per_pa: np.ndarray
    numerator: float
    model_log10_sd: float
    info: dict[str, Any]


def _sphere(
    geo: GraspGeometry,
    closure: np.ndarray,
    size: np.ndarray,
    gel_per_pa: np.ndarray,
    calibration: SensorCalibration,
    meta: GraspMetadata,
    poisson: float,
) -> _Draws:
    f = geo.hold_force_n
    radius = np.maximum(size, 2.0) / 2.0
    delta = np.maximum(closure, 1e-6) / 2.0
    e_star = 3.0 * f / (4.0 * np.sqrt(radius) * delta**1.5) * PA_PER_N_PER_MM2
    total = 1.0 / e_star
    gel = gel_per_pa.copy()
    if calibration.thin_layer:
        gel = gel * thin_layer_factor(np.sqrt(radius * delta), calibration.gel_thickness_mm)
    lock = calibration.gel_lock_depth_mm
    if lock is not None:
        gel = bottomed_gel_compliance(gel, total, delta, lock)
    c_obj = total - gel  # a closure <= 0 gives total ~ 0: no compliance left for the object
    strain = float(np.median(delta / radius))
    return _Draws(
        c_obj,
        1.0 - poisson**2,
        large_strain_log10_sd(strain),
        {"approach_over_radius": strain, "e_star_total_pa": float(np.median(e_star))},
    )


def _flat(
    geo: GraspGeometry,
    features: GraspFeatures,
    wc: np.ndarray,
    rig: np.ndarray,
    size: np.ndarray,
    gel_modulus_pa: np.ndarray,
    calibration: SensorCalibration,
    meta: GraspMetadata,
) -> _Draws:
    area = pad_area_mm2(calibration) or DEFAULT_PAD_AREA_MM2
    a_eq = math.sqrt(area / math.pi)
    factor = (
        thin_layer_factor(a_eq, calibration.gel_thickness_mm) if calibration.thin_layer else 1.0
    )
    # per pad: flat punch (1 − ν²)/(2aE) (mm/N), both pads in series
    gel_mm_per_n = (
        2.0 * (1.0 - calibration.gel_poisson**2) / (2.0 * a_eq * gel_modulus_pa / PA_PER_N_PER_MM2)
    ) * factor
    curve = loading_curve(features, min_force_fraction=LOADED_FORCE_FRACTION)
    width = reconstruct_width_mm(features.width_mm)[curve.indices]
    force = curve.force_n
    nominal = (
        geo.contact_width_mm
        - width
        - force * (float(np.median(rig)) + float(np.median(gel_mm_per_n)))
    ) / max(geo.size_mm, 1.0)
    use = (nominal >= FLAT_STRAIN_RANGE[0]) & (nominal <= FLAT_STRAIN_RANGE[1])
    hold_strain = (geo.closure_mm - geo.hold_force_n * float(np.median(rig))) / max(
        geo.size_mm, 1.0
    )
    if int(use.sum()) >= 2 and hold_strain > FLAT_STRAIN_RANGE[1]:
        f, w, where = force[use], width[use], "loading frames at 5-30 % strain"
    else:
        f, w, where = np.array([geo.hold_force_n]), np.array([geo.hold_width_mm]), "hold"
    # draws x frames: object closure, then compliance strain/stress per frame, median per draw
    s_obj = wc[:, None] - w[None, :] - f[None, :] * (rig + gel_mm_per_n)[:, None]
    thickness = np.maximum(size, 1.0)[:, None]
    compliance = s_obj / thickness / (f[None, :] / area) / PA_PER_N_PER_MM2  # 1/Pa
    c_obj = np.median(compliance, axis=1)
    return _Draws(c_obj, 1.0, 0.0, {"flat_frames": where, "flat_area_mm2": area})


def _summarise(draws: _Draws, rng: np.random.Generator) -> np.ndarray:
    """log10 E per draw (NaN where unresolved), with the model's own sd added."""
    c = draws.compliance_per_pa
    with np.errstate(divide="ignore", invalid="ignore"):
        log_e = np.where(c > 0, np.log10(draws.numerator / c), np.nan)
    if draws.model_log10_sd > 0:
        log_e = log_e + draws.model_log10_sd * rng.standard_normal(log_e.shape)
    return log_e


def _bound(draws: _Draws) -> float:
    c = np.sort(draws.compliance_per_pa)
    n = c.size - 1
    half_spread = 0.5 * (c[round(0.84 * n)] - c[round(0.16 * n)])
    c95 = max(float(c[round(0.95 * n)]), float(half_spread), 1e-15)
    return draws.numerator / c95


@dataclass(frozen=True)
class BlindEstimator(AnalyticalEstimator):
    """Object, gel and rig in series, geometry from the grasp (see the module docstring)."""

    name: str = "blind"
    object_poisson: float = DEFAULT_OBJECT_POISSON
    seed: int = 0

    def image_frames(self, meta: GraspMetadata) -> int | None:
        return 4  # the imprint at a few loading frames decides the shape class

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        curve = loading_curve(features)  # raises NoContactError for a failed grasp
        geo = geometry_of(features, calibration)
        if geo.size_mm <= 2.0 or geo.hold_force_n <= 0:
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: no object size could be read from the width "
                f"(contact width {geo.contact_width_mm:.3g} mm)",
                hint="record the gripper width through the whole squeeze",
            )
        est = self._estimate_with(geo, features, curve.flags, meta, calibration)
        widest = max(geo.contact_width_estimates_mm.values())
        if est.lower_bound_only and widest > geo.contact_width_mm + 2.0 * geo.contact_width_sd_mm:
            # the estimates of the first squeeze disagree: a slowly rising force (a very soft
            # object, or a creeping sensor) put one of them wider. A bound must hold for
            # either reading, so the object is flagged only if it is unresolved from there too.
            wide = dataclasses.replace(
                geo,
                contact_width_mm=widest,
                size_mm=geo.size_mm + widest - geo.contact_width_mm,
                closure_mm=widest - geo.hold_width_mm,
            )
            alt = self._estimate_with(wide, features, curve.flags, meta, calibration)
            if not alt.lower_bound_only:
                details = dict(alt.details, note=(
                    "contact width ambiguous: read at the earliest force onset; from the "
                    f"hinge fits ({geo.contact_width_mm:.1f} mm) the object would be unresolved"
                ))  # fmt: skip
                return dataclasses.replace(alt, flags=alt.flags | {Flag.POOR_FIT}, details=details)
        return est

    def _estimate_with(
        self,
        geo: GraspGeometry,
        features: GraspFeatures,
        curve_flags: frozenset[Flag],
        meta: GraspMetadata,
        calibration: SensorCalibration,
    ) -> ModulusEstimate:
        rng = np.random.default_rng(self.seed)
        z = rng.standard_normal((4, N_DRAWS))
        rig_c, rig_sd = rig_compliance(calibration)
        bias, bias_sd = contact_width_bias(calibration)
        # the object carries 20 % of the peak force from this opening on: it touched before
        curve = loading_curve(features)
        loaded = reconstruct_width_mm(features.width_mm)[curve.indices[0]]
        wc = np.maximum(geo.contact_width_mm + geo.contact_width_sd_mm * z[0], loaded)
        rig = np.maximum(rig_c + rig_sd * z[1], 0.0)
        size = wc - bias + bias_sd * z[3]
        hold_w = geo.hold_width_mm + HOLD_WIDTH_SD_MM * rng.standard_normal(N_DRAWS)
        closure = wc - hold_w - rig * geo.hold_force_n
        gel_scale = 10.0 ** (calibration.gel_modulus_log10_sd * z[2])
        gel_per_pa = calibration.gel_reduced_compliance_per_pa / gel_scale
        hyps: dict[str, _Draws] = {}
        if geo.shape_class in ("sphere", "unknown"):
            hyps["sphere"] = _sphere(
                geo, closure, size, gel_per_pa, calibration, meta, self.object_poisson
            )
        if geo.shape_class in ("flat", "unknown"):
            hyps["flat"] = _flat(
                geo, features, wc, rig, size, calibration.gel_modulus_pa * gel_scale,
                calibration, meta,
            )  # fmt: skip
        return self._combine(hyps, geo, curve_flags, calibration, rng, (rig_c, rig_sd))

    def _combine(
        self,
        hyps: dict[str, _Draws],
        geo: GraspGeometry,
        curve_flags: frozenset[Flag],
        calibration: SensorCalibration,
        rng: np.random.Generator,
        rig: tuple[float, float],
    ) -> ModulusEstimate:
        flags = set(curve_flags) | {Flag.SHAPE_ASSUMED}
        logs = {k: _summarise(d, rng) for k, d in hyps.items()}
        pooled = np.concatenate(list(logs.values()))
        unresolved = float(np.mean(~np.isfinite(pooled)))
        details: dict[str, Any] = {
            "geometry": geo.to_dict(),
            "hypotheses": sorted(hyps),
            "rig_compliance_mm_per_n": rig[0],
            "rig_compliance_sd_mm_per_n": rig[1],
            "unresolved_share": unresolved,
            "calibration_id": calibration.calibration_id,
            "gel_modulus_pa": calibration.gel_modulus_pa,
            "peak_force_n": geo.hold_force_n,
        }
        for name, d in hyps.items():
            finite = logs[name][np.isfinite(logs[name])]
            details[f"{name}_modulus_pa"] = float(10 ** np.median(finite)) if finite.size else None
            details.update({f"{name}_{k}": v for k, v in d.info.items()})
        if geo.starts_in_contact:
            details["note"] = "recording starts in contact: contact width extrapolated"
        if unresolved > UNRESOLVED_SHARE:
            lower = min(_bound(d) for d in hyps.values())
            flags.add(Flag.STIFFER_THAN_GEL)
            lower68 = min(
                d.numerator / max(float(np.percentile(d.compliance_per_pa, 68)), 1e-15)
                for d in hyps.values()
            )
            return ModulusEstimate(
                modulus_pa=lower,
                interval_68_pa=(max(lower68, lower), math.inf),
                interval_95_pa=(lower, math.inf),
                estimator=self.name,
                flags=frozenset(flags),
                lower_bound_only=True,
                details=details,
            )
        resolved = np.where(np.isfinite(pooled), pooled, 15.0)  # an unresolved draw: E = "inf"
        q = np.percentile(resolved, [2.5, 16.0, 50.0, 84.0, 97.5])
        return ModulusEstimate(
            modulus_pa=float(10 ** q[2]),
            interval_68_pa=(float(10 ** q[1]), float(10 ** q[3])),
            interval_95_pa=(float(10 ** q[0]), float(10 ** q[4])),
            estimator=self.name,
            flags=frozenset(flags),
            lower_bound_only=False,
            details=details,
        )
