"""foam32: main vs branch per object, from ``score_rigid_points.py --json`` outputs.

    python benchmarks/foam32_compare.py MAIN.json BRANCH.json
    PYTHONPATH=TREE python benchmarks/foam32_compare.py --dump FILE.h5 OUT.jsonl
    python benchmarks/foam32_compare.py --all-admitted MAIN.jsonl BRANCH.jsonl
    python benchmarks/foam32_compare.py --identical MAIN.json BRANCH.json

Per estimator: false bounds, bounds, rigid points, below limit within a decade (count and
share), bounds up / down (objects answered with a bound by both trees), the largest rise
(dex), new false bounds, and the objects whose class changed (flagged, ``ok``, 68 % coverage).

``--dump``: blind's answer per grasp of FILE under the blind protocol (the tree first on
PYTHONPATH), with ``foam_admitted_share`` where the tree reports it. ``--all-admitted``: the
grasps whose branch share is 1.0 (every foam-bound draw admitted), and how many of them have
an answer different from main's (criterion P6 of benchmarks/results/foam32_prereg.md).
``--identical``: per estimator, the objects whose ``objects_detail`` differ between two
``score_rigid_points.py`` JSONs and whether the summaries are equal (foam32b's Q1).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def compare(main: dict[str, Any], branch: dict[str, Any], name: str) -> dict[str, Any]:
    a, b = main[name], branch[name]
    oa = {o["object"]: o for o in a["objects_detail"]}
    ob = {o["object"]: o for o in b["objects_detail"]}
    up = down = 0
    rise = 0.0
    drops: list[float] = []
    rises: list[tuple[str, float]] = []
    new_false: list[str] = []
    changed: list[str] = []
    for k, x in oa.items():
        y = ob[k]
        if x.get("refused") or y.get("refused"):
            if bool(x.get("refused")) != bool(y.get("refused")):
                changed.append(k)
            continue
        if x["flagged"] and y["flagged"]:
            d = y["log10"] - x["log10"]
            if d > 1e-9:
                up += 1
                rises.append((k, d))
            elif d < -1e-9:
                down += 1
                drops.append(d)
            rise = max(rise, d)
        false_main = x["flagged"] and x["log10"] > x["label"]
        if y["flagged"] and y["log10"] > y["label"] and not false_main:
            new_false.append(k)
        keys = ("flagged", "ok", "covered_68")
        if any(x.get(c) != y.get(c) for c in keys):
            changed.append(k)
    n_below = sum(1 for o in oa.values() if o.get("below_limit"))
    return {
        "false_bounds": (a["false_bounds"], b["false_bounds"]),
        "n_bounds": (a["n_bounds"], b["n_bounds"]),
        "rigid_points": (a["rigid_points"], b["rigid_points"], a["rigid_objects"]),
        "below_within": (
            round(a["below_within_decade"] * a["below_limit_objects"]),
            round(b["below_within_decade"] * b["below_limit_objects"]),
            a["below_limit_objects"],
            n_below,
        ),
        "up_down": (up, down),
        "largest_rise_dex": rise,
        "largest_drop_dex": min(drops, default=0.0),
        "median_drop_dex": sorted(drops)[len(drops) // 2] if drops else 0.0,
        "rises": rises,
        "new_false": new_false,
        "class_changes": changed,
    }


def dump(data: str, out: str) -> None:
    import dataclasses

    from tactile.estimators.blind import BlindEstimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration

    reader = GraspReader(data)
    est = BlindEstimator()
    with Path(out).open("w") as fh:
        for gid in reader.ids():
            g = reader.read(gid)
            g = dataclasses.replace(g, meta=blind_metadata(g.meta))
            e = est.estimate(g, calibration=resolve_calibration(g.meta))
            row = {
                "grasp": gid,
                "modulus_pa": e.modulus_pa,
                "flagged": e.lower_bound_only,
                "i68": list(e.interval_68_pa),
                "i95": list(e.interval_95_pa),
                "flags": sorted(str(f) for f in e.flags),
                "share": e.details.get("foam_admitted_share"),
            }
            fh.write(json.dumps(row) + "\n")


def all_admitted(main_path: str, branch_path: str) -> None:
    def load(p: str) -> dict[str, dict[str, Any]]:
        rows = [json.loads(x) for x in Path(p).read_text().splitlines() if x.strip()]
        return {r["grasp"]: r for r in rows}

    a, b = load(main_path), load(branch_path)
    keys = ("modulus_pa", "flagged", "i68", "i95", "flags")
    full = [g for g, r in b.items() if r["share"] == 1.0]
    differ = [g for g in full if any(a[g][k] != b[g][k] for k in keys)]
    shares = [r["share"] for r in b.values() if r["share"] is not None]
    moved = [g for g in b if any(a[g][k] != b[g][k] for k in keys)]
    print(
        f"grasps {len(b)}; foam bound asked on {len(shares)}; every draw admitted on "
        f"{len(full)}, of which answered differently from main: {len(differ)} {differ}; "
        f"answers moved overall: {len(moved)}; admitted share < 0.5 on "
        f"{sum(x < 0.5 for x in shares)}, < 0.05 on {sum(x < 0.05 for x in shares)}, "
        f"smallest {min(shares, default=float('nan')):.4f}"
    )


def identical(main_path: str, branch_path: str) -> None:
    a = json.loads(Path(main_path).read_text())
    b = json.loads(Path(branch_path).read_text())
    for n in ("blind", "hybrid"):
        if n not in a:
            continue
        oa = {o["object"]: o for o in a[n]["objects_detail"]}
        ob = {o["object"]: o for o in b[n]["objects_detail"]}
        diff = [k for k in oa if oa[k] != ob.get(k)]
        same = {k: v for k, v in a[n].items() if k != "objects_detail"} == {
            k: v for k, v in b[n].items() if k != "objects_detail"
        }
        print(f"{n}: objects differing {len(diff)} {diff[:10]}; summary identical: {same}")


def main() -> None:
    if sys.argv[1] == "--identical":
        identical(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1] == "--dump":
        dump(sys.argv[2], sys.argv[3])
        return
    if sys.argv[1] == "--all-admitted":
        all_admitted(sys.argv[2], sys.argv[3])
        return
    main_res = json.loads(Path(sys.argv[1]).read_text())
    branch_res = json.loads(Path(sys.argv[2]).read_text())
    for name in ("blind", "hybrid"):
        if name in main_res:
            print(name, json.dumps(compare(main_res, branch_res, name)))


if __name__ == "__main__":
    main()
