"""named43b: a named ``elastic`` capped by blind's own bound only on a flat shape (else as
``hertz``: blind's bound or the gel, whichever is higher), parent (named43 427b068) against the
variant, per grasp. Rows from ``benchmarks/named43_measure.py run OUT.json flagged FILE.h5
--only elastic`` in each tree (see benchmarks/results/named43b_prereg.md).

    python benchmarks/named43b_compare.py PARENT.json VARIANT.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from named43_measure import counts, false_bound


def rigid(r: dict[str, Any] | None) -> bool:
    return bool(r and "log10" in r and r["label"] is not None and r["label"] >= r["gel"] + 2.0)


def unflagged_rigid(r: dict[str, Any] | None) -> bool:
    """A rigid grasp (label >= 100x its gel) answered without ``stiffer_than_gel``."""
    return rigid(r) and not (r or {}).get("stiffer")


def main(parent_path: str, variant_path: str) -> None:
    with open(parent_path) as fh:
        parent = {(r["file"], r["estimator"], r["grasp"]): r for r in json.load(fh)}
    with open(variant_path) as fh:
        variant = {(r["file"], r["estimator"], r["grasp"]): r for r in json.load(fh)}
    for f, name in sorted({(k[0], k[1]) for k in parent}):
        keys = sorted(k for k in parent if k[:2] == (f, name))
        p = [parent[k] for k in keys]
        v = [variant.get(k) for k in keys]
        cp, cv = counts(p), counts([r for r in v if r])
        added = sum(false_bound(b) and not false_bound(a) for a, b in zip(p, v, strict=True))
        removed = sum(false_bound(a) and not false_bound(b) for a, b in zip(p, v, strict=True))
        regained = sum(
            unflagged_rigid(a) and not unflagged_rigid(b) for a, b in zip(p, v, strict=True)
        )
        lost = sum(unflagged_rigid(b) and not unflagged_rigid(a) for a, b in zip(p, v, strict=True))
        moved = sum(
            (b or {}).get("dump") != a.get("dump") or (b or {}).get("error") != a.get("error")
            for a, b in zip(p, v, strict=True)
        )
        print(
            f"{f} {name}: grasps {len(keys)} changed {moved}; false bounds "
            f"{cp['false_bounds']} -> {cv['false_bounds']} (C1 added {added}, removed {removed}); "
            f"rigid {cp['rigid']}, without stiffer_than_gel {cp['rigid_unflagged']} -> "
            f"{cv['rigid_unflagged']} (regained {regained}, lost {lost}); bounds "
            f"{cp['bounds']} -> {cv['bounds']}; points within a decade "
            f"{cp['points_within_decade']} of {cp['points']} -> "
            f"{cv['points_within_decade']} of {cv['points']}"
        )
        for k, a, b in zip(keys, p, v, strict=True):
            if b and a.get("dump") != b.get("dump") and "log10" in a and "log10" in b:
                print(
                    f"    {k[2]} label {a['label']:.2f} gel {a['gel']:.2f}: "
                    f"{a['log10']:.2f}{'LB' if a['lb'] else 'pt'}{'*' if a['stiffer'] else ''}"
                    f" -> {b['log10']:.2f}{'LB' if b['lb'] else 'pt'}"
                    f"{'*' if b['stiffer'] else ''}"
                )


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
