"""Estimate every grasp of a dataset, one failure never stopping the others.

A dataset is a grasp store (``.h5`` file or directory of grasp files, read with
:class:`~tactile.io.GraspReader`) or a folder of reference recordings (``NAME.avi`` +
``NAME_forces.pkl`` + ``NAME_widths.pkl``), read in memory through the importer. A label table
fills what a grasp's metadata lacks (label, shape, radius); labels already in the metadata win.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tactile.calibration import SensorCalibration
from tactile.errors import GraspNotFoundError, StoreError, TactileError
from tactile.estimators import Estimator, get_estimator
from tactile.types import Grasp, ModulusEstimate

if TYPE_CHECKING:
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
        out["error"] = self.error
        if self.estimate is not None:
            out["details"] = self.estimate.details
        return out


def _is_reference_folder(path: Path) -> bool:
    if path.is_file():
        return path.suffix.lower() == ".avi"
    if not path.is_dir():
        return False
    has_avi = any(p.suffix.lower() == ".avi" for p in path.iterdir())
    has_h5 = any(p.suffix.lower() in (".h5", ".hdf5") for p in path.iterdir())
    return has_avi and not has_h5


def iter_grasps(
    path: str | Path,
    *,
    grasp_ids: Sequence[str] | None = None,
    labels: Mapping[str, LabelRow] | None = None,
) -> Iterator[tuple[str, Callable[[], Grasp]]]:
    """``(grasp_id, load)`` pairs for every grasp at ``path``; ``load()`` reads it lazily."""
    path = Path(path)
    if _is_reference_folder(path):
        from tactile.io.reference import find_recordings, grasp_id_for, load_reference_grasp

        recs = {grasp_id_for(r.stem): r for r in find_recordings(path)}
        for gid in grasp_ids or list(recs):
            if gid not in recs:
                raise GraspNotFoundError(
                    f"no recording for grasp {gid!r} in {path}",
                    hint=f"use one of {', '.join(list(recs)[:5])} ...",
                )
            yield gid, partial(load_reference_grasp, recs[gid].avi, labels=labels)
        return
    from tactile.io import GraspReader

    with GraspReader(path) as reader:
        for gid in grasp_ids or reader.ids():
            if gid not in reader:
                raise GraspNotFoundError(
                    f"grasp {gid!r} is not in {path}",
                    hint=f"`tactile inspect {path}` lists its grasps",
                )
            yield gid, partial(reader.read, gid)


def with_labels(grasp: Grasp, labels: Mapping[str, LabelRow] | None) -> Grasp:
    """``grasp`` with its label, shape and radius filled from ``labels`` where missing."""
    if not labels:
        return grasp
    from tactile.io.labels import resolve_label

    meta = grasp.meta
    row = resolve_label(meta.object_id, labels)
    if row is None:
        return grasp
    new_meta = dataclasses.replace(
        meta,
        label_modulus_pa=meta.label_modulus_pa or row.modulus_pa,
        shape=meta.shape or row.shape,
        radius_mm=meta.radius_mm or row.radius_mm,
    )
    return dataclasses.replace(grasp, meta=new_meta)


def estimate_dataset(
    path: str | Path,
    estimator: str | Estimator = "auto",
    *,
    grasp_ids: Sequence[str] | None = None,
    calibration: SensorCalibration | str | None = None,
    labels: Mapping[str, LabelRow] | None = None,
) -> list[GraspResult]:
    """Estimate every grasp at ``path`` (or those named); failures become results with a reason.

    Only deliberate errors (:class:`~tactile.errors.TactileError`: no contact, unreadable grasp,
    missing calibration ...) are caught per grasp; a bug still raises.
    """
    est = get_estimator(estimator) if isinstance(estimator, str) else estimator
    results: list[GraspResult] = []
    for gid, load in iter_grasps(path, grasp_ids=grasp_ids, labels=labels):
        t0 = time.perf_counter()
        object_id, label = gid, None
        try:
            grasp = with_labels(load(), labels)
            object_id, label = grasp.meta.object_id, grasp.meta.label_modulus_pa
            estimate = est.estimate(grasp, calibration=calibration)
        except StoreError as exc:
            if isinstance(exc, GraspNotFoundError):
                raise
            results.append(GraspResult(gid, object_id, label, None, str(exc)))
            continue
        except TactileError as exc:
            results.append(
                GraspResult(gid, object_id, label, None, str(exc), time.perf_counter() - t0)
            )
            continue
        results.append(GraspResult(gid, object_id, label, estimate, None, time.perf_counter() - t0))
    return results
