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

#: the randomised rig of test_blind_review's tiny foam cylinder (gel 156 kPa, 2.8 mm thick),
#: the foam-bound tests' rig
FOAM_TEST_RIG = RigDraw(
    gel_modulus_pa=156464.86183252, gel_thickness_mm=2.803313450609828,
    gel_max_strain=0.8346448208635444, rig_compliance_mm_per_n=0.006904527378558756,
    width_offset_mm=0.18003153710180753, width_update_period_s=0.09768768685082836,
    width_resolution_mm=0.015312910152543952, width_latency_s=0.0, motion_force_n_per_mm=0.0,
    close_speed_mm_s=15.025399197866392, force_target_n=18.5, image_gain=0.9234385151026316,
    ambient_scale=0.8633274744186318, raw_shift_scale=1.3965082804461386,
    contact_texture_scale=0.8866833570437727, pose_offset_px=(0.876, 0.314),
    offset_jitter_mm=3.0,
)  # fmt: skip


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
