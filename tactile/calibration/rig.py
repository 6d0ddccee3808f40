"""``tactile calibrate rig``: the rig's series compliance and contact-width bias, recorded.

The fit itself (:func:`tactile.processing.rig_fit.fit_rig`) is a pure function of the presses'
force and width, in ``processing`` so the simulator calibrates its randomised rigs with the very
same code; this is the user's procedure around it: the pad area of a flat reference comes from
the calibration, and the result is written into a copy of that calibration.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from tactile.errors import CalibrationError
from tactile.processing.rig_fit import (
    MAX_RIGID_PRESS_COMPLIANCE_MM_PER_N,
    RigFit,
    compliance_warnings,
    fit_rig,
    not_rigid_reason,
)
from tactile.sensor import SensorCalibration
from tactile.types import Grasp


def calibrate_rig(
    presses: Sequence[Grasp],
    calibration: SensorCalibration,
    *,
    size_mm: float,
    shape: str = "sphere",
    calibration_id: str | None = None,
    max_press_compliance_mm_per_n: float = MAX_RIGID_PRESS_COMPLIANCE_MM_PER_N,
) -> tuple[SensorCalibration, RigFit]:
    """``calibration`` with the rig fitted on presses of a rigid object, and the fit itself.

    ``size_mm``: the rigid object's size along the squeeze (a ball's diameter); ``shape``:
    ``sphere`` or ``flat`` (a block whose face covers the pad: its area is the calibration's
    pad area). Only force and width are read. The new calibration takes ``calibration_id``
    (default: the same id; under a new id its notes say what it was made from, not the base's
    notes about the base's own fits) and keeps the fit's evidence in
    ``provenance["rig_fit"]``; the
    :class:`~tactile.processing.rig_fit.RigFit` holds each press and the rejected ones.

    A press whose own compliance is above ``max_press_compliance_mm_per_n``
    (:func:`~tactile.processing.rig_fit.not_rigid_reason`: the object deformed, or the fingers
    are this compliant) is left out and listed with its reason in ``fit.not_rigid``; when none
    is left the calibration is refused. Presses above
    :data:`~tactile.processing.rig_fit.COMPLIANT_PRESS_WARNING_MM_PER_N`, and a fit far above
    the base's own rig compliance, are warned about in ``fit.warnings``
    (:func:`~tactile.processing.rig_fit.compliance_warnings`).
    """
    from tactile.estimators.elastic import pad_area_mm2

    area = pad_area_mm2(calibration)
    limit = max_press_compliance_mm_per_n
    fit = fit_rig(presses, calibration, size_mm=size_mm, shape=shape, pad_area_mm2=area)
    reasons = [(p.grasp_id, not_rigid_reason(p, limit)) for p in fit.presses]
    not_rigid = tuple((g, r) for g, r in reasons if r is not None)
    if not_rigid:
        if len(not_rigid) == len(presses):
            raise CalibrationError(
                f"none of the {len(presses)} presses reads rigid on a rig up to {limit:g} mm/N: "
                + "; ".join(f"{g}: {r}" for g, r in not_rigid),
                hint="press a rigid reference (a golf ball, a steel ball or block) of the size "
                "given in --rigid-size-mm, never a soft object; if the gel closed more than the "
                "base calibration says, fit a stiffer gel first (`tactile calibrate gel "
                "--rigid-sphere-radius-mm`); if the fingers are this compliant, raise "
                "--max-press-compliance MM_PER_N",
            )
        bad = {g for g, _ in not_rigid}
        rigid = [p for p in presses if p.grasp_id not in bad]
        fit = fit_rig(rigid, calibration, size_mm=size_mm, shape=shape, pad_area_mm2=area)
        fit = replace(fit, not_rigid=not_rigid)
    warned = compliance_warnings(fit, calibration)
    if warned:
        fit = replace(fit, warnings=fit.warnings + warned)
    new_id = calibration_id or calibration.calibration_id
    fitted = fit.apply(calibration, new_id)
    if new_id != calibration.calibration_id:
        # the base's notes describe the base's own fits, not this one
        kept = len(fit.presses) - len(fit.rejected)  # the not-rigid ones are not in presses
        fitted = replace(
            fitted,
            notes=(
                f"{calibration.calibration_id} with the rig fitted by `tactile calibrate rig` on "
                f"{kept} presses of a rigid {shape} of {size_mm:g} mm"
                + (f" ({len(fit.rejected)} rejected)" if fit.rejected else "")
                + (f" ({len(fit.not_rigid)} not rigid, left out)" if fit.not_rigid else "")
            ),
        )
    return fitted, fit
