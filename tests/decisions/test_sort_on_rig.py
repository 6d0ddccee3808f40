"""Sorting on a rig through the real recorder: simulated devices and the Robotiq emulator.

Each test grasps the same fruit fully and with ``--stop-when-confident``. The profile here has
one class spanning every modulus, so any estimate is a confident one and the stop does not
hang on where a simulated fruit's modulus falls: what is tested is the machinery - the online
estimate fed from the recorder's frame hook, the stop, the grasp kept, the forces.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tactile.decisions import ProduceEstimator, load_produce_profile
from tactile.decisions.grasping import SAFETY_TRIP, ReplayGrasper
from tactile.decisions.profiles import ProduceProfile, RipenessClass, StopRule
from tactile.decisions.rig import RigGrasper, RigSpec
from tactile.decisions.sorter import REJECT, SortRun, sort_tray
from tactile.decisions.stopping import CONFIDENT_STOP
from tactile.decisions.tray import TrayItem, produce_spec, replay_tray
from tactile.errors import ConfigError
from tactile.hardware.sim_world import SimRigs
from tactile.io import GraspReader
from tactile.sim.produce import make_produce

FAST = {"pre_s": 0.05, "hold_s": 0.05, "release_s": 0.5, "max_closing_s": 10.0}
#: lenient, so the stop comes early even when a loaded machine delivers few frames
STOP = StopRule(min_force_n=1.5, min_loading_frames=3, stable_updates=1)


def _profile(max_force_n: float) -> ProduceProfile:
    tomato = load_produce_profile("tomato")
    one = (RipenessClass("any", -math.inf, math.inf),)
    return dataclasses.replace(tomato, classes=one, max_force_n=max_force_n, stop=STOP)


def _fruit(ripeness: float = 0.5, seed: int = 3) -> TrayItem:
    spec = produce_spec(load_produce_profile("tomato"))
    obj = make_produce(spec, ripeness, np.random.default_rng(seed), name="fruit_01")
    return TrayItem("fruit_01", "tomato", true_modulus_pa=obj.modulus_pa, obj=obj)


#: the world's clock advances at most 20 ms per interaction, so how early the host stops the
#: fingers does not depend on how busy the machine is (docs/decisions.md, issue 10)
CLOCK = "max_step_s=0.02"


def _sim_spec(name: str, gripper: str = "min_force_n=2&min_speed_mm_s=8&open_mm=75") -> RigSpec:
    return RigSpec(
        gripper_url=f"sim://?rig={name}&{gripper}&{CLOCK}",
        camera_url=f"sim://?rig={name}&fps=30&height_px=60&width_px=80&{CLOCK}",
        force_url=f"sim://?rig={name}&rate_hz=200&{CLOCK}",
        recorder=dict(FAST),
        calibration_id="sim-wedge-v1",
    )


def _sort(
    spec: RigSpec, profile: ProduceProfile, stop: bool, out: Path, ripeness: float = 0.5, **kw: Any
) -> SortRun:
    est = ProduceEstimator()
    with RigGrasper(spec, est, profile.max_force_n, grasps_path=out, rigs=SimRigs(), **kw) as g:
        return sort_tray([_fruit(ripeness)], g, est, profile, stop_when_confident=stop)


def _check_stop_against_full(full: SortRun, stopped: SortRun, out: Path, limit_n: float) -> None:
    a_full, a_stop = full.results[0].attempts[0], stopped.results[0].attempts[0]
    assert a_full.run.stop_reason == "full_grasp"
    # the host held at the target force, or (a Robotiq) the firmware stopped at its setting
    assert a_full.run.grasp.meta.extra["stopped_by"] in ("target_force", "gripper_contact")
    assert a_stop.run.stop_reason == CONFIDENT_STOP and a_stop.run.stop_index is not None
    assert a_stop.run.grasp.meta.extra["stopped_by"] == "callback"  # the gripper stopped early
    assert a_stop.peak_force_n < 0.8 * a_full.peak_force_n  # and squeezed less
    for run in (full, stopped):
        summary = run.summary()
        assert summary["peak_force_max_n"] <= limit_n and not summary["force_limit_exceeded"]
        assert run.results[0].sorted_as == "any"
    trace = a_stop.run.trace
    assert a_stop.run.live and trace[-1].exact and trace[-1].frame_index == a_stop.run.stop_index
    with GraspReader(out) as reader:  # the grasp is kept whole, hold and release included
        kept = reader.read(reader.ids()[0])
        assert kept.meta.extra["stop_reason"] == CONFIDENT_STOP
        assert kept.meta.extra["stop_frame"] == a_stop.run.stop_index < kept.n_frames - 1
        assert kept.meta.shape == "sphere" and kept.meta.extra["true_shape"] == "ellipsoid"


def test_sim_devices_stop_early_keep_the_grasp_and_stay_below_the_safe_force(
    tmp_path: Path,
) -> None:
    profile = _profile(10.0)  # a tomato's safe force
    full = _sort(_sim_spec("full"), profile, False, tmp_path / "full.h5")
    stopped = _sort(_sim_spec("stop"), profile, True, tmp_path / "stop.h5")
    _check_stop_against_full(full, stopped, tmp_path / "stop.h5", 10.0)


def test_the_robotiq_driver_path_stops_early_too(tmp_path: Path) -> None:
    """The Modbus bytes of the real driver against the firmware emulator; a safe force the
    2F-85 can hold by itself (its weakest grip is 20 N)."""
    profile = _profile(25.0)
    spec = dataclasses.replace(
        _sim_spec("rq"),
        gripper_url=f"robotiq-sim://?rig=rq&activation_s=0&open_pos=3&closed_pos=230&{CLOCK}",
    )
    # a soft fruit: at the 2F-85's slowest 20 mm/s its loading still spans several frames
    full = _sort(spec, profile, False, tmp_path / "full.h5", ripeness=0.9)
    stopped = _sort(spec, profile, True, tmp_path / "stop.h5", ripeness=0.9)
    _check_stop_against_full(full, stopped, tmp_path / "stop.h5", 25.0)
    with GraspReader(tmp_path / "stop.h5") as reader:
        meta = reader.metadata(reader.ids()[0])
    assert meta.devices["gripper"].startswith("robotiq-sim://")


def test_a_safe_force_below_the_grippers_weakest_grip_needs_the_software_limit(
    tmp_path: Path,
) -> None:
    spec = dataclasses.replace(_sim_spec("weak"), gripper_url="robotiq-sim://?rig=weak")
    with pytest.raises(ConfigError, match="software-force-limit"):
        _sort(spec, _profile(10.0), True, tmp_path / "g.h5")


def test_a_grasp_the_safety_check_aborts_is_kept_and_the_item_rejected_at_once(
    tmp_path: Path,
) -> None:
    # fingers that ignore the stop and can only stop themselves at 20 N: the host-side check
    # must open them at the 10 N safe force
    spec = _sim_spec("trip", gripper="min_force_n=20&min_speed_mm_s=10&open_mm=75&ignore_hold=1")
    # a long hold: the fingers go on closing through it whatever the host's timing
    spec = dataclasses.replace(spec, recorder={**spec.recorder, "hold_s": 1.5})
    profile = dataclasses.replace(_profile(10.0), max_regrasps=2)
    run = _sort(spec, profile, False, tmp_path / "g.h5", software_force_limit=True)
    result = run.results[0]
    assert result.sorted_as == REJECT and len(result.attempts) == 1  # not squeezed again
    attempt = result.attempts[0]
    assert attempt.run.stop_reason == SAFETY_TRIP and "exceeded the limit" in result.reason
    assert run.summary()["force_limit_exceeded"]  # said, not hidden
    with GraspReader(tmp_path / "g.h5") as reader:
        assert len(reader) == 1 and reader.metadata(reader.ids()[0]).extra["aborted"]


def test_a_gripper_fault_logs_the_item_in_the_gripper_as_aborted_and_keeps_its_grasp(
    tmp_path: Path,
) -> None:
    from tactile.errors import TactileError

    fault = "fail=fault&fault_code=0x0E&fail_grasp=2"
    spec = dataclasses.replace(
        _sim_spec("fault"),
        gripper_url=f"robotiq-sim://?rig=fault&activation_s=0&{fault}&{CLOCK}",
    )
    profile = _profile(25.0)
    est = ProduceEstimator()
    run = SortRun(profile)
    items = [_fruit(0.9, seed=3), dataclasses.replace(_fruit(0.9, seed=4), item_id="fruit_02")]
    with (
        RigGrasper(
            spec, est, profile.max_force_n, grasps_path=tmp_path / "g.h5", rigs=SimRigs()
        ) as g,
        pytest.raises(TactileError) as err,  # the recorder's own error, as before
    ):
        sort_tray(items, g, est, profile, run=run)
    assert "fault" in str(err.value).lower()
    first, second = run.results  # was: the item in the gripper not logged
    assert first.confident and not first.aborted
    assert second.item.item_id == "fruit_02" and second.aborted and second.sorted_as == REJECT
    assert second.reason.startswith("aborted: ") and len(second.attempts) == 1
    assert second.attempts[0].run.stop_reason == "aborted"
    summary = run.summary()
    assert summary["complete"] is False and summary["stopped"].startswith("fruit_02: ")
    assert (summary["n_confident"], summary["n_rejected"], summary["n_aborted"]) == (1, 1, 1)
    assert "grasp 'fruit_02_a0' aborted" not in second.reason  # said once: "aborted: WHY"
    with GraspReader(tmp_path / "g.h5") as reader:  # its partial grasp kept
        assert len(reader) == 2
        assert reader.metadata(reader.ids()[1]).extra["stop_reason"] == "aborted"
    assert SortRun(profile).summary()["complete"] is True
    # its replay gives the same decisions: the cut-short grasp is aborted, not scored (was:
    # a confident decision on the frames before the fault)
    with GraspReader(tmp_path / "g.h5") as reader:
        replayed = sort_tray(
            replay_tray(tmp_path / "g.h5"), ReplayGrasper(est, reader), est, profile
        )
    r1, r2 = replayed.results
    assert (r1.sorted_as, r1.confident) == (first.sorted_as, True)
    assert r2.aborted and r2.sorted_as == REJECT and r2.reason.startswith("aborted: ")
    assert r2.attempts[0].run.stop_reason == "aborted" and r2.attempts[0].measurement is None
    assert (replayed.summary()["n_confident"], replayed.summary()["n_aborted"]) == (1, 1)


def test_a_grasp_stopped_before_two_frames_still_logs_its_item(tmp_path: Path) -> None:
    from tactile.decisions.grasping import GraspStoppedError
    from tactile.decisions.log import write_run
    from tactile.errors import DeviceError

    class Faulty:  # the fault came before 2 frames were recorded: nothing kept
        def grasp(self, item: TrayItem, attempt: int, stopper: Any) -> Any:
            cause = DeviceError(f"grasp '{item.item_id}_a0' aborted: fault 0x0E; kept 0 frame(s)")
            raise GraspStoppedError(cause, None)

    profile = _profile(25.0)
    run = SortRun(profile)
    with pytest.raises(DeviceError, match="fault 0x0E"):
        sort_tray([_fruit()], Faulty(), ProduceEstimator(), profile, run=run)
    (r,) = run.results  # was: the item not logged at all
    assert r.aborted and r.sorted_as == REJECT and r.attempts == ()
    assert r.reason == "aborted: fault 0x0E; kept 0 frame(s)"
    s = run.summary()
    assert (s["n_items"], s["n_aborted"], s["complete"]) == (1, 1, False)
    paths = write_run(run, tmp_path / "out", grasps=False)  # logs and table with no attempt
    assert "aborted" in paths["items_csv"].read_text()


def test_a_rig_of_replay_devices_is_refused(tmp_path: Path) -> None:
    replay = "replay://" + str(tmp_path / "rec.h5")
    with pytest.raises(ConfigError, match=r"cannot use replay:// devices \(gripper replay://"):
        RigSpec.from_profile("sim", gripper=replay)


def test_a_gauge_not_zeroed_trips_at_the_true_safe_force(tmp_path: Path) -> None:
    """Issue 11 note: a gauge reading -3 N at rest, not tared: the host-side check opens the
    fingers at the 10 N safe force of the true force (main: at 13 N), and says so at open."""
    spec = _sim_spec("nt", gripper="min_force_n=20&min_speed_mm_s=10&open_mm=75&ignore_hold=1")
    spec = dataclasses.replace(
        spec,
        force_url=spec.force_url + "&offset_n=-3",
        tare=False,
        recorder={**spec.recorder, "hold_s": 1.5},
    )
    profile = dataclasses.replace(_profile(10.0), max_regrasps=2)
    est = ProduceEstimator()
    out = io.StringIO()
    with RigGrasper(spec, est, 10.0, rigs=SimRigs(), software_force_limit=True, out=out) as grasper:
        run = sort_tray([_fruit()], grasper, est, profile, stop_when_confident=False)
    attempt = run.results[0].attempts[0]
    assert attempt.run.stop_reason == SAFETY_TRIP
    grasp = attempt.run.grasp
    force = grasp.streams["force"]
    over = np.flatnonzero(force["force_n"] + 3.0 > 10.0)  # the true force
    assert over[1] == over[0] + 1
    assert grasp.meta.extra["safety_trip_t_s"] == force["t_s"][over[1]]
    assert grasp.meta.extra["force_rest_n"] == pytest.approx(-3.0, abs=0.1)
    assert attempt.peak_force_n > 10.0  # read above the rest: the trip is not hidden
    assert "the gauge reads -3.00 N at rest; not tared (--no-tare)" in out.getvalue()
