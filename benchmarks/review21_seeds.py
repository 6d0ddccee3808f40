"""review21 (exploratory): blind's answer on every grasp of a file at estimator seeds 0-4 (this
tree), with the foam details: the seed spread of each bound, bounds above the label at any
seed, the fewest admitted draws behind a claimed foam bound.

    PYTHONPATH=TREE python benchmarks/review21_seeds.py FILE.h5 OUT.jsonl
    python benchmarks/review21_seeds.py --summary OUT.jsonl
"""

from __future__ import annotations

import dataclasses
import json
import math
import statistics
import sys
from pathlib import Path
from typing import Any

SEEDS = range(5)


def dump(path: str, out_path: str) -> None:
    from tactile.estimators.blind import BlindEstimator
    from tactile.evaluation.protocol import blind_metadata
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration

    reader = GraspReader(path)
    ests = [BlindEstimator(seed=s) for s in SEEDS]
    with Path(out_path).open("w") as fh:
        for gid in reader.ids():
            g = reader.read(gid)
            label = g.meta.label_modulus_pa
            g = dataclasses.replace(g, meta=blind_metadata(g.meta))
            cal = resolve_calibration(g.meta)
            answers: list[dict[str, Any]] = []
            for est in ests:
                try:
                    e = est.estimate(g, calibration=cal)
                except Exception as exc:
                    answers.append({"refused": repr(exc)[:80]})
                    continue
                d = e.details
                answers.append({
                    "m": e.modulus_pa, "bound": e.lower_bound_only,
                    "flags": sorted(str(f) for f in e.flags),
                    "foam": d.get("foam_bound_pa"), "n_adm": d.get("foam_admitted_draws"),
                    "share": d.get("foam_admitted_share"),
                })  # fmt: skip
            row = {"grasp": gid, "label": label, "cal_gel": cal.gel_modulus_pa, "a": answers}
            fh.write(json.dumps(row, default=str) + "\n")


def summary(path: str) -> None:
    rows = [json.loads(x) for x in Path(path).read_text().splitlines()]
    false, spreads, few, classflip = [], [], [], []
    for r in rows:
        a = [x for x in r["a"] if "m" in x]
        for s, x in enumerate(a):
            if x["bound"] and r["label"] is not None and x["m"] > r["label"]:
                false.append((r["grasp"], s, x["m"], r["label"]))
            if x["bound"] and x["foam"] is not None and x["m"] == x["foam"]:
                few.append((x["n_adm"], r["grasp"], s, x["share"]))
        if len(a) == len(SEEDS) and all(x["bound"] for x in a):
            logs = [math.log10(x["m"]) for x in a]
            spreads.append((round(max(logs) - min(logs), 4), r["grasp"]))
        if len({(x["bound"], tuple(x["flags"])) for x in a}) > 1:
            classflip.append((r["grasp"], [(x["bound"], x["flags"]) for x in a]))
    spreads.sort()
    few.sort()
    print(f"{path}: grasps {len(rows)}, seeds {len(SEEDS)}")
    print(f"  bounds above the label at any seed: {len(false)} {false[:8]}")
    if spreads:
        med = statistics.median(x[0] for x in spreads)
        print(f"  seed spread of {len(spreads)} always-bounds: median {med:.4f} dex")
        print(f"  largest: {spreads[-4:]}")
    print(f"  class/flag differs between seeds: {len(classflip)}")
    for c in classflip[:6]:
        print("   ", c)
    print(f"  fewest admitted draws behind a claimed foam bound: {few[:5]}")
    print(f"  claimed foam bounds (grasp x seed): {len(few)}")


if __name__ == "__main__":
    if sys.argv[1] == "--summary":
        summary(sys.argv[2])
    else:
        dump(sys.argv[1], sys.argv[2])
