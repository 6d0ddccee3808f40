"""review22: claims about the world in two ``measure.py`` outputs (given34's script), per family.

    python soft.py MAIN.jsonl CHANGE.jsonl

For ``auto`` (label geometry) and for blind alone (nothing given): false bounds (a bound above the
label), soft objects flagged ``stiffer_than_gel`` (label below the calibration's gel; label below
the rig's true gel), and the change's bounds held at the calibration's gel (cap = gel) that are
false. Family = ``material_shape`` from the grasp id.
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from typing import Any

Row = dict[str, Any]


def load(path: str) -> dict[tuple[str, str], Row]:
    with open(path) as f:
        return {(r["file"], r["id"]): r for r in map(json.loads, f)}


def fam(gid: str) -> str:
    return "_".join(p for p in gid.split("_") if not p.isdigit() and not p.startswith("g0"))


def lg(x: float) -> str:
    return f"10^{math.log10(x):.2f}"


def bad(e: Row, r: Row) -> bool:
    """A false bound, or a soft object (below either gel) flagged stiffer than the gel."""
    soft = r["label"] < r["calib_gel"] or bool(r["gel"] and r["label"] < r["gel"])
    return bool((e["lb"] and e["E"] > r["label"]) or (soft and "stiffer_than_gel" in e["flags"]))


def main() -> None:
    m, c = load(sys.argv[1]), load(sys.argv[2])
    keys = [k for k in m if "error" not in m[k] and "error" not in c[k]]
    print(f"answered by both: {len(keys)} of {len(m)}")
    for tag, d in (("main", m), ("change", c)):
        for who in ("auto", "blind"):
            rows = [(k, d[k]) for k in keys if "error" not in d[k][who]]
            false = [k for k, r in rows if r[who]["lb"] and r[who]["E"] > r["label"]]
            soft_cal = [
                k
                for k, r in rows
                if r["label"] < r["calib_gel"] and "stiffer_than_gel" in r[who]["flags"]
            ]
            soft_rig = [
                k
                for k, r in rows
                if r["gel"] and r["label"] < r["gel"] and "stiffer_than_gel" in r[who]["flags"]
            ]
            nb = sum(r[who]["lb"] for _, r in rows)
            print(
                f"{tag:6s} {who:5s}: bounds {nb}, false {len(false)} "
                f"{dict(Counter(fam(k[1]) for k in false))}; soft (< calib gel) flagged "
                f"{len(soft_cal)} {[k[1] for k in soft_cal]}; soft (< rig gel) flagged "
                f"{len(soft_rig)} {[k[1] for k in soft_rig]}"
            )
    print()
    at_gel = [
        k
        for k in keys
        if c[k]["auto"]["lb"]
        and "blind_cap_pa" in c[k]["auto"]["d"]
        and "blind_cap_pa" not in m[k]["auto"]["d"]
        and abs(c[k]["auto"]["E"] - c[k]["calib_gel"]) <= 1e-9 * c[k]["calib_gel"]
    ]
    at_blind = [
        k
        for k in keys
        if c[k]["auto"]["lb"]
        and "blind_cap_pa" in c[k]["auto"]["d"]
        and "blind_cap_pa" not in m[k]["auto"]["d"]
        and k not in at_gel
    ]
    print(f"newly capped: at the calibration's gel {len(at_gel)}, at blind's bound {len(at_blind)}")
    print("  at gel by family:", dict(Counter(fam(k[1]) for k in at_gel)))
    print("  at blind by family:", dict(Counter(fam(k[1]) for k in at_blind)))
    for name, ks in (("at the gel", at_gel), ("at blind's bound", at_blind)):
        cls = Counter(
            "below calib gel"
            if c[k]["label"] < c[k]["calib_gel"]
            else "below rig gel"
            if c[k]["gel"] and c[k]["label"] < c[k]["gel"]
            else "rigid (>= 100x rig gel)"
            if c[k]["gel"] and c[k]["label"] >= 100 * c[k]["gel"]
            else "1-100x rig gel"
            for k in ks
        )
        print(f"  newly capped {name}, by label: {dict(cls)}")
    for k in at_gel:
        r = c[k]
        if r["label"] < r["auto"]["E"]:
            print(f"  FALSE at gel: {k[1]} label {lg(r['label'])} < gel {lg(r['auto']['E'])}")
    print()
    print("every false or soft-flagged auto answer (main -> change), with the rig's gel:")
    for k in keys:
        a, b, r = m[k]["auto"], c[k]["auto"], c[k]
        if bad(a, r) or bad(b, r):
            print(
                f"  {k[1]}: label {lg(r['label'])}, calib gel {lg(r['calib_gel'])}, rig gel "
                f"{lg(r['gel'])}; main {lg(a['E'])} {a['flags']} ({a['d'].get('auto_chose')}) -> "
                f"{lg(b['E'])} {b['flags']}; blind check "
                f"{lg(r['check']['E']) if r['check'] else None}"
            )


if __name__ == "__main__":
    main()
