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
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.blind import BlindEstimator
from tactile.estimators.elastic import ElasticEstimator
from tactile.estimators.hertz import HertzEstimator
from tactile.estimators.line import LineContactEstimator
from tactile.estimators.loading import FLAT_SHAPES
from tactile.estimators.mdr import MDREstimator
from tactile.sensor import SensorCalibration
from tactile.types import Flag, GraspFeatures, GraspMetadata, ModulusEstimate

SPHERICAL_SHAPES = frozenset({"sphere", "ellipsoid", "ball", "spherical"})
LINE_SHAPES = frozenset({"cylinder", "cylinder_side", "rod", "tube"})


def choose_estimator(meta: GraspMetadata) -> AnalyticalEstimator:
    """The analytical estimator ``auto`` uses for an object described by ``meta``."""
    shape = (meta.shape or "").strip().lower()
    if not shape and meta.radius_mm is None:
        return BlindEstimator()
    if shape in SPHERICAL_SHAPES or (not shape and meta.radius_mm is not None):
        return HertzEstimator()
    if shape in FLAT_SHAPES:
        return ElasticEstimator()
    if shape in LINE_SHAPES and meta.radius_mm is not None:
        return LineContactEstimator()
    return MDREstimator()


@dataclass(frozen=True)
class AutoEstimator(AnalyticalEstimator):
    """Dispatch on shape (see the module docstring)."""

    name: str = "auto"

    def image_frames(self, meta: GraspMetadata) -> int | None:
        return choose_estimator(meta).image_frames(meta)

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        inner = choose_estimator(meta)
        est = inner.estimate_features(features, meta=meta, calibration=calibration)
        flags = set(est.flags)
        if not meta.shape and meta.radius_mm is None:
            flags.add(Flag.SHAPE_ASSUMED)
        details = dict(est.details, auto_chose=inner.name)
        return dataclasses.replace(
            est, estimator=self.name, flags=frozenset(flags), details=details
        )
