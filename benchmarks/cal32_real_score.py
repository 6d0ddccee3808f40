"""Score cal32's real-session estimates (``benchmarks/cal32_real.sh``) main vs branch.

    python benchmarks/cal32_real_score.py OUTDIR [--before main] [--after branch]

Labels: ../shared/data/README.md's table (the authors' label rows of the five objects). Per
grasp: a point within a decade of its label, or a lower bound at or below it ("right"); a
false bound (lower bound above the label); a false stiff flag (``stiffer_than_gel`` on an
object whose label is below the calibration's gel modulus). Per session: the soft balls' order
(per-object median); across sessions: |log10 E(0612) − log10 E(1612)| per object (per-object
median of the point or bound values), median over the objects in both.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
from pathlib import Path

import numpy as np

LABELS = {
    "foam_brick": 3.00e5,
    "golf_ball": 8.50e8,
    "green_ball_softer": 9.36e4,
    "orange_ball_softest": 3.19e4,
    "purple_ball_hardest": 2.04e5,
}
SOFT_BALLS = ("orange_ball_softest", "green_ball_softer", "purple_ball_hardest")
ESTIMATORS = ("blind", "hybrid", "auto")


def load(path: Path) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [r for r in rows if r.get("modulus_pa") is not None]


def verdict(r: dict) -> str:
    label = LABELS[r["object_id"]]
    e = r["modulus_pa"]
    if r["lower_bound_only"]:
        return "bound holds" if e <= label else "FALSE BOUND"
    return "within" if abs(math.log10(e / label)) <= 1.0 else "outside"


def false_stiff(r: dict) -> bool:
    gel = r["details"].get("gel_modulus_pa") or 0.0
    return "stiffer_than_gel" in r["flags"] and LABELS[r["object_id"]] < gel


def per_object(rows: list[dict]) -> dict[str, float]:
    out: dict[str, list[float]] = {}
    for r in rows:
        out.setdefault(r["object_id"], []).append(r["modulus_pa"])
    return {k: float(np.median(v)) for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--before", default="main")
    ap.add_argument("--after", default="branch")
    args = ap.parse_args()
    d, trees = args.outdir, (args.before, args.after)
    for tree in trees:
        for s in ("0612", "1612"):
            fit = json.loads((d / f"rigfit_{s}_{tree}.json").read_text())
            print(
                f"rig {s} {tree}: c {fit['rig_compliance_mm_per_n']} mm/N "
                f"(sd {fit['rig_compliance_sd_mm_per_n']}), bias {fit['contact_width_bias_mm']} "
                f"mm, F_c {fit.get('rig_contact_force_n', '-')} N, rejected {fit['rejected']}"
            )
    ok = True
    for e in ESTIMATORS:
        medians = {}
        for s in ("0612", "1612"):
            rows = {t: load(d / f"est_{s}_{t}_{e}.json") for t in trees}
            by_id = {t: {r["grasp_id"]: r for r in rows[t]} for t in trees}
            counts = {}
            for t in trees:
                v = [verdict(r) for r in rows[t]]
                counts[t] = (
                    f"{v.count('within')} within, {v.count('bound holds')} bounds hold, "
                    f"{v.count('outside')} outside, {v.count('FALSE BOUND')} false bounds, "
                    f"{sum(false_stiff(r) for r in rows[t])} false stiff flags"
                )
            print(f"\n{e} {s}: {trees[0]}: {counts[trees[0]]}; {trees[1]}: {counts[trees[1]]}")
            for gid in sorted(by_id[trees[0]]):
                a, b = by_id[trees[0]][gid], by_id[trees[1]].get(gid)
                if b is None:
                    print(f"  {gid}: missing after")
                    ok = False
                    continue
                va, vb = verdict(a), verdict(b)
                mark = ""
                if va in ("within", "bound holds") and vb not in ("within", "bound holds"):
                    mark, ok = "  <-- R1 FAIL", False
                if vb == "FALSE BOUND" or false_stiff(b):
                    mark, ok = mark + "  <-- R2 FAIL", False
                print(
                    f"  {gid:28s} {a['modulus_pa']:10.4g} {va:12s} -> {b['modulus_pa']:10.4g} "
                    f"{vb:12s} ({math.log10(b['modulus_pa'] / a['modulus_pa']):+.3f} dex){mark}"
                )
            for t in trees:
                medians[(s, t)] = per_object(rows[t])
            orders = {t: sorted(SOFT_BALLS, key=lambda k, t=t: medians[(s, t)][k]) for t in trees}
            same = orders[trees[0]] == orders[trees[1]]

            def concordant(order: list[str]) -> int:
                return sum(LABELS[x] < LABELS[y] for x, y in itertools.combinations(order, 2))

            r3 = same or concordant(orders[trees[1]]) >= concordant(orders[trees[0]])
            ok &= r3
            print(
                f"  R3 soft order {trees[0]} {orders[trees[0]]}, {trees[1]} {orders[trees[1]]}: "
                f"{'kept' if same else 'changed'} -> {'pass' if r3 else 'FAIL'}"
            )
        figs = {}
        for t in trees:
            both = sorted(set(medians[("0612", t)]) & set(medians[("1612", t)]))
            gaps = {
                k: abs(math.log10(medians[("0612", t)][k] / medians[("1612", t)][k])) for k in both
            }
            figs[t] = float(np.median(list(gaps.values())))
            print(
                f"  cross-session {t}: median {figs[t]:.3f} dex; "
                + ", ".join(f"{k} {v:.3f}" for k, v in gaps.items())
            )
        r4 = figs[trees[1]] <= figs[trees[0]] + 0.05
        ok &= r4
        print(
            f"  R4 {e}: {figs[trees[0]]:.3f} -> {figs[trees[1]]:.3f} dex: "
            + ("pass" if r4 else "FAIL")
        )
    print("\nR1-R4:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
