"""What every estimator offers, and the plumbing shared by the analytical ones."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import Protocol, runtime_checkable

from tactile.calibration import SensorCalibration, get_calibration
from tactile.errors import CalibrationError
from tactile.types import Grasp, GraspFeatures, GraspMetadata, ModulusEstimate


@runtime_checkable
class Estimator(Protocol):
    """Anything that turns one grasp into a :class:`ModulusEstimate`.

    ``features`` may be passed when already computed (else the estimator extracts them);
    ``calibration`` overrides the grasp's own ``meta.calibration_id``.
    """

    name: str

    def estimate(
        self,
        grasp: Grasp,
        features: GraspFeatures | None = None,
        calibration: SensorCalibration | str | None = None,
    ) -> ModulusEstimate: ...


class _HasFrameShape(Protocol):
    @property
    def frame_shape(self) -> tuple[int, int]: ...


def resolve_calibration(
    meta: GraspMetadata, calibration: SensorCalibration | str | None = None
) -> SensorCalibration:
    """The calibration to use: the one given (object, id or path), else the grasp's own id.

    Never a silent default: a grasp without ``calibration_id`` and no calibration given raises,
    because the gel modulus sets the whole stiff end of the scale.
    """
    if isinstance(calibration, SensorCalibration):
        return calibration
    if calibration is not None:
        return get_calibration(calibration)
    if meta.calibration_id:
        return get_calibration(meta.calibration_id)
    raise CalibrationError(
        f"object {meta.object_id!r}: the grasp names no sensor calibration",
        hint="pass one, e.g. --calibration wedge-reference-v1 (or sim-wedge-v1 for simulated data)",
    )


def with_pad_area(calibration: SensorCalibration, grasp: _HasFrameShape) -> SensorCalibration:
    """``calibration`` with ``extra["pad_area_mm2"]`` from the frames when nothing else says it.

    Without a perspective warp the frames show the pad itself (as the simulator renders it), so
    the pad's area is the frame's area in mm². A calibration with a warp, or with the entry set,
    is returned unchanged.
    """
    if calibration.warp_size_px is not None or "pad_area_mm2" in calibration.extra:
        return calibration
    h_px, w_px = grasp.frame_shape
    pad = h_px * w_px * calibration.px_area_mm2
    return dataclasses.replace(calibration, extra={**calibration.extra, "pad_area_mm2": pad})


def compute_features(grasp: Grasp, calibration: SensorCalibration) -> GraspFeatures:
    """Features of ``grasp`` from the processing stage (imported lazily)."""
    from tactile.processing import extract_features

    return extract_features(grasp, calibration=calibration)


class AnalyticalEstimator(ABC):
    """An estimator that needs only features, metadata and the sensor calibration."""

    name: str = "analytical"

    def estimate(
        self,
        grasp: Grasp,
        features: GraspFeatures | None = None,
        calibration: SensorCalibration | str | None = None,
    ) -> ModulusEstimate:
        cal = with_pad_area(resolve_calibration(grasp.meta, calibration), grasp)
        feats = features if features is not None else compute_features(grasp, cal)
        return self.estimate_features(feats, meta=grasp.meta, calibration=cal)

    def image_frames(self, meta: GraspMetadata) -> int | None:
        """How many loading-phase images this estimator needs measured for ``meta``: None for
        as many as the caller affords; a small number when its result does not depend on the
        contact area (the images then only feed flags and ``details``)."""
        return None

    @abstractmethod
    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        """Estimate from already extracted features (pure: no I/O, no image work)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"
