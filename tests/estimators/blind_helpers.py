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
from tactile.recording.synthetic import dataset_configs
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.rigs import RigDraw, apply_rig
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


def grasp_on_drawn_rig(
    obj: SimObject, draw: RigDraw, seed: int, force_target_n: float | None = None
) -> tuple[SimGraspConfig, Grasp]:
    """``obj`` grasped on a randomised rig as a blind dataset drew it (``tactile simulate
    --rig random --physics realistic --camera wedge-raw``; the rig calibrated on golf-ball
    presses by :func:`tactile.sim.rigs.apply_rig`), with the drawn force target unless
    ``force_target_n`` is given: the configuration and the grasp."""
    cfg = apply_rig(dataset_configs(("realistic",), camera="wedge-raw", random_rig=True)[0], draw)
    if force_target_n is not None:
        gripper = dataclasses.replace(cfg.gripper, force_target_n=force_target_n)
        cfg = dataclasses.replace(cfg, gripper=gripper)
    return cfg, simulate_grasp(obj, cfg, seed, grasp_id="g")
