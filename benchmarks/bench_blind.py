"""Blind accuracy and bound honesty on simulated grasps of every shape family.

    python benchmarks/bench_blind.py [--per-family 12] [--seed 0] [--rig-n-per-mm 0]

Objects are drawn per shape family — sphere, cylinder on its side, flat face larger than the
pad (a 60 x 60 mm box), small box, irregular (an ellipsoid of unequal semi-axes) — with E
log-uniform over 5 kPa - 1 GPa and sizes uniform 20-50 mm along the squeeze, simulated with
the default settings (``SimGraspConfig()``; with ``--rig-n-per-mm K`` each finger deflects by
F/K and the calibration carries the matching rig compliance 2/K mm/N with a 20 % spread). Each
grasp is estimated **blind**: the metadata lose shape, radius and every object hint
(:func:`tactile.evaluation.protocol.blind_metadata`). Printed as Markdown:

- within a decade, among objects whose estimate is a point (below the resolvable limit) and
  among all objects with E below the gel's modulus;
- false bounds: flagged objects whose lower bound exceeds their modulus;
- soft objects flagged: E below half the gel's modulus but flagged stiffer than the gel;
- rigid unflagged: E at least 100x the gel's modulus but not flagged.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import time

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.sensor import get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.sim.gripper import GripperProfile

FAMILIES = ("sphere", "cylinder_side", "box_over_pad", "box_small", "irregular")


def make_object(
    family: str, modulus_pa: float, size_mm: float, rng: np.random.Generator
) -> SimObject:
    name = f"{family}_{modulus_pa:.3g}"
    if family == "sphere":
        return SimObject(shape="sphere", radius_mm=size_mm / 2, modulus_pa=modulus_pa, name=name)
    if family == "cylinder_side":
        length = float(rng.uniform(30, 80))
        return SimObject(
            shape="cylinder", radius_mm=size_mm / 2, length_mm=length, modulus_pa=modulus_pa,
            name=name,
        )  # fmt: skip
    if family == "box_over_pad":
        return SimObject(shape="box", size_mm=(60, 60, size_mm), modulus_pa=modulus_pa, name=name)
    if family == "box_small":
        side = float(rng.uniform(12, 22))
        return SimObject(
            shape="box", size_mm=(side, side, size_mm), modulus_pa=modulus_pa, name=name
        )
    axes = rng.uniform(0.5, 1.0, size=2) * size_mm
    return SimObject(
        shape="ellipsoid", size_mm=(float(axes[0]), float(axes[1]), size_mm / 2),
        modulus_pa=modulus_pa, name=name,
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-family", type=int, default=12)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rig-n-per-mm", type=float, default=0.0, help="finger stiffness (0: rigid)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    base = SimGraspConfig()
    cal = dataclasses.replace(get_calibration("sim-wedge-v1"), gel_max_strain=GEL_MAX_STRAIN)
    config = base
    if args.rig_n_per_mm > 0:
        config = dataclasses.replace(
            base, gripper=GripperProfile(finger_stiffness_n_per_mm=args.rig_n_per_mm)
        )
        rig = 2.0 / args.rig_n_per_mm
        cal = dataclasses.replace(
            cal, rig_compliance_mm_per_n=rig, rig_compliance_sd_mm_per_n=0.2 * rig
        )
    gel = cal.gel_modulus_pa
    est = BlindEstimator()
    rows = []
    t0 = time.time()
    for family in FAMILIES:
        for _ in range(args.per_family):
            modulus = 10 ** rng.uniform(math.log10(5e3), 9.0)
            size = float(rng.uniform(20, 50))
            obj = make_object(family, modulus, size, rng)
            grasp = simulate_grasp(obj, config=config, seed=int(rng.integers(1 << 30)))
            grasp = dataclasses.replace(grasp, meta=blind_metadata(grasp.meta))
            try:
                e = est.estimate(grasp, calibration=cal)
            except TactileError as exc:
                rows.append((family, modulus, None, False, str(exc)))
                continue
            rows.append((family, modulus, e.modulus_pa, e.lower_bound_only, ""))
    print(f"simulated blind, default sim, rig {args.rig_n_per_mm or 'rigid'} N/mm per finger, "
          f"{len(rows)} objects, seed {args.seed}, {time.time() - t0:.0f} s\n")  # fmt: skip
    print(
        "| family | n | point estimates within a decade | E < gel: within a decade or bound "
        "holds | false bounds | soft (E < gel/2) flagged | rigid (E >= 100 gel) unflagged | "
        "failed |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for family in (*FAMILIES, "all"):
        sel = [r for r in rows if family in ("all", r[0])]
        ok = [r for r in sel if r[2] is not None]
        point = [r for r in ok if not r[3]]
        within = sum(abs(math.log10(r[2] / r[1])) <= 1 for r in point)
        soft = [r for r in ok if r[1] < gel]
        soft_ok = sum(
            (r[3] and r[2] <= r[1]) or (not r[3] and abs(math.log10(r[2] / r[1])) <= 1)
            for r in soft
        )
        false_b = sum(r[3] and r[2] > r[1] for r in ok)
        flagged = [r for r in ok if r[3]]
        soft_flag = sum(r[3] for r in ok if r[1] < gel / 2)
        n_soft2 = sum(r[1] < gel / 2 for r in ok)
        rigid = [r for r in ok if r[1] >= 100 * gel]
        rigid_un = sum(not r[3] for r in rigid)
        print(
            f"| {family} | {len(sel)} | {within}/{len(point)} | {soft_ok}/{len(soft)} | "
            f"{false_b}/{len(flagged)} | {soft_flag}/{n_soft2} | {rigid_un}/{len(rigid)} | "
            f"{len(sel) - len(ok)} |"
        )
    for r in rows:
        if r[2] is not None and (
            (r[3] and r[2] > r[1]) or (not r[3] and abs(math.log10(r[2] / r[1])) > 1)
        ):
            print(f"  miss: {r[0]} E {r[1]:.3g} -> {'>' if r[3] else ''}{r[2]:.3g}")
        if r[2] is None:
            print(f"  failed: {r[0]} E {r[1]:.3g}: {r[4][:100]}")


if __name__ == "__main__":
    main()
