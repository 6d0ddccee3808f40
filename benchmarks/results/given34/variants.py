"""given34: score rules for a given-geometry bound kept where blind answers only a bound.

    python variants.py MEASURE.jsonl

Rows from ``measure.py``. "Kept" grasps: ``auto`` (label geometry) answered a bound from
``hertz``/``line``/``mdr`` that ``checked_by_blind`` left as it was because blind, reading the same
features, answered only a bound (``cap = inf``). Each rule replaces the answer on those grasps only;
everywhere else the answer is main's. False bound: a bound above the label. Rigid: label >= 100x the
rig's simulated gel; flagged: ``stiffer_than_gel`` (the bound >= the calibration's gel).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any

Row = dict[str, Any]


def inf(x: Any) -> float:
    return math.inf if x == "inf" else (-math.inf if x == "-inf" else float(x))


def kept(r: Row) -> bool:
    a, c = r["auto"], r["check"]
    return bool(
        a["lb"]
        and c is not None
        and a["d"].get("auto_chose") in ("hertz", "line", "mdr")
        and c["lb"]
        and "open_point_pa" not in c["d"]
    )


def flag(bound: float, r: Row) -> str:
    return "stiffer_than_gel" if bound >= r["calib_gel"] else "unresolved"


def main_rule(r: Row) -> tuple[float, str]:
    a = r["auto"]
    return a["E"], flag(a["E"], r)


def r1(r: Row) -> tuple[float, str]:  # capped at blind's bound
    e = min(r["auto"]["E"], r["check"]["E"])
    return e, flag(e, r)


def r2(r: Row) -> tuple[float, str]:  # blind's answer (bound and flag)
    c = r["check"]
    return c["E"], "stiffer_than_gel" if "stiffer_than_gel" in c["flags"] else "unresolved"


def r3(r: Row) -> tuple[float, str]:  # R1 only where blind's foam bound is below the given bound
    foam = r["check"]["d"].get("foam_bound_pa")
    if foam is not None and inf(foam) < r["auto"]["E"]:
        return r1(r)
    return main_rule(r)


def r4(r: Row) -> tuple[float, str]:  # capped at blind's foam bound (not its linear bound)
    foam = r["check"]["d"].get("foam_bound_pa")
    e = min(r["auto"]["E"], inf(foam)) if foam is not None else r["auto"]["E"]
    return e, flag(e, r)


def r5(r: Row) -> tuple[float, str]:  # capped at blind's bound, never below the gel
    e = min(r["auto"]["E"], max(r["check"]["E"], r["calib_gel"]))
    return e, flag(e, r)


def r6(r: Row) -> tuple[float, str]:  # R5, raised to blind's bound where that is higher
    e = max(r5(r)[0], r["check"]["E"])
    return e, flag(e, r)


RULES: dict[str, Callable[[Row], tuple[float, str]]] = {
    "main": main_rule, "R1": r1, "R2": r2, "R3": r3, "R4": r4, "R5": r5, "R6": r6,
}  # fmt: skip


def score(rows: list[Row], rule: Callable[[Row], tuple[float, str]]) -> dict[str, Any]:
    nb = nf = nr = nrf = low = 0
    lows: list[float] = []
    false_ids = []
    for r in rows:
        a = r["auto"]
        rigid = bool(r["gel"]) and r["label"] >= 100 * r["gel"]
        nr += rigid
        if not a["lb"]:
            continue
        if kept(r):
            e, f = rule(r)
        else:
            e = a["E"]
            f = "stiffer_than_gel" if "stiffer_than_gel" in a["flags"] else "unresolved"
        nb += 1
        if e > r["label"]:
            nf += 1
            false_ids.append(
                f"{r['id']} (10^{math.log10(r['label']):.2f} < 10^{math.log10(e):.2f})"
            )
        nrf += rigid and f == "stiffer_than_gel"
        if e < a["E"] * (1 - 1e-12):
            low += 1
            lows.append(math.log10(a["E"] / e))
    return {
        "bounds": nb, "false": nf, "rigid": nr, "rigid_flagged": nrf, "lowered": low,
        "med": sorted(lows)[len(lows) // 2] if lows else 0.0, "false_ids": false_ids,
    }  # fmt: skip


def blind_score(rows: list[Row]) -> dict[str, int]:
    nb = nf = nrf = 0
    for r in rows:
        b = r.get("blind") or {}
        if "error" in b or not b.get("lb"):
            continue
        rigid = bool(r["gel"]) and r["label"] >= 100 * r["gel"]
        nb += 1
        nf += b["E"] > r["label"]
        nrf += rigid and "stiffer_than_gel" in b["flags"]
    return {"bounds": nb, "false": nf, "rigid_flagged": nrf}


def main() -> None:
    with open(sys.argv[1]) as f:
        rows = [r for r in map(json.loads, f) if "error" not in r]
    files = list(dict.fromkeys(r["file"] for r in rows))
    dev = ("sim_below", "sim_test", "sim_val", "rr4")
    groups = {f: [f] for f in files}
    groups["dev"] = [f for f in files if f in dev]
    print(
        "| file | kept bounds | blind: bounds / false / rigid flagged | rule | bounds | false "
        "| rigid flagged / rigid | lowered (median dex) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, fs in groups.items():
        sub = [r for r in rows if r["file"] in fs]
        bs = blind_score(sub)
        for rname, rule in RULES.items():
            s = score(sub, rule)
            print(
                f"| {name} | {sum(map(kept, sub))} | {bs['bounds']} / {bs['false']} / "
                f"{bs['rigid_flagged']} | {rname} | {s['bounds']} | {s['false']} "
                f"| {s['rigid_flagged']} / {s['rigid']} | {s['lowered']} ({s['med']:.2f}) |"
            )
    print()
    for name, fs in groups.items():
        if name == "dev":
            continue
        sub = [r for r in rows if r["file"] in fs]
        for rname, rule in RULES.items():
            ids = score(sub, rule)["false_ids"]
            if ids:
                print(f"{name} {rname} false: {'; '.join(ids)}")


if __name__ == "__main__":
    main()
