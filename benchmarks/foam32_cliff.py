"""foam32: the cliff grasp of tests/estimators/test_blind_foam_cliff.py, answered by whichever
tree is first on PYTHONPATH (main has no admitted share in its details).

    PYTHONPATH=TREE python benchmarks/foam32_cliff.py [RUN_MM ...]

A stiff 80 mm post on its end (63 MPa) on test_blind_foam_bound's randomised rig, 45 mm of
approach, with a sub-threshold force (90 % of the rise's threshold) added over RUN_MM of the
frames before the force's rise. Prints blind's answer, its foam and linear bounds, and the
share of the foam bound's draws the frames admit (branch only).
"""

from __future__ import annotations

import dataclasses
import json
import sys

import numpy as np

from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.processing.grasp_geometry import force_rise
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.rigs import RigDraw, apply_rig

RIG = RigDraw(
    gel_modulus_pa=156464.86183252, gel_thickness_mm=2.803313450609828,
    gel_max_strain=0.8346448208635444, rig_compliance_mm_per_n=0.006904527378558756,
    width_offset_mm=0.18003153710180753, width_update_period_s=0.09768768685082836,
    width_resolution_mm=0.015312910152543952, width_latency_s=0.0, motion_force_n_per_mm=0.0,
    close_speed_mm_s=15.025399197866392, force_target_n=18.5, image_gain=0.9234385151026316,
    ambient_scale=0.8633274744186318, raw_shift_scale=1.3965082804461386,
    contact_texture_scale=0.8866833570437727, pose_offset_px=(0.876, 0.314),
    offset_jitter_mm=3.0,
)  # fmt: skip
POST = SimObject(
    shape="cylinder_end", radius_mm=12.7, length_mm=80.0, modulus_pa=6.3e7, poisson=0.3,
    name="stiff_post",
)  # fmt: skip


def with_drag(grasp, run_mm: float):  # type: ignore[no-untyped-def]
    f = np.array(grasp.force_n, dtype=np.float64)
    w = np.array(grasp.width_mm, dtype=np.float64)
    rise = force_rise(f, w)
    assert rise is not None
    at_rise = int(np.flatnonzero(w <= rise.width_mm + 1e-9)[0])
    frames = np.flatnonzero((w > rise.width_mm) & (w <= rise.width_mm + run_mm))
    frames = frames[(frames < at_rise) & (frames >= 20)]
    f[frames] += 0.9 * max(0.01 * float(f.max()), 0.03)
    return dataclasses.replace(grasp, force_n=f)


def main() -> None:
    runs = [float(x) for x in sys.argv[1:]] or [0.0, 12.0, 16.0, 18.0, 20.0]
    cfg = apply_rig(SimGraspConfig.realistic(), RIG)
    cfg = dataclasses.replace(cfg, gripper=dataclasses.replace(cfg.gripper, open_gap_mm=45.0))
    grasp = simulate_grasp(POST, cfg, seed=1, grasp_id="post")
    for run in runs:
        g = with_drag(grasp, run) if run > 0 else grasp
        e = BlindEstimator().estimate(dataclasses.replace(g, meta=blind_metadata(g.meta)))
        d = e.details
        print(json.dumps({
            "run_mm": run, "bound": e.lower_bound_only, "modulus_pa": e.modulus_pa,
            "foam_bound_pa": d.get("foam_bound_pa"), "linear_bound_pa": d.get("linear_bound_pa"),
            "foam_admitted_share": d.get("foam_admitted_share"), "label_pa": POST.modulus_pa,
            "holds": (not e.lower_bound_only) or e.modulus_pa <= POST.modulus_pa,
        }))  # fmt: skip


if __name__ == "__main__":
    main()
