"""Fit the gel's effective modulus in closed form from a stiff reference object of known E.

The complement of :func:`tactile.calibration.gel_fit.fit_gel_modulus` (a grid search that
matches estimates of objects softer than the gel to their labels): here the object should be
*stiffer* than the gel, so that the measured compliance is mostly the gel's.

Each grasp's Hertz fit measures the total compliance ``1/E* = c_o + f·c_g`` (f: the thin-layer
factor, 1 for a half-space gel). With the object's E known, ``c_g = (1/E* − c_o)/f`` and
``E_g = (1 − ν_g²)/c_g``. Only objects that leave most of the compliance to the gel inform it
(object share ``c_o·E* ≤ max_object_share``, default 0.5): for a soft object a small error in E*
becomes a large error in ``c_g``. A rigid reference ball (a golf ball, a steel bearing ball) is
the ideal target. The result is an *effective* modulus: it absorbs whatever else deforms in
series with the object in the same way (finger mounts, the gel's backing), which is what the
estimators need. Its log10 standard deviation (the spread over grasps / √n, never below
``min_log10_sd``) becomes ``SensorCalibration.gel_modulus_log10_sd``.

Never fit the gel on the objects you then evaluate: that is calibrating on the evaluation labels.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from tactile.calibration import SensorCalibration
from tactile.errors import CalibrationError, TactileError
from tactile.estimators.hertz import HertzEstimator
from tactile.types import GraspFeatures, GraspMetadata


@dataclass(frozen=True)
class ReferenceGelFit:
    """The fitted gel modulus and the grasps it came from."""

    gel_modulus_pa: float
    gel_modulus_log10_sd: float
    per_grasp_pa: tuple[float, ...]
    grasp_ids: tuple[str, ...]
    skipped: tuple[str, ...] = ()

    def apply(self, calibration: SensorCalibration, calibration_id: str) -> SensorCalibration:
        """``calibration`` with this gel modulus, under a new id (calibrations are versioned)."""
        note = (
            f"gel modulus fitted on {len(self.grasp_ids)} grasps of known E "
            f"({self.gel_modulus_pa:.3g} Pa, ±{self.gel_modulus_log10_sd:.2f} dex)"
        )
        return dataclasses.replace(
            calibration,
            calibration_id=calibration_id,
            gel_modulus_pa=self.gel_modulus_pa,
            gel_modulus_log10_sd=self.gel_modulus_log10_sd,
            notes=(calibration.notes + " " + note).strip(),
        )


def fit_gel_from_reference(
    samples: Iterable[tuple[GraspFeatures, GraspMetadata]],
    calibration: SensorCalibration,
    *,
    estimator: HertzEstimator | None = None,
    max_object_share: float = 0.5,
    min_log10_sd: float = 0.05,
) -> ReferenceGelFit:
    """Fit the gel's effective modulus from (features, metadata with label) pairs."""
    est = estimator or HertzEstimator()
    values: list[float] = []
    used: list[str] = []
    skipped: list[str] = []
    c_g_nominal = calibration.gel_reduced_compliance_per_pa
    for feats, meta in samples:
        if meta.label_modulus_pa is None:
            skipped.append(f"{feats.grasp_id}: no label")
            continue
        try:
            fit = est.estimate_features(feats, meta=meta, calibration=calibration)
        except TactileError as exc:
            skipped.append(f"{feats.grasp_id}: {exc.message}")
            continue
        e_star = float(fit.details["e_star_pa"])
        factor = float(fit.details.get("gel_compliance_factor", 1.0))
        c_obj = (1.0 - est.object_poisson**2) / meta.label_modulus_pa
        if c_obj * e_star > max_object_share:
            skipped.append(f"{feats.grasp_id}: object too soft to inform the gel")
            continue
        c_gel = (1.0 / e_star - c_obj) / factor
        values.append(calibration.gel_modulus_pa * c_g_nominal / c_gel)
        used.append(feats.grasp_id)
    if not values:
        raise CalibrationError(
            "no grasp could inform the gel modulus (" + "; ".join(skipped[:3]) + ")",
            hint="press an object much stiffer than the gel (e.g. a steel or golf ball) whose "
            "radius and modulus are in its metadata",
        )
    logs = np.log10(values)
    sd = float(np.std(logs, ddof=1) / math.sqrt(logs.size)) if logs.size > 1 else 0.0
    return ReferenceGelFit(
        gel_modulus_pa=float(10 ** np.median(logs)),
        gel_modulus_log10_sd=max(sd, min_log10_sd),
        per_grasp_pa=tuple(float(v) for v in values),
        grasp_ids=tuple(used),
        skipped=tuple(skipped),
    )
