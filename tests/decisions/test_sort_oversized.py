"""A tray item larger than the open fingers: rejected ungrasped, and the sort goes on."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pytest

from tactile.decisions import ProduceEstimator, load_produce_profile
from tactile.decisions.grasping import GraspRun
from tactile.decisions.log import summary_table, write_run
from tactile.decisions.profiles import ProduceProfile, RipenessClass, StopRule
from tactile.decisions.rig import RigGrasper, RigSpec
from tactile.decisions.sorter import REJECT, sort_tray
from tactile.decisions.stopping import Stopper
from tactile.decisions.tray import TrayItem, produce_spec
from tactile.errors import ConfigError, ObjectDoesNotFitError
from tactile.hardware.sim_world import SimRigs
from tactile.io import GraspReader
from tactile.sim import SimObject
from tactile.sim.produce import make_produce

CLOCK = "max_step_s=0.02"


def _profile() -> ProduceProfile:  # one class: any estimate decides, so the test is quick
    tomato = load_produce_profile("tomato")
    one = (RipenessClass("any", -math.inf, math.inf),)
    stop = StopRule(min_force_n=1.5, min_loading_frames=3, stable_updates=1)
    return dataclasses.replace(tomato, classes=one, max_force_n=10.0, stop=stop)


def _spec(name: str) -> RigSpec:
    return RigSpec(  # fingers that open to 75 mm
        gripper_url=f"sim://?rig={name}&min_force_n=2&min_speed_mm_s=8&open_mm=75&{CLOCK}",
        camera_url=f"sim://?rig={name}&fps=30&height_px=60&width_px=80&{CLOCK}",
        force_url=f"sim://?rig={name}&rate_hz=200&{CLOCK}",
        recorder={"pre_s": 0.05, "hold_s": 0.05, "release_s": 0.5, "max_closing_s": 10.0},
        calibration_id="sim-wedge-v1",
    )


def test_an_item_larger_than_the_open_fingers_is_rejected_and_the_rest_sorted(
    tmp_path: Path,
) -> None:
    tomato = produce_spec(load_produce_profile("tomato"))
    obj = make_produce(tomato, 0.5, np.random.default_rng(3), name="fruit_02")  # 48 mm
    big = SimObject(shape="sphere", radius_mm=40.0, modulus_pa=3e5, name="big_01")  # 80 mm
    tray = [
        TrayItem("big_01", "tomato", truth_class="any", obj=big),
        TrayItem("fruit_02", "tomato", truth_class="any", obj=obj),
    ]
    profile, est = _profile(), ProduceEstimator()
    with RigGrasper(_spec("fit"), est, 10.0, rigs=SimRigs()) as grasper:
        run = sort_tray(tray, grasper, est, profile, stop_when_confident=True)

    oversized, fruit = run.results
    reason = "does not fit between the open fingers: 80 mm > 75 mm"
    assert oversized.sorted_as == REJECT and oversized.reason == reason
    assert oversized.attempts == () and oversized.max_peak_force_n == 0.0
    assert fruit.sorted_as == "any" and len(fruit.attempts) == 1  # the next item is sorted

    s = run.summary()
    assert (s["n_items"], s["n_grasps"], s["n_confident"], s["n_rejected"]) == (2, 1, 1, 1)
    assert s["n_not_grasped"] == 1 and s["per_class"][REJECT] == 1
    assert s["item_peak_force_median_n"] == fruit.max_peak_force_n  # the ungrasped one left out
    assert reason in summary_table(run)

    from tactile.reporting.plots import sorting_figure

    paths = write_run(run, tmp_path / "out", plot=sorting_figure)
    with paths["items_csv"].open() as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["sorted_as"] == REJECT and rows[0]["reason"] == reason
    assert rows[0]["n_grasps"] == "0" and rows[0]["stop_reason"] == rows[0]["value"] == ""
    assert rows[1]["sorted_as"] == "any"
    items = json.loads(paths["items_json"].read_text())
    assert items[0]["n_grasps"] == 0 and items[0]["attempts"] == []
    assert items[0]["reason"] == reason
    assert json.loads(paths["summary_json"].read_text())["n_not_grasped"] == 1
    with GraspReader(paths["grasps_h5"]) as reader:
        assert len(reader) == 1  # only the fruit was grasped


class _Refusing:
    """A grasper whose placing fails with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def grasp(self, item: TrayItem, attempt: int, stopper: Stopper | None) -> GraspRun:
        raise self.error


def test_only_an_object_that_does_not_fit_is_rejected_any_other_config_error_stops() -> None:
    item = TrayItem("fruit_01", "tomato")
    profile, est = _profile(), ProduceEstimator()
    fits = ObjectDoesNotFitError("too big", size_mm=85.0, open_mm=85.0)
    (result,) = sort_tray([item], _Refusing(fits), est, profile).results
    assert result.reason == "does not fit between the open fingers: 85 mm = 85 mm"
    with pytest.raises(ConfigError, match="no simulated object"):
        sort_tray([item], _Refusing(ConfigError("no simulated object")), est, profile)
