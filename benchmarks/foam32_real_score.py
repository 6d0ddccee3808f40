"""foam32: the real sessions' blind / hybrid / auto answers, main vs branch, per grasp.

    python benchmarks/foam32_real_score.py OUTDIR

Reads ``OUTDIR/est_{0612,1612}_{main,branch}_{blind,hybrid,auto}.json`` (``tactile estimate
/tmp/data/ref_*_nolabel.h5 --estimator E --json`` from each tree). Labels: the authors' rows
of ../shared/data/README.md (as ``benchmarks/cal32_real_score.py``). Class per grasp: a point
within a decade of its label or outside it, a bound that holds or a false bound; plus its
flags. Prints every grasp whose answer or class moved, and whether any class changed or any
bound is false on the branch.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

LABELS = {
    "foam_brick": 3.00e5,
    "golf_ball": 8.50e8,
    "green_ball_softer": 9.36e4,
    "orange_ball_softest": 3.19e4,
    "purple_ball_hardest": 2.04e5,
}


def load(path: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {r["grasp_id"]: r for r in rows}


def klass(r: dict) -> str:
    if r.get("modulus_pa") is None:
        return "refused"
    label, e = LABELS[r["object_id"]], r["modulus_pa"]
    if r["lower_bound_only"]:
        return "bound holds" if e <= label else "FALSE BOUND"
    return "within" if abs(math.log10(e / label)) <= 1.0 else "outside"


def main() -> None:
    d = Path(sys.argv[1])
    ok = True
    for e in ("blind", "hybrid", "auto"):
        for s in ("0612", "1612"):
            a = load(d / f"est_{s}_main_{e}.json")
            b = load(d / f"est_{s}_branch_{e}.json")
            ca = [klass(r) for r in a.values()]
            cb = [klass(r) for r in b.values()]
            moved = 0
            lines = []
            for gid, ra in a.items():
                rb = b[gid]
                ka, kb = klass(ra), klass(rb)
                fa, fb = sorted(ra.get("flags") or []), sorted(rb.get("flags") or [])
                if ka != kb or fa != fb:
                    ok = False
                if kb == "FALSE BOUND":
                    ok = False
                if ra.get("modulus_pa") != rb.get("modulus_pa") or ka != kb or fa != fb:
                    moved += 1
                    lines.append(
                        f"    {gid}: {ra.get('modulus_pa'):.4g} {ka} -> {rb.get('modulus_pa'):.4g} "
                        f"{kb} (flags {fa} -> {fb})"
                    )
            summary = {k: cb.count(k) for k in sorted(set(ca) | set(cb))}
            same = sorted(ca) == sorted(cb)
            print(
                f"{e} {s}: {len(a)} grasps, branch {summary}, main same counts: {same}, "
                f"answers moved {moved}"
            )
            print("\n".join(lines)) if lines else None
    print("P7:", "PASS" if ok else "FAIL")


if __name__ == "__main__":
    main()
