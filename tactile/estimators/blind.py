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
object's own deformation is not resolvable: a lower bound only (flag ``stiffer_than_gel``
where the bound is at least the gel's modulus, else ``unresolved``), and the lower bound is the
smallest over the hypotheses of ``k / c95`` (the 95th percentile of the object compliance,
never below half its 68 % spread) — the flat face over the whole pad is the most compliant
geometry for a given closure, so the bound holds whatever the shape. When the estimates of the
first squeeze disagree (one reads it much wider: a very soft object whose force rises slowly,
or a force sensor creeping while the gripper closes), the object is flagged only if it is
unresolved from the widest reading too; otherwise the estimate from that reading is returned
with ``poor_fit``, a note and its interval open upwards (either reading may be the true one).

**A small soft object read late** (a 10 mm, 25 kPa ball: detectable force from 8-9 mm, 0.6 N
only at 2.4 mm, then locked up; the hinge fits read its contact 3-4 mm late and it was flagged
"> 43 kPa"). The bound is also tested from the force's first detectable rise
(:func:`~tactile.processing.grasp_geometry.force_rise`, 3 noise sds above the first frames'
baseline and staying there): a curved object as stiff as the curved hypotheses' bound touched
at most the closure it needs to carry that force (Hertz at the bound, gel and lock-up as
modelled) before it. Unless the force record rules that earlier contact out for every
plausible curved shape (force missing in the frames before the rise, or a rise steeper than
such an object could make while its strain is ≤ 0.3: a rigid object on a compliant rig), the
estimate is repeated from the widest contact between the rise and there that the record does
not rule out (and again from the lower bound that gives, up to 4 times): resolved, it is
returned as above; still unresolved, its lower bound is kept.

**Densifying foams.** A bound read at the hold says nothing about a foam squashed past its
densification there (the simulator's ``E/(1 − ε/ε_d)²``, ε_d 0.5–0.8): it carries any force.
A flagged object's bound is therefore also capped by the softest foam its loading frames allow
(:func:`foam_bound_pa`: a face over the pad, the frames below ε = 0.5, all of the closure
credited to the object, the touch anywhere the existing tests admit and at least as early as
the last frame before the force shows above its noise; the bound claimed is the 5th percentile
over the touches the frames admit, the foam's posterior, with the touches drawn again inside the
admitted range when fewer than :data:`FOAM_MIN_ADMITTED` are admitted, and full-range passes
pooled when that redraw admits fewer too: :func:`foam_bound_posterior`; only when the frames
admit no touch does the linear bound stand), and the flag is dropped
(interval open upwards) when a foam more than :data:`FOAM_SOFTER_FACTOR` times softer than the
linear bound fits the record with the gel's closure removed (:func:`_bound_for_a_foam`).

**Signals first** (:mod:`tactile.processing.grasp_signals`): the width reading is put on the
force's clock (its lag, from the loop the loading and unloading branches make in force-width
space, is removed) and a force that builds with the closing motion before the touch is removed
as a straight line in the closure, before anything above reads them. The rig's golf-ball presses
(:func:`~tactile.processing.rig_fit.fit_rig`) are read the same way. Without it, on a rig whose
reading lags ~0.3 s the approach shows after the touch and a steel bolt's closure reads as
several mm of compliance; a motion force made the contact read at the motion's start. Both are
in ``details`` (``width_lag_s``, ``motion_force_n_per_mm``).

**A soft object under a motion ramp.** The motion line is fitted on the force before the touch;
a soft object's own slow first rise is absorbed into it (its slope reads high, the touch
late: a 14 mm, 7 kPa foam ball read ~6 mm late and was flagged "> 26 kPa"). So when a motion
force was removed and the object is flagged, the bound is also tested from the widest touch
under the ramp that the recorded force allows (:func:`_widest_touch_under_ramp`): an object as
stiff as the bound touched there, plus a motion line of any slope, fits the frames before the
departure within ``DEPARTURE_Z``² noise variances of the line alone, and does not rise slower
than the record after it while its strain is below a foam's densification onset
(``RAMP_STEEP_MAX_STRAIN``; a rigid object rises steeply from its touch). Resolved from there,
the estimate is returned with its interval open upwards, as above.

**A gel is never pressed deeper than it is thick.** Where the calibration does not model the
gel's bottoming (the real-rig profiles), the thin-layer gel is linear at any depth; a small soft
object squashed to a per-pad approach of several mm (its foam densified by the hold) then read
as stiffer than a rigid one, because the gel alone would have taken more. The curved hypotheses
give the object at least the approach beyond 1.5 times the gel's thickness (the calibration's
split between gel and rig is not exact: :data:`GEL_DEPTH_MARGIN`, :func:`_gel_depth_floor`).

**A closure a rigid object could show.** The rig fit splits the golf ball's closure between gel
and rig with the calibration's gel model; on a rig whose gel is stiffer than that model the fit
reads too little rig compliance, and a flatter rigid object's rig closure went to the object
(closed intervals up to 0.3-0.8 MPa for objects of 10^7-10^11 Pa, issue 11). A point estimate
whose closure the golf ball's, all of it in the rig, could explain has its intervals opened
upwards (:func:`_open_if_rig_split`).

**A width reading that still moves during the hold** (a lag the loop did not resolve, creep):
when it moves more than max(1 mm, a quarter of the closure) during the hold, a point estimate's
interval is opened upwards (``may_be_stiffer_than_gel``, ``poor_fit``): the closure may be the
lag.

**An interval open upwards from far above the gel.** The three rules above keep the point
estimate, a reading of a closure or touch the record cannot pin down (rigid objects on
randomised simulated rigs read 0.1-0.4 MPa there). When the 95 % interval's lower end is at
least :data:`OPEN_BOUND_GEL_FACTOR` times the gel's modulus, that lower end is the answer, as a
lower bound, after the densifying-foam check every bound goes through, and only if the checked
bound still clears the gel (:meth:`BlindEstimator._open_as_bound`); otherwise the open reading
stands, its intervals starting at the foam's bound.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from tactile.errors import ConfigError, EstimatorError
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.contact import (
    DEFAULT_OBJECT_POISSON,
    PA_PER_N_PER_MM2,
    THIN_LAYER_BETA,
    thin_layer_factor,
)
from tactile.estimators.elastic import pad_area_mm2, pad_extent_mm
from tactile.estimators.hertz import large_strain_log10_sd
from tactile.estimators.line import line_approach_mm
from tactile.estimators.loading import LoadingCurve, flat_face_possible, loading_curve
from tactile.estimators.separation import UNRESOLVED_SHARE, bottomed_gel_compliance
from tactile.processing.grasp_geometry import (
    MIN_CONTACT_WIDTH_SD_MM,
    ForceRise,
    GraspGeometry,
    force_rise,
    infer_geometry,
    line_contact_width,
    line_unit_half_width,
    reconstruct_width_mm,
)
from tactile.processing.grasp_signals import CorrectedSignals, MotionBaseline, correct_signals
from tactile.processing.rig_fit import (
    rig_fit_predates_signal_correction,
    rigid_sphere_gel_closure_mm,
)
from tactile.sensor import SensorCalibration
from tactile.types import (
    Flag,
    GraspFeatures,
    GraspMetadata,
    ModulusEstimate,
    bound_flag,
    with_bound_flag,
)

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
    """:func:`infer_geometry` with the calibration's width bias, rig and pad."""
    bias, bias_sd = contact_width_bias(calibration)
    area = pad_area_mm2(calibration)
    if area is None and calibration.pad_size_mm is not None:
        area = calibration.pad_size_mm[0] * calibration.pad_size_mm[1]
    return infer_geometry(
        features.force_n,
        features.width_mm,
        area_mm2=features.contact_area_mm2,
        patch_mm=features.contact_patch_mm,
        pad_area_mm2=area,
        pad_extent_mm=pad_extent_mm(calibration),
        contact_width_bias_mm=bias,
        contact_width_bias_sd_mm=bias_sd,
        rig_compliance_mm_per_n=calibration.rig_compliance_mm_per_n,
        imprint_indices=features.imprint_indices,
    )


def _sphere_force_n(
    delta_mm: Any,
    radius_mm: float | np.ndarray,
    c_obj_per_pa: float,
    calibration: SensorCalibration,
) -> np.ndarray:
    """Force (N) on a sphere of radius ``radius_mm`` (a number, or one per row of a column)
    and object compliance ``c_obj_per_pa`` pressed ``delta_mm`` per pad (element-wise), the gel
    in series as the sphere hypothesis models it (thin-layer stiffening at a = √(Rδ),
    bottoming at the lock depth)."""
    delta = np.maximum(np.asarray(delta_mm, dtype=np.float64), 0.0)
    gel = np.full_like(delta, calibration.gel_reduced_compliance_per_pa)
    if calibration.thin_layer:
        gel = gel * thin_layer_factor(np.sqrt(radius_mm * delta), calibration.gel_thickness_mm)
    g = gel
    lock = calibration.gel_lock_depth_mm
    if lock is not None:
        for _ in range(20):  # the bottomed gel's share depends on the total compliance
            g = bottomed_gel_compliance(gel, c_obj_per_pa + g, delta, lock)
    e_star = 1.0 / (c_obj_per_pa + g) / PA_PER_N_PER_MM2  # N/mm²
    return 4.0 / 3.0 * e_star * np.sqrt(radius_mm) * delta**1.5


def _object_compliance(modulus_pa: float, estimator: Any) -> float:
    nu = float(getattr(estimator, "object_poisson", DEFAULT_OBJECT_POISSON))
    return (1.0 - nu**2) / modulus_pa


def missed_closure_mm(
    geo: GraspGeometry,
    modulus_pa: float,
    estimator: Any,
    calibration: SensorCalibration,
    force_n: float | None = None,
) -> float:
    """Closure (both pads) a sphere of radius size/2 and modulus ``modulus_pa`` takes before
    its force reaches ``force_n`` (default: the onset detection's floor, max(0.3 N, 3 % of
    the hold)), with the gel in series as the sphere hypothesis models it."""
    f0 = max(0.3, 0.03 * geo.hold_force_n) if force_n is None else max(force_n, 0.0)
    if f0 <= 0.0:
        return 0.0
    radius = max(geo.size_mm, 2.0) / 2.0
    c_obj = _object_compliance(modulus_pa, estimator)
    # F(δ) increases with δ: tabulate it once (to the radius) and read δ at f0
    delta = np.linspace(0.0, radius, 801)
    force = np.maximum.accumulate(_sphere_force_n(delta, radius, c_obj, calibration))
    if force[-1] < f0:
        return 2.0 * radius
    return 2.0 * float(np.interp(f0, force, delta))


def _cylinder_force_n(
    delta_mm: Any,
    radius_mm: float,
    length_mm: float,
    c_obj_per_pa: float,
    calibration: SensorCalibration,
    table: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Force (N) on a cylinder on its side pressed ``delta_mm`` per pad, element-wise (2-D
    Hertz as the cylinder hypothesis models it: strip half-width b from δ, F = πLb²E*/(4R),
    gel in series with the thin-layer factor at b). ``table``: (δ, b) pairs to interpolate b
    from instead of solving for it."""
    delta = np.maximum(np.asarray(delta_mm, dtype=np.float64), 0.0)
    if table is None:
        b = _line_half_width(delta, np.full_like(delta, radius_mm))
    else:
        b = np.interp(delta, table[0], table[1])
    return _cylinder_force_at_half_width_n(
        b, delta, radius_mm, length_mm, c_obj_per_pa, calibration
    )


def _cylinder_force_at_half_width_n(
    half_width_mm: np.ndarray,
    delta_mm: np.ndarray,
    radius_mm: float | np.ndarray,
    length_mm: float,
    c_obj_per_pa: float,
    calibration: SensorCalibration,
) -> np.ndarray:
    """:func:`_cylinder_force_n` once the strip half-width b of each approach ``delta_mm``
    (≥ 0) is known: F = πLb²E*/(4R), the gel in series with the thin-layer factor at b."""
    b = np.where(delta_mm > 0.0, half_width_mm, 0.0)
    gel = np.full_like(delta_mm, calibration.gel_reduced_compliance_per_pa)
    if calibration.thin_layer:
        gel = gel * thin_layer_factor(b, calibration.gel_thickness_mm)
    e_star = 1.0 / (c_obj_per_pa + gel) / PA_PER_N_PER_MM2
    return math.pi * length_mm * b * b * e_star / (4.0 * radius_mm)


#: An earlier contact is contradicted when the force record departs from what the hypothesised
#: object would carry by this many noise sds (in the gap before the rise: the mean deficit in
#: standard errors; after it: on at least ``CONTRADICTED_FRAMES`` frames).
CONTRADICTED_Z = 3.0
CONTRADICTED_FRAMES = 3
#: Object strain (approach over radius) up to which the curved models are trusted for it.
CONTRADICTION_MAX_STRAIN = 0.3


def _curved_force_n(
    shape: str,
    width_mm: np.ndarray,
    contact_width_mm: float,
    modulus_pa: float,
    geo: GraspGeometry,
    estimator: Any,
    calibration: SensorCalibration,
) -> tuple[np.ndarray, np.ndarray]:
    """Force (N) a curved object (``sphere`` or ``cylinder`` on its side) of modulus
    ``modulus_pa`` touched at ``contact_width_mm`` carries at these (reconstructed) widths, gel
    and the calibrated rig in series, and its strain (approach over radius) there. The
    one-contact definition: the estimator solves many contacts at once
    (:func:`_curved_force_many`), which tests/estimators compare with this bit for bit."""
    radius = max(geo.size_mm + (contact_width_mm - geo.contact_width_mm), 2.0) / 2.0
    c_obj = _object_compliance(modulus_pa, estimator)
    rig = calibration.rig_compliance_mm_per_n
    length = cylinder_contact_length_mm(geo, calibration)
    table = _line_half_width_table(radius) if shape != "sphere" else None

    def model(delta: np.ndarray) -> np.ndarray:
        if table is None:
            return _sphere_force_n(delta, radius, c_obj, calibration)
        return _cylinder_force_n(delta, radius, length, c_obj, calibration, table)

    closure = np.maximum(contact_width_mm - np.asarray(width_mm, dtype=np.float64), 0.0)
    lo = _force_with_rig_n(model, closure, rig)
    return lo, np.maximum(closure - rig * lo, 0.0) / 2.0 / radius


def _force_with_rig_n(
    model: Callable[[np.ndarray], np.ndarray],
    closure_mm: np.ndarray,
    rig_mm_per_n: float,
    screen: _CurvedForces | None = None,
) -> np.ndarray:
    """The force F (N) solving F = model((closure − c_rig·F)/2), element-wise, by 30 steps of
    bisection (the rig takes c_rig·F of the closure, the object and gel the rest per pad).

    ``screen``: ``model`` as a :class:`_CurvedForces`, whose screening form
    (:meth:`_CurvedForces.screening`) is asked first at each step: where its force is more
    than ``_SCREEN_MARGIN`` (relative) from the midpoint it is on the same side as the exact
    force (they differ by far less), elsewhere the exact model of those elements decides. Only
    the comparisons with the midpoints reach the result, so it is the same, bit for bit."""
    lo = np.zeros_like(closure_mm)
    first = model(closure_mm / 2.0)
    hi = np.maximum(first, 0.0)
    # without a rig the model's argument is closure/2 at every step (0·F = 0): evaluated once
    fixed = first if rig_mm_per_n == 0.0 else None
    if not (math.isfinite(rig_mm_per_n) and np.isfinite(first).all()):
        screen = None  # the screening model's bound holds for finite approaches
    elif screen is not None and not np.isfinite(closure_mm).all():
        screen = None
    screening = screen.screening() if screen is not None else None
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        if fixed is not None:
            above = fixed > mid
        elif screen is None or screening is None:
            above = model(np.maximum(closure_mm - rig_mm_per_n * mid, 0.0) / 2.0) > mid
        else:
            delta = np.maximum(closure_mm - rig_mm_per_n * mid, 0.0) / 2.0
            gap = screening(delta) - mid
            above = gap > 0.0
            # not (|gap| > margin·mid): NaN too
            unsure = np.flatnonzero(~(np.abs(gap) > _SCREEN_MARGIN * mid))
            if unsure.size:
                above[unsure] = screen.subset(unsure)(delta[unsure]) > mid[unsure]
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return lo


def _curved_force_shapes(
    shapes: tuple[str, ...] | list[str],
    width_mm: np.ndarray,
    contacts_mm: np.ndarray,
    modulus_pa: float,
    geo: GraspGeometry,
    estimator: Any,
    calibration: SensorCalibration,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """:func:`_curved_force_n` for each of ``shapes`` (``sphere``, ``cylinder``) and each
    contact width: row ``k`` of each shape's (force, strain) is ``_curved_force_n(shape,
    width_mm, contacts_mm[k], ...)``, bit for bit, all of them in one bisection (each element
    with its shape's model, its row's radius and table: every element sees the same
    operations as on its own). The motion-ramp test tries up to 41 contact widths a shape,
    and the per-call overhead of those small arrays was most of its time."""
    problem = _CurvedProblem(tuple(shapes), width_mm, contacts_mm, modulus_pa)
    return _curved_force_many([problem], geo, estimator, calibration)[0]


@dataclass(frozen=True)
class _CurvedProblem:
    """Forces wanted from :func:`_curved_force_many`: those :func:`_curved_force_shapes` gives for
    each of ``shapes`` at ``width_mm``, touched at each of ``contacts_mm``, of ``modulus_pa``."""

    shapes: tuple[str, ...]
    width_mm: np.ndarray
    contacts_mm: np.ndarray | list[float]
    modulus_pa: float


def _curved_force_many(
    problems: list[_CurvedProblem],
    geo: GraspGeometry,
    estimator: Any,
    calibration: SensorCalibration,
) -> list[dict[str, tuple[np.ndarray, np.ndarray]]]:
    """:func:`_curved_force_shapes` for every problem in one bisection: the
    elements with closure (the others are exactly 0 force and strain, as the bisection left
    them) in a line, each with its own radius, modulus and, for a cylinder, its row's table;
    the sphere's elements first, then the cylinder's. Every element sees the same operations
    on the same values as on its own: the same numbers (tests/estimators)."""
    if not problems:
        return []
    rig = calibration.rig_compliance_mm_per_n
    length = cylinder_contact_length_mm(geo, calibration)
    parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]] = {
        "sphere": [],
        "cylinder": [],
    }
    tables: list[tuple[np.ndarray, np.ndarray]] = []
    layout = []
    for problem in problems:
        contacts = np.asarray(problem.contacts_mm, dtype=np.float64).reshape(-1)
        radii = np.array(
            [max(geo.size_mm + (float(c) - geo.contact_width_mm), 2.0) / 2.0 for c in contacts],
            dtype=np.float64,
        )
        c_obj = _object_compliance(problem.modulus_pa, estimator)
        w = np.asarray(problem.width_mm, dtype=np.float64)
        # widths no candidate has closed to carry no force (the bisection leaves 0.0 there)
        # and no strain (0.0 / 2 / R): solved only where a row has closure
        active = np.flatnonzero(w < contacts.max()) if contacts.size else np.arange(0)
        closure_all = np.maximum(contacts[:, None] - w[None, active], 0.0)
        row_of, col_of = np.nonzero(closure_all > 0.0)
        closure = closure_all[row_of, col_of]
        radius = radii[row_of]
        table_rows = np.arange(0)
        if "cylinder" in problem.shapes:
            table_rows = row_of + len(tables)
            tables.extend(_line_half_width_table(float(r)) for r in radii)
        for shape in problem.shapes:
            c = np.full(closure.shape, c_obj)
            parts[shape].append((closure, radius, c, table_rows if shape != "sphere" else row_of))
        layout.append((contacts.size, w.size, active[col_of], row_of, closure, radius))

    def stacked(shape: str, field: int) -> np.ndarray:
        chunks = [part[field] for part in parts[shape]]
        return np.concatenate(chunks) if chunks else np.zeros(0)

    s_closure, s_radius, s_c_obj = (stacked("sphere", i) for i in range(3))
    c_closure, c_radius, c_c_obj = (stacked("cylinder", i) for i in range(3))
    interp = None
    if parts["cylinder"]:
        interp = _RowsInterpolator(
            np.array([t[0] for t in tables]),
            np.array([t[1] for t in tables]),
            np.concatenate([part[3] for part in parts["cylinder"]]).astype(np.intp),
        )
    # the models of _sphere_force_n and _cylinder_force_at_half_width_n with what does not
    # change between bisection steps computed once (_CurvedForces), and without their clipping
    # at 0 (the bisection's approaches are ≥ 0 already)
    thickness = calibration.gel_thickness_mm if calibration.thin_layer else None
    ns, nc = s_closure.size, c_closure.size
    forces = _CurvedForces(
        ns, s_radius, np.sqrt(s_radius), np.concatenate([s_c_obj, c_c_obj]), 4.0 * c_radius,
        interp, calibration.gel_reduced_compliance_per_pa, thickness, math.pi * length,
    )  # fmt: skip
    model: Callable[[np.ndarray], np.ndarray] = forces
    screen: _CurvedForces | None = forces
    if calibration.gel_lock_depth_mm is not None and ns:
        # the sphere's gel bottoms on its window: its own model, and no screening
        cylinders = forces.subset(np.arange(ns, ns + nc))

        def model(delta_mm: np.ndarray) -> np.ndarray:
            sphere = _sphere_force_n(delta_mm[:ns], s_radius, s_c_obj, calibration)  # type: ignore[arg-type]
            return np.concatenate([sphere, cylinders(delta_mm[ns:])])

        screen = None

    lo_all = _force_with_rig_n(model, np.concatenate([s_closure, c_closure]), rig, screen)
    start = {"sphere": 0, "cylinder": ns}
    out = []
    for problem, (k, n_w, cols, row_of, closure, radius) in zip(problems, layout, strict=True):
        found = {}
        for shape in problem.shapes:
            lo = lo_all[start[shape] : start[shape] + closure.size]
            start[shape] += closure.size
            force = np.zeros((k, n_w))
            strain = np.zeros((k, n_w))
            force[row_of, cols] = lo
            strain[row_of, cols] = np.maximum(closure - rig * lo, 0.0) / 2.0 / radius
            found[shape] = (force, strain)
        out.append(found)
    return out


#: How close (relative) the screening model's force may come to the bisection's midpoint
#: before the exact model decides (:func:`_force_with_rig_n`): the two differ by less than
#: 1e-13 relative (:class:`_CurvedForces`), 100 times less.
_SCREEN_MARGIN = 1e-11


@dataclass(frozen=True)
class _CurvedForces:
    """The model of :func:`_curved_force_many` for both curved shapes at once, the spheres'
    elements first (``ns`` of them), without the gel's bottoming: :func:`_sphere_force_n` and
    :func:`_cylinder_force_at_half_width_n` with what does not change between bisection steps
    computed once (√R, 4R, πL; the gel's constant compliance times the thin-layer factor) and
    where their operations are the same (the gel's compliance at the contact radius, the
    sphere's √(Rδ) and the cylinder's strip half-width, and E* from it) in one array: the same
    operations on the same values as each shape's own.

    :meth:`screening`: the same forces but for roundings, in fewer operations: the two powers
    as products, the thin-layer factor's cube as x·x·x and the sphere's δ^1.5 as δ·√δ
    (``pow`` was most of a step's time), the cylinder's half-width by
    :meth:`_RowsInterpolator.screen`, the constant factors gathered. Each power differs from
    ``pow`` by at most 2 roundings, the half-width from ``np.interp``'s by a few (times its
    ``dln b/dln δ``, ≤ ~10 on the tables), and the ≤ 12 operations that follow, all
    well-conditioned (sums of non-negative terms, products, quotients, the thin-layer factor's
    ``dln/dln a`` ≤ 3), carry that to at most a few hundred roundings of the force (< 1e-13
    relative), for finite forces and approaches far from underflow (an approach is 0 or more
    than ~1e-20 mm: a difference of closures and rig compliances of millimetres; 0 gives 0
    both ways)."""

    ns: int
    s_radius: np.ndarray
    s_sqrt_r: np.ndarray
    c_obj: np.ndarray  # per element, spheres' first
    c_four_r: np.ndarray
    interp: _RowsInterpolator | None
    gel_pa: float
    thickness: float | None
    pi_l: float

    def __call__(self, delta_mm: np.ndarray) -> np.ndarray:
        ns = self.ns
        s_delta, c_delta = delta_mm[:ns], delta_mm[ns:]
        b = c_delta
        if c_delta.size:
            assert self.interp is not None
            b = np.where(c_delta > 0.0, self.interp(c_delta), 0.0)
        radius = np.concatenate([np.sqrt(self.s_radius * s_delta), b])
        if self.thickness is None:
            gel = np.full_like(radius, self.gel_pa)
        else:
            gel = self.gel_pa * thin_layer_factor(radius, self.thickness)
        e_star = 1.0 / (self.c_obj + gel) / PA_PER_N_PER_MM2
        out = np.empty_like(delta_mm)
        out[:ns] = 4.0 / 3.0 * e_star[:ns] * self.s_sqrt_r * s_delta**1.5
        out[ns:] = self.pi_l * b * b * e_star[ns:] / self.c_four_r
        return out

    def screening(self) -> Callable[[np.ndarray], np.ndarray]:
        """The screening model (the class docstring): the same forces within 1e-13, in fewer
        operations (the constant factors of both shapes' forces gathered once, √δ shared by
        the sphere's contact radius and its δ^1.5, the two powers as products, the
        half-widths by :meth:`_RowsInterpolator.screen`)."""
        ns, interp, thickness, gel_pa = self.ns, self.interp, self.thickness, self.gel_pa
        sqrt_r, c_obj = self.s_sqrt_r, self.c_obj
        k_sphere = 4.0 / 3.0 * sqrt_r / PA_PER_N_PER_MM2
        k_cylinder = self.pi_l / self.c_four_r / PA_PER_N_PER_MM2

        def forces(delta_mm: np.ndarray) -> np.ndarray:
            s_delta, c_delta = delta_mm[:ns], delta_mm[ns:]
            b = c_delta
            if c_delta.size:
                assert interp is not None
                b = np.where(c_delta > 0.0, interp.screen(c_delta), 0.0)
            root = np.sqrt(s_delta)
            load = np.concatenate([k_sphere * (s_delta * root), k_cylinder * (b * b)])
            if thickness is None:
                return load / (c_obj + gel_pa)
            x = np.concatenate([sqrt_r * root, b]) / thickness
            return load / (c_obj + gel_pa / (1.0 + THIN_LAYER_BETA * (x * x * x)))

        return forces

    def subset(self, index: np.ndarray) -> _CurvedForces:
        """The model of the elements at ``index`` (sorted) only."""
        spheres = index[index < self.ns]
        cylinders = index[index >= self.ns] - self.ns
        interp = self.interp
        if interp is not None:
            interp = _RowsInterpolator(interp.grid, interp.fp, interp.rows[cylinders])
        return dataclasses.replace(
            self,
            ns=spheres.size,
            s_radius=self.s_radius[spheres],
            s_sqrt_r=self.s_sqrt_r[spheres],
            c_obj=self.c_obj[index],
            c_four_r=self.c_four_r[cylinders],
            interp=interp,
        )


class _RowsInterpolator:
    """``np.interp(x[k], grid[k], fp[k])`` for every row ``k`` at once, bit for bit: the same
    arithmetic as numpy's (``slope·(x − xp[j]) + fp[j]``, ``slope = (fp[j+1] − fp[j]) /
    (xp[j+1] − xp[j])``, on the interval ``xp[j] ≤ x < xp[j+1]``) in a few whole-array
    operations instead of one call per row (the cylinder rows' model called it once per
    candidate touch and bisection step). ``grid``: rows increasing and evenly spaced from 0
    (:func:`_line_half_width_table`), which only serves to guess ``j``; where the guess is not
    the interval (a rounding at a grid point) or ``x`` is outside the grid (or not finite),
    the rows are interpolated by ``np.interp`` itself."""

    def __init__(self, grid: np.ndarray, fp: np.ndarray, rows: np.ndarray | None = None) -> None:
        """``rows``: the row of ``grid`` and ``fp`` each element of ``x`` is read on (an integer
        array ``x`` will have the shape of); by default row ``k`` for ``x[k]``."""
        self.grid, self.fp = grid, fp
        k, m = grid.shape
        self.rows = np.arange(k, dtype=np.intp)[:, None] if rows is None else rows
        self.last = m - 2
        self.flat_grid, self.flat_fp = grid.ravel(), fp.ravel()
        self.offset = self.rows * m
        self.step = (grid[:, -1] / (m - 1))[self.rows]
        self.end = self.flat_grid[self.offset + self.last + 1]  # the grid's last point
        self._slopes: np.ndarray | None = None

    def screen(self, x: np.ndarray) -> np.ndarray:
        """``self(x)`` within a few roundings (relative to it, times the table's
        ``dln b/dln δ``), for finite ``x ≥ 0``: for :class:`_CurvedForces`'s screening model,
        in half the operations. Each element on the interval its ``x/step`` falls in, ``x``
        clipped to the grid's end (there ``np.interp`` gives the last value), with the
        intervals' slopes computed once: where that interval is ``x``'s own, the same numbers;
        where ``x/step`` rounds across a grid point (``x`` within roundings of it), the
        neighbouring interval's line, which meets ``x``'s own at that point."""
        if self._slopes is None:
            slopes = np.zeros(self.grid.shape)
            slopes[:, :-1] = np.diff(self.fp, axis=1) / np.diff(self.grid, axis=1)
            self._slopes = slopes.ravel()
        xc = np.minimum(x, self.end)
        at = np.minimum((xc / self.step).astype(np.intp), self.last) + self.offset
        return self._slopes[at] * (xc - self.flat_grid[at]) + self.flat_fp[at]

    def __call__(self, x: np.ndarray) -> np.ndarray:
        j = np.fmax(np.fmin(x / self.step, self.last), 0.0).astype(np.intp)
        at = j + self.offset
        at1 = at + 1
        x0, x1 = self.flat_grid[at], self.flat_grid[at1]
        if not ((x0 <= x) & (x < x1)).all():  # a step off (at a grid point), or outside
            j = np.clip(j + (x >= x1) - (x < x0), 0, self.last)
            at = j + self.offset
            at1 = at + 1
            x0, x1 = self.flat_grid[at], self.flat_grid[at1]
            if not ((x0 <= x) & (x < x1)).all():
                return self._by_numpy(x)
        f0 = self.flat_fp[at]
        # x0 ≤ x < x1 on a strictly increasing grid of finite values: a finite slope
        return (self.flat_fp[at1] - f0) / (x1 - x0) * (x - x0) + f0

    def _by_numpy(self, x: np.ndarray) -> np.ndarray:
        rows = np.broadcast_to(self.rows, x.shape)
        out = np.empty_like(x)
        for row in np.unique(rows):
            on = rows == row
            out[on] = np.interp(x[on], self.grid[row], self.fp[row])
        return out


@functools.lru_cache(maxsize=256)
def _line_half_width_table(radius_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """(δ, b) of a cylinder of radius ``radius_mm``: 801 approaches from 0 to its diameter and
    their strip half-widths, read-only. The law δ = b²/(4R)·(2 ln(4R/b) − 1) is scale-free
    (δ(Rβ; R) = R·δ(β; 1)), so b = R × the unit-radius table: the ramp test asks for a new
    radius at nearly every candidate touch, and solving each table by bisection (801 × 40
    steps, ~2.6 ms) was a third of the slowest grasps' time. Differs from solving per radius
    only in rounding, far inside the bisection's own 2^-40 resolution."""
    grid = np.linspace(0.0, 2.0 * radius_mm, 801)
    b = radius_mm * line_unit_half_width()
    grid.flags.writeable = False
    b.flags.writeable = False
    return grid, b


def _late_read_verdicts(
    features: GraspFeatures,
    rise: ForceRise,
    contacts_mm: list[float],
    modulus_pa: float,
    geo: GraspGeometry,
    estimator: Any,
    calibration: SensorCalibration,
) -> Callable[[int], bool]:
    """Whether the force record rules out every plausible curved object of modulus
    ``modulus_pa`` touched at ``contacts_mm[k]`` (gel and the calibrated rig in series), as a
    function of ``k``: in the frames before the force's rise it would have carried force the
    record does not show, or after it the record rises faster than it could (a rigid object
    on a compliant rig: a steep, nearly linear rise from the touch) while its strain is still
    small (≤ 0.3, before a soft object locks up). The curved forces of all the contacts are
    computed in one bisection (:func:`_curved_force_many`, bit for bit each one's own), each
    verdict only when asked (the bisection over the contact visits 5 of the 31 midpoints
    computed for it)."""
    problem, finish = _late_read_setup(features, rise, contacts_mm, modulus_pa, geo)
    if problem is None:
        return finish(None)
    return finish(_curved_force_many([problem], geo, estimator, calibration)[0])


_Rows = dict[str, tuple[np.ndarray, np.ndarray]]


def _late_read_setup(
    features: GraspFeatures,
    rise: ForceRise,
    contacts_mm: list[float],
    modulus_pa: float,
    geo: GraspGeometry,
) -> tuple[_CurvedProblem | None, Callable[[_Rows | None], Callable[[int], bool]]]:
    """:func:`_late_read_verdicts` in two steps: the forces it needs (None: none), and what
    gives its verdicts once they are computed (:func:`_curved_force_many`, possibly together
    with another test's)."""
    shapes = [k for k in geo.plausible_shapes if k in ("sphere", "cylinder")]
    if not shapes:
        # a flat face's force rises at once: it is not the one read late
        return None, lambda rows: lambda k: True
    force = np.asarray(features.force_n, dtype=np.float64)
    width = reconstruct_width_mm(features.width_mm)
    upto = int(np.argmax(force))
    w, f = width[:upto], force[:upto] - rise.baseline_n
    noise = max(rise.noise_n, 0.02)
    half = f <= 0.5 * float(np.max(force) - rise.baseline_n)
    w, f = w[half], f[half]
    wanted = [k for k, c in enumerate(contacts_mm) if np.any(w < c)]
    if not wanted:
        return None, lambda rows: lambda k: False  # nothing recorded before these contacts
    row_of = {k: row for row, k in enumerate(wanted)}
    contacts = np.array([contacts_mm[k] for k in wanted], dtype=np.float64)

    def finish(rows: _Rows | None) -> Callable[[int], bool]:
        assert rows is not None

        def verdict(k: int) -> bool:
            row = row_of.get(k)
            if row is None:
                return False  # no frame before this contact: nothing rules it out
            sel = w < contacts_mm[k]
            meas = f[sel]
            gap = w[sel] > rise.width_mm
            for shape in shapes:
                pred, strain = rows[shape][0][row][sel], rows[shape][1][row][sel]
                small = strain <= CONTRADICTION_MAX_STRAIN
                deficit = pred[gap] - meas[gap]
                z_gap = (
                    float(deficit.sum()) / (noise * math.sqrt(deficit.size))
                    if deficit.size
                    else 0.0
                )
                excess = (meas - pred)[small & ~gap]
                steep = int(np.sum(excess > CONTRADICTED_Z * noise + 0.05)) >= CONTRADICTED_FRAMES
                if z_gap <= CONTRADICTED_Z and not steep:
                    return False  # this shape, touched there, fits the record
            return True

        return verdict

    return _CurvedProblem(tuple(shapes), w, contacts, modulus_pa), finish


def _bisection_mids(lo: float, hi: float, steps: int) -> list[float]:
    """Every midpoint ``0.5·(lo + hi)`` a bisection of ``steps`` steps on [lo, hi] may visit,
    computed as it computes them (the same floats)."""
    if steps <= 0:
        return []
    mid = 0.5 * (lo + hi)
    return [mid, *_bisection_mids(mid, hi, steps - 1), *_bisection_mids(lo, mid, steps - 1)]


#: Contact widths tried, widest first, between the rest and the motion line's departure.
RAMP_TOUCH_CANDIDATES = 41
#: Strain (approach over radius) up to which a touch under the motion ramp must carry the
#: record's rise after the departure: a foam's densification onset (the simulator's foams
#: 0.5-0.7), where a soft object's force starts to climb faster than Hertz. The late-read test
#: stops at ``CONTRADICTION_MAX_STRAIN`` (0.3); under the ramp that admitted rigid objects'
#: touches 3-6 mm before the departure (their bound, on compliant rigs, is a few 10 kPa), 0.6
#: keeps them out and still admits the soft ones (measured, BENCHMARKS.md).
RAMP_STEEP_MAX_STRAIN = 0.6


def _widest_touch_under_ramp(
    force_n: np.ndarray,
    width_mm: np.ndarray,
    motion: MotionBaseline,
    modulus_pa: float,
    geo: GraspGeometry,
    estimator: Any,
    calibration: SensorCalibration,
) -> float | None:
    """The widest contact width (mm) between the gripper's rest and the motion line's departure
    at which a curved object of modulus ``modulus_pa`` may have touched, the force before the
    departure being that object's plus a motion line of any non-negative slope (fitted
    afresh): the line alone fits those frames, and the object adds less than
    ``DEPARTURE_Z``² noise variances to the misfit. A soft object's slow first rise is
    absorbed by the line (its slope reads high, its departure late); an object as stiff as a
    rigid bound, touched a millimetre early, carries newtons the record does not show. None
    when no curved shape is plausible or no earlier touch is admissible.

    ``force_n``: the recorded force (the motion not removed); ``width_mm``: on the force's clock."""
    problem, finish = _ramp_setup(force_n, width_mm, motion, modulus_pa, geo)
    if problem is None:
        return finish(None)
    return finish(_curved_force_many([problem], geo, estimator, calibration)[0])


def _ramp_setup(
    force_n: np.ndarray,
    width_mm: np.ndarray,
    motion: MotionBaseline,
    modulus_pa: float,
    geo: GraspGeometry,
) -> tuple[_CurvedProblem | None, Callable[[_Rows | None], float | None]]:
    """:func:`_widest_touch_under_ramp` in two steps: the forces it needs (None: none), and
    what gives its answer once they are computed (:func:`_curved_force_many`, possibly
    together with another test's)."""
    from tactile.processing.grasp_geometry import RISE_MIN_N, RISE_MIN_SHARE
    from tactile.processing.grasp_signals import DEPARTURE_Z, _noise_sd
    from tactile.processing.loading import despike

    shapes = [k for k in geo.plausible_shapes if k in ("sphere", "cylinder")]
    dep = motion.departure_index
    f = np.asarray(force_n, dtype=np.float64)
    f = despike(f)[0] if f.size >= 3 else f
    w = np.asarray(width_mm, dtype=np.float64)
    if not shapes or dep < 4 or dep >= f.size:
        return None, lambda rows: None
    fs, ws = f[:dep], w[:dep]
    x = np.maximum(motion.reference_width_mm - ws, 0.0)
    peak = float(np.max(f))
    level = max(RISE_MIN_SHARE * peak, RISE_MIN_N)
    noise = max(_noise_sd(fs), level / DEPARTURE_Z)
    design = np.c_[np.ones_like(x), x]

    line = _line_fits(design, fs[None, :])(0)[0]
    departure_width = float(w[dep])
    # after the departure, up to half the peak: the record may not rise faster than the
    # object touched there could carry while its strain is small (a rigid object on a
    # compliant rig rises steeply from its touch; _late_read_verdicts)
    upto = int(np.argmax(f))
    post = np.arange(dep, upto)
    post = post[f[post] <= 0.5 * peak]
    x_post = np.maximum(motion.reference_width_mm - w[post], 0.0)
    contacts = np.linspace(motion.reference_width_mm, departure_width, RAMP_TOUCH_CANDIDATES)
    stop = np.flatnonzero(contacts <= departure_width)
    contacts = contacts[: stop[0]] if stop.size else contacts
    # widest first, as one loop over the candidates would; their forces before the departure
    # and after it (the steep test) computed at once (_curved_force_many: the same numbers),
    # the line fits in one LAPACK call (_lstsq_rows: the same numbers): a few bisections
    # instead of one per candidate and shape
    if not contacts.size:
        return None, lambda rows: None
    n_pre = ws.size
    widths = np.concatenate([ws, w[post]])
    f_post = f[post]
    limit = CONTRADICTED_Z * noise + 0.05

    def finish(rows: _Rows | None) -> float | None:
        assert rows is not None
        fits = {
            shape: _line_fits(design, fs[None, :] - rows[shape][0][:, :n_pre]) for shape in shapes
        }
        misfit = DEPARTURE_Z**2 * noise**2
        # the candidates whose misfit surely exceeds the limit, found for all rows at once (a
        # row's own fit, below, only where the answer could be otherwise): the same answers
        ruled_out = {shape: _surely_over(fits[shape], line, misfit) for shape in shapes}
        for row, contact in enumerate(contacts):
            for shape in shapes:
                if ruled_out[shape][row]:
                    continue
                rss, coef = fits[shape](row)
                if rss - line > misfit:
                    continue
                if post.size:
                    p_post = rows[shape][0][row, n_pre:]
                    strain = rows[shape][1][row, n_pre:]
                    excess = f_post - coef[0] - coef[1] * x_post - p_post
                    small = strain <= RAMP_STEEP_MAX_STRAIN
                    steep = excess[small] > limit
                    if int(np.sum(steep)) >= CONTRADICTED_FRAMES:
                        continue
                return float(contact)
        return None

    return _CurvedProblem(tuple(shapes), widths, contacts, modulus_pa), finish


class _LineFits:
    """The motion line's least-squares fit to row ``k`` of ``ys`` (the ramp test's ``fit``) as
    a function of ``k``: (residual sum of squares, coefficients), the slope never negative
    (the mean then). The rows' LAPACK solves (``gelsd``, one per row as ``np.linalg.lstsq``
    calls it) made at once by one call of the same routine (:func:`_lstsq_rows`), the rest
    for a row when it is asked for, as before: the same numbers."""

    def __init__(self, design: np.ndarray, ys: np.ndarray) -> None:
        self.design, self.ys = design, ys
        self.coefs = _lstsq_rows(design, ys)

    def __call__(self, k: int) -> tuple[float, np.ndarray]:
        y, coef = self.ys[k], self.coefs[k]
        if coef[1] < 0.0:  # the motion adds force as the gripper closes, never removes it
            coef = np.array([float(np.mean(y)), 0.0])
        r = y - self.design @ coef
        return float(r @ r), coef


def _line_fits(design: np.ndarray, ys: np.ndarray) -> _LineFits:
    """:class:`_LineFits` of ``ys``'s rows (a function of the row)."""
    return _LineFits(design, ys)


#: The margin, relative to Σ(|y| + |fit|)² (a bound on every term's size), within which
#: :func:`_surely_over` leaves a row's misfit to the row's own computation: its whole-block
#: arithmetic differs from that by a few 1e-16 of it.
_SURELY_MARGIN = 1e-9


def _surely_over(fits: _LineFits, line: float, limit: float) -> np.ndarray:
    """Per row ``k`` of ``fits``: True where ``fits(k)[0] - line > limit`` surely holds, found
    for all rows at once in whole-block arithmetic, which may round differently from the
    row's own (``gelsd``'s coefficients are shared, the fit and the sum of squares are not):
    a row is True only when its block misfit exceeds ``limit`` by ``_SURELY_MARGIN`` times a
    bound on its terms, far more than the two roundings can differ. False elsewhere (the
    row's own fit decides; also wherever a value is not finite): a skipped row is one the
    row's own fit would have skipped, so the test's answers are the same."""
    ys, coefs, design = fits.ys, fits.coefs, fits.design
    intercept, slope = coefs[:, 0], coefs[:, 1]
    flat = slope < 0.0
    if flat.any():
        intercept = np.where(flat, ys.mean(axis=1), intercept)
        slope = np.where(flat, 0.0, slope)
    fitted = intercept[:, None] * design[None, :, 0] + slope[:, None] * design[None, :, 1]
    r = ys - fitted
    rss = np.einsum("ij,ij->i", r, r)
    scale = np.einsum("ij,ij->i", np.abs(ys) + np.abs(fitted), np.abs(ys) + np.abs(fitted))
    margin = _SURELY_MARGIN * (scale + abs(line) + abs(limit)) + 1e-300
    with np.errstate(invalid="ignore", over="ignore"):
        surely = (rss - line) - limit > margin
    return surely & np.isfinite(rss) & np.isfinite(scale)


def _lstsq_rows(design: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """``np.linalg.lstsq(design, y, rcond=None)[0]`` for each row ``y`` of ``ys``, one row of
    the result each: numpy's own LAPACK gufunc called once over the stack (it solves each
    right-hand side on its own, with the same workspace, as a single call would). Falls back
    to one ``np.linalg.lstsq`` per row when that gufunc is not there or reports an error."""
    ys = np.ascontiguousarray(ys, dtype=np.float64)
    try:
        from numpy.linalg import _umath_linalg

        m, n = design.shape
        rcond = np.finfo(np.float64).eps * max(n, m)
        with np.errstate(call=_raise_lstsq, invalid="call", over="ignore", divide="ignore",
                         under="ignore"):  # fmt: skip
            x = _umath_linalg.lstsq(design, ys[:, :, None], rcond, signature="ddd->ddid")[0]
        return np.array(x[:, :, 0], dtype=np.float64)
    except (ImportError, AttributeError, TypeError, ValueError, np.linalg.LinAlgError):
        return np.array([np.linalg.lstsq(design, y, rcond=None)[0] for y in ys])


def _raise_lstsq(err: object, flag: object) -> None:
    raise np.linalg.LinAlgError("SVD did not converge in Linear Least Squares")


def _force_rises_over(features: GraspFeatures, contact_width_mm: float, missed_mm: float) -> bool:
    """Whether the force already rose above its baseline halfway through the ``missed_mm``
    before the contact width: a sphere as stiff as the bound carries (1/2)^1.5 ≈ 35 % of the
    onset floor there; a rigid object, nothing (its force stays at the baseline)."""
    force = np.asarray(features.force_n, dtype=np.float64)
    width = reconstruct_width_mm(features.width_mm)
    upto = int(np.argmax(force)) + 1
    f, w = force[:upto], width[:upto]
    mid_width = contact_width_mm + missed_mm / 2.0
    far = w > contact_width_mm + missed_mm + 0.5
    if int(far.sum()) < 3:  # a small object: the gripper starts close to it
        far = (np.arange(w.size) < 3) & (w > mid_width + 0.5)
    if int(far.sum()) < 3:
        return True  # no free closing recorded before the touch: cannot rule it out
    baseline = float(np.median(f[far]))
    noise = max(1.4826 * float(np.median(np.abs(f[far] - baseline))), 0.02)
    mid = np.abs(w - mid_width) <= max(0.25 * missed_mm, 0.3)
    if not mid.any():
        return True
    floor = max(0.3, 0.03 * float(np.max(force)))
    rise = float(np.median(f[mid])) - baseline
    return rise >= max(0.5 * 0.35 * floor, 3.0 * noise)


#: A flagged object is left unflagged (its interval open upwards from the foam's bound) when a
#: densifying foam more than this many times softer than its bound fits its loading frames
#: (:func:`foam_bound_pa`); between that and the bound, the foam's bound is the one claimed.
#: At 5 a 10 mm steel bolt on the thin wedge gel was unflagged (its linear bound 61 kPa, the
#: softest foam fitting it 8.9 kPa: 6.9×); at 10 it stays flagged (BENCHMARKS.md "Blind:
#: bounds for densifying foams").
FOAM_SOFTER_FACTOR = 10.0


#: The least a bound claims (Pa) when the loading frames bound nothing (every frame past a
#: foam's densification, or no detectable force): nothing softer holds its shape in a gripper
#: (the softest hydrogels are ~10-100 Pa), and an interval must stay above zero.
SOFTEST_SOLID_PA = 1.0


def _bound_for_a_foam(est: ModulusEstimate, foam_pa: float, unflag: bool) -> ModulusEstimate:
    """A flagged estimate's bound made to hold for a densifying foam too (module docstring,
    "Densifying foams"):
    lowered to the foam's bound ``foam_pa`` when that is lower; the flag dropped when
    ``unflag`` (a foam far softer fits the loading curve): the point is then the linear
    reading, the intervals from the foam's bound open upwards."""
    details = dict(est.details, foam_bound_pa=foam_pa, linear_bound_pa=est.modulus_pa)
    if foam_pa >= est.modulus_pa:
        return dataclasses.replace(est, details=details)
    if not unflag:
        return dataclasses.replace(
            est,
            modulus_pa=foam_pa,
            interval_68_pa=(foam_pa, math.inf),
            interval_95_pa=(foam_pa, math.inf),
            details=_with_note(
                details,
                f"bound lowered from {est.modulus_pa:.3g} Pa: a densifying foam that soft fits "
                "the loading frames",
            ),
        )
    note = (
        f"a densifying foam as soft as {foam_pa:.3g} Pa fits the loading frames (squashed past "
        f"its densification by the hold, where it reads as stiff as {est.modulus_pa:.3g} Pa): "
        "not flagged; the interval is open upwards"
    )
    flags = (est.flags - {Flag.STIFFER_THAN_GEL, Flag.UNRESOLVED}) | {Flag.POOR_FIT}
    return dataclasses.replace(
        est,
        flags=frozenset(flags),
        lower_bound_only=False,
        interval_68_pa=(foam_pa, math.inf),
        interval_95_pa=(foam_pa, math.inf),
        details=dict(details, may_be_stiffer_than_gel=True, note=note),
    )


#: An estimate whose intervals are open upwards is answered as a lower bound when its 95 %
#: interval's lower end is at least this many times the calibration's gel modulus (0.2 dex):
#: see :func:`_bound_if_open_above_gel` and benchmarks/results/open_bound_prereg.md for how
#: the margin was chosen.
OPEN_BOUND_GEL_FACTOR = 10.0**0.2


def _bound_if_open_above_gel(est: ModulusEstimate, gel_modulus_pa: float) -> ModulusEstimate:
    """A point estimate whose intervals were opened upwards (the closure may be a rigid
    object's: a contact width the record cannot pin down, a rig split, a drifting width) and
    whose 95 % lower end clears the gel by :data:`OPEN_BOUND_GEL_FACTOR`, answered as that lower
    end, a lower bound. The point it replaces rests on a closure or touch the record cannot pin down
    (rigid spheres, boxes and cylinder ends on randomised simulated rigs read 0.1-0.4 MPa there,
    3-6 decades low); kept in details: ``open_point_pa``. Not safe alone: a densified foam's
    interval can miss its modulus, so :meth:`BlindEstimator._open_as_bound` sends the bound
    through the densifying-foam check and keeps it only if it still clears the gel."""
    lower = est.interval_95_pa[0]
    if (
        est.lower_bound_only
        or not math.isinf(est.interval_95_pa[1])
        or not math.isinf(est.interval_68_pa[1])
        or not gel_modulus_pa > 0.0
        or not lower >= OPEN_BOUND_GEL_FACTOR * gel_modulus_pa
    ):
        return est
    details = _with_note(
        dict(est.details, open_point_pa=est.modulus_pa),
        f"the interval is open upwards from {lower:.3g} Pa, {lower / gel_modulus_pa:.2g}x the "
        f"gel's modulus: answered as that lower bound (the reading {est.modulus_pa:.3g} Pa "
        "rests on a closure or touch the record cannot pin down: see above)",
    )
    return dataclasses.replace(
        est,
        modulus_pa=lower,
        interval_68_pa=(lower, math.inf),
        interval_95_pa=(lower, math.inf),
        lower_bound_only=True,
        details=details,
    )


#: Width travel (mm) during the force-controlled hold, beyond which (and beyond a quarter of
#: the closure) the width reading is taken to lag or the force to creep.
HOLD_DRIFT_MM = 1.0


def hold_drift_mm(features: GraspFeatures) -> float:
    """How far the width reading travels while the force stays at ≥ 90 % of its peak (the
    first stretch of such frames): a force-controlled hold barely moves (an object's creep);
    a width reading that lags the gripper keeps closing after the force reached its target
    (simnet's randomised rigs, 0.3 s lag at 20 mm/s: ~6 mm)."""
    force = np.asarray(features.force_n, dtype=np.float64)
    width = reconstruct_width_mm(features.width_mm)
    held = force >= 0.9 * float(np.max(force))
    start = int(np.argmax(held))
    stop = start + int(np.argmin(held[start:])) if not held[start:].all() else force.size
    w = width[start:stop]
    return float(w.max() - w.min()) if w.size else 0.0


#: The note of an estimate whose record could not show the width reading's lag.
#: (A record cut before its release moved E by ~0.2 dex on lagging simulated rigs:
#: BENCHMARKS.md, signal drift.)
UNMEASURED_LAG_NOTE = (
    "width lag not measured (the record has no complete loading and release): the width is "
    "read unshifted; on a rig whose width reading lags, the touch and E are off by as much as "
    "the lag moves the gripper"
)
#: Beside it, what the rig's calibration says of the lag (``tactile calibrate rig``). It is not
#: applied: reading a cut record with it (the frames of its last lag seconds dropped) was
#: measured and not adopted (BENCHMARKS.md, "Records without their release").
CALIBRATED_LAG_NOTE = (
    "the rig's calibration measured a width lag of {lag_s:.3f} s on its rigid presses "
    "(not applied: record the release to have it read)"
)


def _with_note(details: dict[str, object], note: str) -> dict[str, object]:
    """``details`` with ``note`` appended to its ``"note"`` (``"; "`` between notes)."""
    before = details.get("note")
    return dict(details, note=(f"{before}; " if before else "") + note)


def _open_if_width_drifts(
    est: ModulusEstimate, features: GraspFeatures, geo: GraspGeometry
) -> ModulusEstimate:
    """A point estimate whose closure may be a lagging width reading (or creep) is opened
    upwards: the lag adds closure, so the object may be much stiffer than it reads."""
    drift = hold_drift_mm(features)
    if drift <= max(HOLD_DRIFT_MM, 0.25 * geo.closure_mm):
        return est
    details = _with_note(
        dict(est.details, hold_drift_mm=drift, may_be_stiffer_than_gel=True),
        f"the width reading moved {drift:.1f} mm during the hold (a lagging reading or creep): "
        "the closure may be overstated, so the interval is open upwards",
    )
    return dataclasses.replace(
        est,
        flags=est.flags | {Flag.POOR_FIT},
        interval_68_pa=(est.interval_68_pa[0], math.inf),
        interval_95_pa=(est.interval_95_pa[0], math.inf),
        details=details,
    )


def reference_press_closure_mm(force_n: float, calibration: SensorCalibration) -> float | None:
    """Closure (mm) the calibration says its rigid reference sphere (the rig fit's golf ball,
    else the gel fit's sphere) shows at ``force_n``: the gel's Hertz share plus ``c_rig·F``.
    None when the calibration names no rigid reference."""
    size = calibration.rigid_press_size_mm
    if size is None:
        gel_fit = calibration.provenance.get("gel_fit")
        radius = gel_fit.get("radius_mm") if isinstance(gel_fit, dict) else None
        size = 2.0 * float(radius) if radius else None
    if not size or calibration.rigid_press_shape not in (None, "sphere"):
        return None
    gel = rigid_sphere_gel_closure_mm(force_n, size / 2.0, calibration)
    return gel + calibration.rig_compliance_mm_per_n * force_n


def _open_if_rig_split(
    est: ModulusEstimate,
    closure_mm: np.ndarray,
    force_n: float,
    calibration: SensorCalibration,
) -> ModulusEstimate:
    """A point estimate whose closure a rigid object could show is opened upwards.

    The rig fit measures gel + rig together on one rigid sphere; their split follows the
    calibration's gel model, which may be softer than the rig's gel (``wedge-reference-v3``'s
    55 kPa effective gel was fitted with no rig compliance: on the golf ball at 19 N it takes
    6.3 mm, a simulated rig's own 200-600 kPa gel 2.7-5.7 mm). The rest then reads as little or
    no rig compliance, and on a flatter rigid object (a cylinder's end, a box) — where any gel
    takes far less — the rig's closure is credited to the object: a confidently wrong closed
    interval (issue 11). With all of the reference's closure in the rig (a gel that takes none),
    a rigid object of any shape closes at most that much at the same force, so when more than
    :data:`UNRESOLVED_SHARE` of the draws of the closure (first squeeze to hold) stay within it,
    the object may be rigid: the interval is opened upwards (``may_be_stiffer_than_gel``)."""
    if est.lower_bound_only or math.isinf(est.interval_95_pa[1]) or force_n <= 0.0:
        return est
    reference_mm = reference_press_closure_mm(force_n, calibration)
    if reference_mm is None:
        return est
    share = float(np.mean(closure_mm <= reference_mm))
    if share <= UNRESOLVED_SHARE:
        return est
    details = _with_note(
        dict(
            est.details,
            may_be_stiffer_than_gel=True,
            rigid_reference_closure_mm=reference_mm,
            rigid_reference_share=share,
        ),
        f"{share:.0%} of the closure's draws (median {float(np.median(closure_mm)):.2g} mm) "
        f"are within what the rigid reference closes at {force_n:.3g} N ({reference_mm:.2g} "
        "mm): if the rig's gel is stiffer than the calibration's, a rigid object closes that "
        "much, so the interval is open upwards",
    )
    return dataclasses.replace(
        est,
        interval_68_pa=(est.interval_68_pa[0], math.inf),
        interval_95_pa=(est.interval_95_pa[0], math.inf),
        details=details,
    )


@dataclass(frozen=True)
class _Draws:
    """Monte Carlo draws of one hypothesis: object compliance k/E (1/Pa) per draw."""

    compliance_per_pa: np.ndarray
    numerator: float
    model_log10_sd: float
    info: dict[str, Any]

    @functools.cached_property
    def sorted_compliance(self) -> np.ndarray:
        """``compliance_per_pa`` sorted, once: :func:`_bound` reads it up to three times."""
        return np.sort(self.compliance_per_pa)


def _curved_gel_compliance(
    gel_per_pa: np.ndarray,
    total_per_pa: np.ndarray,
    approach_mm: np.ndarray,
    contact_size_mm: np.ndarray,
    calibration: SensorCalibration,
) -> np.ndarray:
    """The gel's share of a curved contact's compliance per draw: the calibration's, with the
    thin-layer factor at ``contact_size_mm`` (the sphere's contact radius, the strip's
    half-width) and bottoming on the window (:func:`bottomed_gel_compliance`)."""
    gel = gel_per_pa.copy()
    if calibration.thin_layer:
        gel = gel * thin_layer_factor(contact_size_mm, calibration.gel_thickness_mm)
    lock = calibration.gel_lock_depth_mm
    if lock is not None:
        gel = bottomed_gel_compliance(gel, total_per_pa, approach_mm, lock)
    return gel


#: Depth (× the calibration's gel thickness) a gel may take before the object must: the
#: calibration's split of a rigid press between gel and rig is not exact (the real golf-ball
#: presses read 3.4 mm per pad under ``wedge-reference-v3``'s 3 mm gel, 1.15×; simulated rigs'
#: gels are up to 4 mm against it, 1.33×).
GEL_DEPTH_MARGIN = 1.5


def _gel_depth_floor(
    c_obj: np.ndarray,
    total: np.ndarray,
    delta: np.ndarray,
    calibration: SensorCalibration,
    exponent: float,
) -> np.ndarray:
    """The object's compliance per draw, never below what the approach it must take itself
    implies: a gel layer cannot be pressed deeper than its thickness, so of a per-pad approach
    ``δ`` beyond ``D = GEL_DEPTH_MARGIN × thickness`` the object takes at least ``δ − D``, and
    its compliance is at least the contact's total times ``((δ − D)/δ)^exponent`` (the
    contact's force grows as δ^1.5 for a sphere, about linearly for a line). Only where the
    calibration does not model the gel's bottoming (``gel_max_strain`` None, the real-rig
    profiles): there the thin-layer gel is linear at any depth, and a small object squashed
    far past the gel's thickness (a soft one, its foam densified by the hold) read as stiffer
    than a rigid one. With the bottoming modelled the gel's own depth is capped already."""
    thickness = calibration.gel_thickness_mm
    if calibration.gel_lock_depth_mm is not None or not thickness or thickness <= 0.0:
        return c_obj
    depth = GEL_DEPTH_MARGIN * thickness
    deep = delta > depth
    if not np.any(deep):
        return c_obj
    share = np.where(deep, (delta - depth) / np.maximum(delta, 1e-9), 0.0)
    return np.where(deep, np.maximum(c_obj, total * share**exponent), c_obj)


def _sphere(
    geo: GraspGeometry,
    closure: np.ndarray,
    size: np.ndarray,
    gel_per_pa: np.ndarray,
    calibration: SensorCalibration,
    poisson: float,
) -> _Draws:
    f = geo.hold_force_n
    radius = np.maximum(size, 2.0) / 2.0
    delta = np.maximum(closure, 1e-6) / 2.0
    e_star = 3.0 * f / (4.0 * np.sqrt(radius) * delta**1.5) * PA_PER_N_PER_MM2
    total = 1.0 / e_star
    gel = _curved_gel_compliance(gel_per_pa, total, delta, np.sqrt(radius * delta), calibration)
    c_obj = total - gel  # a closure <= 0 gives total ~ 0: no compliance left for the object
    c_obj = _gel_depth_floor(c_obj, total, delta, calibration, 1.5)
    strain = float(np.median(delta / radius))
    return _Draws(
        c_obj,
        1.0 - poisson**2,
        large_strain_log10_sd(strain),
        {"approach_over_radius": strain, "e_star_total_pa": float(np.median(e_star))},
    )


def _line_half_width(approach_mm: np.ndarray, radius_mm: np.ndarray) -> np.ndarray:
    """b with ``δ = b²/(4R)·(2 ln(4R/b) − 1)`` per draw (0 < b ≤ 4R/e): Newton's method where
    it is proven to converge and has (:func:`_line_half_width_newton`), elsewhere the bisection
    (:func:`_line_half_width_bisection`). The two agree within the bisection's resolution,
    4R/e·2^-41, which Newton is used only where it is at most 2^-30 of b (tests/estimators)."""
    lo = np.zeros_like(approach_mm)
    hi = (4.0 / math.e) * radius_mm
    if not np.all(hi > 0.0):
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            below = line_approach_mm(mid, radius_mm) < approach_mm
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return 0.5 * (lo + hi)
    # An approach ≤ 0 (or NaN) is below no midpoint's (> 0): the bisection's lo stays 0 and hi
    # is halved 40 times, exactly (a power of two), so its b is hi·2^-41 without the steps.
    approach = np.asarray(approach_mm, dtype=np.float64)
    radius = np.asarray(radius_mm, dtype=np.float64)
    if approach.shape == radius.shape and approach.ndim and np.all(hi >= 1e-250):
        pos = approach > 0.0
        if not pos.all():
            out = hi * 2.0**-41
            out[pos] = _line_half_width(approach[pos], radius[pos])
            return out
        b, solved = _line_half_width_newton(approach, radius)
        if not solved.all():
            rest = ~solved
            b[rest] = _line_half_width_bisection(approach[rest], radius[rest])
        return b
    return _line_half_width_bisection(approach_mm, radius_mm)


def _line_half_width_bisection(approach_mm: np.ndarray, radius_mm: np.ndarray) -> np.ndarray:
    """:func:`_line_half_width` by 40 steps of bisection on (0, 4R/e], for positive radii:
    line_approach_mm's arithmetic, the same operations in the same order, its constant 4R and
    error state set once: every midpoint is > 0 (lo ≥ 0 < hi throughout), so its "0 at b = 0"
    never applies (bit for bit the bisection on :func:`line_approach_mm`)."""
    lo = np.zeros_like(approach_mm)
    hi = (4.0 / math.e) * radius_mm
    four_r = 4.0 * radius_mm
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(40):
            mid = 0.5 * (lo + hi)
            below = mid * mid / four_r * (2.0 * np.log(four_r / mid) - 1.0) < approach_mm
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


#: Newton steps of :func:`_line_half_width_newton`: from its start, 6 reach the root to rounding
#: for approaches up to 0.95 of the law's top, 7 up to 0.99 (a step costs ~1/40 of the
#: bisection, an element left to the bisection its 40 steps: a simulated hard ellipsoid's
#: hypotheses had one at 0.97 and one at 0.985).
_LINE_NEWTON_STEPS = 7
#: Where Newton's answer is used: the approach at most this share of the law's top, 4R/e²
#: (there b is still well-conditioned: dln δ/dln b ≥ 0.25, and Newton's root is simple), ...
_LINE_NEWTON_TOP_SHARE = 0.99
#: ... its last step at most this share of u (the error after it is then below rounding:
#: Newton converges quadratically there), ...
_LINE_NEWTON_LAST_STEP = 1e-9
#: ... and b at least 2^-11 of 4R/e, so that the bisection's resolution (4R/e·2^-41) is at most
#: 2^-30 of b: its answer and Newton's differ by less than ~1e-9 relative.
_LINE_NEWTON_MIN_B_SHARE = 2.0**-11


def _line_half_width_newton(
    approach_mm: np.ndarray, radius_mm: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(b, solved): :func:`_line_half_width` by Newton's method for positive approaches and
    radii, and where the answer holds (elsewhere b is not to be used).

    With t = b/(4R) = e^-u (u ≥ 1 on the law's rising branch b ≤ 4R/e) and y = δ/(4R) the law
    reads y = e^-2u·(2u − 1), i.e. ``F(u) = ln(2u − 1) − 2u − ln y = 0``. F is concave
    (F'' = −4/(2u − 1)²) and decreasing for u > 1 (F' = −4(u − 1)/(2u − 1)), so from any start
    right of the root (F ≤ 0) every Newton step stays right of it and moves towards it. The
    start u0 = −ln y is right of it: F(u0) = ln(y·(2u0 − 1)) ≤ 0 as e^-L·(2L − 1) ≤ 1. Seven
    steps, each one logarithm and a few products, against the bisection's 40 (each with its
    logarithm): the strip half-widths of the hypotheses' draws and of the foam bound's
    draws × frames (BENCHMARKS.md, lat27)."""
    four_r = 4.0 * radius_mm
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ln_y = np.log(approach_mm / four_r)
        u = -ln_y
        step = u
        for _ in range(_LINE_NEWTON_STEPS):
            two_u_1 = 2.0 * u - 1.0
            step = (np.log(two_u_1) - 2.0 * u - ln_y) * two_u_1 / (4.0 * (u - 1.0))
            u = u + step
        b = four_r * np.exp(-u)
        solved = (
            (ln_y < math.log(_LINE_NEWTON_TOP_SHARE) - 2.0)
            & (np.abs(step) <= _LINE_NEWTON_LAST_STEP * u)
            & (b >= _LINE_NEWTON_MIN_B_SHARE * (4.0 / math.e) * radius_mm)
        )
    return b, solved


def cylinder_contact_length_mm(geo: GraspGeometry, calibration: SensorCalibration) -> float:
    """Line-contact length: the imaged strip's length, or the pad's (long side) when the strip
    spans the imaged pad or nothing was imaged (a cylinder longer than the pad)."""
    pad = calibration.pad_size_mm
    pad_long = max(pad) if pad else 35.0
    if geo.contact_length_mm is None or geo.patch_span is None:
        return pad_long
    if max(geo.patch_span) >= 0.85:  # spans the imaged (cropped) pad: the whole gel
        return pad_long
    return min(geo.contact_length_mm, pad_long)


def _cylinder(
    geo: GraspGeometry,
    closure: np.ndarray,
    size: np.ndarray,
    gel_per_pa: np.ndarray,
    calibration: SensorCalibration,
    poisson: float,
) -> _Draws:
    """A cylinder on its side of radius size/2 (2-D Hertz, Johnson 1985 §4.3, §5.6): per pad
    δ = closure/2 gives the strip half-width b and E* = 4RF/(πLb²); the gel removed as for
    the sphere, with the thin-layer factor at b."""
    f = geo.hold_force_n
    length = cylinder_contact_length_mm(geo, calibration)
    radius = np.maximum(size, 2.0) / 2.0
    delta = np.maximum(closure, 1e-6) / 2.0
    b = np.maximum(_line_half_width(delta, radius), 1e-6)
    e_star = 4.0 * radius * f / (math.pi * length * b * b) * PA_PER_N_PER_MM2
    total = 1.0 / e_star
    gel = _curved_gel_compliance(gel_per_pa, total, delta, b, calibration)
    strain = float(np.median(delta / radius))
    return _Draws(
        _gel_depth_floor(total - gel, total, delta, calibration, 1.0),
        1.0 - poisson**2,
        large_strain_log10_sd(strain),
        {"approach_over_radius": strain, "contact_length_mm": length},
    )


def _flat_gel_mm_per_n(
    calibration: SensorCalibration, gel_modulus_pa: np.ndarray | float
) -> np.ndarray | float:
    """Both gel pads' compliance (mm/N) under a flat face covering the pad: per pad a flat
    punch (1 − ν²)/(2aE) of the pad's equivalent radius, with the thin-layer factor."""
    area = pad_area_mm2(calibration) or DEFAULT_PAD_AREA_MM2
    a_eq = math.sqrt(area / math.pi)
    factor = (
        thin_layer_factor(a_eq, calibration.gel_thickness_mm) if calibration.thin_layer else 1.0
    )
    return (
        2.0 * (1.0 - calibration.gel_poisson**2) / (2.0 * a_eq * gel_modulus_pa / PA_PER_N_PER_MM2)
    ) * factor


def _flat_gel_closure_mm(c_both: np.ndarray, f_n: np.ndarray, lock: float | None) -> np.ndarray:
    """Closure of both gel pads (mm) at forces ``f_n`` (columns) for the compliances
    ``c_both`` (rows): the punch, bottoming on the window as the sphere's gel does
    (:func:`bottomed_gel_compliance`: depth = F·C·(1 − (depth/D)³), D the lock depth)."""
    c_pad = np.broadcast_to(0.5 * c_both[:, None], (c_both.size, f_n.size))
    f_all = np.broadcast_to(f_n[None, :], c_pad.shape)
    if lock is None:
        return 2.0 * c_pad * f_all
    x = bottomed_gel_compliance(np.array(c_pad), np.ones(c_pad.shape), f_all, lock)
    return 2.0 * x * f_all


def _flat(
    geo: GraspGeometry,
    features: GraspFeatures,
    curve: LoadingCurve,
    wc: np.ndarray,
    rig: np.ndarray,
    size: np.ndarray,
    gel_modulus_pa: np.ndarray,
    calibration: SensorCalibration,
) -> _Draws:
    area = pad_area_mm2(calibration) or DEFAULT_PAD_AREA_MM2
    gel_mm_per_n = _flat_gel_mm_per_n(calibration, gel_modulus_pa)

    def gel_closure_mm(c_both: np.ndarray, f_n: np.ndarray) -> np.ndarray:
        return _flat_gel_closure_mm(c_both, f_n, calibration.gel_lock_depth_mm)

    width = reconstruct_width_mm(features.width_mm)[curve.indices]
    force = curve.force_n
    gel_median = gel_closure_mm(np.array([float(np.median(gel_mm_per_n))]), force)[0]
    nominal = (geo.contact_width_mm - width - force * float(np.median(rig)) - gel_median) / max(
        geo.size_mm, 1.0
    )
    use = (nominal >= FLAT_STRAIN_RANGE[0]) & (nominal <= FLAT_STRAIN_RANGE[1])
    hold_strain = (geo.closure_mm - geo.hold_force_n * float(np.median(rig))) / max(
        geo.size_mm, 1.0
    )
    if int(use.sum()) >= 2 and hold_strain > FLAT_STRAIN_RANGE[1]:
        f, w, where = force[use], width[use], "loading frames at 5-30 % strain"
    else:
        f, w, where = np.array([geo.hold_force_n]), np.array([geo.hold_width_mm]), "hold"
    # draws x frames: object closure, then compliance strain/stress per frame, median per draw
    s_obj = (
        wc[:, None] - w[None, :] - f[None, :] * rig[:, None]
        - gel_closure_mm(np.asarray(gel_mm_per_n), f)
    )  # fmt: skip
    thickness = np.maximum(size, 1.0)[:, None]
    compliance = s_obj / thickness / (f[None, :] / area) / PA_PER_N_PER_MM2  # 1/Pa
    c_obj = np.median(compliance, axis=1)
    return _Draws(c_obj, 1.0, 0.0, {"flat_frames": where, "flat_area_mm2": area})


#: Nominal compressive strain below which a foam is taken not to have densified yet: the
#: densification (lock-up) strain of flexible foams is 0.5-0.8 (Gibson & Ashby, *Cellular
#: Solids*, ch. 5; the simulator draws 0.5-0.8). Below it, a foam of modulus E stiffens at most
#: by 1/(1 − ε/ε_d)² (the simulator's densification law, steeper than a real foam's plateau).
FOAM_DENSIFICATION_MIN = 0.5

#: Noise sds above the baseline from which a loading frame's force counts as carried
#: (:func:`_before_first_force_mm`): the force rise's own count (RISE_NOISE_SDS) without its
#: share of the peak, which a very soft object's first frames stay under.
FOAM_TOUCH_NOISE_SDS = 3.0


def _linear_force_per_modulus_mm2(
    shape: str,
    strain: np.ndarray,
    size_mm: np.ndarray,
    length_mm: float,
    area_mm2: float,
    cap: float | None = None,
) -> np.ndarray:
    """Force per unit modulus (N per N/mm², i.e. mm²) that a *linear* object of this shape and
    size carries at the nominal strain ``strain`` (its closure over its size), between both
    pads: a Hertz sphere (ν = 0.5, per pad δ = strain·size/2), a 2-D Hertz cylinder on its
    side of contact length ``length_mm``, or a face covering ``area_mm2`` (F = E·A·ε).
    ``cap``: the strain ``strain`` is clipped at, if any, with ``size_mm`` a column (one size
    a row): the cylinder's strip half-width at the cap is then solved once a row."""
    radius_mm = np.asarray(size_mm, dtype=np.float64) / 2.0
    delta_mm = np.maximum(strain, 0.0) * radius_mm  # per pad
    if shape == "sphere":
        return 4.0 / 3.0 / 0.75 * np.sqrt(radius_mm) * delta_mm**1.5
    if shape == "cylinder":
        radius_full = np.broadcast_to(radius_mm, delta_mm.shape).copy()
        if cap is None or radius_mm.shape != (delta_mm.shape[0], 1):
            half_width_mm = _line_half_width(delta_mm, radius_full)
        else:
            # a strain clipped at ``cap`` has the same approach, cap·R, wherever it is in its
            # row (one radius a row): its half-width solved once a row, the rest as they are
            at_cap = np.asarray(strain) == cap
            half_width_mm = np.empty_like(delta_mm)
            half_width_mm[~at_cap] = _line_half_width(delta_mm[~at_cap], radius_full[~at_cap])
            rows = np.flatnonzero(at_cap.any(axis=1))
            r_rows = radius_mm[rows, 0]
            per_row = _line_half_width(max(cap, 0.0) * r_rows, r_rows)
            filled = np.broadcast_to(per_row[:, None], (rows.size, delta_mm.shape[1]))
            half_width_mm[at_cap] = filled[at_cap[rows]]
        return math.pi * length_mm * half_width_mm**2 / 0.75 / (4.0 * radius_full)
    return area_mm2 * np.maximum(strain, 0.0)


def _before_first_force_mm(
    f_n: np.ndarray, w_mm: np.ndarray, noise_n: float, rise_mm: float
) -> float:
    """The opening of the last loading frame, at or before the rise (width ``rise_mm``),
    whose force (baseline removed) is not :data:`FOAM_TOUCH_NOISE_SDS` noise sds above the
    baseline: the frame before the run of frames that already carry a significant force up to
    the rise. The object touched after it or, a soft foam that carries less than that force
    there, before it; the foam's touch range reaches at least this far (-inf when the
    record starts loaded)."""
    at_rise = np.flatnonzero(w_mm <= rise_mm + 1e-9)
    if at_rise.size == 0:
        return -math.inf
    quiet = np.flatnonzero(f_n[: int(at_rise[0]) + 1] < FOAM_TOUCH_NOISE_SDS * noise_n)
    return float(w_mm[quiet[-1]]) if quiet.size else -math.inf


def foam_bound_pa(
    features: GraspFeatures,
    geo: GraspGeometry,
    calibration: SensorCalibration,
    rise: ForceRise | None,
    widest_touch_mm: float,
    seed: int = 0,
    shapes: tuple[str, ...] = ("flat",),
    with_gel: bool = True,
    touch_to_first_force: bool = False,
) -> float:
    """The smallest Young's modulus (Pa, a 95 % lower bound) of a *densifying foam* that the
    loading frames allow.

    The simulator's foams stiffen as ``E_eff = E/(1 − ε/ε_d)²`` with the nominal compressive
    strain ε and the densification strain ε_d drawn in 0.5–0.8
    (:func:`tactile.sim.contact._foam_factor`, :mod:`tactile.sim.catalog`; the densification
    regime of Gibson & Ashby, *Cellular Solids*, CUP 1997, ch. 5). Squashed past ε_d by the
    hold, a foam carries any force there, so a bound read at the hold says nothing about it;
    the frames where ε is still below ``ε_d ≥`` :data:`FOAM_DENSIFICATION_MIN` do: there a
    linear object of modulus E carries ``E·G(ε)`` (:func:`_linear_force_per_modulus_mm2`) and
    the foam at most ``E·G(ε)/(1 − ε/FOAM_DENSIFICATION_MIN)²``, so
    ``E ≥ F·(1 − ε/FOAM_DENSIFICATION_MIN)²/G(ε)`` on every such frame.

    Per Monte Carlo draw (the touch uniform between the force's first detectable rise, or the
    contact width less its spread, and ``widest_touch_mm`` plus that spread or, with
    ``touch_to_first_force`` and when wider, the last frame before the force stood
    :data:`FOAM_TOUCH_NOISE_SDS` noise sds above its baseline (:func:`_before_first_force_mm`:
    ``widest_touch_mm`` is where an object as stiff as the curved hypotheses' bound touched; a
    foam softer than that needs more closure to carry the rise's force, and one whose force
    shows before the rise touched before it); the size bias and
    the rig as the hypotheses draw them; with ``with_gel`` the gel's flat-punch closure at a
    drawn gel modulus, else none: all of the closure credited to the object), the bound is the
    largest over the frames with a detectable force and ε in (0, FOAM_DENSIFICATION_MIN), the
    smallest over ``shapes``. A touch is ruled out (``inf``) when an object that stiff touched
    there would have carried more force than the quiet frames before the rise show. Returned:
    the 5th percentile over the draws (an order statistic, so never interpolated into
    ``inf``); ``inf`` when fewer than 5 % of the draws are finite (the object took no closure
    at any loaded frame: nothing but gel and rig), 0 when no frame has a detectable force.

    A ruled-out draw counts as ``inf`` here: the bound is then a higher percentile of the
    admitted draws the more are ruled out (the 37th at 13.5 % admitted, review19), and below
    5 % admitted it is ``inf``. This is the statistic of the unflag test and of
    ``_open_as_bound``'s gel test; the bound :meth:`BlindEstimator._foam_checked` claims is the
    percentile over the *admitted* draws only (the foam's posterior given the frames, the
    touch's prior uniform over the range), :func:`foam_bound_posterior`, which redraws when few
    draws are admitted. Where every draw is admitted both give the same number."""
    r = foam_bound_draws(
        features, geo, calibration, rise, widest_touch_mm, seed, shapes, with_gel,
        touch_to_first_force,
    )  # fmt: skip
    if r is None:
        return 0.0
    return _foam_percentile(r.bound_n_per_mm2, r.admitted, False) * PA_PER_N_PER_MM2


@dataclass(frozen=True)
class FoamDraws:
    """The foam bound's per-draw values (N/mm², ``inf`` where ruled out
    or rigid), which draws the frames admit, each draw's touch (mm) and the touch range the
    prior spans."""

    bound_n_per_mm2: np.ndarray
    admitted: np.ndarray
    touch_mm: np.ndarray
    touch_lo_mm: float
    touch_hi_mm: float


def foam_bound_draws(
    features: GraspFeatures,
    geo: GraspGeometry,
    calibration: SensorCalibration,
    rise: ForceRise | None,
    widest_touch_mm: float,
    seed: int = 0,
    shapes: tuple[str, ...] = ("flat",),
    with_gel: bool = True,
    touch_to_first_force: bool = False,
    draw_range_mm: tuple[float, float] | None = None,
) -> FoamDraws | None:
    """The draws behind :func:`foam_bound_pa`; None when no frame has a detectable
    force. ``draw_range_mm``: the touches drawn uniformly over this sub-range of the prior's
    range instead (the quiet frames that rule touches out stay those of the whole range)."""
    force_n = np.asarray(features.force_n, dtype=np.float64)
    width_mm = reconstruct_width_mm(features.width_mm)
    upto = int(np.argmax(force_n)) + 1  # the loading frames
    baseline_n = rise.baseline_n if rise is not None else 0.0
    f_all_n = force_n[:upto] - baseline_n
    w_all_mm = width_mm[:upto]
    noise_n = max(rise.noise_n if rise is not None else 0.02, 0.01)
    floor_n = max(0.03, 0.01 * float(np.max(f_all_n)), 3.0 * noise_n)
    loaded = f_all_n >= floor_n
    if not loaded.any():
        return None
    f_n, w_mm = f_all_n[loaded], w_all_mm[loaded]
    rise_mm = rise.width_mm if rise is not None else float(w_mm[0])
    rng = np.random.default_rng(seed + 1)
    z = rng.standard_normal((3, N_DRAWS))
    touch_lo_mm = max(rise_mm, geo.contact_width_mm - geo.contact_width_sd_mm)
    first_force_mm = (
        _before_first_force_mm(f_all_n, w_all_mm, noise_n, rise_mm)
        if touch_to_first_force
        else -math.inf
    )
    touch_hi_mm = max(widest_touch_mm + geo.contact_width_sd_mm, first_force_mm, touch_lo_mm)
    draw_lo_mm, draw_hi_mm = draw_range_mm or (touch_lo_mm, touch_hi_mm)
    touch_mm = draw_lo_mm + (draw_hi_mm - draw_lo_mm) * rng.random(N_DRAWS)
    rig_mean, rig_sd = rig_compliance(calibration)
    rig_mm_per_n = np.maximum(rig_mean + rig_sd * z[0], 0.0)
    bias_mm, bias_sd_mm = contact_width_bias(calibration)
    size_mm = np.maximum(touch_mm - bias_mm + bias_sd_mm * z[1], 1.0)
    gel_modulus_pa = calibration.gel_modulus_pa * 10.0 ** (calibration.gel_modulus_log10_sd * z[2])
    gel_mm_per_n = np.asarray(_flat_gel_mm_per_n(calibration, gel_modulus_pa))
    lock_mm = calibration.gel_lock_depth_mm
    gel_mm: np.ndarray | float = (
        _flat_gel_closure_mm(gel_mm_per_n, f_n, lock_mm) if with_gel else 0.0
    )
    # draws (rows) × loaded frames (columns)
    strain = (
        touch_mm[:, None] - w_mm[None, :] - f_n[None, :] * rig_mm_per_n[:, None] - gel_mm
    ) / size_mm[:, None]
    onset = FOAM_DENSIFICATION_MIN
    below_onset = (strain > 0.0) & (strain < onset)
    area_mm2 = pad_area_mm2(calibration) or DEFAULT_PAD_AREA_MM2
    pad = calibration.pad_size_mm
    length_mm = max(pad) if pad else 35.0
    # the frames between the widest touch and the rise where the force stayed undetectable
    quiet = (~loaded) & (w_all_mm < touch_hi_mm) & (w_all_mm > rise_mm)
    fq_n, wq_mm = f_all_n[quiet], w_all_mm[quiet]
    if quiet.any():
        gq_mm: np.ndarray | float = (
            _flat_gel_closure_mm(gel_mm_per_n, np.maximum(fq_n, 0.0), lock_mm) if with_gel else 0.0
        )
        strain_q = np.clip(
            (touch_mm[:, None] - wq_mm[None, :] - gq_mm) / size_mm[:, None], 0.0, onset
        )
    best_n_per_mm2 = np.full(N_DRAWS, np.inf)
    admitted = np.zeros(N_DRAWS, dtype=bool)  # by at least one shape
    for shape in shapes:
        g_mm2 = _linear_force_per_modulus_mm2(
            shape, np.clip(strain, 0.0, onset), size_mm[:, None], length_mm, area_mm2, onset
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            per_frame = np.where(
                below_onset & (g_mm2 > 0.0), f_n[None, :] / g_mm2 * (1.0 - strain / onset) ** 2, 0.0
            )
        e_n_per_mm2 = per_frame.max(axis=1)
        e_n_per_mm2 = np.where(
            below_onset.any(axis=1),
            e_n_per_mm2,
            np.where((strain <= 0.0).all(axis=1), np.inf, 0.0),
        )
        if quiet.any():
            # a touch is ruled out when the object touched there, that stiff, would have
            # carried force the frames between it and the rise do not show
            gq_mm2 = _linear_force_per_modulus_mm2(
                shape, strain_q, size_mm[:, None], length_mm, area_mm2, onset
            )
            with np.errstate(invalid="ignore"):
                shown_n = (
                    np.where(np.isfinite(e_n_per_mm2)[:, None], e_n_per_mm2[:, None] * gq_mm2, 0.0)
                    - fq_n[None, :]
                )
            ruled_out = (np.max(shown_n, axis=1) > 3.0 * noise_n + floor_n) & (
                touch_mm > rise_mm + 1e-9
            )
            e_n_per_mm2 = np.where(ruled_out, np.inf, e_n_per_mm2)
            admitted |= ~ruled_out
        else:
            admitted[:] = True
        best_n_per_mm2 = np.minimum(best_n_per_mm2, e_n_per_mm2)
    return FoamDraws(best_n_per_mm2, admitted, touch_mm, touch_lo_mm, touch_hi_mm)


#: below this many admitted draws the touches are drawn again inside the admitted range
#: (foam33's V2, foam34); when that pass too admits fewer, further full-range passes are pooled
#: with the first (foam35) until this many are admitted or FOAM_MAX_POOLED_PASSES are pooled.
#: So the claimed 5th percentile is an order statistic over at least 400 admitted draws (the
#: 20th smallest or later) unless the cap is reached with the pooled passes admitting fewer
#: than 400 of their 40 000 draws (under 1 % admitted); then it is over those, and with 20 or
#: fewer it is their smallest (review21 saw 90-111 admitted draws behind a bound before
#: foam35, at 4-6 % admitted)
FOAM_MIN_ADMITTED = 400

#: the most full-range passes pooled (the first included): 20 x 2000 draws. One pass costs
#: 1.2-1.6 ms of CPU (foam35, on review21's built grasps), so the cap bounds the pooling's
#: added cost at ~30 ms, about 1.5x blind's median estimate per grasp (21 ms on f3307), and it
#: is reached only when fewer than 1 % of the pooled draws are admitted
FOAM_MAX_POOLED_PASSES = 20


def foam_bound_posterior(
    features: GraspFeatures,
    geo: GraspGeometry,
    calibration: SensorCalibration,
    rise: ForceRise | None,
    widest_touch_mm: float,
    seed: int = 0,
) -> tuple[float, float, float, int, float]:
    """The bound blind claims for a densifying foam (foam33's V2, tested by foam34 on a fresh file:
    benchmarks/results/foam34_prereg.md): the 5th percentile over the admitted draws (the foam's
    posterior given the frames), all of the closure credited to the object, the touch to the
    first force. When fewer than :data:`FOAM_MIN_ADMITTED` draws are admitted, the touches are
    drawn again uniformly over the admitted draws' touch range (widened by a tenth of it each
    side, within the prior's range; every other input drawn as before), the same prior
    restricted, and the statistic is taken over those admitted when they are at least
    :data:`FOAM_MIN_ADMITTED`. When they are fewer, that pass is dropped and further passes over
    the whole touch prior (seeds ``seed + 7919·j``, j = 2, 3, ...) are pooled with the first
    until :data:`FOAM_MIN_ADMITTED` draws are admitted or :data:`FOAM_MAX_POOLED_PASSES` passes
    are pooled; the pooled admitted draws are an exact sample of the posterior (up to one detail:
    the first pass joins the pool only when the windowed redraw came up short), and the
    statistic is taken over all of them (fewer than :data:`FOAM_MIN_ADMITTED` only when the
    cap is reached: under 1 % of the pooled draws admitted). Returned: the bound (Pa), the
    first pass's admitted share, the bound's Monte Carlo upper end (Pa: the order statistic two
    binomial sds above the percentile's rank), the number of admitted draws it was taken over
    and the first pass's 5th percentile over all draws, ruled-out ones as ``inf`` (main's
    statistic: the prior mass where a foam that soft fits, for the gel test, V2)."""
    args = (features, geo, calibration, rise, widest_touch_mm, seed, ("flat",), False, True)
    r = foam_bound_draws(*args)
    if r is None:
        return 0.0, 1.0, 0.0, 0, 0.0
    share = float(np.mean(r.admitted))
    n = int(np.count_nonzero(r.admitted))
    all_draws_pa = _foam_percentile(r.bound_n_per_mm2, r.admitted, False) * PA_PER_N_PER_MM2
    values = r.bound_n_per_mm2[r.admitted]
    if 0 < n < FOAM_MIN_ADMITTED:
        t = r.touch_mm[r.admitted]
        pad_mm = 0.1 * (float(t.max()) - float(t.min())) + 1e-3
        lo = max(r.touch_lo_mm, float(t.min()) - pad_mm)
        hi = min(max(r.touch_hi_mm, lo), float(t.max()) + pad_mm)
        again = foam_bound_draws(
            features, geo, calibration, rise, widest_touch_mm, seed + 7919, ("flat",), False,
            True, (lo, hi),
        )  # fmt: skip
        if again is not None and np.count_nonzero(again.admitted) >= FOAM_MIN_ADMITTED:
            values = again.bound_n_per_mm2[again.admitted]
        else:
            # the windowed pass is a restricted prior: pool full-range passes instead (foam35)
            pooled = [values]
            for j in range(2, FOAM_MAX_POOLED_PASSES + 1):
                more = foam_bound_draws(
                    features, geo, calibration, rise, widest_touch_mm, seed + 7919 * j,
                    ("flat",), False, True,
                )  # fmt: skip
                if more is not None:
                    pooled.append(more.bound_n_per_mm2[more.admitted])
                if sum(v.size for v in pooled) >= FOAM_MIN_ADMITTED:
                    break
            values = np.concatenate(pooled)
    n = int(values.size)
    values = np.sort(values)
    if values.size == 0 or np.count_nonzero(np.isfinite(values)) < 0.05 * values.size:
        return math.inf, share, math.inf, n, all_draws_pa
    rank = math.floor(0.05 * (values.size - 1))
    upper = min(values.size - 1, math.ceil(rank + 2.0 * math.sqrt(values.size * 0.05 * 0.95)))
    return (
        float(values[rank]) * PA_PER_N_PER_MM2,
        share,
        float(values[upper]) * PA_PER_N_PER_MM2,
        n,
        all_draws_pa,
    )


def _foam_percentile(
    bound_per_draw: np.ndarray, admitted: np.ndarray, admitted_only: bool
) -> float:
    """The 5th percentile (``method="lower"``: an order statistic, never interpolated into
    ``inf``) of the per-draw bounds, ``inf`` when fewer than 5 % of them are finite; a
    ruled-out draw's bound is ``inf``. ``admitted_only``: over the draws that ``admitted``
    marks only (the foam's posterior given the frames), ``inf`` when there are none; with
    20 or fewer the statistic is their smallest."""
    values = bound_per_draw[admitted] if admitted_only else bound_per_draw
    if values.size == 0 or np.count_nonzero(np.isfinite(values)) < 0.05 * values.size:
        return math.inf
    return float(np.percentile(values, 5.0, method="lower"))


def _summarise(draws: _Draws, rng: np.random.Generator) -> np.ndarray:
    """log10 E per draw (NaN where unresolved), with the model's own sd added."""
    c = draws.compliance_per_pa
    with np.errstate(divide="ignore", invalid="ignore"):
        log_e = np.where(c > 0, np.log10(draws.numerator / c), np.nan)
    if draws.model_log10_sd > 0:
        log_e = log_e + draws.model_log10_sd * rng.standard_normal(log_e.shape)
    return log_e


def _bound(draws: _Draws, level: float = 0.95) -> float:
    """``k / c`` at the ``level`` percentile of the object compliance c, c never below half its
    68 % spread; 0 (no bound) when every draw there is unresolved and the spread is nil."""
    c = draws.sorted_compliance
    n = c.size - 1
    half_spread = 0.5 * (c[round(0.84 * n)] - c[round(0.16 * n)])
    c_at = max(float(c[round(level * n)]), float(half_spread))
    if c_at <= 0.0:
        return 0.0
    return draws.numerator / c_at


def corrected_features(
    features: GraspFeatures, calibration: SensorCalibration
) -> tuple[CorrectedSignals, GraspFeatures]:
    """``features`` as the blind physics reads them: the width on the force's clock and the
    motion's force removed (:func:`~tactile.processing.grasp_signals.correct_signals`, the
    calibration's rig compliance, the loading phase's measured lag), with the signals that did
    it. ``BlindEstimator`` and ``auto``'s geometry check (``measured_geometry``) read so."""
    signals = correct_signals(
        features.t_s, features.force_n, features.width_mm,
        calibration.rig_compliance_mm_per_n, measured_lag=features.width_lag,
    )  # fmt: skip
    corrected = dataclasses.replace(
        features, force_n=signals.force_n, width_mm=signals.width_mm, width_lag=None
    )
    return signals, corrected


@dataclass(frozen=True)
class BlindEstimator(AnalyticalEstimator):
    """Object, gel and rig in series, geometry from the grasp (see the module docstring)."""

    name: str = "blind"
    object_poisson: float = DEFAULT_OBJECT_POISSON
    seed: int = 0
    #: Opt-in prototype (benchmarks/bench_touch_fit.py; off by default, main's behaviour): each
    #: hypothesis's draws centred on the touch of its own contact law instead of the median of
    #: the three readings. ``"all"``: sphere ``hinge_1.5``, cylinder the line law's hinge
    #: (:func:`~tactile.processing.grasp_geometry.line_contact_width`), flat ``hinge_1``;
    #: ``"curved"``: the sphere and cylinder so, the flat face the median.
    touch_per_hypothesis: str | None = None

    def image_frames(self, meta: GraspMetadata) -> int | None:
        return 4  # the imprint at a few loading frames decides the shape class

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        # the width on the force's clock, the motion's force removed (module docstring)
        signals, corrected = corrected_features(features, calibration)
        ramp = None
        if signals.motion is not None and signals.motion.slope_n_per_mm != 0.0:
            ramp = (np.asarray(features.force_n, dtype=np.float64), signals.motion)
        est = self._estimate_corrected(corrected, meta=meta, calibration=calibration, ramp=ramp)
        # the flag says what the final bound proves (a foam's or a wider reading's bound may
        # have lowered it below the gel's modulus after it was first flagged)
        est = with_bound_flag(est, calibration.gel_modulus_pa)
        details = {**est.details, **signals.details()}
        if signals.lag is None:
            # say so: a record cut before its release (or starting loaded) cannot show the
            # width reading's lag; with the rig's calibrated lag, how much that may be
            details = _with_note(details, UNMEASURED_LAG_NOTE)
            if calibration.width_lag_s is not None:
                details = _with_note(
                    details, CALIBRATED_LAG_NOTE.format(lag_s=calibration.width_lag_s)
                )
        return dataclasses.replace(est, details=details)

    def _estimate_corrected(
        self,
        features: GraspFeatures,
        *,
        meta: GraspMetadata,
        calibration: SensorCalibration,
        ramp: tuple[np.ndarray, MotionBaseline] | None = None,
    ) -> ModulusEstimate:
        # raises NoContactError for a failed grasp, or one whose camera did not see a contact
        # that cannot be a flat face over the pad
        curve = loading_curve(
            features,
            min_force_fraction=LOADED_FORCE_FRACTION,
            flat_face_possible=flat_face_possible(meta),
        )
        geo = geometry_of(features, calibration)
        if geo.size_mm <= 2.0 or geo.hold_force_n <= 0:
            rise = force_rise(features.force_n, features.width_mm)
            soft = (
                f"; the force rose detectably from {rise.width_mm:.3g} mm: a very soft object, "
                "squashed before its force became sizeable, whose size the squeeze does not show"
                if rise is not None and rise.width_mm > geo.contact_width_mm + 2.0
                else ""
            )
            stale = (
                f"; or, if this grasp's rig lags, re-fit calibration "
                f"{calibration.calibration_id!r} (tactile calibrate rig on its rigid presses) or "
                "re-simulate the file: its rig fit predates the width-lag correction "
                "(2026-12-05) and may read sizes short"
                if rig_fit_predates_signal_correction(calibration)
                else ""
            )
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: no object size could be read from the width "
                f"(contact width {geo.contact_width_mm:.3g} mm){soft}",
                hint=f"record the gripper width through the whole squeeze{stale}",
            )
        est = self._estimate_with(geo, features, curve, calibration)
        if not est.lower_bound_only:
            widest_reading_mm = max(geo.contact_width_estimates_mm.values(), default=0.0)
            return self._open_as_bound(
                _open_if_width_drifts(est, features, geo), features, geo, calibration,
                None, max(geo.contact_width_mm, widest_reading_mm), ramp,
            )  # fmt: skip
        # A bound must hold for every contact width the grasp allows. Two ways the first
        # squeeze can be read late: the estimates disagree (one reads it much wider: a slowly
        # rising force, or a creeping sensor), or the object is so soft that it closed a long
        # way below the force the onset detection sees. If the object really were as stiff
        # as the bound, it closed at most 2·δ0 before the force reached the detection floor
        # F0 (Hertz at the bound: δ0 = (3F0/(4E*√R))^(2/3)); so the object is flagged only if
        # it is unresolved from the widest reading and from that earlier contact too -- when
        # the force record shows such a slow rise (a rigid object's force stays at its
        # baseline until the touch: a small steel bolt keeps its flag).
        widest = max(geo.contact_width_estimates_mm.values())
        shift = widest - geo.contact_width_mm
        if shift <= 2.0 * MIN_CONTACT_WIDTH_SD_MM:
            shift = 0.0  # the estimates agree within a reading's resolution
        missed = missed_closure_mm(geo, est.modulus_pa, self, calibration)
        if missed > max(shift, 0.5) and _force_rises_over(features, geo.contact_width_mm, missed):
            shift = missed
        # The first detectable rise of the force: the object carried load from there on, and
        # an object as stiff as the bound touched at most the closure it takes to carry that
        # force (Hertz at the bound, gel in series) before it. A softer-looking bound from a
        # wider reading widens that closure in turn, so this is repeated until it settles.
        rise = force_rise(features.force_n, features.width_mm)
        # the curved hypotheses' bound: a curved object is the one read late (its force starts
        # like δ^1.5, a flat face's rises at once), so only they need the earlier contact
        bound_pa = est.details.get("curved_bound_pa") or 0.0
        widest_touch_mm = geo.contact_width_mm + max(shift, 0.0)
        why = "the earliest force onset, or where an object as stiff as the bound was touched"
        search_ahead = False  # whether the late-read test asks about its midpoints at once
        for attempt in range(4):
            rise_shift = 0.0
            if rise is not None and bound_pa > 0.0:
                early = missed_closure_mm(geo, bound_pa, self, calibration, rise.force_n)
                early_thr = missed_closure_mm(geo, bound_pa, self, calibration, rise.threshold_n)
                earliest = min(rise.width_mm + early, rise.width_before_mm + early_thr)

                def ruled_out(
                    contacts: list[float], bound: float = bound_pa
                ) -> Callable[[int], bool]:
                    return _late_read_verdicts(
                        features, rise, contacts, bound, geo, self, calibration
                    )

                # the widest contact the record allows: the object surely touched by the
                # rise; between it and ``earliest`` the record may rule out the wider ones
                # (bisection: a wider contact only adds force the record must show). The
                # record is asked about both ends at once, then about every midpoint the
                # bisection may visit (two batches instead of up to seven calls); about all
                # of them at once when the previous attempt needed the midpoints (the next
                # one mostly does too). Only what is computed ahead changes, never an answer
                # The motion-ramp test's forces (below) are computed in the same bisection as
                # this first batch (_curved_force_many: the same numbers)
                claimed = min(bound_pa, est.modulus_pa)
                ramp_test = (
                    _ramp_setup(ramp[0], features.width_mm, ramp[1], claimed, geo)
                    if ramp is not None
                    else None
                )
                ramp_rows: _Rows | None = None
                candidate = rise.width_mm
                if earliest > rise.width_mm:
                    lo, hi = rise.width_mm, earliest
                    mids = _bisection_mids(lo, hi, 5)
                    ahead, search_ahead = search_ahead, False
                    late, late_finish = _late_read_setup(
                        features, rise, [earliest, rise.width_mm, *(mids if ahead else [])],
                        bound_pa, geo,
                    )  # fmt: skip
                    ramp_problem = ramp_test[0] if ramp_test is not None else None
                    wanted = [p for p in (late, ramp_problem) if p is not None]
                    solved = iter(_curved_force_many(wanted, geo, self, calibration))
                    asked = late_finish(next(solved) if late is not None else None)
                    if ramp_problem is not None:
                        ramp_rows = next(solved)
                    if not asked(0):
                        candidate = earliest
                    elif not asked(1):
                        search_ahead = True
                        at_mid, first = (asked, 2) if ahead else (ruled_out(mids), 0)
                        index = {mid: first + k for k, mid in enumerate(mids)}
                        for _ in range(5):
                            mid = 0.5 * (lo + hi)
                            lo, hi = (mid, hi) if not at_mid(index[mid]) else (lo, mid)
                        candidate = lo
                rise_shift = candidate - geo.contact_width_mm
                widest_touch_mm = max(widest_touch_mm, candidate)
                under = None
                if ramp is not None:
                    # the motion line may have absorbed a soft object's own first rise (its
                    # slope read high, the touch late): the widest touch under the ramp that
                    # the recorded force, with a motion line of any slope, does not rule out
                    # tested at the bound claimed (an object just that stiff; the curved
                    # hypotheses' own bound may be far above it when they are unresolved)
                    assert ramp_test is not None  # set up at ``claimed`` above
                    problem, finish = ramp_test
                    if problem is not None and ramp_rows is None:
                        ramp_rows = _curved_force_many([problem], geo, self, calibration)[0]
                    under = finish(ramp_rows)
                    if under is not None:
                        widest_touch_mm = max(widest_touch_mm, under)
                    if under is not None and under - geo.contact_width_mm > rise_shift:
                        rise_shift = under - geo.contact_width_mm
                        candidate = under
                    else:
                        under = None
                if rise_shift > shift + 0.05:
                    shift = rise_shift
                    why = (
                        f"the force rose detectably ({rise.force_n:.2f} N) at "
                        f"{rise.width_mm:.1f} mm; an object as stiff as the bound could have "
                        f"touched {candidate - rise.width_mm:.1f} mm before that"
                        if under is None
                        else f"the force's rise with the closing motion cannot be told from "
                        f"the object's own below {candidate:.1f} mm: an object as stiff as the "
                        "bound could have touched there"
                    )
                    rise_shift = -1.0  # moved
            if attempt > 0 and rise_shift >= 0.0:
                break  # settled
            if shift <= 0.0:
                break
            wider = geo.contact_width_mm + shift
            wide = dataclasses.replace(
                geo,
                contact_width_mm=wider,
                contact_width_sd_mm=MIN_CONTACT_WIDTH_SD_MM,  # one reading, not their spread
                size_mm=geo.size_mm + shift,
                radius_mm=max(geo.size_mm + shift, 1.0) / 2.0,  # as infer_geometry's (docs40)
                closure_mm=wider - geo.hold_width_mm,
            )
            alt = self._estimate_with(wide, features, curve, calibration)
            if not alt.lower_bound_only:
                # Either reading may be the true one: the estimate from the wider one, its
                # interval open upwards (from the narrower one the object is unresolved).
                details = dict(alt.details, may_be_stiffer_than_gel=True, note=(
                    f"contact width ambiguous: read {shift:.1f} mm wider ({why}); from "
                    f"{geo.contact_width_mm:.1f} mm the object would be unresolved, so the "
                    "interval is open upwards"
                ))  # fmt: skip
                opened = _open_if_width_drifts(
                    dataclasses.replace(
                        alt,
                        flags=alt.flags | {Flag.POOR_FIT},
                        interval_68_pa=(alt.interval_68_pa[0], math.inf),
                        interval_95_pa=(alt.interval_95_pa[0], math.inf),
                        details=details,
                    ),
                    features,
                    geo,
                )
                return self._open_as_bound(
                    opened, features, geo, calibration, rise, max(widest_touch_mm, wider), ramp
                )
            if alt.modulus_pa < est.modulus_pa:
                # unresolved from the widest admissible reading too: its (lower) bound holds
                est = dataclasses.replace(
                    alt, details=dict(alt.details, note=f"bound from a contact width read "
                                      f"{shift:.1f} mm wider ({why})")
                )  # fmt: skip
            bound_pa = min(bound_pa, alt.details.get("curved_bound_pa") or bound_pa)
        return self._foam_checked(est, features, geo, calibration, rise, widest_touch_mm, ramp)

    def _open_as_bound(
        self,
        est: ModulusEstimate,
        features: GraspFeatures,
        geo: GraspGeometry,
        calibration: SensorCalibration,
        rise: ForceRise | None,
        widest_touch_mm: float,
        ramp: tuple[np.ndarray, MotionBaseline] | None,
    ) -> ModulusEstimate:
        """An estimate open upwards from far above the gel answered as its lower end
        (:func:`_bound_if_open_above_gel`), that bound made to hold for a densifying foam as every
        bound is (:meth:`_foam_checked`). The point of the answer is the claim "stiffer than the
        gel": when a densifying foam that fits the loading frames puts the bound below the gel's
        modulus (or a foam far softer fits), the open estimate stands instead, its intervals
        starting no higher than that foam's bound. The gel test reads the claimed bound, its
        Monte Carlo upper end and the all-draws statistic (foam34), so the answer can be a bound
        *below* the gel, flagged ``unresolved``, not ``stiffer_than_gel`` (where under 5 % of
        touches are admitted the all-draws statistic is infinite and the test always passes;
        review21). ``rise``: the force's first detectable rise, None to read it here."""
        gel_pa = calibration.gel_modulus_pa
        bound = _bound_if_open_above_gel(est, gel_pa)
        if bound is est:
            return est
        if rise is None:
            rise = force_rise(features.force_n, features.width_mm)
        checked = self._foam_checked(bound, features, geo, calibration, rise, widest_touch_mm, ramp)
        # the claim "stiffer than the gel" stands when the bound's Monte Carlo upper end
        # reaches the gel (the bound's own sampling error cannot tell it from the gel)
        upper_pa = float(checked.details.get("foam_bound_mc_upper_pa", checked.modulus_pa))
        # or when the all-draws statistic (ruled-out touches as inf, the bound claimed before
        # foam34) reaches it: the gel test asks whether a foam softer than the gel fits over most
        # of the touch prior, while the bound claimed is the admitted draws' percentile
        all_pa = float(checked.details.get("foam_bound_all_draws_pa", checked.modulus_pa))
        if checked.modulus_pa == checked.details.get("foam_bound_pa"):
            reach_pa = max(checked.modulus_pa, upper_pa, all_pa)
        else:
            reach_pa = checked.modulus_pa
        if checked.lower_bound_only and reach_pa >= gel_pa:
            return checked
        foam_pa = float(checked.details["foam_bound_pa"])
        return dataclasses.replace(
            est,
            interval_68_pa=(min(est.interval_68_pa[0], foam_pa), math.inf),
            interval_95_pa=(min(est.interval_95_pa[0], foam_pa), math.inf),
            details=_with_note(
                dict(est.details, foam_bound_pa=foam_pa),
                f"not answered as a bound: a densifying foam as soft as {foam_pa:.3g} Pa fits "
                "the loading frames, so the interval starts there",
            ),
        )

    def _foam_checked(
        self,
        est: ModulusEstimate,
        features: GraspFeatures,
        geo: GraspGeometry,
        calibration: SensorCalibration,
        rise: ForceRise | None,
        widest_touch_mm: float,
        ramp: tuple[np.ndarray, MotionBaseline] | None,
    ) -> ModulusEstimate:
        """A lower bound ``est`` made to hold for a densifying foam (module docstring)."""
        # Densifying foams (foam_bound_pa): the bound must hold for the softest foam the
        # loading frames allow, read with all of the closure credited to the object (the gel's
        # flat-punch closure is not the least a tiny foam leaves it: crediting it gave false
        # bounds on 7 of 11 flagged tiny foams). Whether a foam far softer fits is judged with
        # the gel's closure removed and, when the imprint rules a face out, the plausible
        # curved shapes only.
        # The bound's touch range reaches the last frame before the force shows above its noise
        # (a foam softer than the curved bound touched earlier than widest_touch_mm: f2814's
        # foam_box_0121); the unflag test below keeps the range it was chosen with (widened, it
        # unflagged 4 rigid objects of f2812 and sim_test: benchmarks/results/foam31.md).
        # The bound claimed is the 5th percentile over the admitted draws everywhere (the
        # foam's posterior given the frames; foam33's V2, foam34): the 5th percentile over all
        # draws, ruled-out touches counted as inf, was a higher percentile of the admitted ones
        # the more were ruled out, and false on review20's k22 foam box. Under
        # FOAM_MIN_ADMITTED admitted draws the touches are drawn again inside the admitted
        # range; when that pass admits fewer too, full-range passes are pooled (foam35). Only
        # when the frames rule out every touch does no densifying foam fit them.
        # One pass of draws gives both that bound and the all-draws statistic, which only
        # _open_as_bound's gel test reads (taken alone, the admitted draws' percentile lowered
        # knife-edge bounds just above the gel to just below it, foam32).
        foam_pa, admitted_share, foam_upper_pa, n_admitted, all_draws_pa = foam_bound_posterior(
            features, geo, calibration, rise, widest_touch_mm, self.seed
        )
        foam_pa = max(foam_pa, SOFTEST_SOLID_PA)
        # the unflag test keeps its statistic (ruled-out touches as inf): FOAM_SOFTER_FACTOR
        # was chosen with it, and a lower softest fit only unflags more (foam32.md)
        softest_fit_pa = foam_bound_pa(features, geo, calibration, rise, widest_touch_mm, self.seed)
        if (
            softest_fit_pa * FOAM_SOFTER_FACTOR < est.modulus_pa
            and "flat" not in geo.plausible_shapes
        ):
            # under a motion ramp, touched as early as a foam that soft could have been
            touch_mm = widest_touch_mm
            if ramp is not None:
                under = _widest_touch_under_ramp(
                    ramp[0], features.width_mm, ramp[1], est.modulus_pa / FOAM_SOFTER_FACTOR,
                    geo, self, calibration,
                )  # fmt: skip
                touch_mm = max(touch_mm, under or touch_mm)
            softest_fit_pa = foam_bound_pa(
                features, geo, calibration, rise, touch_mm, self.seed, tuple(geo.plausible_shapes)
            )
        unflag = softest_fit_pa * FOAM_SOFTER_FACTOR < est.modulus_pa
        checked = _bound_for_a_foam(est, foam_pa, unflag)
        details = dict(
            checked.details,
            foam_admitted_share=admitted_share,
            foam_bound_mc_upper_pa=max(foam_upper_pa, foam_pa),
            foam_admitted_draws=n_admitted,
            foam_bound_all_draws_pa=max(all_draws_pa, SOFTEST_SOLID_PA),
        )
        if admitted_share == 0.0:
            details = _with_note(
                details,
                "the frames rule out every touch a densifying foam could have had: the linear "
                "bound stands",
            )
        return dataclasses.replace(checked, details=details)

    def _estimate_with(
        self,
        geo: GraspGeometry,
        features: GraspFeatures,
        curve: LoadingCurve,
        calibration: SensorCalibration,
    ) -> ModulusEstimate:
        rng = np.random.default_rng(self.seed)
        z = rng.standard_normal((4, N_DRAWS))
        rig_c, rig_sd = rig_compliance(calibration)
        bias, bias_sd = contact_width_bias(calibration)
        # the object carries 20 % of the peak force from this opening on: it touched before
        loaded = reconstruct_width_mm(features.width_mm)[curve.indices[0]]
        wc = np.maximum(geo.contact_width_mm + geo.contact_width_sd_mm * z[0], loaded)
        rig = np.maximum(rig_c + rig_sd * z[1], 0.0)
        size = wc - bias + bias_sd * z[3]
        hold_w = geo.hold_width_mm + HOLD_WIDTH_SD_MM * rng.standard_normal(N_DRAWS)
        closure = wc - hold_w - rig * geo.hold_force_n
        gel_scale = 10.0 ** (calibration.gel_modulus_log10_sd * z[2])
        gel_per_pa = calibration.gel_reduced_compliance_per_pa / gel_scale
        touches = self._hypothesis_touches(geo, features, bias)

        def draws_at(touch: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            """(contact width, size, closure) draws centred on ``touch`` (None: main's)."""
            if touch is None:
                return wc, size, closure
            w = np.maximum(touch + geo.contact_width_sd_mm * z[0], loaded)
            return w, w - bias + bias_sd * z[3], w - hold_w - rig * geo.hold_force_n

        hyps: dict[str, _Draws] = {}
        if "sphere" in geo.plausible_shapes:
            _, s_size, s_closure = draws_at(touches.get("sphere"))
            hyps["sphere"] = _sphere(
                geo, s_closure, s_size, gel_per_pa, calibration, self.object_poisson
            )
        if "cylinder" in geo.plausible_shapes:
            _, c_size, c_closure = draws_at(touches.get("cylinder"))
            hyps["cylinder"] = _cylinder(
                geo, c_closure, c_size, gel_per_pa, calibration, self.object_poisson
            )
        # the flat face over the pad is the most compliant geometry for a closure: its bound
        # holds whatever the shape, so it is computed even when the imprint rules it out
        f_wc, f_size, _ = draws_at(touches.get("flat"))
        f_geo = geo
        if "flat" in touches:
            f_touch = touches["flat"]
            f_geo = dataclasses.replace(
                geo,
                contact_width_mm=f_touch,
                size_mm=f_touch - bias,
                radius_mm=max(f_touch - bias, 1.0) / 2.0,
                closure_mm=f_touch - geo.hold_width_mm,
            )
        flat = _flat(
            f_geo, features, curve, f_wc, rig, f_size, calibration.gel_modulus_pa * gel_scale,
            calibration,
        )  # fmt: skip
        if "flat" in geo.plausible_shapes:
            hyps["flat"] = flat
        est = self._combine(hyps, flat, geo, curve.flags, calibration, rng, (rig_c, rig_sd))
        return _open_if_rig_split(est, wc - hold_w, geo.hold_force_n, calibration)

    def _hypothesis_touches(
        self, geo: GraspGeometry, features: GraspFeatures, bias_mm: float
    ) -> dict[str, float]:
        """Per hypothesis, the touch of its own contact law (``touch_per_hypothesis``; empty
        when off: every hypothesis uses ``geo.contact_width_mm``). Where ``geo`` is a wider
        "what-if" touch than the readings' median, no hypothesis is read narrower than it."""
        mode = self.touch_per_hypothesis
        if mode is None:
            return {}
        if mode not in ("all", "curved"):
            raise ConfigError(
                f"BlindEstimator.touch_per_hypothesis={mode!r} is not None, 'all' or 'curved'",
                hint="leave it None (the default) unless reproducing benchmarks/bench_touch_fit.py",
            )
        est = geo.contact_width_estimates_mm
        line = line_contact_width(features.force_n, features.width_mm, bias_mm)
        touches = {
            "sphere": est.get("hinge_1.5", geo.contact_width_mm),
            "cylinder": geo.contact_width_mm if line is None else line,
        }
        if mode == "all":
            touches["flat"] = est.get("hinge_1", geo.contact_width_mm)
        median = float(np.median(list(est.values()))) if est else geo.contact_width_mm
        if geo.contact_width_mm > median + 1e-9:  # a wider what-if touch
            touches = {k: max(v, geo.contact_width_mm) for k, v in touches.items()}
        return touches

    def _combine(
        self,
        hyps: dict[str, _Draws],
        flat: _Draws,
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
        shares = {k: float(np.mean(~np.isfinite(v))) for k, v in logs.items()}
        stiff = unresolved > UNRESOLVED_SHARE
        details: dict[str, Any] = {
            "geometry": geo.to_dict(),
            "hypotheses": sorted(hyps),
            "rig_compliance_mm_per_n": rig[0],
            "rig_compliance_sd_mm_per_n": rig[1],
            "unresolved_share": unresolved,
            "unresolved_share_per_shape": shares,
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
        if stiff:
            bounding = [*hyps.values(), flat]
            lower = min(_bound(d) for d in bounding)
            curved = [_bound(d) for k, d in hyps.items() if k != "flat"]
            details["curved_bound_pa"] = min(curved) if curved and min(curved) > 0 else None
            if not lower > 0.0:  # no draw resolved and no spread: only the flag's own claim
                lower = calibration.gel_modulus_pa
            flags.add(bound_flag(lower, calibration.gel_modulus_pa))
            # the 68 % interval's lower end: the 84th percentile of the compliance (the 16th of
            # E); where that draw is unresolved too, nothing tighter than the bound is known
            # (it used to divide by ~0 and print bounds like "7.5e+05 GPa")
            lower68 = min(_bound(d, 0.84) for d in bounding)
            return ModulusEstimate(
                modulus_pa=lower,
                interval_68_pa=(max(lower68, lower) if lower68 > 0 else lower, math.inf),
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
