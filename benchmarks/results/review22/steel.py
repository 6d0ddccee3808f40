"""review22: given34's steel objects on the default simulator (exact calibration), any tree.

PYTHONPATH=TREE python steel.py
"""

from __future__ import annotations

import dataclasses

import tactile
from tactile.estimators import get_estimator
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN

print("tactile from", tactile.__file__)
CAL = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)
for shape, r in [("sphere", 5.0), ("sphere", 10.0), ("sphere", 20.0), ("cylinder", 5.0),
                 ("cylinder", 10.0), ("cylinder", 20.0)]:  # fmt: skip
    steel = SimObject(shape=shape, radius_mm=r, length_mm=40.0, modulus_pa=2e11, name="steel")
    g = simulate_grasp(steel, SimGraspConfig(), seed=7)
    e = get_estimator("auto").estimate(g, calibration=CAL)
    b = get_estimator("blind").estimate(g, calibration=CAL)
    print(
        f"steel {shape} r{r}: auto {e.modulus_pa:.3g} ({e.details.get('auto_chose')}, given "
        f"{e.details.get('given_bound_pa', float('nan')):.3g}) {sorted(f.value for f in e.flags)}"
        f"; blind alone {b.modulus_pa:.3g} {sorted(f.value for f in b.flags)}"
    )
