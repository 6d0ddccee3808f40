"""The gel floor of a given-geometry bound checked by blind (helper given44, 2026-12-08).

Where a ``hertz``/``mdr``/``line`` lower bound (named, or chosen by ``auto``) is checked by the
blind physics and blind too reads only a bound, ``checked_by_blind`` caps it at
``max(blind's bound, the calibration's gel)``. This script records, per grasp, the given bound,
blind's answer on the same features and the final answer, then replays candidate caps offline.

    PYTHONPATH=TREE python benchmarks/given44_floor.py run OUT.json FILE.h5 [...]
    python benchmarks/given44_floor.py list OUT.json [...]      # grasps where the floor decides
    python benchmarks/given44_floor.py count OUT.json [...] VARIANT [...]  # replayed variants
    python benchmarks/given44_floor.py compare PARENT.json VARIANT.json  # two trees, one file

Variants (the non-flat, blind-unresolved branch only; everything else as the tree):
``floor`` cap = max(blind, gel) (named43, main's auto); ``nofloor`` cap = blind's bound;
``aor:A`` the floor only where blind's approach over radius (the squeeze's closure over the
object's size) is below ``A`` (the variant, ``aor:0.8``); ``within:K`` the floor only where
blind's bound >= gel / K; ``given:K`` the floor only where the given bound >= K x gel;
``both:K1:K2`` both conditions.

Counted per grasp (answered, labelled): false bounds (bound above the label), false
``stiffer_than_gel`` (flag on a grasp whose label is below the calibration's gel), rigid grasps
(label >= 100x the rig's true gel on a simulated grasp, else the calibration's) without
``stiffer_than_gel``, and "stiff" grasps (label >= 10x the calibration's gel) without it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from typing import Any

ESTIMATORS = ("hertz", "mdr", "line", "auto")


def run(out_path: str, paths: list[str]) -> None:
    import tactile.estimators.auto as auto
    from tactile.errors import TactileError
    from tactile.estimators.blind import BlindEstimator
    from tactile.estimators.registry import get_estimator
    from tactile.evaluation.runner import estimate_dataset
    from tactile.io import GraspReader
    from tactile.sensor import resolve_calibration

    orig = auto.checked_by_blind

    def recorded(estimate: Any, features: Any, *, meta: Any, calibration: Any, flat: bool) -> Any:
        try:
            b = BlindEstimator().estimate_features(features, meta=meta, calibration=calibration)
            blind: dict[str, Any] | str = b.to_dict()
        except TactileError as exc:
            blind = f"error: {exc.message}"
        out = orig(estimate, features, meta=meta, calibration=calibration, flat=flat)
        rec = {
            "given_log10": math.log10(estimate.modulus_pa),
            "flat": flat,
            "cal_gel": calibration.gel_modulus_pa,
            "blind": blind,
            "features": _feature_readings(features),
        }
        return dataclasses.replace(out, details=dict(out.details, _given44=rec))

    auto.checked_by_blind = recorded  # check_given_geometry reads the module global

    rows: list[dict[str, Any]] = []
    for path in paths:
        reader = GraspReader(path)
        metas = {gid: reader.read_signals(gid).meta for gid in reader.ids()}
        for name in ESTIMATORS:
            for r in estimate_dataset(path, get_estimator(name), protocol="given"):
                m = metas[r.grasp_id]
                true = m.extra.get("true_gel_modulus_pa")
                row: dict[str, Any] = {
                    "file": path.rsplit("/", 1)[-1].removesuffix(".h5"),
                    "estimator": name,
                    "grasp": r.grasp_id,
                    "object": r.object_id,
                    "shape": m.shape,
                    "material": m.extra.get("object_material"),
                    "foam": m.extra.get("object_foam"),
                    "obj_def_mm": m.extra.get("true_peak_object_def_mm"),
                    "label": math.log10(r.label_pa) if r.label_pa else None,
                    "true_gel": math.log10(float(true)) if true else None,
                    "cal_gel": math.log10(resolve_calibration(m).gel_modulus_pa),
                }
                e = r.estimate
                if e is None:
                    row["error"] = r.error
                else:
                    rec = e.details.get("_given44")
                    row.update(
                        log10=e.log10_modulus,
                        lb=bool(e.lower_bound_only),
                        stiffer="stiffer_than_gel" in {str(f) for f in e.flags},
                        chose=e.details.get("auto_chose", name),
                        rec=rec,
                        details={
                            k: v
                            for k, v in e.details.items()
                            if isinstance(v, int | float) and not isinstance(v, bool)
                        },
                    )
                rows.append(row)
    with open(out_path, "w") as fh:
        json.dump(rows, fh, default=str)


def _feature_readings(features: Any) -> dict[str, Any]:
    """The grasp's readings at the peak: the imaged gel depth (max over the loading frames
    where imaged), the closure since contact, the force, the contact radius."""
    import numpy as np

    p = features.peak_index
    out: dict[str, Any] = {
        "closure_peak_mm": float(features.closure_mm[p]) if len(features.closure_mm) > p else None,
        "force_peak_n": float(features.force_n[p]),
        "contact_radius_peak_mm": float(features.contact_radius_mm[p]),
    }
    depth = features.depth_mm
    if depth is not None:
        d = np.asarray(depth, dtype=float)[features.loading]
        d = d[np.isfinite(d)]
        out["depth_max_mm"] = float(d.max()) if d.size else None
        dp = float(np.asarray(depth, dtype=float)[p])
        out["depth_peak_mm"] = dp if math.isfinite(dp) else None
    return out


def _blind_bound(rec: dict[str, Any]) -> tuple[bool, float] | None:
    """(blind resolves, blind's bound/lower end in log10), None when blind failed."""
    b = rec["blind"]
    if isinstance(b, str):
        return None
    det = b.get("details", {})
    resolves = not b["lower_bound_only"] or "open_point_pa" in det
    if resolves:
        return True, math.log10(b["interval_95_pa"][0])
    return False, math.log10(b["modulus_pa"])


def approach_over_size(rec: dict[str, Any]) -> float:
    """Blind's approach over radius (closure over the object's size) on the grasp, the larger
    of its sphere and cylinder readings; 0 when it read neither."""
    det = rec["blind"].get("details", {})
    keys = ("sphere_approach_over_radius", "cylinder_approach_over_radius")
    return max([float(det[k]) for k in keys if det.get(k) is not None], default=0.0)


def floor_branch(row: dict[str, Any]) -> bool:
    """The check took the branch the variants change: a non-flat given bound, blind reads only
    a bound (the cap is blind's bound or the gel)."""
    rec = row.get("rec")
    if not rec or rec["flat"]:
        return False
    bb = _blind_bound(rec)
    return bb is not None and not bb[0]


def floor_decides(row: dict[str, Any]) -> bool:
    """The gel floor sets the cap: blind reads a bound below the gel, the given bound is
    above the gel (the tree's answer is the gel)."""
    rec = row.get("rec")
    if not rec or rec["flat"]:
        return False
    bb = _blind_bound(rec)
    if bb is None or bb[0]:
        return False
    gel = math.log10(rec["cal_gel"])
    return bb[1] < gel < rec["given_log10"]


def replay(row: dict[str, Any], variant: str) -> tuple[float, bool, bool] | None:
    """(log10, lower bound only, stiffer_than_gel) under ``variant``; None if unanswered."""
    if "log10" not in row:
        return None
    if variant == "tree" or not floor_branch(row):
        return row["log10"], row["lb"], row["stiffer"]
    rec = row["rec"]
    gel = math.log10(rec["cal_gel"])
    bb = _blind_bound(rec)
    assert bb is not None
    blind = bb[1]
    given = rec["given_log10"]
    parts = variant.split(":")
    if parts[0] == "floor":
        keep = True
    elif parts[0] == "nofloor":
        keep = False
    elif parts[0] == "within":
        keep = blind >= gel - math.log10(float(parts[1]))
    elif parts[0] == "given":
        keep = given >= gel + math.log10(float(parts[1]))
    elif parts[0] == "aor":
        keep = approach_over_size(rec) < float(parts[1])
    elif parts[0] == "both":
        keep = blind >= gel - math.log10(float(parts[1])) and given >= gel + math.log10(
            float(parts[2])
        )
    else:
        raise SystemExit(f"unknown variant {variant}")
    cap = max(blind, gel) if keep else blind
    final = min(cap, given)
    return final, True, final >= gel


def load(paths: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for p in paths:
        with open(p) as fh:
            rows += json.load(fh)
    return rows


def list_floor(paths: list[str]) -> None:
    rows = [r for r in load(paths) if floor_decides(r)]
    print("file est grasp shape material foam label truegel given blind final stiff false")
    for r in sorted(rows, key=lambda r: (r["file"], r["estimator"], r["label"] or 0)):
        rec = r["rec"]
        bb = _blind_bound(rec)
        assert bb is not None
        det = rec["blind"].get("details", {})
        keys = sorted(k for k, v in det.items() if isinstance(v, int | float))
        extra = " ".join(f"{k}={det[k]:.3g}" for k in keys)
        print(
            f"{r['file']} {r['estimator']}/{r['chose']} {r['object']} {r['shape']} "
            f"{r['material']} {r['foam']} {r['label']:.2f} {r['true_gel']} "
            f"{rec['given_log10']:.2f} {bb[1]:.2f} {r['log10']:.2f} {r['stiffer']} "
            f"{r['log10'] > r['label']} | {extra}"
        )


def counts(rows: list[dict[str, Any]], variant: str) -> dict[str, int]:
    c = {"answered": 0, "bounds": 0, "false_bounds": 0, "false_stiff": 0, "rigid": 0}
    c.update(rigid_unflagged=0, stiff=0, stiff_unflagged=0, true_stiff=0, floor_decides=0)
    for r in rows:
        a = replay(r, variant)
        if a is None or r["label"] is None:
            continue
        log10, lb, stiffer = a
        cal_gel = r["cal_gel"]
        c["answered"] += 1
        c["floor_decides"] += floor_decides(r)
        if lb:
            c["bounds"] += 1
            c["false_bounds"] += log10 > r["label"]
        if stiffer and cal_gel is not None and r["label"] < cal_gel:
            c["false_stiff"] += 1
        if stiffer and cal_gel is not None and r["label"] >= cal_gel:
            c["true_stiff"] += 1
        gel = r["true_gel"] if r["true_gel"] is not None else cal_gel
        if gel is not None and r["label"] >= gel + 2.0:
            c["rigid"] += 1
            c["rigid_unflagged"] += not stiffer
        if cal_gel is not None and r["label"] >= cal_gel + 1.0:
            c["stiff"] += 1
            c["stiff_unflagged"] += not stiffer
    return c


def count(paths: list[str], variants: list[str]) -> None:
    rows = load(paths)
    keys = sorted({(r["file"], r["estimator"]) for r in rows})
    cols = list(counts([], "tree"))
    print("file estimator variant " + " ".join(cols))
    for key in keys:
        sub = [r for r in rows if (r["file"], r["estimator"]) == key]
        for v in variants:
            c = counts(sub, v)
            print(f"{key[0]} {key[1]} {v} " + " ".join(str(c[k]) for k in cols))


def compare(parent_path: str, variant_path: str) -> dict[str, int]:
    """Per grasp, the parent tree's answers (``run`` on it) against the variant tree's on the
    same file, summed over ``hertz``, ``mdr`` and ``auto`` (``line`` printed apart): false
    bounds, false bounds added, false ``stiffer_than_gel``, the flag lost on grasps at least the
    calibration's gel / 10x it / 100x the rig's true gel (rigid), points changed."""
    old = {(r["estimator"], r["grasp"]): r for r in load([parent_path])}
    new = load([variant_path])
    tot: dict[str, dict[str, int]] = {}
    for r in new:
        o = old[(r["estimator"], r["grasp"])]
        group = "line" if r["estimator"] == "line" else "hertz+mdr+auto"
        c = tot.setdefault(group, dict.fromkeys(COMPARE_KEYS, 0))
        if "log10" not in r or "log10" not in o or r["label"] is None:
            c["unanswered_changed"] += ("log10" in r) != ("log10" in o)
            continue
        false_new = r["lb"] and r["log10"] > r["label"]
        false_old = o["lb"] and o["log10"] > o["label"]
        c["false_bounds_parent"] += false_old
        c["false_bounds_variant"] += false_new
        c["false_bounds_added"] += false_new and not false_old
        c["false_stiff_parent"] += o["stiffer"] and r["label"] < r["cal_gel"]
        c["false_stiff_variant"] += r["stiffer"] and r["label"] < r["cal_gel"]
        lost = o["stiffer"] and not r["stiffer"]
        c["flag_lost_above_gel"] += lost and r["label"] >= r["cal_gel"]
        c["flag_lost_10x_gel"] += lost and r["label"] >= r["cal_gel"] + 1.0
        gel = r["true_gel"] if r["true_gel"] is not None else r["cal_gel"]
        c["flag_lost_rigid"] += lost and r["label"] >= gel + 2.0
        c["flag_gained"] += r["stiffer"] and not o["stiffer"]
        c["points_changed"] += (not o["lb"] or not r["lb"]) and (
            o["lb"] != r["lb"] or abs(o["log10"] - r["log10"]) > 1e-12
        )
        c["hits_lost"] += (
            not o["lb"] and abs(o["log10"] - o["label"]) <= 1.0
            and not (not r["lb"] and abs(r["log10"] - r["label"]) <= 1.0)
        )  # fmt: skip
    return {f"{g}:{k}": v for g, c in tot.items() for k, v in c.items()}


COMPARE_KEYS = (
    "false_bounds_parent",
    "false_bounds_variant",
    "false_bounds_added",
    "false_stiff_parent",
    "false_stiff_variant",
    "flag_lost_above_gel",
    "flag_lost_10x_gel",
    "flag_lost_rigid",
    "flag_gained",
    "points_changed",
    "hits_lost",
    "unanswered_changed",
)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        run(sys.argv[2], sys.argv[3:])
    elif cmd == "list":
        list_floor(sys.argv[2:])
    elif cmd == "compare":
        for k, v in compare(sys.argv[2], sys.argv[3]).items():
            print(k, v)
    elif cmd == "count":
        variants = [a for a in sys.argv[2:] if not a.endswith(".json")]
        count([a for a in sys.argv[2:] if a.endswith(".json")], variants)
    else:
        raise SystemExit(__doc__)
