"""Blind estimates under stress: realistic sensors, randomised rigs calibrated like a user's,
and object families a new user brings (foam bricks, bolts, rubbers, plastics, irregulars).

    python benchmarks/bench_blind_stress.py [--objects 320] [--seed 0] [--per-rig 8]
        [--camera pad|wedge-raw|mix] [--json OUT.json]

Each rig is drawn at random and then *calibrated the way a user calibrates theirs*: three
simulated presses of a rigid 42.67 mm ball (a golf ball) on that rig, fitted by
``tactile.processing.rig_fit.fit_rig`` against the nominal gel (``tactile calibrate rig``).
What the calibration does not know is what differs between days: the true gel modulus is
the nominal one times 10^U(-0.15, 0.15). Rig ranges (uniform): rig compliance 0-0.25 mm/N
(both fingers), width reading offset 0-4 mm, width updates every 0.08-0.2 s, closing speed
15-25 mm/s, force target 16-24 N, simulator preset ``realistic`` or ``thin-layer`` (force
glitches, dropped frames, off-centre contacts, 4 % relaxation; the thin-layer gel stiffens as
the contact grows). ``--per-rig`` objects share one rig.

Families and their draws (E log-uniform within the range given; sizes along the squeeze):

- ``sphere``: 5 kPa-1 GPa, diameter 20-60 mm;
- ``cylinder_side``: 5 kPa-1 GPa, diameter 15-50 mm, length 30-80 mm;
- ``box_over_pad``: 5 kPa-1 GPa, a face 60 x 60 mm (larger than the pad), 20-60 mm thick;
- ``foam_brick``: densifying foam 5-30 kPa, a face 60-100 mm, 30-60 mm thick (very soft,
  larger than the pad);
- ``box_small``: 5 kPa-1 GPa, a face 12-22 mm square, 20-50 mm thick;
- ``irregular``: 5 kPa-1 GPa, an ellipsoid of semi-axes 0.5-1.0 x 0.5-1.0 x 0.5 of 20-50 mm;
- ``bolt``: steel 100-210 GPa, a rough cylinder on its side 8-12 mm across, 20-50 mm long
  (a small rigid object);
- ``rubber``: 0.3-30 MPa spheres, cylinders and ellipsoids 15-50 mm;
- ``plastic``: 0.5-5 GPa spheres, cylinders, ellipsoids and small boxes 10-50 mm.

Each grasp is estimated **blind** (metadata lose shape, radius and every object hint). Printed
per family: point estimates within a decade (below the resolvable limit); objects softer than
the gel within a decade or with a bound that holds; false bounds (a lower bound above the
truth) among flagged objects; soft objects (E < gel/2) flagged stiff; rigid objects
(E >= 100 x gel) unflagged; median |size error|; the imprint's class.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from collections import Counter
from typing import Any

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.blind import BlindEstimator
from tactile.evaluation.protocol import blind_metadata
from tactile.processing.rig_fit import fit_rig
from tactile.sensor import SIM_WEDGE_THIN, SensorCalibration, get_calibration
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.contact import GEL_MAX_STRAIN
from tactile.sim.grasp import as_wedge_raw

FAMILIES = (
    "sphere",
    "cylinder_side",
    "box_over_pad",
    "foam_brick",
    "box_small",
    "irregular",
    "bolt",
    "rubber",
    "plastic",
)
GOLF_BALL = SimObject(shape="sphere", radius_mm=42.67 / 2, modulus_pa=8.5e8, name="golf_ball")


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(10 ** rng.uniform(math.log10(lo), math.log10(hi)))


def make_object(family: str, rng: np.random.Generator, i: int) -> tuple[SimObject, float]:
    """(object, its size along the squeeze in mm)."""
    name = f"{family}_{i:04d}"
    if family in ("rubber", "plastic"):
        shapes = ("sphere", "cylinder", "ellipsoid") + (("box",) if family == "plastic" else ())
        shape = shapes[int(rng.integers(len(shapes)))]
        modulus = _log_uniform(rng, 3e5, 3e7) if family == "rubber" else _log_uniform(rng, 5e8, 5e9)
        size = float(rng.uniform(10 if family == "plastic" else 15, 50))
        poisson = 0.49 if family == "rubber" else 0.38
        kw: dict[str, Any] = {"modulus_pa": modulus, "poisson": poisson, "name": name}
        if shape == "sphere":
            return SimObject(shape="sphere", radius_mm=size / 2, **kw), size
        if shape == "cylinder":
            return SimObject(
                shape="cylinder", radius_mm=size / 2, length_mm=float(rng.uniform(30, 80)), **kw
            ), size
        if shape == "box":
            side = float(rng.uniform(12, 22))
            return SimObject(shape="box", size_mm=(side, side, size), **kw), size
        axes = rng.uniform(0.5, 1.0, size=2) * size
        return SimObject(
            shape="ellipsoid", size_mm=(float(axes[0]), float(axes[1]), size / 2), **kw
        ), size
    if family == "bolt":
        size = float(rng.uniform(8, 12))
        return SimObject(
            shape="cylinder", radius_mm=size / 2, length_mm=float(rng.uniform(20, 50)),
            modulus_pa=_log_uniform(rng, 1e11, 2.1e11), poisson=0.3, roughness_mm=0.05,
            name=name,
        ), size  # fmt: skip
    if family == "foam_brick":
        face = float(rng.uniform(60, 100))
        size = float(rng.uniform(30, 60))
        return SimObject(
            shape="box", size_mm=(face, face, size), modulus_pa=_log_uniform(rng, 5e3, 3e4),
            poisson=0.2, foam=True, densification_strain=float(rng.uniform(0.5, 0.8)),
            name=name,
        ), size  # fmt: skip
    modulus = _log_uniform(rng, 5e3, 1e9)
    size = float(rng.uniform(20, 60 if family in ("sphere", "box_over_pad") else 50))
    if family == "sphere":
        return SimObject(shape="sphere", radius_mm=size / 2, modulus_pa=modulus, name=name), size
    if family == "cylinder_side":
        size = float(rng.uniform(15, 50))
        return SimObject(
            shape="cylinder", radius_mm=size / 2, length_mm=float(rng.uniform(30, 80)),
            modulus_pa=modulus, name=name,
        ), size  # fmt: skip
    if family == "box_over_pad":
        return SimObject(shape="box", size_mm=(60, 60, size), modulus_pa=modulus, name=name), size
    if family == "box_small":
        side = float(rng.uniform(12, 22))
        return SimObject(
            shape="box", size_mm=(side, side, size), modulus_pa=modulus, name=name
        ), size
    axes = rng.uniform(0.5, 1.0, size=2) * size
    return SimObject(
        shape="ellipsoid", size_mm=(float(axes[0]), float(axes[1]), size / 2),
        modulus_pa=modulus, name=name,
    ), size  # fmt: skip


def draw_rig(
    rng: np.random.Generator, camera: str
) -> tuple[SimGraspConfig, SensorCalibration, dict[str, Any]]:
    """A random rig (simulator settings), and the calibration a user would fit on it."""
    thin = rng.random() < 0.5
    base = SimGraspConfig.realistic(
        calibration=SIM_WEDGE_THIN if thin else SimGraspConfig().calibration
    )
    if camera == "wedge-raw" or (camera == "mix" and rng.random() < 0.5):
        base = as_wedge_raw(base)
    nominal = base.calibration
    rig_c = float(rng.uniform(0.0, 0.25))
    gel_factor = float(10 ** rng.uniform(-0.15, 0.15))
    draw = {
        "rig_compliance_mm_per_n": rig_c,
        "gel_factor": gel_factor,
        "width_offset_mm": float(rng.uniform(0.0, 4.0)),
        "close_speed_mm_s": float(rng.uniform(15.0, 25.0)),
        "force_target_n": float(rng.uniform(16.0, 24.0)),
        "width_update_period_s": float(rng.uniform(0.08, 0.2)),
        "thin_layer": thin,
        "camera": "wedge-raw" if base.raw_camera else "pad",
    }
    cfg = dataclasses.replace(
        base,
        calibration=dataclasses.replace(
            nominal,
            gel_modulus_pa=nominal.gel_modulus_pa * gel_factor,
            gel_max_strain=GEL_MAX_STRAIN,
        ),
        gripper=dataclasses.replace(
            base.gripper,
            finger_stiffness_n_per_mm=2.0 / rig_c if rig_c > 1e-6 else 0.0,
            width_offset_mm=draw["width_offset_mm"],
            close_speed_mm_s=draw["close_speed_mm_s"],
            force_target_n=draw["force_target_n"],
        ),
        noise=dataclasses.replace(base.noise, width_update_period_s=draw["width_update_period_s"]),
    )
    # what the user's calibration knows: the nominal gel (with its bottoming) plus the rig fit
    known = dataclasses.replace(nominal, gel_max_strain=GEL_MAX_STRAIN)
    presses = [
        simulate_grasp(GOLF_BALL, config=cfg, seed=int(rng.integers(1 << 30))) for _ in range(3)
    ]
    fit = fit_rig(presses, known, size_mm=42.67)
    draw["fitted_rig_mm_per_n"] = fit.rig_compliance_mm_per_n
    draw["fitted_bias_mm"] = fit.contact_width_bias_mm
    return cfg, fit.apply(known, f"{nominal.calibration_id}+rig"), draw


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=320)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-rig", type=int, default=8)
    ap.add_argument("--camera", choices=("pad", "wedge-raw", "mix"), default="pad")
    ap.add_argument("--json", default=None, help="write every row here")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    est = BlindEstimator()
    gel = get_calibration("sim-wedge-v1").gel_modulus_pa
    rows: list[dict[str, Any]] = []
    t0 = time.time()
    cfg, cal, rig = draw_rig(rng, args.camera)
    for i in range(args.objects):
        if i and i % args.per_rig == 0:
            cfg, cal, rig = draw_rig(rng, args.camera)
        family = FAMILIES[i % len(FAMILIES)]
        obj, size = make_object(family, rng, i)
        row: dict[str, Any] = {"family": family, "modulus_pa": obj.modulus_pa, "size_mm": size,
                               "shape": obj.shape, **rig}  # fmt: skip
        try:
            grasp = simulate_grasp(obj, config=cfg, seed=int(rng.integers(1 << 30)))
            grasp = dataclasses.replace(grasp, meta=blind_metadata(grasp.meta))
            e = est.estimate(grasp, calibration=cal)
        except TactileError as exc:
            rows.append({**row, "error": str(exc)[:200]})
            continue
        geo = e.details["geometry"]
        rows.append({
            **row, "estimate_pa": e.modulus_pa, "flagged": e.lower_bound_only,
            "shape_class": geo["shape_class"], "size_read_mm": geo["size_mm"],
            "radius_from_imprint_mm": geo["radius_from_imprint_mm"],
        })  # fmt: skip
    elapsed = time.time() - t0
    print(f"simulated blind, randomised calibrated rigs ({args.per_rig} objects per rig), camera "
          f"{args.camera}, {len(rows)} objects, seed {args.seed}, {elapsed:.0f} s\n")  # fmt: skip
    print(
        "| family | n | point estimates within a decade | E < gel: within a decade or bound "
        "holds | false bounds | soft (E < gel/2) flagged | rigid (E >= 100 gel) unflagged | "
        "median size error (mm) | imprint class | failed |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for family in (*FAMILIES, "all"):
        sel = [r for r in rows if family in ("all", r["family"])]
        ok = [r for r in sel if "estimate_pa" in r]
        err = {id(r): math.log10(r["estimate_pa"] / r["modulus_pa"]) for r in ok}
        point = [r for r in ok if not r["flagged"]]
        within = sum(abs(err[id(r)]) <= 1 for r in point)
        soft = [r for r in ok if r["modulus_pa"] < gel]
        soft_ok = sum(
            (r["flagged"] and err[id(r)] <= 0) or (not r["flagged"] and abs(err[id(r)]) <= 1)
            for r in soft
        )
        flagged = [r for r in ok if r["flagged"]]
        false_b = sum(err[id(r)] > 0 for r in flagged)
        soft2 = [r for r in ok if r["modulus_pa"] < gel / 2]
        rigid = [r for r in ok if r["modulus_pa"] >= 100 * gel]
        size_err = np.median([abs(r["size_read_mm"] - r["size_mm"]) for r in ok]) if ok else 0
        classes = Counter(r["shape_class"] for r in ok)
        cls = ", ".join(f"{k} {v}" for k, v in classes.most_common())
        print(
            f"| {family} | {len(sel)} | {within}/{len(point)} | {soft_ok}/{len(soft)} | "
            f"{false_b}/{len(flagged)} | {sum(r['flagged'] for r in soft2)}/{len(soft2)} | "
            f"{sum(not r['flagged'] for r in rigid)}/{len(rigid)} | {size_err:.1f} | {cls} | "
            f"{len(sel) - len(ok)} |"
        )
    for r in rows:
        if "estimate_pa" not in r:
            print(f"  failed: {r['family']} E {r['modulus_pa']:.3g}: {r['error'][:100]}")
            continue
        e = math.log10(r["estimate_pa"] / r["modulus_pa"])
        bad = (r["flagged"] and e > 0) or (not r["flagged"] and abs(e) > 1)
        bad = bad or (r["flagged"] and r["modulus_pa"] < gel / 2)
        bad = bad or (not r["flagged"] and r["modulus_pa"] >= 100 * gel)
        if bad:
            print(
                f"  miss: {r['family']} ({r['shape']}, {r['size_mm']:.0f} mm) E "
                f"{r['modulus_pa']:.3g} -> {'>' if r['flagged'] else ''}{r['estimate_pa']:.3g} "
                f"[{r['shape_class']}; rig {r['rig_compliance_mm_per_n']:.3f} fitted "
                f"{r['fitted_rig_mm_per_n']:.3f} mm/N, gel x{r['gel_factor']:.2f}, "
                f"{'thin' if r['thin_layer'] else 'half-space'}, {r['camera']}]"
            )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
