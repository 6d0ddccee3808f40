"""What every estimator offers, and the plumbing shared by the analytical ones."""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Literal, Protocol, runtime_checkable

from tactile.errors import EstimatorError, TactileError
from tactile.sensor import SensorCalibration, resolve_calibration
from tactile.types import Grasp, GraspFeatures, GraspMetadata, ModulusEstimate, with_force_zero

if TYPE_CHECKING:
    from tactile.io import GraspReader


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


@runtime_checkable
class StoredGraspEstimator(Estimator, Protocol):
    """An estimator that reads a stored grasp itself, decoding only what it needs (the network:
    the frames its inputs were trained on). ``meta`` replaces the stored metadata (e.g.
    completed from a label table)."""

    def estimate_stored(
        self,
        reader: GraspReader,
        grasp_id: str,
        calibration: SensorCalibration | str | None = None,
        meta: GraspMetadata | None = None,
    ) -> ModulusEstimate: ...


class _HasFrameShape(Protocol):
    @property
    def frame_shape(self) -> tuple[int, int]: ...


def with_pad_area(calibration: SensorCalibration, grasp: _HasFrameShape) -> SensorCalibration:
    """``calibration`` with ``pad_area_mm2`` from the frames when nothing else says it.

    Without a perspective warp the frames show the pad itself (as the simulator renders it), so
    the pad's area is the frame's area in mm². A calibration with a warp, or with the entry set,
    is returned unchanged.
    """
    if calibration.warp_size_px is not None or calibration.pad_area_mm2 is not None:
        return calibration
    h_px, w_px = grasp.frame_shape
    pad = h_px * w_px * calibration.px_area_mm2
    return dataclasses.replace(calibration, pad_area_mm2=pad)


def compute_features(grasp: Grasp, calibration: SensorCalibration) -> GraspFeatures:
    """Features of ``grasp`` from the processing stage (imported lazily)."""
    from tactile.processing import extract_features

    return extract_features(grasp, calibration=calibration)


def has_given_geometry(meta: GraspMetadata) -> bool:
    """Whether ``meta`` gives the object's shape or radius (a given-geometry estimator may
    answer it; :func:`refuse_without_geometry`)."""
    return bool((meta.shape or "").strip()) or meta.radius_mm is not None


def refuse_without_geometry(name: str, features: GraspFeatures, meta: GraspMetadata) -> None:
    """Refuse a given-geometry estimator (``hertz``, ``mdr``, ``elastic``, ``line``) on a grasp
    whose metadata holds neither a shape nor a radius (a new object, ``--protocol blind``).

    Its answer would rest on a geometry nobody gave (a sphere, a flat block, a measured profile
    read with a calibrated gel), and its lower bounds were false with no ``shape_assumed`` flag
    (named42: the 93.6 kPa ``green_ball_softer`` read "> 392 kPa" by ``hertz``); ``auto`` reads
    such a grasp with ``blind``, which models the geometry from the grasp itself. The network's
    analytical input (``estimator_without_point_check``) builds these estimators with
    ``require_geometry=False`` and reads such grasps as before. docs/estimators.md.
    """
    if has_given_geometry(meta):
        return
    # short: it is a cell of `tactile estimate`'s table, once per grasp (cli43)
    raise EstimatorError(
        f"{name} refuses grasp {features.grasp_id!r}: no shape or radius (new object, or "
        "--protocol blind); it would assume one",
        hint="--estimator auto reads the grasp; or give it: --labels with --protocol given, "
        "or meta.shape",
    )


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
        return with_force_zero(
            self.estimate_features(feats, meta=grasp.meta, calibration=cal), feats
        )

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


#: a named given-geometry estimator's ``check_points`` default (named43; docs/estimators.md)
CHECK_POINTS_DEFAULT: bool | Literal["flagged"] = "flagged"


class GivenGeometryEstimator(AnalyticalEstimator):
    """An estimator that rests on the object's given shape or radius (``hertz``, ``mdr``,
    ``elastic``, ``line``): it refuses a grasp without them (``require_geometry``,
    :func:`refuse_without_geometry`), and with ``check_bounds`` (the default) its answer is
    checked by the blind physics on the same features as ``auto`` checks it
    (:func:`~tactile.estimators.auto.check_given_geometry`, named43): a lower bound is lowered
    to what blind allows, and with ``check_points`` a two-sided point gives way to blind's
    flagged bound. Subclasses implement :meth:`estimate_given` (and :meth:`given_image_frames`)
    and declare the three options as dataclass fields. ``check_bounds=False`` answers as before
    the check: ``auto`` builds its inner estimator so (it checks itself), and so do the paths
    that must not move (the network's analytical input, the hybrid's physics, ``tactile
    calibrate gel``: :func:`~tactile.estimators.auto.estimator_without_point_check`)."""

    require_geometry: bool
    check_bounds: bool
    check_points: bool | Literal["flagged"]
    #: its bound assumes a linear block and the detected contact area (``elastic``): on a flat
    #: shape (``loading.FLAT_SHAPES``) blind's own bound caps it
    #: (:func:`~tactile.estimators.auto.checked_by_blind`'s ``flat``), as ``auto``'s
    flat_contact: ClassVar[bool] = False

    def __post_init__(self) -> None:
        from tactile.estimators.auto import check_point_option

        check_point_option("check_points", self.check_points)

    def given_image_frames(self, meta: GraspMetadata) -> int | None:
        """:meth:`AnalyticalEstimator.image_frames` of the estimator itself (unchecked)."""
        return None

    def image_frames(self, meta: GraspMetadata) -> int | None:
        """Its own frames; checked, at least blind's, as ``auto`` decodes them
        (:meth:`~tactile.estimators.auto.AutoEstimator.image_frames`): blind reads the same
        features, and on the peak frame alone it cannot judge the imprint."""
        needed = self.given_image_frames(meta)
        if not self.check_bounds or needed is None:
            return needed
        from tactile.estimators.blind import BlindEstimator

        return max(needed, BlindEstimator().image_frames(meta) or needed)

    @abstractmethod
    def estimate_given(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        """The estimate from the given geometry alone (unchecked)."""

    def estimate_features(
        self, features: GraspFeatures, *, meta: GraspMetadata, calibration: SensorCalibration
    ) -> ModulusEstimate:
        from tactile.estimators.auto import answer_failed_given, check_given_geometry

        try:
            est = self.estimate_given(features, meta=meta, calibration=calibration)
        except TactileError as exc:
            # a mistyped radius can make the model fail; where the grasp contradicts the
            # given geometry, blind answers, flagged (prior44)
            if not self.check_bounds:
                raise
            answered = answer_failed_given(exc, features, meta=meta, calibration=calibration)
            return dataclasses.replace(answered, estimator=self.name)
        if not self.check_bounds:
            return est
        from tactile.estimators.loading import FLAT_SHAPES

        # blind's own bound caps a flat contact's bound only on a flat shape, as auto's (which
        # names elastic only there); elastic named on a sphere, an ellipsoid or a cylinder's
        # side is capped as hertz (blind's bound or the gel, whichever is higher), so a rigid
        # object keeps its stiffer_than_gel (named43b)
        flat = self.flat_contact and (meta.shape or "").strip().lower() in FLAT_SHAPES
        return check_given_geometry(
            est,
            features,
            meta=meta,
            calibration=calibration,
            flat=flat,
            check_points=self.check_points,
        )
