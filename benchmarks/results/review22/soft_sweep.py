"""review22 (exploratory): soft objects (below the 200 kPa gel) of given geometry on the default and
realistic simulators with their own calibration: does main's given bound or given34's capped bound
ever lie, or flag a soft object ``stiffer_than_gel``?

    PYTHONPATH=TREE python soft_sweep.py

"raw" is the given-geometry bound before any blind check (``details["given_bound_pa"]`` where one
lowered it); "answer" is this tree's answer. Run it with each tree and compare the answers.
"""

from __future__ import annotations

import itertools
import math
import os

import tactile
from tactile.errors import TactileError
from tactile.estimators import estimate_grasp
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

print("tactile from", tactile.__file__)
DENS = float(os.environ.get("SWEEP_DENS", "0.6"))
n = bad_main = bad_change = flagged = 0
for config, shape, e, foam, r in itertools.product(
    ("default", "realistic"),
    ("sphere", "cylinder"),
    tuple(float(x) for x in os.environ.get("SWEEP_E", "3e4 1e5 1.7e5").split()),
    (True, False),
    tuple(float(x) for x in os.environ.get("SWEEP_R", "6 15").split()),
):
    cfg = SimGraspConfig() if config == "default" else SimGraspConfig.realistic()
    obj = SimObject(
        shape=shape, radius_mm=r, modulus_pa=e, poisson=0.3 if foam else 0.5, name="soft",
        foam=foam, densification_strain=DENS, material="foam" if foam else "gel",
    )  # fmt: skip
    try:
        est = estimate_grasp(simulate_grasp(obj, config=cfg, seed=11), "auto")
    except TactileError as exc:
        print(f"{config} {shape} E {e:.3g} foam {foam} r {r}: {type(exc).__name__}")
        continue
    n += 1
    given = est.details.get("given_bound_pa", est.modulus_pa)
    f = sorted(x.value for x in est.flags if x.value in ("stiffer_than_gel", "unresolved"))
    lb = est.lower_bound_only
    bad_main += lb and given > e
    bad_change += lb and est.modulus_pa > e
    flagged += "stiffer_than_gel" in f
    if lb:
        print(
            f"{config} {shape} E {e:.3g} foam {foam} r {r}: {est.details.get('auto_chose')} bound "
            f"raw 10^{math.log10(given):.2f} -> 10^{math.log10(est.modulus_pa):.2f} {f} "
            f"(label 10^{math.log10(e):.2f}){'  FALSE' if est.modulus_pa > e else ''}"
        )
print(
    f"answered {n}; false: raw given bounds {bad_main}, answers {bad_change}; "
    f"soft flagged {flagged}"
)
