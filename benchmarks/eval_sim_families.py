"""Blind evaluation on a simulated test set, per material family: network, hybrid, analytical.

    python benchmarks/eval_sim_families.py TEST.h5 [--model models/default] [--json out.json]

Blind: every grasp is estimated with its shape and radius removed from the metadata (nothing
but the grasp and the rig calibration the simulator recorded for its rig). Per object (median
over its grasps) and per family (``foam`` vs the linear-elastic ``gel``/``rubber``/
``plastic``/``hard``): below the physics resolvable limit (the grasp's own, from its rig
calibration: ``details["resolvable_limit_pa"]``) the share within a decade and the log10 MAE;
above it the share flagged with a lower bound and the share of bounds that hold (of every
flagged grasp, whatever its side of the limit). The analytical ``auto`` gets the simulated
rig's true gel modulus and thickness (``true_gel``), not its compliance.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator
from tactile.estimators.registry import get_estimator
from tactile.io import GraspReader


def family_of(material: str) -> str:
    return "foam" if material == "foam" else "linear"


def true_gel(meta: Any) -> Any:
    """The grasp's processing calibration with the simulated rig's true gel (modulus and
    thickness, half-space law): the analytical baseline is given what a perfect gel
    calibration would give it (it knows nothing of the rig's compliance)."""
    from tactile.sensor import get_calibration

    cal = get_calibration(meta.calibration_id)
    return replace(
        cal,
        calibration_id=f"{cal.calibration_id}+true-gel",
        gel_model="half-space",
        gel_modulus_pa=float(meta.extra.get("true_gel_modulus_pa", cal.gel_modulus_pa)),
        gel_thickness_mm=float(meta.extra.get("gel_thickness_mm", cal.gel_thickness_mm)),
    )


def rows_for(est: Any, reader: GraspReader, limits: dict[str, float]) -> list[dict[str, Any]]:
    out = []
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        blind = replace(meta, shape=None, radius_mm=None)
        row: dict[str, Any] = {
            "grasp": gid,
            "object": meta.object_id,
            "label": math.log10(meta.label_modulus_pa or 1.0),
            "family": family_of(str(meta.extra.get("object_material", ""))),
        }
        try:
            if isinstance(est, NeuralEstimator):
                e = est.estimate_stored(reader, gid, meta=blind)
            else:
                g = reader.read(gid)
                e = est.estimate(replace(g, meta=blind), calibration=true_gel(meta))
        except TactileError as exc:
            row["error"] = exc.message
            out.append(row)
            continue
        row.update(
            log10=e.log10_modulus,
            flagged=e.lower_bound_only,
            limit=e.details.get("resolvable_limit_pa", limits.get(gid)),
        )
        if isinstance(e.details.get("resolvable_limit_pa"), float):
            limits[gid] = e.details["resolvable_limit_pa"]
        out.append(row)
    return out


def summarize(rows: list[dict[str, Any]], limits: dict[str, float]) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for fam in ("foam", "linear", "all"):
        rs = [r for r in rows if fam == "all" or r["family"] == fam]
        objs: dict[str, list[dict[str, Any]]] = {}
        for r in rs:
            objs.setdefault(r["object"], []).append(r)
        below, above, bounds, refused = [], [], [], 0
        for grs in objs.values():
            ok = [r for r in grs if "log10" in r]
            if not ok:
                refused += 1
                continue
            lab = ok[0]["label"]
            lim = np.median([limits.get(r["grasp"], math.inf) for r in ok])
            flagged = sum(r["flagged"] for r in ok) > len(ok) / 2
            med = float(np.median([r["log10"] for r in ok if r["flagged"] == flagged]))
            if flagged:
                bounds.append(med <= lab)
            if lab < math.log10(lim):
                below.append((abs(med - lab), flagged))
            else:
                above.append(flagged)
        res[fam] = {
            "objects": len(objs),
            "refused": refused,
            "below_limit_objects": len(below),
            "below_within_decade": float(
                np.mean([e <= 1 for e, f in below if not f] + [False for e, f in below if f])
            )
            if below
            else math.nan,
            "below_log10_mae": float(np.mean([e for e, f in below if not f]))
            if below
            else math.nan,
            "below_wrongly_flagged": float(np.mean([f for _, f in below])) if below else math.nan,
            "above_limit_objects": len(above),
            "above_flagged": float(np.mean(above)) if above else math.nan,
            "bounds_hold": float(np.mean(bounds)) if bounds else math.nan,
            "n_bounds": len(bounds),
        }
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("--model", default="default")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    reader = GraspReader(args.data)
    limits: dict[str, float] = {}
    report = {}
    for name, est in (
        ("neural", NeuralEstimator(args.model)),
        ("hybrid", HybridEstimator(args.model)),
        ("auto", get_estimator("auto")),
    ):
        rows = rows_for(est, reader, limits)
        report[name] = summarize(rows, limits)
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    print(
        "| estimator | family | objects | below limit: within 1 decade / MAE / wrongly "
        "flagged | above: flagged | bounds hold | refused |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, res in report.items():
        for fam, m in res.items():
            print(
                f"| {name} | {fam} | {m['objects']} | {m['below_limit_objects']}: "
                f"{m['below_within_decade']:.1%} / {m['below_log10_mae']:.2f} / "
                f"{m['below_wrongly_flagged']:.1%} | {m['above_limit_objects']}: "
                f"{m['above_flagged']:.1%} | {m['bounds_hold']:.1%} of {m['n_bounds']} | "
                f"{m['refused']} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
