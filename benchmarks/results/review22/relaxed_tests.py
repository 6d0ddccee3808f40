"""review22: the figures behind given34's two relaxed tests, for whichever tree is on PYTHONPATH.

    PYTHONPATH=TREE python relaxed_tests.py SHARED_DATA_DIR

test_unclipped_cycles: auto and blind, clipped vs padded (dex moved, flags, cap present);
test_simulated_sphere: the stiff cases' bound, the gel, blind's own bound.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "tests" / "evaluation"))

from test_unclipped_cycles import pad_cycle  # type: ignore[import-not-found]

import tactile
from tactile.estimators import estimate_grasp, get_estimator
from tactile.io.labels import read_label_table
from tactile.io.reference import load_reference_grasp
from tactile.io.sources import with_labels
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

print("tactile from", tactile.__file__)
shared = Path(sys.argv[1])
labels = dict(read_label_table(shared / "objects_and_compliance.csv"))
for name in ["purple_ball_hardest_1", "golf_ball_2", "foam_brick_1"]:
    clipped = with_labels(load_reference_grasp(shared / "reference_grasps" / f"{name}.avi"), labels)
    cycle = pad_cycle(clipped)
    for est_name in ("auto", "blind"):
        e = get_estimator(est_name)
        a, b = e.estimate(clipped), e.estimate(cycle)
        print(
            f"cycle {name} {est_name}: {a.modulus_pa:.4g} -> {b.modulus_pa:.4g} "
            f"({math.log10(b.modulus_pa / a.modulus_pa):+.3f} dex) lb {a.lower_bound_only}/"
            f"{b.lower_bound_only} cap {'blind_cap_pa' in a.details}/{'blind_cap_pa' in b.details}"
            f" given {a.details.get('given_bound_pa', float('nan')):.4g}/"
            f"{b.details.get('given_bound_pa', float('nan')):.4g} "
            f"flags {sorted(f.value for f in a.flags)} / {sorted(f.value for f in b.flags)}"
        )
CASES = [("default", 2e9, 20.0), ("realistic", 2e11, 15.0)]
for config, modulus_pa, radius_mm in CASES:
    cfg = SimGraspConfig() if config == "default" else SimGraspConfig.realistic()
    obj = SimObject(shape="sphere", radius_mm=radius_mm, modulus_pa=modulus_pa, name="ball")
    grasp = simulate_grasp(obj, config=cfg, seed=7)
    est = estimate_grasp(grasp, "auto")
    bl = estimate_grasp(grasp, "blind")
    print(
        f"sphere {config} {modulus_pa:.3g} r{radius_mm}: auto {est.modulus_pa:.4g} "
        f"(given {est.details.get('given_bound_pa', float('nan')):.4g}, gel "
        f"{cfg.calibration.gel_modulus_pa:.4g}) flags {sorted(f.value for f in est.flags)}; "
        f"blind alone {bl.modulus_pa:.4g} lb {bl.lower_bound_only} "
        f"{sorted(f.value for f in bl.flags)}"
    )
