"""given34: compare ``auto``'s answers (label geometry) of two ``measure.py`` outputs, per file.

    python compare.py MAIN.jsonl CHANGE.jsonl

False bound: a bound above the label. Rigid: label >= 100x the rig's simulated gel; flagged:
``stiffer_than_gel``. Blind's own answers (nothing given) are compared too: they must not change.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

Row = dict[str, Any]
DEV = ("sim_below", "sim_test", "sim_val", "rr4")


def load(path: str) -> dict[tuple[str, str], Row]:
    with open(path) as f:
        return {(r["file"], r["id"]): r for r in map(json.loads, f)}


def rigid(r: Row) -> bool:
    return bool(r["gel"]) and r["label"] >= 100 * r["gel"]


def stats(m: dict[tuple[str, str], Row], c: dict[tuple[str, str], Row], files: list[str]) -> Row:
    keys = [k for k in m if k[0] in files and "error" not in m[k]]
    out: Row = {
        "n": len(keys),
        "errors": sum(("error" in m[k]) != ("error" in c[k]) for k in m if k[0] in files),
    }
    for tag, d in (("m", m), ("c", c)):
        a = {k: d[k]["auto"] for k in keys}
        out[f"b{tag}"] = sum(a[k]["lb"] for k in keys)
        out[f"f{tag}"] = sum(a[k]["lb"] and a[k]["E"] > d[k]["label"] for k in keys)
        out[f"r{tag}"] = sum(rigid(d[k]) and "stiffer_than_gel" in a[k]["flags"] for k in keys)
        out[f"s{tag}"] = sum(
            d[k]["label"] < d[k]["calib_gel"] and "stiffer_than_gel" in a[k]["flags"] for k in keys
        )
    out["nr"] = sum(rigid(m[k]) for k in keys)
    low = [
        math.log10(m[k]["auto"]["E"] / c[k]["auto"]["E"])
        for k in keys
        if c[k]["auto"]["E"] < m[k]["auto"]["E"] * (1 - 1e-12)
    ]
    out["low"], out["med"] = len(low), (sorted(low)[len(low) // 2] if low else 0.0)
    out["raised"] = sum(c[k]["auto"]["E"] > m[k]["auto"]["E"] * (1 + 1e-12) for k in keys)
    out["flag_changes"] = sum(
        sorted(m[k]["auto"]["flags"]) != sorted(c[k]["auto"]["flags"]) for k in keys
    )
    same = ("E", "i68", "i95", "lb", "flags")
    out["points"] = sum(
        not m[k]["auto"]["lb"] and any(m[k]["auto"][x] != c[k]["auto"][x] for x in same)
        for k in keys
    )
    out["blind_changed"] = sum(m[k]["blind"] != c[k]["blind"] for k in keys)
    return out


def main() -> None:
    m, c = load(sys.argv[1]), load(sys.argv[2])
    files = list(dict.fromkeys(k[0] for k in m))
    groups = {f: [f] for f in files}
    dev = [f for f in files if f in DEV]
    if dev:
        groups["dev (" + "+".join(dev) + ")"] = dev
    print(
        "| file | answers | bounds | false bounds main → change | rigid | rigid with "
        "stiffer_than_gel main → change | softer than the calibration's gel, flagged main → change "
        "| bounds lowered (median dex) | raised | flags changed | points changed | blind's answers "
        "changed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, fs in groups.items():
        s = stats(m, c, fs)
        pct = 100.0 * s["fc"] / s["bc"] if s["bc"] else 0.0
        print(
            f"| {name} | {s['n']} | {s['bm']} / {s['bc']} | {s['fm']} → {s['fc']} ({pct:.1f} %) "
            f"| {s['nr']} | {s['rm']} → {s['rc']} | {s['sm']} → {s['sc']} | {s['low']} "
            f"({s['med']:.2f}) | {s['raised']} | {s['flag_changes']} | {s['points']} "
            f"| {s['blind_changed']} |"
        )
        if s["errors"]:
            print("   error differences:", s["errors"])
    print()
    for k, mm in m.items():
        if "error" in mm:
            continue
        a, b = mm["auto"], c[k]["auto"]
        if (a["lb"] and a["E"] > mm["label"]) or (b["lb"] and b["E"] > mm["label"]):
            print(
                f"false: {k[0]} {k[1]}: label 10^{math.log10(mm['label']):.2f}, main "
                f"10^{math.log10(a['E']):.2f} {a['flags']} → 10^{math.log10(b['E']):.2f} "
                f"{b['flags']} ({a['d'].get('auto_chose')})"
            )


if __name__ == "__main__":
    main()
