"""A measured gel: ``tactile calibrate gel-measured``.

The other gel steps *fit* the gel on grasps (labelled objects, or a rigid ball at the hold);
this one writes the gel a user has **measured** off the sensor: the modulus of a coupon cast
from the same batch as the pad (an indentation or compression test, docs/calibration.md,
"`tactile calibrate gel-measured`") and the pad's thickness (calipers). The gel law is the
reference's (half-space Hertz, Poisson 0.48, bottoming at ``max_strain`` of the thickness, the
simulator's law); the coupon's relative uncertainty becomes
``gel_modulus_log10_sd = log10(1 + rel_sd)``.
The calibration says where its gel comes from (``gel_source = "measured"``) and keeps the
inputs in ``provenance["gel_measured"]``; every other field is the base's.

Why it matters (benchmarks/results/calcon35_study.md, simulated randomised rigs only): on a
measured gel ``tactile calibrate rig`` counts the rig from the read touch (Fix A,
:mod:`tactile.processing.rig_fit`) and fits the rig compliance to about 0.01 mm/N (median)
where today's fit on the reference gel is 0.14 mm/N off, and blind's rigid objects answered
with a point drop from 14 to 5 of 313, with no false bound (no gain below the limit). So the
base's rig fit, made with the base's gel, is stale here: run ``tactile calibrate rig`` on the
new calibration.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from tactile.errors import CalibrationError
from tactile.sensor import SensorCalibration

#: Pad thicknesses (mm) taken as plausible for a GelSight-style gel: outside, the number is
#: most likely in the wrong unit (cm, µm) or not the gel's.
THICKNESS_RANGE_MM = (0.5, 10.0)
#: Coupon moduli (Pa) taken as plausible for a sensor gel (tens of kPa to a few MPa): outside,
#: most likely kPa or MPa typed as Pa.
MODULUS_RANGE_PA = (1.0e4, 1.0e8)
#: Defaults: a coupon's modulus to ±15 % (calcon35's error model), the reference gel's Poisson
#: ratio and the bottoming strain the reference law assumes (the simulated rigs draw 0.80–0.95).
DEFAULT_COUPON_REL_SD = 0.15
DEFAULT_POISSON = 0.48
DEFAULT_MAX_STRAIN = 0.9
GEL_SOURCE_MEASURED = "measured"


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_inputs(
    thickness_mm: float,
    coupon_modulus_pa: float,
    coupon_rel_sd: float,
    poisson: float,
    max_strain: float,
) -> None:
    lo_h, hi_h = THICKNESS_RANGE_MM
    if not (_finite(thickness_mm) and lo_h <= thickness_mm <= hi_h):
        raise CalibrationError(
            f"gel thickness {thickness_mm!r} mm is not a number in {lo_h:g}-{hi_h:g} mm",
            hint="measure the pad's gel layer with calipers and give it in mm (--thickness-mm 3.0)",
        )
    lo_e, hi_e = MODULUS_RANGE_PA
    if not (_finite(coupon_modulus_pa) and coupon_modulus_pa > 0):
        raise CalibrationError(
            f"coupon modulus {coupon_modulus_pa!r} Pa must be a positive number",
            hint="give the coupon's Young's modulus in Pa (--coupon-modulus-pa 2.5e5)",
        )
    if not lo_e <= coupon_modulus_pa <= hi_e:
        raise CalibrationError(
            f"coupon modulus {coupon_modulus_pa:g} Pa is outside {lo_e:g}-{hi_e:g} Pa, "
            "implausible for a sensor gel",
            hint="give it in Pa, not kPa or MPa: 250 kPa is --coupon-modulus-pa 2.5e5",
        )
    if not (_finite(coupon_rel_sd) and 0.0 < coupon_rel_sd <= 1.0):
        raise CalibrationError(
            f"coupon relative sd {coupon_rel_sd!r} must be in (0, 1]",
            hint="give the coupon test's relative uncertainty, e.g. --coupon-rel-sd 0.15 for ±15 %",
        )
    if not (_finite(poisson) and 0.0 <= poisson < 0.5):
        raise CalibrationError(
            f"gel Poisson ratio {poisson!r} must be in [0, 0.5)",
            hint="silicone gels are nearly incompressible: keep the default 0.48",
        )
    if not (_finite(max_strain) and 0.0 < max_strain <= 1.0):
        raise CalibrationError(
            f"gel bottoming strain {max_strain!r} must be in (0, 1]",
            hint="the share of the thickness at which the gel bottoms out: keep the default 0.9",
        )


#: Where a later gel fit moves the measurement (kept for the record: it no longer describes the
#: gel the calibration uses).
SUPERSEDED_KEY = "gel_measured_superseded"


def provenance_after_gel_fit(provenance: dict[str, Any]) -> dict[str, Any]:
    """``provenance`` for a gel fitted on top of a measured one (``tactile calibrate gel``, with
    or without a rigid sphere, or :func:`fit_gel_from_reference`): the measurement's record
    moves from ``"gel_measured"`` to :data:`SUPERSEDED_KEY`, so the calibration no longer reads
    as carrying a measured gel. A provenance without a measurement comes back as an equal copy."""
    out = dict(provenance)
    if "gel_measured" in out:
        out[SUPERSEDED_KEY] = out.pop("gel_measured")
    return out


def measured_gel_calibration(
    base: SensorCalibration,
    *,
    calibration_id: str,
    thickness_mm: float,
    coupon_modulus_pa: float,
    coupon_rel_sd: float = DEFAULT_COUPON_REL_SD,
    poisson: float = DEFAULT_POISSON,
    max_strain: float = DEFAULT_MAX_STRAIN,
) -> SensorCalibration:
    """``base`` with the measured gel (see the module doc) under ``calibration_id``.

    Raises :class:`~tactile.errors.CalibrationError` (with a hint naming the fix) for a
    thickness outside :data:`THICKNESS_RANGE_MM`, a modulus that is not positive or outside
    :data:`MODULUS_RANGE_PA`, a relative sd outside (0, 1], a Poisson ratio outside [0, 0.5), a
    bottoming strain outside (0, 1], NaN anywhere, or an empty id or the base's own.
    """
    _check_inputs(thickness_mm, coupon_modulus_pa, coupon_rel_sd, poisson, max_strain)
    if not calibration_id or calibration_id == base.calibration_id:
        why = (
            f", not its base's {calibration_id!r}: that would change what grasps naming the base "
            "mean"
            if calibration_id
            else ""
        )
        raise CalibrationError(
            f"a measured gel needs a new calibration id{why}",
            hint="name it with --id (e.g. my-wedge-measured-v1)",
        )
    record = {
        "base": base.calibration_id,
        "coupon_modulus_pa": float(coupon_modulus_pa),
        "coupon_rel_sd": float(coupon_rel_sd),
        "thickness_mm": float(thickness_mm),
        "poisson": float(poisson),
        "max_strain": float(max_strain),
        "max_strain_assumed": True,
        "law": "half-space Hertz, bottoming at max_strain x thickness (the reference's law)",
        "base_gel": {
            "gel_model": base.gel_model,
            "gel_modulus_pa": base.gel_modulus_pa,
            "gel_thickness_mm": base.gel_thickness_mm,
            "gel_max_strain": base.gel_max_strain,
        },
    }
    notes = (
        f"{base.calibration_id} with the gel measured by `tactile calibrate gel-measured` "
        f"(coupon {coupon_modulus_pa:.4g} Pa ±{100 * coupon_rel_sd:.0f} %, thickness "
        f"{thickness_mm:g} mm); fit the rig on it with `tactile calibrate rig`"
    )
    return replace(
        base,
        calibration_id=calibration_id,
        gel_model="half-space",
        gel_modulus_pa=float(coupon_modulus_pa),
        gel_poisson=float(poisson),
        gel_thickness_mm=float(thickness_mm),
        gel_max_strain=float(max_strain),
        gel_modulus_log10_sd=round(math.log10(1.0 + coupon_rel_sd), 4),
        gel_source=GEL_SOURCE_MEASURED,
        notes=notes,
        provenance={**base.provenance, "gel_measured": record},
    )
