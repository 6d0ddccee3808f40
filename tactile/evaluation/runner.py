"""Estimate every grasp of a dataset, one failure never stopping the others.

A dataset is whatever :mod:`tactile.io.sources` reads at a path: a grasp store (read partially
where the estimator allows) or reference recordings (read whole through the importer). A label
table fills what a grasp's metadata lacks (label, shape, radius); labels already in the metadata
win.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactile.errors import GraspNotFoundError, StoreError, TactileError
from tactile.estimators import AnalyticalEstimator, Estimator, get_estimator
from tactile.estimators.base import StoredGraspEstimator
from tactile.evaluation.protocol import apply_protocol
from tactile.evaluation.simulated import has_simulation_truth
from tactile.io.sources import GraspLoad, is_reference_layout, iter_grasps
from tactile.io.sources import label_meta as _label_meta
from tactile.sensor import SensorCalibration
from tactile.types import (
    GraspFeatures,
    GraspMetadata,
    ModulusEstimate,
    with_force_zero,
    with_recording_flags,
)

if TYPE_CHECKING:
    from tactile.io import GraspReader
    from tactile.io.labels import LabelRow


@dataclass(frozen=True)
class GraspResult:
    """The outcome for one grasp: an estimate, or the reason there is none."""

    grasp_id: str
    object_id: str
    label_pa: float | None
    estimate: ModulusEstimate | None
    error: str | None = None
    seconds: float = 0.0
    #: the grasp's recorded metadata when it carries simulation truth (a simulated rig's true
    #: gel, :mod:`tactile.evaluation.simulated`), else None; never part of ``to_json``
    simulation_meta: GraspMetadata | None = None
    #: the object geometry the estimator was given (:func:`given_geometry`: the file's or the
    #: label table's shape and radius, none under the blind protocol); None when it was given
    #: none (it read the geometry from the grasp, or assumed one) or the grasp could not be read
    given_geometry: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.estimate is not None

    def to_json(self) -> dict[str, Any]:
        """The ``tactile estimate --json`` object of this grasp."""
        out: dict[str, Any] = {"grasp_id": self.grasp_id, "object_id": self.object_id}
        if self.estimate is not None:
            d = self.estimate.to_dict()
            out.update(
                modulus_pa=d["modulus_pa"],
                interval_68_pa=d["interval_68_pa"],
                interval_95_pa=d["interval_95_pa"],
                lower_bound_only=d["lower_bound_only"],
                flags=d["flags"],
                estimator=d["estimator"],
            )
        else:
            out.update(
                modulus_pa=None,
                interval_68_pa=None,
                interval_95_pa=None,
                lower_bound_only=None,
                flags=[],
                estimator=None,
            )
        out["label_modulus_pa"] = self.label_pa
        out["given_geometry"] = self.given_geometry
        out["error"] = self.error
        if self.estimate is not None:
            out["details"] = self.estimate.details
        return out


#: Loading-phase frames an analytical estimate from a grasp file decodes (plus the reference
#: candidates): a gzip-compressed 640x480 frame costs 1-5 ms to read, the Hertz hold and
#: stiffness routes need no image at all, and areas between the measured frames are
#: interpolated. On the 15 reference grasps the estimates stay within 0.03 dex of measuring
#: every loading frame (docs/processing.md).
FAST_IMAGE_FRAMES = 4


def given_geometry(meta: GraspMetadata) -> dict[str, Any] | None:
    """The object geometry an estimator is given with ``meta``: ``{"shape", "radius_mm"}`` (either
    may be None), or None when it is given neither (a new object: ``auto`` reads the geometry
    from the grasp, a named ``hertz``/``mdr``/``elastic``/``line`` refuses). Whether the
    estimator uses it is its own: ``blind`` never does. ``tactile estimate`` shows
    it, so an answer that rests on a label table's shape and radius says so (newuser40: the same
    recordings imported with and without ``--labels`` were answered differently, silently)."""
    if not meta.shape and meta.radius_mm is None:
        return None
    return {"shape": meta.shape or None, "radius_mm": meta.radius_mm}


def label_meta(
    meta: GraspMetadata, labels: Mapping[str, LabelRow] | None, protocol: str = "given"
) -> GraspMetadata:
    """``meta`` with its label, shape and radius filled from ``labels`` where missing; under
    the ``blind`` protocol the shape, radius and object hints are removed (the label kept to
    score; :mod:`tactile.evaluation.protocol`)."""
    return apply_protocol(_label_meta(meta, labels), protocol)


def estimate_stored(
    reader: GraspReader,
    grasp_id: str,
    estimator: AnalyticalEstimator,
    *,
    calibration: SensorCalibration | str | None = None,
    labels: Mapping[str, LabelRow] | None = None,
    max_image_frames: int | None = FAST_IMAGE_FRAMES,
    protocol: str = "given",
) -> tuple[GraspMetadata, ModulusEstimate]:
    """An analytical estimate of one stored grasp, decoding only the frames it needs.

    Force and width are read first (no frames), the loading phase is found on them, then only
    the reference candidates and ``max_image_frames`` frames over the loading phase are read
    (:class:`~tactile.processing.features.FrameSource`), fewer when the estimator says it needs
    fewer (:meth:`~tactile.estimators.AnalyticalEstimator.image_frames`: the Hertz hold on a
    sphere needs only the peak frame, for its flags). Returns the labelled metadata too.
    """
    meta, feats, cal = _stored_features(
        reader, grasp_id, estimator, calibration, labels, max_image_frames, protocol
    )
    return meta, with_force_zero(
        estimator.estimate_features(feats, meta=meta, calibration=cal), feats
    )


def _stored_features(
    reader: GraspReader,
    grasp_id: str,
    estimator: AnalyticalEstimator,
    calibration: SensorCalibration | str | None,
    labels: Mapping[str, LabelRow] | None,
    max_image_frames: int | None,
    protocol: str,
    recorded: GraspMetadata | None = None,
) -> tuple[GraspMetadata, GraspFeatures, SensorCalibration]:
    """What :func:`estimate_stored` reads and measures before the estimate: the labelled
    metadata, the features and the calibration. ``recorded``: the grasp's stored metadata
    when the caller has read it already (not parsed again)."""
    from tactile.estimators.base import with_pad_area
    from tactile.processing.features import FrameSource, extract_features_from
    from tactile.sensor import resolve_calibration

    # the grasp's file stays open for its reads (signals, then frames once or twice), closed
    # before the estimate
    with reader.holding(grasp_id):
        signals = reader.read_signals(grasp_id, meta=recorded)
        meta = label_meta(signals.meta, labels, protocol)
        signals = dataclasses.replace(signals, meta=meta)
        cal = with_pad_area(resolve_calibration(meta, calibration), signals)
        frames = FrameSource(partial(reader.read_frames, grasp_id))
        needed = estimator.image_frames(meta)
        if max_image_frames is not None and needed is not None:
            max_image_frames = min(max_image_frames, needed)
        feats = extract_features_from(signals, frames, cal, max_image_frames=max_image_frames)
    return meta, feats, cal


def _open_store(path: Path, grasp_ids: Sequence[str] | None) -> tuple[GraspReader, list[str]]:
    """A reader of the store at ``path`` and the ids to estimate (all, or those named)."""
    from tactile.io import GraspReader

    reader = GraspReader(path)
    ids = list(grasp_ids or reader.ids())
    for gid in ids:
        if gid not in reader:
            raise GraspNotFoundError(
                f"grasp {gid!r} is not in {path}",
                hint=f"`tactile inspect {path}` lists its grasps",
            )
    return reader, ids


def estimate_dataset(
    path: str | Path,
    estimator: str | Estimator = "auto",
    *,
    grasp_ids: Sequence[str] | None = None,
    calibration: SensorCalibration | str | None = None,
    labels: Mapping[str, LabelRow] | None = None,
    max_image_frames: int | None = FAST_IMAGE_FRAMES,
    protocol: str = "given",
) -> list[GraspResult]:
    """Estimate every grasp at ``path`` (or those named); failures become results with a reason.

    Analytical estimators on a grasp store read each grasp partially (:func:`estimate_stored`,
    ``max_image_frames`` loading frames; None measures them all), and so do estimators that read
    a stored grasp themselves (:class:`~tactile.estimators.base.StoredGraspEstimator`: the
    network); other estimators
    and reference-layout folders read whole grasps. Only deliberate errors
    (:class:`~tactile.errors.TactileError`: no contact, unreadable grasp, missing calibration
    ...) are caught per grasp; a bug still raises. ``protocol``: ``given`` (shape and radius
    from the grasp or the label table) or ``blind`` (nothing but the grasp, the label kept for
    scoring; :mod:`tactile.evaluation.protocol`).
    """
    est = get_estimator(estimator) if isinstance(estimator, str) else estimator
    path = Path(path)
    if isinstance(est, AnalyticalEstimator | StoredGraspEstimator) and not is_reference_layout(
        path
    ):
        reader, ids = _open_store(path, grasp_ids)
        return [
            _one_stored(reader, gid, est, calibration, labels, max_image_frames, protocol)
            for gid in ids
        ]
    results: list[GraspResult] = []
    for gid, load in iter_grasps(path, grasp_ids=grasp_ids, labels=labels):
        t0 = time.perf_counter()
        # a recording that fails to load: the object its name says (review49: its file name)
        object_id = load.object_id if isinstance(load, GraspLoad) else gid
        label, sim, given = None, None, None
        try:
            grasp = load()
            sim = grasp.meta if has_simulation_truth(grasp.meta) else None
            meta = apply_protocol(grasp.meta, protocol)
            grasp = grasp if meta is grasp.meta else dataclasses.replace(grasp, meta=meta)
            object_id, label = grasp.meta.object_id, grasp.meta.label_modulus_pa
            given = given_geometry(grasp.meta)
            estimate = est.estimate(grasp, calibration=calibration)
            estimate = with_recording_flags(estimate, grasp.meta)
        except StoreError as exc:
            if isinstance(exc, GraspNotFoundError):
                raise
            results.append(GraspResult(gid, object_id, label, None, str(exc), simulation_meta=sim))
            continue
        except TactileError as exc:
            dt = time.perf_counter() - t0
            results.append(GraspResult(gid, object_id, label, None, str(exc), dt, sim, given))
            continue
        dt = time.perf_counter() - t0
        results.append(GraspResult(gid, object_id, label, estimate, None, dt, sim, given))
    return results


def _one_stored(
    reader: GraspReader,
    gid: str,
    est: AnalyticalEstimator | StoredGraspEstimator,
    calibration: SensorCalibration | str | None,
    labels: Mapping[str, LabelRow] | None,
    max_image_frames: int | None,
    protocol: str = "given",
) -> GraspResult:
    t0 = time.perf_counter()
    object_id, label, sim, given = gid, None, None, None
    try:
        # the metadata read in the same hold as the estimator's reads and parsed once (a
        # second open and parse of the grasp's file cost ~1-2 ms a grasp)
        with reader.holding(gid):
            recorded = reader.metadata(gid)
            sim = recorded if has_simulation_truth(recorded) else None
            meta = label_meta(recorded, labels, protocol)
            object_id, label = meta.object_id, meta.label_modulus_pa
            given = given_geometry(meta)
            if isinstance(est, AnalyticalEstimator):  # as estimate_stored: features read here
                meta, feats, cal = _stored_features(
                    reader, gid, est, calibration, labels, max_image_frames, protocol, recorded
                )
            else:  # its own partial read (the network: the frames its inputs were trained on)
                estimate = est.estimate_stored(reader, gid, calibration=calibration, meta=meta)
        if isinstance(est, AnalyticalEstimator):  # the estimate after the hold, as estimate_stored
            estimate = with_force_zero(
                est.estimate_features(feats, meta=meta, calibration=cal), feats
            )
        estimate = with_recording_flags(estimate, recorded)
    except StoreError as exc:
        if isinstance(exc, GraspNotFoundError):
            raise
        return GraspResult(gid, object_id, label, None, str(exc), simulation_meta=sim)
    except TactileError as exc:
        dt = time.perf_counter() - t0
        return GraspResult(gid, object_id, label, None, str(exc), dt, sim, given)
    return GraspResult(gid, object_id, label, estimate, None, time.perf_counter() - t0, sim, given)
