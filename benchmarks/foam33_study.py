"""foam33 (exploratory): blind's foam bound as the admitted draws' 5th percentile everywhere,
few admitted draws redrawn, and ``_open_as_bound``'s gel test with the bound's Monte Carlo
margin; main vs this tree.

    python benchmarks/foam33_study.py compare MAIN.json BRANCH.json
    PYTHONPATH=TREE python benchmarks/foam33_study.py sweep MAIN_BLIND_PY {1,2,3,4} OUT.jsonl
    python benchmarks/foam33_study.py sweepcmp OUT.jsonl

``compare``: blind's per-object comparison of two ``score_rigid_points.py --json`` outputs
(:func:`foam32_compare.compare`; blind only, the branch runs were blind only).

``sweep``: review20's sweeps (benchmarks/results/review20.md, appendix: ``sweep.py`` = 1,
``sweep2.py`` = 2, ``sweep3.py`` = 3; 4 = foam34's fresh sweep, sweep 3's design on the never
run rigs k = 24-39, ``draw_rig(default_rng(100 + k))``, drags 0, 12-18 mm in 1 mm steps and 22
mm, benchmarks/results/foam34_prereg.md), each grasp simulated once and answered by main's blind
(``MAIN_BLIND_PY``: ``git show main:tactile/estimators/blind.py``, loaded as its own module)
and by this tree's. ``sweepcmp``: false bounds, class changes, rises, the largest drops.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from foam32_cliff import RIG, with_drag
from foam32_compare import compare


def _fin(x: float | None) -> float | str | None:
    return x if (x is None or math.isfinite(x)) else str(x)


def _objects(sweep: int, rs: int) -> list[Any]:
    from tactile.sim import SimObject

    objs = []
    if sweep == 1:
        grid = itertools.product(
            [5e3, 2e4, 6e4, 2e5, 6e5], [4.0, 8.0, 15.0, 30.0], [0.5, 0.8], ["box", "cylinder_end"]
        )
        for e_pa, size, dens, shape in grid:
            if shape == "box":
                objs.append(
                    SimObject(
                        shape="box", size_mm=(size * 1.5, size * 1.5, size), modulus_pa=e_pa,
                        poisson=0.1, foam=True, densification_strain=dens,
                        name=f"foam_box_{e_pa:.0e}_{size}_{dens}",
                    )
                )  # fmt: skip
            else:
                objs.append(
                    SimObject(
                        shape="cylinder_end", radius_mm=max(size, 5.0), length_mm=size,
                        modulus_pa=e_pa, poisson=0.1, foam=True, densification_strain=dens,
                        name=f"foam_post_{e_pa:.0e}_{size}_{dens}",
                    )
                )  # fmt: skip
        for e_pa, length in itertools.product([3e6, 6.3e7], [20.0, 40.0, 80.0]):
            objs.append(
                SimObject(
                    shape="cylinder_end", radius_mm=12.7, length_mm=length, modulus_pa=e_pa,
                    poisson=0.3, name=f"post_{e_pa:.0e}_{length}",
                )
            )  # fmt: skip
        return objs
    sizes = [10.0, 20.0, 40.0] if sweep == 2 else [20.0, 40.0]
    for e_pa, s in itertools.product([1e5, 2e5, 4e5], sizes):
        objs.append(
            SimObject(
                shape="box", size_mm=(s * 1.5, s * 1.5, s), modulus_pa=e_pa, poisson=0.1,
                foam=True, densification_strain=0.6, name=f"foam_box_{e_pa:.0e}_{s}",
            )
        )  # fmt: skip
    if sweep == 2:
        for length in (30.0, 60.0):
            objs.append(
                SimObject(
                    shape="cylinder_end", radius_mm=12.7, length_mm=length, modulus_pa=3e6,
                    poisson=0.3, name=f"post_{length}",
                )
            )  # fmt: skip
    return objs


def _row(e: Any) -> dict[str, Any]:
    d = e.details
    return {
        "bound": e.lower_bound_only, "m": _fin(e.modulus_pa), "lo95": _fin(e.interval_95_pa[0]),
        "foam": _fin(d.get("foam_bound_pa")), "lin": _fin(d.get("linear_bound_pa")),
        "share": d.get("foam_admitted_share"), "n_adm": d.get("foam_admitted_draws"),
        "flags": sorted(str(x) for x in e.flags),
    }  # fmt: skip


def sweep(main_py: str, which: int, out_path: str) -> None:
    from tactile.estimators.blind import BlindEstimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.sim import SimGraspConfig, simulate_grasp
    from tactile.sim.rigs import apply_rig, draw_rig

    spec = importlib.util.spec_from_file_location("blind_main", main_py)
    assert spec is not None and spec.loader is not None
    main_mod = importlib.util.module_from_spec(spec)
    sys.modules["blind_main"] = main_mod
    spec.loader.exec_module(main_mod)
    trees = {"main": main_mod.BlindEstimator(), "branch": BlindEstimator()}
    if which == 1:
        cfg1 = apply_rig(SimGraspConfig.realistic(), RIG)
        cases = [(cfg1, gap, seed, gap) for gap in (45.0, 70.0) for seed in (1, 2)]
        runs = [0.0, 6.0, 12.0, 16.0, 20.0, 26.0]
    else:
        ks = {2: range(8), 3: range(8, 24), 4: range(24, 40)}[which]
        cases = [(apply_rig(SimGraspConfig.realistic(), draw_rig(np.random.default_rng(100 + k))),
                  55.0, k, k) for k in ks]  # fmt: skip
        runs = {
            2: [0.0, 12.0, 16.0, 20.0, 26.0],
            3: [0.0, 12, 14, 16, 18, 22.0],
            4: [0.0, 12, 13, 14, 15, 16, 17, 18, 22.0],
        }[which]
    with Path(out_path).open("w") as out:
        for cfg0, gap, seed, tag in cases:
            cfg = dataclasses.replace(
                cfg0, gripper=dataclasses.replace(cfg0.gripper, open_gap_mm=gap)
            )
            for o in _objects(which, int(tag)):
                try:
                    grasp = simulate_grasp(o, cfg, seed=seed, grasp_id="x")
                except Exception as exc:
                    out.write(json.dumps({"obj": o.name, "tag": tag, "simerr": repr(exc)}) + "\n")
                    continue
                for run in runs:
                    g = with_drag(grasp, float(run)) if run > 0 else grasp
                    g = dataclasses.replace(g, meta=blind_metadata(g.meta))
                    row: dict[str, Any] = {"obj": o.name, "tag": tag, "seed": seed, "run": run,
                                           "E": o.modulus_pa}  # fmt: skip
                    for name, est in trees.items():
                        try:
                            row[name] = _row(est.estimate(g))
                        except Exception as exc:
                            row[name] = {"err": repr(exc)}
                    out.write(json.dumps(row) + "\n")
                out.flush()


def sweepcmp(path: str) -> None:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    rows = [r for r in rows if "main" in r and "m" in r["main"] and "m" in r["branch"]]
    false: dict[str, list[Any]] = {"main": [], "branch": []}
    changed: list[Any] = []
    klass: list[Any] = []
    rises: list[float] = []
    drops: list[float] = []
    for r in rows:
        a, b = r["main"], r["branch"]
        for name in ("main", "branch"):
            x = r[name]
            if x["bound"] and float(x["m"]) > r["E"]:
                false[name].append((r["obj"], r["tag"], r["run"], x["m"], x["share"]))
        if any(a[k] != b[k] for k in ("bound", "m", "lo95", "flags")):
            changed.append(r)
            if a["bound"] != b["bound"]:
                klass.append((r["obj"], r["tag"], r["run"], a["bound"], b["bound"]))
            elif a["bound"] and b["bound"]:
                d = math.log10(float(b["m"]) / float(a["m"]))
                (rises if d > 1e-3 else drops).append(d)
    print(f"{path}: answers {len(rows)}, changed {len(changed)}, class changes {len(klass)}")
    print("  false bounds main", len(false["main"]), false["main"][:8])
    print("  false bounds branch", len(false["branch"]), false["branch"][:8])
    print("  rises (dex)", len(rises), sorted(rises)[-5:])
    if drops:
        drops.sort()
        print(
            f"  drops {len(drops)}: median {drops[len(drops) // 2]:.3f} dex, largest {drops[0]:.3f}"
        )
    for k in klass[:10]:
        print("  CLASS", k)
    small = [r["branch"]["n_adm"] for r in rows if r["branch"].get("n_adm") is not None]
    print("  admitted draws behind the bound: min", min(small, default=None))


def with_limits(main: dict[str, Any], branch: dict[str, Any]) -> None:
    """A blind-only run has no resolvable limits (the hybrid's network gives them,
    eval_sim_families.rows_for): the branch's objects take main's limit (a property of the
    object's grasp, not of blind), ``ok`` and the below-limit summary recomputed as
    eval_sim_families.per_object / summarize do."""
    lim = {o["object"]: o for o in main["objects_detail"]}
    below = []
    for o in branch["objects_detail"]:
        m = lim[o["object"]]
        if o.get("refused") or m.get("refused"):
            continue
        o["limit_log10"], o["below_limit"] = m["limit_log10"], m["below_limit"]
        lab, med = o["label"], o["log10"]
        o["ok"] = (o["flagged"] and med <= lab and lab >= o["limit_log10"]) or (
            not o["flagged"] and abs(med - lab) <= 1.0
        )
        if o["below_limit"]:
            below.append((not o["flagged"]) and abs(med - lab) <= 1)
    branch["below_limit_objects"] = len(below)
    branch["below_within_decade"] = sum(below) / len(below) if below else math.nan


def main() -> None:
    if sys.argv[1] == "compare":
        a = json.loads(Path(sys.argv[2]).read_text())
        b = json.loads(Path(sys.argv[3]).read_text())
        with_limits(a["blind"], b["blind"])
        print("blind", json.dumps(compare(a, b, "blind")))
    elif sys.argv[1] == "sweep":
        sweep(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "sweepcmp":
        sweepcmp(sys.argv[2])


if __name__ == "__main__":
    main()
