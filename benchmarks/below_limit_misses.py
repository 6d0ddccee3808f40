"""Where the objects below the resolvable limit that an estimator misses lie: each miss's kind
(a bound only, a point too stiff, a point too soft) and the band of the object's label against
the calibration's gel, the estimator's own reference (``wedge-reference-v3``'s 54.7 kPa on the
simulated random rigs) and against the rig's true simulated gel.

    python benchmarks/score_rigid_points.py FILE.h5 --estimators hybrid blind --json OUT.json
    python benchmarks/below_limit_misses.py OUT.json [OUT2.json ...] [--cal-gel-pa 54.7e3]

Reads ``score_rigid_points.py``'s JSON ("below the limit" is :mod:`eval_sim_families`'s: the
network's limits score every estimator). The calibration's gel is taken from each object's
``cal_gel_log10`` where the JSON has it, else from ``--cal-gel-pa``.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

BANDS = ("< -0.5", "-0.5..0", "0..0.5", ">= 0.5")


def _band(dex: float) -> str:
    if dex < -0.5:
        return BANDS[0]
    if dex < 0.0:
        return BANDS[1]
    return BANDS[2] if dex < 0.5 else BANDS[3]


def miss_kind(o: dict[str, Any]) -> str:
    """``ok`` for a hit; else how a below-limit object was missed."""
    if o["ok"]:
        return "ok"
    if o["flagged"]:
        return "bound only"
    return "point too stiff" if o["log10"] > o["label"] else "point too soft"


def tally(objs: list[dict[str, Any]], cal_gel_log10: float) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {"kind": Counter(), "cal": Counter(), "rig": Counter()}
    for o in objs:
        if not o.get("below_limit") or o["refused"]:
            continue
        kind = miss_kind(o)
        out["kind"][kind] += 1
        cal = o.get("cal_gel_log10", cal_gel_log10)
        out["cal"][f"{_band(o['label'] - cal)} {kind == 'ok'}"] += 1
        if o.get("gel_log10") is not None:
            out["rig"][f"{_band(o['label'] - o['gel_log10'])} {kind == 'ok'}"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("json", nargs="+", type=Path)
    p.add_argument("--cal-gel-pa", type=float, default=54.7e3)
    args = p.parse_args(argv)
    docs = [json.loads(f.read_text()) for f in args.json]
    names = [n for n in ("hybrid", "blind") if any(n in d for d in docs)]
    for name in names:
        total: dict[str, Counter[str]] = {"kind": Counter(), "cal": Counter(), "rig": Counter()}
        for d in docs:
            if name in d:
                for k, c in tally(d[name]["objects_detail"], math.log10(args.cal_gel_pa)).items():
                    total[k].update(c)
        n = sum(total["kind"].values())
        print(f"\n{name}: {n} objects below the limit over {len(docs)} file(s)")
        print("| answer | objects |\n|---|---|")
        for kind, c in total["kind"].most_common():
            print(f"| {kind} | {c} |")
        for key, title in (("cal", "calibration's gel"), ("rig", "rig's true gel")):
            print(f"\n| label vs the {title} (dex) | objects | within a decade |\n|---|---|---|")
            for b in BANDS:
                hit, miss = total[key][f"{b} True"], total[key][f"{b} False"]
                if hit + miss:
                    print(f"| {b} | {hit + miss} | {hit} ({hit / (hit + miss):.0%}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
