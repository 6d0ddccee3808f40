"""A named given-geometry estimator checked by the blind physics (helper named43, 2026-12-08):
per-grasp answers of ``hertz``, ``mdr``, ``elastic`` and ``line`` under ``--protocol given``,
one tree at a time, then counted.

    # main's tree (variant "main") or this tree (variants off, bounds, flagged, all)
    PYTHONPATH=TREE python benchmarks/named43_measure.py run OUT.json VARIANT[,...] FILE.h5 [...]
    # one estimator only (named43b: elastic): --only NAME after the files
    python benchmarks/named43_measure.py count OUT.json [OUT.json ...]
    python benchmarks/named43_measure.py compare OUT.json [OUT.json ...]

Variants: ``main`` the registry's default (main's tree); ``off`` ``check_bounds=False`` (must
equal main); ``bounds`` bounds checked, points not (``check_points=False``); ``flagged`` bounds
and points where blind's bound is flagged ``stiffer_than_gel`` (auto's default); ``all`` every
point where blind reads only a bound (``check_points=True``).

Per grasp (the unit of the bug hunt's "12 of 15 grasp bounds false"): bounds, false bounds
(bound above the label), rigid grasps (label >= 100x the gel: the rig's true gel on a simulated
grasp, else the calibration's) answered with a point and without ``stiffer_than_gel``, and
points within a decade of the label. See benchmarks/results/named43_prereg.md.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

ESTIMATORS = ("hertz", "mdr", "elastic", "line")
OPTIONS: dict[str, dict[str, Any]] = {
    "main": {},
    "off": {"check_bounds": False},
    "bounds": {"check_points": False},
    "flagged": {"check_points": "flagged"},
    "all": {"check_points": True},
}


def run(
    out_path: str, variants: list[str], paths: list[str], estimators: tuple[str, ...] = ESTIMATORS
) -> None:
    from tactile.estimators.registry import get_estimator
    from tactile.evaluation.runner import estimate_dataset
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration

    out: list[dict[str, Any]] = []
    for path in paths:
        reader = GraspReader(path)
        gels: dict[str, tuple[float | None, float]] = {}
        for gid in reader.ids():
            meta = reader.read_signals(gid).meta
            true = meta.extra.get("true_gel_modulus_pa")
            gels[gid] = (float(true) if true else None, resolve_calibration(meta).gel_modulus_pa)
        for name in estimators:
            for variant in variants:
                est = get_estimator(name, **OPTIONS[variant])
                for r in estimate_dataset(path, est, protocol="given"):
                    true, cal = gels[r.grasp_id]
                    row: dict[str, Any] = {
                        "file": path.rsplit("/", 1)[-1].removesuffix(".h5"),
                        "estimator": name,
                        "variant": variant,
                        "grasp": r.grasp_id,
                        "object": r.object_id,
                        "label": math.log10(r.label_pa) if r.label_pa else None,
                        "gel": math.log10(true if true else cal),
                    }
                    e = r.estimate
                    if e is None:
                        row["error"] = r.error
                    else:
                        row.update(
                            log10=e.log10_modulus,
                            lb=bool(e.lower_bound_only),
                            stiffer="stiffer_than_gel" in {str(f) for f in e.flags},
                            checked=("blind_cap_pa" in e.details or "given_point_pa" in e.details),
                            dump=json.dumps(e.to_dict(), sort_keys=True, default=str),
                        )
                    out.append(row)
    with open(out_path, "w") as fh:
        json.dump(out, fh)


def counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in rows if "log10" in r and r["label"] is not None]
    bounds = [r for r in ok if r["lb"]]
    points = [r for r in ok if not r["lb"]]
    rigid = [r for r in ok if r["label"] >= r["gel"] + 2.0]
    return {
        "grasps": len(rows),
        "answered": len(ok),
        "bounds": len(bounds),
        "false_bounds": sum(r["log10"] > r["label"] for r in bounds),
        "rigid": len(rigid),
        "rigid_points": sum(not r["lb"] for r in rigid),
        "rigid_unflagged": sum(not r["stiffer"] for r in rigid),
        "points": len(points),
        "points_within_decade": sum(abs(r["log10"] - r["label"]) <= 1.0 for r in points),
        "checked": sum(bool(r["checked"]) for r in ok),
    }


def count(paths: list[str]) -> None:
    rows: list[dict[str, Any]] = []
    for p in paths:
        with open(p) as fh:
            rows += json.load(fh)
    keys = sorted({(r["file"], r["estimator"], r["variant"]) for r in rows})
    cols = [
        "grasps",
        "answered",
        "bounds",
        "false_bounds",
        "rigid",
        "rigid_points",
        "rigid_unflagged",
        "points",
        "points_within_decade",
        "checked",
    ]
    print("file estimator variant " + " ".join(cols))
    for key in keys:
        c = counts([r for r in rows if (r["file"], r["estimator"], r["variant"]) == key])
        print(" ".join(key) + " " + " ".join(str(c[k]) for k in cols))


def _answered(r: dict[str, Any] | None) -> bool:
    return bool(r and "log10" in r and r["label"] is not None)


def false_bound(r: dict[str, Any] | None) -> bool:
    """A lower bound above the label."""
    return _answered(r) and bool(r and r["lb"] and r["log10"] > r["label"])


def hit(r: dict[str, Any] | None) -> bool:
    """A point within a decade of the label."""
    return _answered(r) and bool(r and not r["lb"] and abs(r["log10"] - r["label"]) <= 1.0)


def rigid_point(r: dict[str, Any] | None) -> bool:
    """A point on a grasp at least 100x its gel."""
    return _answered(r) and bool(r and not r["lb"] and r["label"] >= r["gel"] + 2.0)


def compare(paths: list[str]) -> None:
    """The pre-registered comparisons (benchmarks/results/named43_prereg.md), per file and
    estimator: ``off`` answers identical to ``main``; false bounds added against ``main`` by
    each checked variant; points within a decade lost (and gained) and rigid points removed by
    ``flagged`` and ``all`` against ``bounds``."""
    rows: list[dict[str, Any]] = []
    for p in paths:
        with open(p) as fh:
            rows += json.load(fh)
    idx = {(r["file"], r["estimator"], r["variant"], r["grasp"]): r for r in rows}
    for f in sorted({r["file"] for r in rows}):
        for name in ESTIMATORS:
            grasps = sorted({g for (ff, e, _, g) in idx if ff == f and e == name})
            by = {
                v: {g: idx.get((f, name, v, g)) for g in grasps}
                for v in ("main", "off", "bounds", "flagged", "all")
            }
            out = [f, name]
            if all(by["off"].values()) and all(by["main"].values()):
                same = sum(
                    (by["off"][g] or {}).get("dump") == (by["main"][g] or {}).get("dump")
                    and (by["off"][g] or {}).get("error") == (by["main"][g] or {}).get("error")
                    for g in grasps
                )
                out.append(f"off==main {same}/{len(grasps)}")
            for v in ("bounds", "flagged", "all"):
                added = sum(
                    false_bound(by[v][g]) and not false_bound(by["main"][g]) for g in grasps
                )
                out.append(f"{v}: false+{added}")
            for v in ("flagged", "all"):
                b, c = by["bounds"], by[v]
                lost = sum(hit(b[g]) and not hit(c[g]) for g in grasps)
                gained = sum(hit(c[g]) and not hit(b[g]) for g in grasps)
                removed = sum(rigid_point(b[g]) and not rigid_point(c[g]) for g in grasps)
                out.append(f"{v} vs bounds: hits -{lost}/+{gained} rigid points -{removed}")
            print("  ".join(out))


if __name__ == "__main__":
    if sys.argv[1] == "run" and "--only" in sys.argv:
        at = sys.argv.index("--only")
        run(sys.argv[2], sys.argv[3].split(","), sys.argv[4:at], tuple(sys.argv[at + 1 :]))
    elif sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3].split(","), sys.argv[4:])
    elif sys.argv[1] == "count":
        count(sys.argv[2:])
    elif sys.argv[1] == "compare":
        compare(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
