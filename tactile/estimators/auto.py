"""``auto``: pick the analytical estimator from the object's shape.

* ``sphere``, ``ellipsoid``, ``ball`` (and anything with a known radius) → ``hertz``;
* ``box``, ``rectangular``, ``cube``, ``block``, ``flat``, ``slab``, ``cuboid``,
  ``cylinder_end`` (a cylinder pressed on its flat end), ``disc`` → ``elastic``;
* ``cylinder`` (on its side) with a known radius → ``line`` (2-D Hertz line contact);
* nothing known (no shape, no radius: a new object) → ``blind``
  (:mod:`tactile.estimators.blind`), which reads the geometry from the grasp itself;
* anything else (``irregular``, a cylinder without a radius) → ``mdr``, which measures the
  contact profile's exponent itself. When the shape is unknown the estimate carries
  :attr:`~tactile.types.Flag.SHAPE_ASSUMED`.

The chosen estimator is recorded in ``details["auto_chose"]``; the estimate's ``estimator`` field
stays ``"auto"`` so tables say which command produced it.

**A given-geometry bound checked by the blind physics.** When the chosen given-geometry
estimator answers with a lower bound only, ``blind`` reads the same grasp (the features already
measured) and the bound is lowered to

* the lower end of blind's 95 % interval when blind answers with an interval (it found the
  object's deformation resolvable, or the contact width ambiguous: then the interval is open
  upwards): the given-geometry model's "not resolvable" is contradicted, or rests on one
  reading of the touch, where blind also models the gel's bottoming, the rig, the width lag
  and densifying foams;
* blind's own bound when the chosen estimator is ``elastic`` (flat contacts): its bound assumes
  a linear block and the detected contact area, and lies even with a correct calibration
  (small stiff boxes on the default simulator: 9 of 12 bounds 0.1-0.4 dex above E);
* blind's bound or the calibration's gel modulus, whichever is higher, when the chosen
  estimator is ``hertz``, ``line`` or ``mdr`` and blind too reads only a bound: their bounds
  assume a linear material and a calibrated gel, and were false on 13 of 456 given-geometry
  bounds of six simulated files (foams, gels and rubbers near a randomised rig's stiffer gel;
  1 left after this cap: given34). Blind's bound allows densifying foams, any shape and the
  rig, but on a rigid object it is often below the gel (steel balls and rods on the default
  simulator with its exact calibration), so the cap stops at the gel: the given geometry's
  "stiffer than the gel" stands (the flag never changes), its number above the gel is not
  claimed (those steel bounds fall from 0.85-8.9 MPa to the 200 kPa gel).

Lowering a bound never makes it false. The given bound stays in ``details["given_bound_pa"]``,
the cap in ``details["blind_cap_pa"]``. Measured in BENCHMARKS.md ("Given geometry: bounds checked
by the blind physics"; "Given geometry: capped at blind's bound, never below the gel").

**A given-geometry point checked by the blind physics** (given36/given37, issues 11/12; the
default checks flagged bounds only: ``check_points="flagged"``). When the chosen given-geometry
estimator answers a two-sided point, ``blind`` reads the same grasp too; where blind answers only
a lower bound **flagged** ``stiffer_than_gel`` (against the calibration's gel; an interval open
upwards answered as its lower end included), ``auto`` answers blind's bound
(:func:`point_checked_by_blind`; the given point in ``details["given_point_pa"]``,
``details["bound_from"] = "blind"``). Where blind reads a weak bound (``unresolved``, below the
gel), a point, or fails, the given point stands (``details["blind_stiffer_than_gel"]`` is False
for a weak bound). Why: the given-geometry point rests on the calibration's gel; with a gel
stiffer than calibrated (the randomised simulated rigs: 3-11x) the excess gel deformation is read
as the object's, and rigid boxes, cylinder ends and rods are answered about 80 kPa-1.6 MPa
(f3309: 54 of 149 rigid objects). Why flagged bounds only: soft foams, gels and rubbers near a
stiffer rig gel, which the given point answers correctly, read to blind as weak bounds too; the
check on every bound (``check_points=True``, given36) lost 4 of 41 hits below the limit on
f3308 and stays opt-in. Pre-registered test of the flagged check (given37, fresh f3309): rigid
points 54 → 21, false bounds 0 → 0, hits below the limit 44 → 43 of 75; the real sessions
unchanged.
``check_points=False`` answers as before. BENCHMARKS.md "Given geometry: a point checked by
blind" (given36) and "... flagged bounds only" (given37).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from tactile.errors import ConfigError, TactileError
from tactile.estimators.base import AnalyticalEstimator, Estimator
from tactile.estimators.blind import BlindEstimator
from tactile.estimators.elastic import ElasticEstimator
from tactile.estimators.hertz import HertzEstimator
from tactile.estimators.line import LineContactEstimator
from tactile.estimators.loading import FLAT_SHAPES
from tactile.estimators.mdr import MDREstimator
from tactile.processing.grasp_geometry import force_rise, reconstruct_width_mm
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate, with_bound_flag

SPHERICAL_SHAPES = frozenset({"sphere", "ellipsoid", "ball", "spherical"})
LINE_SHAPES = frozenset({"cylinder", "cylinder_side", "rod", "tube"})
#: shapes whose size along any squeeze is twice the given radius: a ball, a cylinder squeezed
#: across its axis (:func:`geometry_mismatch`); an ellipsoid's or an irregular object's local
#: radius says nothing of its size (the simulated ellipsoids: size 0.05-15x the radius's double)
DIAMETER_SHAPES = frozenset({"sphere", "ball", "spherical"}) | LINE_SHAPES
#: a given radius and the grasp's size disagree beyond this many sds (:func:`geometry_mismatch`)
MISMATCH_SDS = 3.0
#: a given radius's own relative uncertainty (a label table's rounding, a ball's tolerance),
#: added to :data:`MISMATCH_SDS` of the measured size's sd (:func:`geometry_mismatch`)
GIVEN_RADIUS_SHARE = 0.1
#: a measured size within this many of its sds of the gripper's opening before the squeeze is
#: the opening, not the object (a slow width reading on a stiff rig: the contact found while the
#: reading still shows the open gripper, review54): "too small" is not judged on it (prior44b)
OPENING_SLACK_SDS = 2.0
#: the estimators that refuse a grasp with neither shape nor radius when named
GIVEN_GEOMETRY_ESTIMATORS = frozenset({"hertz", "mdr", "elastic", "line"})


def choose_estimator(meta: GraspMetadata) -> AnalyticalEstimator:
    """The analytical estimator ``auto`` uses for an object described by ``meta``; a
    given-geometry one is built with ``check_bounds=False``: ``auto`` checks its answer itself
    (:meth:`AutoEstimator.estimate_features`), once."""
    shape = (meta.shape or "").strip().lower()
    if not shape and meta.radius_mm is None:
        return BlindEstimator()
    if shape in SPHERICAL_SHAPES or (not shape and meta.radius_mm is not None):
        return HertzEstimator(check_bounds=False)
    if shape in FLAT_SHAPES:
        return ElasticEstimator(check_bounds=False)
    if shape in LINE_SHAPES and meta.radius_mm is not None:
        return LineContactEstimator(check_bounds=False)
    return MDREstimator(check_bounds=False)


def check_point_option(name: str, value: object, extra: tuple[str, ...] = ()) -> None:
    """Refuse a point-check option (``AutoEstimator.check_points``,
    ``HybridEstimator(check_given_points=...)``) that is not ``False``, ``True``, ``"flagged"``
    or one of ``extra`` (the hybrid's ``"network"``): 0, 1 and 1.0 compare equal to the booleans
    but are not options (review27)."""
    names = ("flagged", *extra)
    if not (isinstance(value, bool) or (isinstance(value, str) and value in names)):
        hint = "use False, True or " + " or ".join(repr(n) for n in names)
        raise ConfigError(f"{name}={value!r} is not an option", hint=hint)


def estimator_without_point_check(name: str) -> Estimator:
    """The estimator ``name`` from the registry, with ``auto`` built without its given-geometry
    point check (``check_points=False``) and geometry check (``check_geometry=False``, prior44)
    whatever those options' defaults: for the answers that
    must not move with it (the network's analytical input and the hybrid's physics, which checks
    itself with ``check_given_points``; ``tactile calibrate gel``'s fit). A given-geometry
    estimator (``hertz``, ``mdr``, ``elastic``, ``line``) is built with
    ``require_geometry=False`` and ``check_bounds=False``: the network was trained on its
    unchecked answers, also on grasps without a shape or radius, which a named one refuses
    (:func:`~tactile.estimators.base.refuse_without_geometry`) and whose answers a named one
    checks with blind (:func:`check_given_geometry`)."""
    from tactile.estimators.registry import get_estimator

    key = name.strip().lower()
    if key == "auto":
        return get_estimator(name, check_points=False, check_geometry=False)
    if key in GIVEN_GEOMETRY_ESTIMATORS:
        return get_estimator(name, require_geometry=False, check_bounds=False)
    return get_estimator(name)


@dataclass(frozen=True)
class AutoEstimator(AnalyticalEstimator):
    """Dispatch on shape (see the module docstring)."""

    name: str = "auto"
    #: check a given-geometry two-sided point with blind (:func:`point_checked_by_blind`):
    #: ``"flagged"`` (the default, given37) only where blind's bound is flagged
    #: ``stiffer_than_gel``, ``True`` wherever blind reads only a bound (given36, opt-in),
    #: ``False`` never (module docstring)
    check_points: bool | Literal["flagged"] = "flagged"
    #: check the given geometry against the grasp's (:func:`geometry_mismatch`); False answers
    #: as before (prior44)
    check_geometry: bool = True

    def __post_init__(self) -> None:
        check_point_option("check_points", self.check_points)

    def image_frames(self, meta: GraspMetadata) -> int | None:
        """The chosen estimator's frames; with the geometry given, at least blind's, which
        checks a bound on the same features (:func:`checked_by_blind`): on the peak frame alone
        blind cannot judge the imprint (its early frame would be the peak), and the check's
        outcome would depend on how many frames were decoded."""
        inner = choose_estimator(meta)
        needed = inner.image_frames(meta)
        if isinstance(inner, BlindEstimator) or needed is None:
            return needed
        return max(needed, BlindEstimator().image_frames(meta) or needed)

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        inner = choose_estimator(meta)
        try:
            est = inner.estimate_features(features, meta=meta, calibration=calibration)
        except TactileError as exc:
            # a mistyped radius can make the given geometry's model fail (a cylinder whose
            # closure exceeds its radius): where the grasp contradicts it, blind answers
            if isinstance(inner, BlindEstimator) or not self.check_geometry:
                raise
            answered = answer_failed_given(exc, features, meta=meta, calibration=calibration)
            return dataclasses.replace(
                answered,
                estimator=self.name,
                details=dict(answered.details, auto_chose=inner.name),
            )
        flags = set(est.flags)
        if not meta.shape and meta.radius_mm is None:
            flags.add(Flag.SHAPE_ASSUMED)
        details = dict(est.details, auto_chose=inner.name)
        est = dataclasses.replace(est, estimator=self.name, flags=frozenset(flags), details=details)
        if isinstance(inner, BlindEstimator):
            return est
        return check_given_geometry(
            est,
            features,
            meta=meta,
            calibration=calibration,
            flat=inner.name == "elastic",
            check_points=self.check_points,
            check_geometry=self.check_geometry,
        )


def check_given_geometry(
    estimate: ModulusEstimate,
    features: GraspFeatures,
    *,
    meta: GraspMetadata,
    calibration: SensorCalibration,
    flat: bool,
    check_points: bool | Literal["flagged"],
    check_geometry: bool = True,
) -> ModulusEstimate:
    """A given-geometry estimator's answer checked by the blind physics on the same features,
    as ``auto`` checks it (module docstring): first the given geometry itself against the
    grasp's (``check_geometry``, :func:`geometry_mismatch`: where they disagree, blind's answer
    flagged ``geometry_mismatch``, :func:`answer_geometry_mismatch`); then a lower bound by
    :func:`checked_by_blind` (``flat``: from ``elastic`` on a flat shape; a named ``elastic``
    elsewhere is capped as ``hertz``, named43b), a two-sided point by
    :func:`point_checked_by_blind` unless ``check_points`` is False (``"flagged"``: only where
    blind's bound is flagged ``stiffer_than_gel``). ``auto`` and a named
    ``hertz``/``mdr``/``elastic``/``line`` (``check_bounds=True``, named43) call it."""
    if check_geometry:
        mismatch = given_geometry_mismatch(features, meta=meta, calibration=calibration)
        if mismatch is not None:
            return answer_geometry_mismatch(
                estimate, features, meta=meta, calibration=calibration, mismatch=mismatch
            )
    if estimate.lower_bound_only:
        return checked_by_blind(estimate, features, meta=meta, calibration=calibration, flat=flat)
    if check_points is False:
        return estimate
    return point_checked_by_blind(
        estimate,
        features,
        meta=meta,
        calibration=calibration,
        flagged_only=check_points == "flagged",
        given=True,
    )


def checked_by_blind(
    estimate: ModulusEstimate,
    features: GraspFeatures,
    *,
    meta: GraspMetadata,
    calibration: SensorCalibration,
    flat: bool,
) -> ModulusEstimate:
    """A given-geometry lower bound lowered to what the blind physics allows on the same grasp
    (module docstring); ``flat``: the bound came from ``elastic``. Unchanged when blind cannot
    read the grasp (noted in ``details``)."""
    try:
        blind = BlindEstimator().estimate_features(features, meta=meta, calibration=calibration)
    except TactileError as exc:
        details = dict(estimate.details, blind_check=f"unavailable: {exc.message}")
        return dataclasses.replace(estimate, details=details)
    details = dict(estimate.details, blind_lower_bound_only=blind.lower_bound_only)
    # an interval (it may be open upwards, e.g. an ambiguous contact width), or only a bound;
    # an interval open upwards far above the gel is answered as its lower end (a bound), and
    # caps as that interval did (blind's ``BlindEstimator._open_as_bound``)
    resolves = not blind.lower_bound_only or "open_point_pa" in blind.details
    gel_pa = calibration.gel_modulus_pa or 0.0
    if resolves:
        cap = blind.interval_95_pa[0]
    elif flat:
        cap = blind.modulus_pa
    else:
        # a Hertz or line bound where blind, too, reads only a bound: no higher than blind's
        # bound or the gel's modulus, whichever is higher (the given geometry's "stiffer than
        # the gel" stands; its number above that is not confirmed by a reading that allows
        # densifying foams and the rig)
        cap = max(blind.modulus_pa, gel_pa)
    if not cap < estimate.modulus_pa:
        return dataclasses.replace(estimate, details=details)
    details.update(given_bound_pa=estimate.modulus_pa, blind_cap_pa=cap)
    if resolves:
        why = (
            f"the lower end of its 95 % interval (it resolves the object at "
            f"{blind.details.get('open_point_pa', blind.modulus_pa):.3g} Pa)"
        )
    elif flat:
        why = "its bound (a flat contact's linear bound can lie)"
    elif cap > blind.modulus_pa:
        why = (
            f"no lower than the gel's modulus (its own bound, {blind.modulus_pa:.3g} Pa, allows "
            "a densifying foam; a linear material's bound can lie)"
        )
    else:
        why = "its bound (it allows a densifying foam; a linear material's bound can lie)"
    note = (
        f"bound lowered from {estimate.modulus_pa:.3g} Pa (given geometry) to {cap:.3g} Pa by "
        f"the blind physics: {why}"
    )
    details["note"] = f"{details['note']}; {note}" if details.get("note") else note
    lo68 = max(min(estimate.interval_68_pa[0], blind.interval_68_pa[0]), cap)
    capped = dataclasses.replace(
        estimate,
        modulus_pa=cap,
        interval_68_pa=(lo68, math.inf),
        interval_95_pa=(cap, math.inf),
        details=details,
    )
    return with_bound_flag(capped, calibration.gel_modulus_pa)


def point_checked_by_blind(
    estimate: ModulusEstimate,
    features: GraspFeatures,
    *,
    meta: GraspMetadata,
    calibration: SensorCalibration,
    flagged_only: bool = False,
    given: bool = False,
) -> ModulusEstimate:
    """A given-geometry two-sided point, or blind's answer on the same grasp when blind reads
    only a lower bound (module docstring); ``flagged_only``: only when that bound is flagged
    ``stiffer_than_gel``. Unchanged when blind answers a point (or, ``flagged_only``, a bound
    not so flagged) or cannot read the grasp (noted in ``details``), and when ``estimate`` is
    no given-geometry point (a bound, or blind's own answer, or checked already). ``given``:
    ``estimate`` is a named given-geometry estimator's own answer (it has no
    ``details["auto_chose"]``)."""
    chose = estimate.details.get("auto_chose")
    if (
        estimate.lower_bound_only
        or (not given and chose in (None, "blind"))
        or "blind_lower_bound_only" in estimate.details
        or "blind_check" in estimate.details
    ):
        return estimate
    try:
        blind = BlindEstimator().estimate_features(features, meta=meta, calibration=calibration)
    except TactileError as exc:
        details = dict(estimate.details, blind_check=f"unavailable: {exc.message}")
        return dataclasses.replace(estimate, details=details)
    if not blind.lower_bound_only:
        details = dict(estimate.details, blind_lower_bound_only=False)
        return dataclasses.replace(estimate, details=details)
    if flagged_only and Flag.STIFFER_THAN_GEL not in blind.flags:
        # a weak bound (below the calibration's gel): soft objects near a stiffer rig gel read
        # so too, and the given point answers many of them correctly (given36)
        details = dict(estimate.details, blind_lower_bound_only=True, blind_stiffer_than_gel=False)
        return dataclasses.replace(estimate, details=details)
    note = (
        f"the given geometry's point ({estimate.modulus_pa:.3g} Pa) is not confirmed by the "
        f"blind physics, which resolves no deformation of the object: answered with its "
        f"bound ({blind.modulus_pa:.3g} Pa)"
    )
    return blind_in_place_of_given_point(estimate, blind, note)


def blind_in_place_of_given_point(
    estimate: ModulusEstimate, blind: ModulusEstimate, note: str
) -> ModulusEstimate:
    """Blind's answer ``blind`` on the same grasp in place of the given-geometry point
    ``estimate`` (:func:`point_checked_by_blind`; the hybrid's ``check_given_points="network"``):
    the given point in ``details["given_point_pa"]``, ``details["bound_from"] = "blind"`` when
    blind's answer is a bound, ``note`` appended to blind's note."""
    details = dict(blind.details)
    if "auto_chose" in estimate.details:  # not on a named estimator's own answer
        details["auto_chose"] = estimate.details["auto_chose"]
    if blind.lower_bound_only:
        details["bound_from"] = "blind"
    details.update(
        blind_lower_bound_only=blind.lower_bound_only,
        given_point_pa=estimate.modulus_pa,
        given_interval_95_pa=estimate.interval_95_pa,
    )
    details["note"] = f"{details['note']}; {note}" if details.get("note") else note
    # the shape was given: blind's own "shape assumed" does not describe this answer (review27)
    flags = set(blind.flags) - {Flag.SHAPE_ASSUMED}
    if Flag.SHAPE_ASSUMED in estimate.flags:
        flags.add(Flag.SHAPE_ASSUMED)
    return dataclasses.replace(
        blind, estimator=estimate.estimator, flags=frozenset(flags), details=details
    )


@dataclass(frozen=True)
class MeasuredGeometry:
    """What the grasp itself says of the object's geometry, for :func:`geometry_mismatch`:
    its size along the squeeze and that size's sd (mm; the blind physics' reading,
    :func:`~tactile.estimators.blind.geometry_of` on the signals blind corrects), the widest
    opening (mm, less the rig's width bias) of the gripper before the squeeze, when the
    recording shows the object unloaded there (else None), and the imprint's shape class and
    its evidence (:func:`~tactile.processing.grasp_geometry.classify_imprint`)."""

    size_mm: float
    size_sd_mm: float
    opening_mm: float | None
    shape_class: str
    evidence: str
    pad_fill_early: float | None


def measured_geometry(features: GraspFeatures, calibration: SensorCalibration) -> MeasuredGeometry:
    """The grasp's own geometry (:class:`MeasuredGeometry`), read as the blind estimator reads
    it (the width on the force's clock, the motion's force removed)."""
    from tactile.estimators.blind import corrected_features, geometry_of

    corrected = corrected_features(features, calibration)[1]
    geo = geometry_of(corrected, calibration)
    opening = None
    f = np.asarray(corrected.force_n, dtype=np.float64)
    if f.size and not geo.starts_in_contact and force_rise(f, corrected.width_mm) is not None:
        # the frames before the force first reaches a tenth of its peak: the gripper closing
        # on the object, which sits between the pads unloaded (a larger object would be loaded)
        first = int(np.argmax(f >= 0.1 * float(np.max(f))))
        w = reconstruct_width_mm(corrected.width_mm)
        opening = float(np.max(w[: first + 1])) - calibration.contact_width_bias_mm
    return MeasuredGeometry(
        geo.size_mm, geo.size_sd_mm, opening, geo.shape_class, geo.evidence, geo.pad_fill_early
    )


def given_geometry_mismatch(
    features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
) -> str | None:
    """:func:`geometry_mismatch` of ``meta`` against the grasp's :func:`measured_geometry`;
    None at once where ``meta``'s shape is not checked (nothing is measured)."""
    if (meta.shape or "").strip().lower() not in DIAMETER_SHAPES:
        return None
    return geometry_mismatch(meta, measured_geometry(features, calibration))


def geometry_mismatch(meta: GraspMetadata, measured: MeasuredGeometry) -> str | None:
    """Why the given geometry (``meta.shape``, ``meta.radius_mm``) disagrees with the grasp's
    (``measured``) beyond their uncertainty, or None when it does not (or cannot be checked).

    * a ball or a cylinder on its side (:data:`DIAMETER_SHAPES`) with a radius R: its size
      along the squeeze is 2R. Too small when 2R is below the measured size by more than
      :data:`MISMATCH_SDS` of the size's sd plus :data:`GIVEN_RADIUS_SHARE` of 2R. The size
      reading can be short (a soft object squashed before its force becomes sizeable) or long
      (review54: on a stiff rig whose width reading lags, a rigid 10 mm ball read 15.3 mm,
      about the opening before the squeeze; 68 of 125 checkable correct-label dev grasps read
      long, mostly within the tolerance), so "too small" is not judged where the measured size
      lies within :data:`OPENING_SLACK_SDS` sds of the opening (the reading is then the
      opening's, prior44b). Too large when 2R exceeds by as much the
      gripper's opening before the squeeze, where the object sat between the pads unloaded
      (the measured size is not used so: a soft object reads short, down to a fifth of its
      size on the simulated soft gels). Skipped when the recording starts loaded.
    * a ball or a cylinder on its side whose imprint reads ``flat`` (it covers most of the pad
      at a fifth of the peak force, as a face larger than the pad,
      :func:`~tactile.processing.grasp_geometry.classify_imprint`). The converse (a box or a
      cylinder's end whose imprint reads as a clear ``sphere``) is not checked: on the
      simulated dev files both such imprints were of correctly labelled flat objects (a soft
      box, a foam cylinder's end smaller than the pad).

    An ellipsoid's or an irregular object's radius is its local curvature, unrelated to its
    size, and is not checked; nor is a radius given without a shape."""
    shape = (meta.shape or "").strip().lower()
    notes: list[str] = []
    if shape in DIAMETER_SHAPES and meta.radius_mm is not None and meta.radius_mm > 0:
        diameter = 2.0 * meta.radius_mm
        size = measured.size_mm
        # the given radius's own uncertainty is a share of it, not an sd: added, not pooled
        tol = MISMATCH_SDS * measured.size_sd_mm + GIVEN_RADIUS_SHARE * diameter
        opening = measured.opening_mm
        reads_opening = (
            opening is not None and size >= opening - OPENING_SLACK_SDS * measured.size_sd_mm
        )
        if diameter < size - tol and not reads_opening:
            notes.append(
                f"the given radius {meta.radius_mm:.3g} mm (a {shape} {diameter:.3g} mm across) "
                f"is too small for the size the grasp measures, {size:.3g} ± "
                f"{measured.size_sd_mm:.2g} mm"
            )
        if opening is not None and diameter > opening + tol:
            notes.append(
                f"the given radius {meta.radius_mm:.3g} mm (a {shape} {diameter:.3g} mm "
                f"across) is too large for the gripper's opening before the squeeze, "
                f"{opening:.3g} mm (the grasp measures a size of {size:.3g} ± "
                f"{measured.size_sd_mm:.2g} mm)"
            )
    if shape in DIAMETER_SHAPES and measured.shape_class == "flat":
        notes.append(
            f"the given shape {shape!r} is curved, the imprint is flat: {measured.evidence}"
        )
    return "; ".join(notes) if notes else None


def answer_failed_given(
    exc: TactileError,
    features: GraspFeatures,
    *,
    meta: GraspMetadata,
    calibration: SensorCalibration,
) -> ModulusEstimate:
    """Where the given geometry's estimator failed (``exc``): blind's answer, flagged
    ``geometry_mismatch``, when the grasp contradicts the given geometry
    (:func:`given_geometry_mismatch`), the failure in ``details["given_error"]``; else (or
    where blind fails too) ``exc`` is raised again."""
    mismatch = given_geometry_mismatch(features, meta=meta, calibration=calibration)
    if mismatch is None:
        raise exc
    try:
        blind = BlindEstimator().estimate_features(features, meta=meta, calibration=calibration)
    except TactileError:
        raise exc from None
    return _blind_for_mismatch(blind, meta, mismatch, {"given_error": exc.message})


def _blind_for_mismatch(
    blind: ModulusEstimate, meta: GraspMetadata, mismatch: str, given: dict[str, object]
) -> ModulusEstimate:
    """Blind's answer ``blind`` flagged ``geometry_mismatch``, the given geometry, the reason
    and ``given`` (what the given geometry answered) in ``details``."""
    details = dict(blind.details)
    details.update(
        given,
        geometry_mismatch=mismatch,
        given_geometry={"shape": meta.shape, "radius_mm": meta.radius_mm},
        blind_lower_bound_only=blind.lower_bound_only,
    )
    note = f"given geometry set aside: {mismatch}"
    details["note"] = f"{details['note']}; {note}" if details.get("note") else note
    flags = frozenset(blind.flags | {Flag.GEOMETRY_MISMATCH})
    return dataclasses.replace(blind, flags=flags, details=details)


def answer_geometry_mismatch(
    estimate: ModulusEstimate,
    features: GraspFeatures,
    *,
    meta: GraspMetadata,
    calibration: SensorCalibration,
    mismatch: str,
) -> ModulusEstimate:
    """The answer where the given geometry disagrees with the grasp's (:func:`geometry_mismatch`):
    the blind physics' answer on the same features (it rests on the grasp alone), flagged
    :attr:`~tactile.types.Flag.GEOMETRY_MISMATCH`, the given geometry's answer in
    ``details["given_point_pa"]`` / ``["given_interval_95_pa"]``, the reason in
    ``details["geometry_mismatch"]`` and the note. Where blind cannot read the grasp, the given
    answer, flagged and noted so."""
    given = {"shape": meta.shape, "radius_mm": meta.radius_mm}
    try:
        blind = BlindEstimator().estimate_features(features, meta=meta, calibration=calibration)
    except TactileError as exc:
        details = dict(
            estimate.details, geometry_mismatch=mismatch, given_geometry=given,
            blind_check=f"unavailable: {exc.message}",
        )  # fmt: skip
        why = f"the given geometry disagrees with the grasp: {mismatch} (blind unavailable)"
        details["note"] = f"{details['note']}; {why}" if details.get("note") else why
        flags = frozenset(estimate.flags | {Flag.GEOMETRY_MISMATCH})
        return dataclasses.replace(estimate, flags=flags, details=details)
    answered: dict[str, object] = {
        "given_point_pa": estimate.modulus_pa,
        "given_interval_95_pa": estimate.interval_95_pa,
        "given_lower_bound_only": estimate.lower_bound_only,
    }
    if "auto_chose" in estimate.details:
        answered["auto_chose"] = estimate.details["auto_chose"]
    out = _blind_for_mismatch(blind, meta, mismatch, answered)
    return dataclasses.replace(out, estimator=estimate.estimator)
