"""The online estimator: after the last frame its answer is the offline estimate of the grasp."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tactile.decisions.estimator import ProduceEstimator
from tactile.estimators import get_estimator
from tactile.estimators.online import OnlineEstimator, estimate_prefix, replay_online
from tactile.evaluation.runner import estimate_stored
from tactile.io import GraspReader, GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.gripper import GripperProfile

CFG = SimGraspConfig(
    size_hw=(60, 80), gripper=GripperProfile(force_target_n=8.0, open_gap_mm=2.0, hold_s=0.2)
)


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("online") / "grasps.h5"
    with GraspWriter(path) as w:
        w.append(simulate_grasp(SimObject(radius_mm=20.0, modulus_pa=8e4, name="ball"), CFG, 3))
    return path


@pytest.mark.parametrize("name", ["auto", "hertz", "mdr", "produce"])
def test_online_final_equals_offline_on_the_same_grasp(stored: Path, name: str) -> None:
    est = ProduceEstimator() if name == "produce" else get_estimator(name)
    with GraspReader(stored) as reader:
        gid = reader.ids()[0]
        _, offline = estimate_stored(reader, gid, est)  # what `tactile estimate FILE` runs
        grasp = reader.read(gid)
    updates = list(replay_online(grasp, est))
    final = updates[-1].estimate
    assert final is not None
    assert final.modulus_pa == offline.modulus_pa
    assert final.interval_95_pa == offline.interval_95_pa
    assert final.interval_68_pa == offline.interval_68_pa
    assert final.flags == offline.flags and final.lower_bound_only == offline.lower_bound_only
    last = estimate_prefix(grasp, est)  # the same without the updates before
    assert last.estimate is not None and last.estimate.modulus_pa == final.modulus_pa


def test_no_estimate_before_contact_then_one_during_loading(stored: Path) -> None:
    with GraspReader(stored) as reader:
        grasp = reader.read(reader.ids()[0])
    online = OnlineEstimator("auto", meta=grasp.meta, reference_frame=grasp.reference_frame)
    first = online.update(grasp.frames[0], grasp.t_s[0], grasp.force_n[0], grasp.width_mm[0])
    assert first.estimate is None and first.waiting_for
    peak = int(grasp.force_n.argmax())
    for i in range(1, peak + 1):
        u = online.update(grasp.frames[i], grasp.t_s[i], grasp.force_n[i], grasp.width_mm[i])
    assert u.estimate is not None and u.features is not None and u.cost_s > 0
    assert online.grasp().n_frames == peak + 1


def test_online_needs_an_analytical_estimator(stored: Path) -> None:
    from tactile.errors import EstimatorError

    class NotAnalytical:
        name = "x"

    with GraspReader(stored) as reader:
        meta = reader.metadata(reader.ids()[0])
    with pytest.raises(EstimatorError, match="analytical"):
        OnlineEstimator(NotAnalytical(), meta=dataclasses.replace(meta))  # type: ignore[arg-type]
