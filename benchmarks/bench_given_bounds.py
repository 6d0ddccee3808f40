"""Do given-geometry lower bounds hold? ``auto`` with the object's shape and radius given.

    python benchmarks/bench_given_bounds.py [FILE.h5 ...] [--per-family 8] [--seed 0]

For each grasp file (simulated, labels in the metadata): every grasp estimated by ``auto`` with
its stored shape and radius (``estimate_stored(..., protocol="given")``, as ``tactile estimate``
does); then ``--per-family`` freshly simulated objects of each family of
``benchmarks/bench_blind.py`` (E log-uniform 5 kPa - 1 GPa, sizes 20-50 mm, the default
simulator and its own calibration with the gel's bottoming), shape and radius given. Prints,
per set, the estimates, the lower-bound-only answers and the false ones (bound above the true
modulus), each false one with its label, bound and the estimator ``auto`` chose.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

import numpy as np

from tactile.errors import TactileError
from tactile.estimators import get_estimator
from tactile.evaluation.runner import estimate_stored
from tactile.io import GraspReader
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN

sys.path.insert(0, str(Path(__file__).parent))
from bench_blind import FAMILIES, make_object


def report(name: str, rows: list[tuple[str, float, float, bool, str]]) -> None:
    bounds = [r for r in rows if r[3]]
    false = [r for r in bounds if r[2] > r[1]]
    print(f"{name}: {len(rows)} estimates, {len(bounds)} lower bounds, {len(false)} false")
    for gid, label, est, _, chose in false:
        print(f"    {gid}: E 10^{math.log10(label):.2f}, bound 10^{math.log10(est):.2f} ({chose})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--per-family", type=int, default=8)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    auto = get_estimator("auto")
    for path in args.files:
        rows = []
        with GraspReader(path) as reader:
            for gid in reader.ids():
                try:
                    meta, e = estimate_stored(reader, gid, auto, protocol="given")
                except TactileError:
                    continue
                if meta.label_modulus_pa:
                    chose = str(e.details.get("auto_chose"))
                    rows.append(
                        (gid, meta.label_modulus_pa, e.modulus_pa, e.lower_bound_only, chose)
                    )
        report(path.name, rows)
    if args.per_family > 0:
        rng = np.random.default_rng(args.seed)
        cal = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)
        rows = []
        for family in FAMILIES:
            for _ in range(args.per_family):
                modulus = 10 ** rng.uniform(math.log10(5e3), 9.0)
                obj = make_object(family, modulus, rng.uniform(20, 50), rng)
                grasp = simulate_grasp(
                    obj, config=SimGraspConfig(), seed=int(rng.integers(1 << 30))
                )
                try:
                    e = auto.estimate(grasp, calibration=cal)
                except TactileError:
                    continue
                chose = str(e.details.get("auto_chose"))
                rows.append((obj.name, modulus, e.modulus_pa, e.lower_bound_only, chose))
        report(f"default simulator, {args.per_family} per family, seed {args.seed}", rows)


if __name__ == "__main__":
    main()
