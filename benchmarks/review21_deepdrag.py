"""review21 (exploratory, scratch): five sweep grasps with drags of 24-30 mm, main vs this tree
at estimator seeds 0-4: (main kPa, main bound?, branch kPa, branch bound?, admitted share,
admitted draws, FALSE).  PYTHONPATH=TREE python benchmarks/review21_deepdrag.py"""

import dataclasses
import importlib.util
import sys

import numpy as np

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from foam32_cliff import with_drag
from review21_sweep import _objects

import tactile
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.sim import SimGraspConfig, simulate_grasp
from tactile.sim.rigs import apply_rig, draw_rig

print(tactile.__file__)
spec = importlib.util.spec_from_file_location("blind_main", "/tmp/review21/blind_main.py")
mm = importlib.util.module_from_spec(spec)
sys.modules["blind_main"] = mm
spec.loader.exec_module(mm)
objs = {o.name: o for o in _objects()}
for name, k in [
    ("post_3e6", 48),
    ("post_3e6", 40),
    ("sph_6e7", 48),
    ("fbox_1e5_20_d0.5", 48),
    ("fpost_1e5_r10_d0.5", 44),
]:
    cfg0 = apply_rig(SimGraspConfig.realistic(), draw_rig(np.random.default_rng(100 + k)))
    cfg = dataclasses.replace(cfg0, gripper=dataclasses.replace(cfg0.gripper, open_gap_mm=55.0))
    g0 = simulate_grasp(objs[name], cfg, seed=k, grasp_id="x")
    for drag in (24.0, 26.0, 28.0, 30.0):
        try:
            g = dataclasses.replace(with_drag(g0, drag), meta=blind_metadata(g0.meta))
        except Exception as exc:
            print(name, k, drag, "dragerr", exc)
            continue
        out = []
        for s in range(5):
            b = BlindEstimator(seed=s).estimate(g)
            m = mm.BlindEstimator(seed=s).estimate(g)
            d = b.details
            out.append(
                (
                    round(m.modulus_pa / 1e3, 2),
                    m.lower_bound_only,
                    round(b.modulus_pa / 1e3, 3),
                    b.lower_bound_only,
                    d.get("foam_admitted_share"),
                    d.get("foam_admitted_draws"),
                    "FALSE" if b.lower_bound_only and b.modulus_pa > objs[name].modulus_pa else "",
                )
            )
        print(name, k, drag, out, flush=True)
