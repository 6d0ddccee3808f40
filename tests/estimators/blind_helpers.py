"""Shared steps of the blind estimator's regression tests: a simulated grasp stored the way
`tactile simulate` stores it (JPEG frames) and read back, then estimated with nothing known
of the object but the grasp."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.io.store import GraspWriter
from tactile.types import Grasp, ModulusEstimate


def blind(grasp: Grasp) -> Grasp:
    """The grasp with its object's shape and size removed (the blind protocol)."""
    return dataclasses.replace(grasp, meta=blind_metadata(grasp.meta))


def stored_as_jpeg(grasp: Grasp, folder: Path) -> Grasp:
    """``grasp`` written to a grasp file with JPEG frames in ``folder`` and read back."""
    path = folder / "one.h5"
    with GraspWriter(path, frame_codec="jpeg") as writer:
        writer.append(grasp)
    with GraspReader(path) as reader:
        return reader.read(grasp.grasp_id)


def blind_estimate_as_stored(grasp: Grasp, folder: Path) -> ModulusEstimate:
    """The blind estimate of ``grasp`` after a round trip through a JPEG grasp file."""
    return BlindEstimator().estimate(blind(stored_as_jpeg(grasp, folder)))
