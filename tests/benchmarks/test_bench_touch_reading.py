"""benchmarks/bench_touch_reading.py: the touch truth it reads from a grasp's metadata is where
the simulator's object first touches both gels (the encoder reading brackets it), and blind's
reading of one simulated grasp is scored against it. Findings: BENCHMARKS.md "Blind: how late
is the touch read?"."""

from __future__ import annotations

import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_rig_split import _base_config
from bench_touch_reading import analyse_grasp, summarise, true_contact_width_mm

from tactile.sim import SimObject, simulate_grasp_truth
from tactile.sim.rigs import RigRanges, apply_rig, draw_rig


def test_truth_is_the_simulated_first_touch() -> None:
    cfg = apply_rig(_base_config(), draw_rig(np.random.default_rng(7), RigRanges()))
    # an encoder without lag, hold or quantisation, so its reading at each frame is the gap
    # plus the offset minus the fingers' deflection
    cfg = replace(
        cfg,
        noise=replace(
            cfg.noise, width_latency_s=0.0, width_update_period_s=0.0, width_resolution_mm=0.0,
            width_noise_sd_mm=0.0,
        ),
    )  # fmt: skip
    obj = SimObject(
        shape="sphere", radius_mm=12.0, modulus_pa=3.0e5, poisson=0.45, name="rubber_sphere",
        material="rubber",
    )  # fmt: skip
    grasp, truth = simulate_grasp_truth(obj, cfg, seed=11)
    touch = true_contact_width_mm(grasp.meta)
    assert touch == grasp.meta.extra["object_size_z_mm"] + cfg.gripper.width_offset_mm
    assert touch == 24.0 + cfg.gripper.width_offset_mm
    i = truth.contact_index
    assert i > 0 and truth.force_n[i - 1] == 0.0
    # the last frame before the touch reads at least the touch, the first in contact less
    assert grasp.width_mm[i - 1] >= touch > grasp.width_mm[i]
    assert grasp.width_mm[i - 1] - grasp.width_mm[i] < 2.0  # one frame's closing

    row = analyse_grasp(grasp, oracle=True)
    assert "error" not in row
    assert row["truth_cw_mm"] == touch
    assert math.isclose(row["cw_err_mm"], row["measured_cw_mm"] - touch)
    assert abs(row["cw_err_mm"]) < 6.0
    assert row["golf_late_mm"] == grasp.meta.calibration["contact_width_bias_mm"] - (
        cfg.gripper.width_offset_mm
    )
    assert set(row["truth-cw"]) >= {"log10", "flagged", "within"}
    s = summarise([row])
    assert s["n"] == 1 and s["failed"] == 0 and "truth-cw" in s["within_a_decade"]
