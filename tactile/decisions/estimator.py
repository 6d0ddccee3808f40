"""The estimator the sorter uses on produce: Hertz's stiffness route, radius from the grasp.

A fruit on a tray arrives with nothing but its grasp. It is near-spherical, so the sorter says
``shape = "sphere"`` (a prior, flagged ``shape_assumed``) and reads the radius of curvature from
the gripper width where the force starts to rise
(:func:`~tactile.estimators.hertz.onset_radius_mm`, about ±2 mm of diameter). Hertz's
**stiffness route** then needs only √R (±3 % on a 60 mm fruit) and the slope of ``F^{2/3}`` on
the closure, whose free intercept absorbs the contact timing. The default ``auto`` estimator
would take the force-controlled hold instead, which needs the absolute width at first contact
(2R): ±2 mm of it against 1-2 mm of approach on a fruit squeezed to 10 N widens the 95 %
interval to about two decades (measured on simulated tomatoes; docs/sorting.md). Everything else
(loading frames, fit, gel separation, flags) is the offline Hertz estimator itself.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from tactile.errors import EstimatorError
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.hertz import (
    MIN_CLOSURE_MM,
    MIN_ROUTE_FRAMES,
    HertzEstimator,
    onset_radius_mm,
)
from tactile.estimators.loading import loading_curve
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate


@dataclass(frozen=True)
class ProduceEstimator(AnalyticalEstimator):
    """Hertz (stiffness route) on a near-spherical fruit whose radius comes from the grasp."""

    name: str = "produce"
    seed: int = 0

    def image_frames(self, meta: GraspMetadata) -> int | None:
        return 1  # force and width only; the peak frame for the image flags

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        offset = calibration.width_offset_mm + calibration.onset_width_bias_mm
        radius = meta.radius_mm
        source = "metadata"
        if radius is None:
            radius = onset_radius_mm(features, offset)
            source = "width at force onset"
        curve = loading_curve(features)
        if int(np.count_nonzero(curve.closure_mm > MIN_CLOSURE_MM)) < MIN_ROUTE_FRAMES:
            raise EstimatorError(
                f"grasp {features.grasp_id!r}: fewer than {MIN_ROUTE_FRAMES} loading frames with "
                "a resolved gripper closure",
                hint="squeeze further, or record the gripper width",
            )
        sphere = dataclasses.replace(meta, shape="sphere", radius_mm=radius)
        est = HertzEstimator(
            route="stiffness", seed=self.seed, check_bounds=False
        ).estimate_features(features, meta=sphere, calibration=calibration)
        flags = set(est.flags)
        if source != "metadata":
            flags.add(Flag.SHAPE_ASSUMED)
        details = dict(est.details, radius_source=source)
        return dataclasses.replace(
            est, estimator=self.name, flags=frozenset(flags), details=details
        )
