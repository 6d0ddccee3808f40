"""A given geometry checked against the grasp's (helper prior44, 2026-12-08): ``auto`` under
``--protocol given`` with the file's shape and radius (correct labels) and with the radius
scaled x0.25, x0.5, x2 and x4 (wrong labels), the geometry check off (``check_geometry=False``,
as before) and on, on the same features.

    PYTHONPATH=TREE python benchmarks/prior44_measure.py run OUT.json FILE.h5 [...]
    python benchmarks/prior44_measure.py count OUT.json [OUT.json ...]

Per grasp: the file's shape, radius and label; the measured geometry
(:func:`tactile.estimators.auto.measured_geometry`); per radius factor and variant the answer
(log10 E, its 95 % interval, bound or point, flags, the mismatch reason). Counted: false alarms
(``geometry_mismatch`` with the file's own labels), detection (flagged share with a scaled
radius, over the grasps whose shape makes the radius checkable: a ball or a cylinder on its
side; a grasp either variant fails counts as neither flagged, right nor covered), and how
the answer moves (a point within a decade of the label or a bound not above it;
the label inside the 95 % interval), before (check off) and after (check on).
See benchmarks/results/prior44_prereg.md.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from typing import Any

FACTORS = (1.0, 0.25, 0.5, 2.0, 4.0)


def _answer(est: Any) -> dict[str, Any]:
    lo, hi = est.interval_95_pa
    return {
        "log10": math.log10(est.modulus_pa) if est.modulus_pa > 0 else None,
        "lo95": math.log10(lo) if lo > 0 else None,
        "hi95": math.log10(hi) if math.isfinite(hi) and hi > 0 else None,
        "lb": bool(est.lower_bound_only),
        "flags": sorted(str(f) for f in est.flags),
        "mismatch": est.details.get("geometry_mismatch"),
    }


def run(out_path: str, paths: list[str]) -> None:
    from tactile.errors import TactileError
    from tactile.estimators.auto import AutoEstimator, measured_geometry
    from tactile.evaluation.runner import FAST_IMAGE_FRAMES, _stored_features
    from tactile.io import GraspReader

    variants = {"off": AutoEstimator(check_geometry=False), "on": AutoEstimator()}
    out: list[dict[str, Any]] = []
    for path in paths:
        reader = GraspReader(path)
        name = path.rsplit("/", 1)[-1].removesuffix(".h5")
        for gid in reader.ids():
            row: dict[str, Any] = {"file": name, "grasp": gid}
            try:
                meta, feats, cal = _stored_features(
                    reader, gid, variants["on"], None, None, FAST_IMAGE_FRAMES, "given"
                )
            except TactileError as exc:
                row["error"] = str(exc)
                out.append(row)
                continue
            m = measured_geometry(feats, cal)
            row.update(
                shape=meta.shape,
                radius_mm=meta.radius_mm,
                label=math.log10(meta.label_modulus_pa) if meta.label_modulus_pa else None,
                measured=dataclasses.asdict(m),
            )
            for factor in FACTORS:
                if factor != 1.0 and meta.radius_mm is None:
                    continue
                scaled = meta
                if meta.radius_mm is not None:
                    scaled = dataclasses.replace(meta, radius_mm=meta.radius_mm * factor)
                for v, est in variants.items():
                    key = f"x{factor:g}_{v}"
                    try:
                        row[key] = _answer(
                            est.estimate_features(feats, meta=scaled, calibration=cal)
                        )
                    except TactileError as exc:
                        row[key] = {"error": str(exc)}
            out.append(row)
            print(name, gid, flush=True)
    with open(out_path, "w") as fh:
        json.dump(out, fh)


CHECKABLE = {"sphere", "ball", "spherical", "cylinder", "cylinder_side", "rod", "tube"}


def right(a: dict[str, Any] | None, label: float) -> bool:
    """A point within a decade of the label, or a bound not above it."""
    if not a or a.get("log10") is None:
        return False
    return a["log10"] <= label if a["lb"] else abs(a["log10"] - label) <= 1.0


def covers(a: dict[str, Any] | None, label: float) -> bool:
    """The label inside the 95 % interval (a bound: at or above its lower end)."""
    if not a or a.get("lo95") is None:
        return False
    return a["lo95"] <= label and (a["hi95"] is None or label <= a["hi95"])


def flagged(a: dict[str, Any] | None) -> bool:
    return bool(a and "geometry_mismatch" in a.get("flags", ()))


def count(paths: list[str]) -> None:
    rows: list[dict[str, Any]] = []
    for p in paths:
        with open(p) as fh:
            rows += json.load(fh)
    files = sorted({r["file"] for r in rows})
    print("false alarms (correct labels): file grasps answered flagged [grasps]")
    for f in files:
        rs = [r for r in rows if r["file"] == f and "error" not in r]
        ans = [r for r in rs if "log10" in r["x1_on"]]
        fl = [r["grasp"] for r in ans if flagged(r["x1_on"])]
        off_same = sum(r["x1_on"] == r["x1_off"] for r in ans if not flagged(r["x1_on"]))
        print(f"  {f} {len(rs)} {len(ans)} {len(fl)} unflagged-unchanged={off_same} {fl}")
    print("detection (wrong radius), checkable shapes / ellipsoids and others:")
    print(
        "  file factor n flagged | answered off->on | right off->on | covers off->on"
        " || other: n flagged"
    )
    for f in [*files, "ALL"]:
        for factor in FACTORS[1:]:
            key = f"x{factor:g}"
            rs = [
                r
                for r in rows
                if (f == "ALL" or r["file"] == f)
                and "error" not in r
                and f"{key}_on" in r
                and r["label"] is not None
            ]
            chk = [r for r in rs if (r["shape"] or "").lower() in CHECKABLE]
            oth = [r for r in rs if (r["shape"] or "").lower() not in CHECKABLE]
            fl = sum(flagged(r[f"{key}_on"]) for r in chk)
            ro = sum(right(r[f"{key}_off"], r["label"]) for r in chk)
            rn = sum(right(r[f"{key}_on"], r["label"]) for r in chk)
            co = sum(covers(r[f"{key}_off"], r["label"]) for r in chk)
            cn = sum(covers(r[f"{key}_on"], r["label"]) for r in chk)
            fo = sum(flagged(r[f"{key}_on"]) for r in oth)
            ao = sum("log10" in r[f"{key}_off"] for r in chk)
            an = sum("log10" in r[f"{key}_on"] for r in chk)
            print(
                f"  {f} {key} {len(chk)} {fl} ({100 * fl / max(len(chk), 1):.0f} %) | "
                f"answered {ao}->{an} | "
                f"{ro}->{rn} | {co}->{cn} || {len(oth)} {fo}"
            )
    print("correct labels, all grasps: right / covers (off = on where unflagged)")
    for f in files:
        rs = [
            r
            for r in rows
            if r["file"] == f
            and "error" not in r
            and "log10" in r["x1_on"]
            and r["label"] is not None
        ]
        print(
            f"  {f} {len(rs)} right {sum(right(r['x1_off'], r['label']) for r in rs)}"
            f"->{sum(right(r['x1_on'], r['label']) for r in rs)} covers "
            f"{sum(covers(r['x1_off'], r['label']) for r in rs)}"
            f"->{sum(covers(r['x1_on'], r['label']) for r in rs)}"
        )


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "count":
        count(sys.argv[2:])
    else:
        raise SystemExit(__doc__)
