"""review21 (exploratory, adversarial): foam34's blind foam bound on built grasps the author never
ran: rigs k = 40-55 (``draw_rig(default_rng(100 + k))``), foam boxes, posts, spheres,
cylinder sides and ellipsoids with densification onsets 0.5-0.8, a few non-foam objects, drags
0, 14, 18 and 22 mm (``foam32_cliff.with_drag``), each answered by main's blind and this tree's
at estimator seeds 0-4. ``B``: sweep B, rigs k = 56-63 with simulator seed 1000 + k and drags 0,
18 and 22 mm (:data:`RIGS_B`).

    PYTHONPATH=TREE python benchmarks/review21_sweep.py run MAIN_BLIND_PY OUT.jsonl [B]
    python benchmarks/review21_sweep.py cmp OUT.jsonl

``cmp``: false bounds (a bound above the object's modulus), false "stiffer than the gel" claims
(the flag on an object softer than the calibration's gel or the rig's true gel), class changes,
rises and drops at seed 0, and the spread of the branch's bound over the estimator seeds.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from foam32_cliff import with_drag

SEEDS = range(5)
RUNS = (0.0, 14.0, 18.0, 22.0)
#: sweep B (``run ... B``): rigs k = 56-63, simulator seed 1000 + k, drags 0, 18, 22 mm
RIGS_B, SIM_OFFSET_B, RUNS_B = range(56, 64), 1000, (0.0, 18.0, 22.0)


def _objects() -> list[Any]:
    from tactile.sim import SimObject

    def foam(name: str, e: float, d: float, **kw: Any) -> Any:
        return SimObject(
            modulus_pa=e, poisson=0.1, foam=True, densification_strain=d, name=name, **kw
        )

    return [
        foam("fbox_1e5_20_d0.5", 1e5, 0.5, shape="box", size_mm=(30.0, 30.0, 20.0)),
        foam("fbox_3e5_40_d0.8", 3e5, 0.8, shape="box", size_mm=(60.0, 60.0, 40.0)),
        foam("fbox_3e4_10_d0.65", 3e4, 0.65, shape="box", size_mm=(15.0, 15.0, 10.0)),
        foam("fbox_5e4_30_d0.7", 5e4, 0.7, shape="box", size_mm=(40.0, 40.0, 30.0)),
        foam("fpost_1e5_r10_d0.5", 1e5, 0.5, shape="cylinder_end", radius_mm=10.0, length_mm=20.0),
        foam("fpost_3e5_r6_d0.8", 3e5, 0.8, shape="cylinder_end", radius_mm=6.0, length_mm=15.0),
        foam("fsph_1e5_r15_d0.6", 1e5, 0.6, shape="sphere", radius_mm=15.0),
        foam("fsph_3e5_r8_d0.5", 3e5, 0.5, shape="sphere", radius_mm=8.0),
        foam("fsph_4e4_r25_d0.75", 4e4, 0.75, shape="sphere", radius_mm=25.0),
        foam("fcyl_1e5_r10_d0.7", 1e5, 0.7, shape="cylinder", radius_mm=10.0, length_mm=30.0),
        foam("fell_2e5_d0.55", 2e5, 0.55, shape="ellipsoid", size_mm=(12.0, 12.0, 10.0)),
        SimObject(
            shape="cylinder_end",
            radius_mm=12.7,
            length_mm=40.0,
            modulus_pa=3e6,
            poisson=0.3,
            name="post_3e6",
        ),
        SimObject(shape="sphere", radius_mm=20.0, modulus_pa=6.3e7, poisson=0.3, name="sph_6e7"),
    ]


def _row(e: Any) -> dict[str, Any]:
    d = e.details

    def fin(x: Any) -> Any:
        return x if (x is None or math.isfinite(x)) else str(x)

    return {
        "bound": e.lower_bound_only, "m": fin(e.modulus_pa), "lo95": fin(e.interval_95_pa[0]),
        "foam": fin(d.get("foam_bound_pa")), "lin": fin(d.get("linear_bound_pa")),
        "share": d.get("foam_admitted_share"), "n_adm": d.get("foam_admitted_draws"),
        "all": fin(d.get("foam_bound_all_draws_pa")), "up": fin(d.get("foam_bound_mc_upper_pa")),
        "flags": sorted(str(x) for x in e.flags), "open": d.get("open_point_pa") is not None,
    }  # fmt: skip


def run(main_py: str, out_path: str, smoke: bool = False, b: bool = False) -> None:
    from tactile.estimators.blind import BlindEstimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.sensor import resolve_calibration
    from tactile.sim import SimGraspConfig, simulate_grasp
    from tactile.sim.rigs import apply_rig, draw_rig

    spec = importlib.util.spec_from_file_location("blind_main", main_py)
    assert spec is not None and spec.loader is not None
    main_mod = importlib.util.module_from_spec(spec)
    sys.modules["blind_main"] = main_mod
    spec.loader.exec_module(main_mod)
    trees = {
        "main": [main_mod.BlindEstimator(seed=s) for s in SEEDS],
        "branch": [BlindEstimator(seed=s) for s in SEEDS],
    }
    with Path(out_path).open("w") as out:
        rigs = RIGS_B if b else range(40, 41 if smoke else 56)
        for k in rigs:
            cfg0 = apply_rig(SimGraspConfig.realistic(), draw_rig(np.random.default_rng(100 + k)))
            cfg = dataclasses.replace(
                cfg0, gripper=dataclasses.replace(cfg0.gripper, open_gap_mm=55.0)
            )
            for o in _objects()[: 2 if smoke else None]:
                try:
                    sim_seed = k + (SIM_OFFSET_B if b else 0)
                    grasp = simulate_grasp(o, cfg, seed=sim_seed, grasp_id="x")
                except Exception as exc:
                    out.write(json.dumps({"obj": o.name, "k": k, "simerr": repr(exc)}) + "\n")
                    continue
                true_gel = float(grasp.meta.extra.get("true_gel_modulus_pa", math.nan))
                for drag in RUNS_B if b else RUNS:
                    try:
                        g = with_drag(grasp, drag) if drag > 0 else grasp
                    except Exception as exc:
                        out.write(json.dumps({"obj": o.name, "k": k, "drag": drag,
                                              "dragerr": repr(exc)}) + "\n")  # fmt: skip
                        continue
                    g = dataclasses.replace(g, meta=blind_metadata(g.meta))
                    cal_gel = resolve_calibration(g.meta).gel_modulus_pa
                    row: dict[str, Any] = {"obj": o.name, "k": k, "drag": drag,
                                           "E": o.modulus_pa, "true_gel": true_gel,
                                           "cal_gel": cal_gel}  # fmt: skip
                    for name, ests in trees.items():
                        answers = []
                        for est in ests:
                            try:
                                answers.append(_row(est.estimate(g)))
                            except Exception as exc:
                                answers.append({"err": repr(exc)})
                        row[name] = answers
                    out.write(json.dumps(row) + "\n")
                out.flush()


def cmp(path: str) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    errs = [r for r in rows if "simerr" in r or "dragerr" in r]
    rows = [r for r in rows if "main" in r]
    print(f"{path}: answer rows {len(rows)}, sim/drag errors {len(errs)}")
    for r in errs[:5]:
        print("  ERR", r)
    est_err = sum("err" in a for r in rows for t in ("main", "branch") for a in r[t])
    print("  estimator errors", est_err)
    for t in ("main", "branch"):
        fb, fb0, sg = [], [], []
        for r in rows:
            for s, a in enumerate(r[t]):
                if "err" in a:
                    continue
                if a["bound"] and float(a["m"]) > r["E"]:
                    fb.append((r["obj"], r["k"], r["drag"], s, a["m"], a["share"], a["n_adm"]))
                    if s == 0:
                        fb0.append(fb[-1])
                stg = "stiffer_than_gel" in a["flags"]
                if stg and (r["E"] < r["cal_gel"] or r["E"] < r["true_gel"]):
                    sg.append((r["obj"], r["k"], r["drag"], s, a["m"], r["cal_gel"], r["true_gel"]))
        n_b = sum(a.get("bound", False) for r in rows for a in r[t])
        print(f"  {t}: bounds {n_b} (all seeds), false bounds {len(fb)} (seed 0: {len(fb0)})")
        for x in fb[:12]:
            print("    FALSE", x)
        print(f"  {t}: false 'stiffer than gel' (E < cal or true gel) {len(sg)}")
        for x in sg[:8]:
            print("    SG", x)
    klass, rises, drops, incons = [], [], [], []
    for r in rows:
        for s in SEEDS:
            a, b = r["main"][s], r["branch"][s]
            if "err" in a or "err" in b:
                continue
            if a["bound"] != b["bound"] or a["flags"] != b["flags"]:
                klass.append((r["obj"], r["k"], r["drag"], s, a["bound"], b["bound"], b["flags"]))
            elif a["bound"] and b["bound"]:
                d = math.log10(float(b["m"]) / float(a["m"]))
                if d > 1e-3:
                    rises.append((round(d, 4), r["obj"], r["k"], r["drag"], s, a["share"]))
                elif d < -1e-3:
                    drops.append(d)
            if b["bound"] and "stiffer_than_gel" in b["flags"] and float(b["m"]) < r["cal_gel"]:
                incons.append((r["obj"], r["k"], r["drag"], s, b["m"], b["all"], b["up"]))
    print(f"  class/flag changes (all seeds) {len(klass)}")
    for x in klass[:12]:
        print("    CLASS", x)
    print(f"  rises > 0.001 dex (all seeds) {len(rises)}; largest {sorted(rises)[-6:]}")
    if drops:
        drops.sort()
        print(f"  drops {len(drops)}: median {drops[len(drops) // 2]:.3f}, largest {drops[0]:.3f}")
        print(f"  drops > 1 dex: {sum(d < -1 for d in drops)}")
    print(f"  branch bounds flagged stiffer_than_gel yet below the cal gel: {len(incons)}")
    for t in ("main", "branch"):
        ob = [(r["obj"], r["k"], r["drag"], s, a["m"], a["all"], r["cal_gel"])
              for r in rows for s, a in enumerate(r[t])
              if a.get("bound") and a.get("open") and float(a["m"]) < r["cal_gel"]]  # fmt: skip
        print(f"  {t}: open-as-bound answers (open_point_pa) whose bound is below the cal gel: "
              f"{len(ob)} {ob[:6]}")  # fmt: skip
    for x in incons[:8]:
        print("    BELOWGEL", x)
    # Monte Carlo stability over estimator seeds (branch), where every seed answers a bound
    spreads, ratio_max, few = [], [], []
    for r in rows:
        bs = [a for a in r["branch"] if "err" not in a]
        if len(bs) == len(SEEDS) and all(a["bound"] for a in bs):
            logs = [math.log10(float(a["m"])) for a in bs]
            spreads.append((max(logs) - min(logs), r["obj"], r["k"], r["drag"]))
            ratio_max.append((max(float(a["m"]) for a in bs) / r["E"], r["obj"], r["k"], r["drag"]))
        for s, a in enumerate(bs):
            if a.get("bound") and a.get("n_adm") is not None and a["m"] == a["foam"]:
                few.append((a["n_adm"], r["obj"], r["k"], r["drag"], s, a["share"]))
    spreads.sort()
    if spreads:
        med = statistics.median(x[0] for x in spreads)
        print(f"  seed spread (max-min log10 over seeds 0-4) of {len(spreads)} always-bounds: "
              f"median {med:.4f} dex, largest {spreads[-3:]}")  # fmt: skip
    ratio_max.sort()
    print(f"  largest bound/E over seeds: {ratio_max[-3:]}")
    few.sort()
    print(f"  fewest admitted draws behind a claimed foam bound: {few[:4]}")


def main() -> None:
    if sys.argv[1] == "run":
        extra = sys.argv[4] if len(sys.argv) > 4 else ""
        run(sys.argv[2], sys.argv[3], smoke=extra == "smoke", b=extra == "B")
    elif sys.argv[1] == "cmp":
        cmp(sys.argv[2])


if __name__ == "__main__":
    main()
