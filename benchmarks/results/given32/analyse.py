"""given32: compare two ``measure.py`` outputs (main, a change) per file.

    python analyse.py MAIN.jsonl CHANGE.jsonl

False bound: a lower-bound-only answer above the label. Rigid: label >= 100x the rig's simulated
gel (``true_gel_modulus_pa``).
"""

from __future__ import annotations

import collections
import json
import math
import sys
from typing import Any

Row = dict[str, Any]
BOUND_FLAGS = {"stiffer_than_gel", "unresolved"}


def load(path: str) -> dict[tuple[str, str], Row]:
    with open(path) as f:
        return {(r["file"], r["id"]): r for r in map(json.loads, f)}


def stats(m: dict[tuple[str, str], Row], b: dict[tuple[str, str], Row], files: list[str]) -> Row:
    keys = [k for k in m if k[0] in files and "error" not in m[k]]
    lbm = [k for k in keys if m[k]["lb"]]
    lbb = [k for k in keys if b[k].get("lb")]
    rigid = [k for k in keys if m[k]["gel"] and m[k]["label"] >= 100 * m[k]["gel"]]
    low = [math.log10(m[k]["E"] / b[k]["E"]) for k in keys if b[k]["E"] < m[k]["E"] * (1 - 1e-12)]
    changes: collections.Counter[str] = collections.Counter()
    for k in keys:
        before = "/".join(sorted(set(m[k]["flags"]) & BOUND_FLAGS)) or "-"
        after = "/".join(sorted(set(b[k]["flags"]) & BOUND_FLAGS)) or "-"
        if before != after:
            changes[f"{before}→{after}"] += 1
    same = ("E", "i68", "i95", "lb")
    return {
        "n": len(keys),
        "lbm": len(lbm),
        "lbb": len(lbb),
        "fm": sum(m[k]["E"] > m[k]["label"] for k in lbm),
        "fb": sum(b[k]["E"] > b[k]["label"] for k in lbb),
        "nr": len(rigid),
        "rm": sum("stiffer_than_gel" in m[k]["flags"] for k in rigid),
        "rb": sum("stiffer_than_gel" in b[k]["flags"] for k in rigid),
        "nlow": len(low),
        "med": sorted(low)[len(low) // 2] if low else 0.0,
        "raised": [k for k in keys if b[k]["E"] > m[k]["E"] * (1 + 1e-12)],
        "changes": dict(changes),
        "points": sum(not m[k]["lb"] and any(m[k][x] != b[k][x] for x in same) for k in keys),
        "errors": sum(("error" in m[k]) != ("error" in b[k]) for k in m if k[0] in files),
    }


def main() -> None:
    m, b = load(sys.argv[1]), load(sys.argv[2])
    files = list(dict.fromkeys(k[0] for k in m))
    dev = [f for f in ("sim_below", "sim_test", "sim_val", "rr4") if f in files]
    groups = {f: [f] for f in files}
    if dev:
        groups["dev (" + "+".join(dev) + ")"] = dev
    print(
        "| file | answers | bounds main / change | false bounds main → change | rigid answered "
        "| rigid with stiffer_than_gel main → change | bounds lowered (median dex) "
        "| flag changes | point estimates changed |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, fs in groups.items():
        s = stats(m, b, fs)
        print(
            f"| {name} | {s['n']} | {s['lbm']} / {s['lbb']} | {s['fm']} → {s['fb']} | {s['nr']} "
            f"| {s['rm']} → {s['rb']} | {s['nlow']} ({s['med']:.2f}) | {s['changes']} "
            f"| {s['points']} |"
        )
        if s["raised"] or s["errors"]:
            print("   raised:", s["raised"], "error differences:", s["errors"])
    print()
    for k, mm in m.items():
        if "error" in mm:
            continue
        bb = b[k]
        lab = math.log10(mm["label"])
        if (mm["lb"] and mm["E"] > mm["label"]) or (bb["lb"] and bb["E"] > bb["label"]):
            print(
                f"false: {k}: label 10^{lab:.2f}, main 10^{math.log10(mm['E']):.2f} {mm['flags']}"
                f" → 10^{math.log10(bb['E']):.2f} {bb['flags']} ({mm['chose']}, cap {bb['foam']})"
            )
    for k, mm in m.items():
        if "error" in mm or not (mm["gel"] and mm["label"] >= 100 * mm["gel"]):
            continue
        bb = b[k]
        if ("stiffer_than_gel" in mm["flags"]) != ("stiffer_than_gel" in bb["flags"]):
            print(
                f"rigid flag change: {k}: label 10^{math.log10(mm['label']):.2f}, rig gel "
                f"{mm['gel']:.3g}: {mm['E']:.3g} {mm['flags']} → {bb['E']:.3g} {bb['flags']} "
                f"({mm['chose']})"
            )


if __name__ == "__main__":
    main()
