"""Blind evaluation on a held-out simulated test set, per material family and modulus band:
network, hybrid, the physics (``blind``) and the constant.

    python benchmarks/eval_sim_families.py TEST.h5 [--model models/default] [--json out.json]
        [--members N]

Blind: every grasp is estimated with its shape and radius removed from the metadata: nothing
but the grasp and its calibration — the one its simulated rig carries (``tactile calibrate rig``
on simulated golf-ball presses of that rig, on top of ``wedge-reference-v3``), the same for
every estimator. ``blind+gel`` is the physics given, in addition, the simulated rig's true gel
modulus and thickness (what a perfect gel calibration would give it; a best case). The constant
is the model's median training label.

Per object (median over its grasps) and per family (``foam`` vs the linear-elastic
``gel``/``rubber``/``plastic``/``hard``), as the issue asks: below the grasp's physics resolvable
limit (``details["resolvable_limit_pa"]`` of the network, from the rig calibration) the share
within a decade (a flagged object counts as wrong there) and the log10 MAE; above it the share
flagged with a lower bound; the share of bounds that hold (every flagged object). Over all
moduli, per band of the label (< 0.1 MPa, 0.1–10 MPa, > 10 MPa): the share "within a decade
or correctly flagged" (a flag is correct when its bound holds and the label is beyond the
limit) and the log10 MAE of the point estimates, also of the network's own mean whatever the
flag (``net``), so where the information runs out is visible.

Against each simulated rig's own true gel (``extra["true_gel_modulus_pa"]``; a second table,
the same for every estimator whatever limit it has): **correct** = a point within a decade of
the label, or a lower bound that holds on an object at least 10x its rig's gel; **false
bounds** = bounds above the label; **rigid points** = objects at least 100x their rig's gel
answered with a point (issue 11's "rigid unflagged").
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from tactile.errors import TactileError
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration

BANDS: tuple[tuple[str, float, float], ...] = (
    ("<0.1MPa", -math.inf, 5.0),
    ("0.1-10MPa", 5.0, 7.0),
    (">10MPa", 7.0, math.inf),
)


def family_of(material: str) -> str:
    return "foam" if material == "foam" else "linear"


def with_true_gel(meta: Any) -> Any:
    """The grasp's own calibration with the simulated rig's true gel (modulus, thickness,
    bottoming, half-space law, as the simulator's gel)."""
    cal = resolve_calibration(meta)
    return replace(
        cal,
        calibration_id=f"{cal.calibration_id}+true-gel",
        gel_model="half-space",
        gel_modulus_pa=float(meta.extra.get("true_gel_modulus_pa", cal.gel_modulus_pa)),
        gel_thickness_mm=float(meta.extra.get("true_gel_thickness_mm", cal.gel_thickness_mm)),
        gel_max_strain=float(meta.extra.get("rig_gel_max_strain", 0.9)),
    )


def estimate_fields(e: Any) -> dict[str, Any]:
    """What the scoring reads of one estimate: log10 E, whether it is a bound, the 68 %
    interval in log10 (open ends infinite)."""
    lo68, hi68 = e.interval_68_pa
    return {
        "log10": e.log10_modulus,
        "flagged": bool(e.lower_bound_only),
        "lo68": math.log10(lo68) if lo68 > 0 else -math.inf,
        "hi68": math.log10(hi68) if math.isfinite(hi68) else math.inf,
    }


def _log10_or_none(value: Any) -> float | None:
    return math.log10(float(value)) if isinstance(value, int | float) and value > 0 else None


def rows_for(
    name: str,
    est: Any,
    reader: GraspReader,
    limits: dict[str, float],
    fields: Callable[[Any], dict[str, Any]] = estimate_fields,
) -> list[dict[str, Any]]:
    """One row per grasp of ``reader``: the grasp's truth and ``fields`` of its estimate."""
    out = []
    for gid in reader.ids():
        meta = reader.read_signals(gid).meta
        blind = blind_metadata(meta)
        row: dict[str, Any] = {
            "grasp": gid,
            "object": meta.object_id,
            "label": math.log10(meta.label_modulus_pa or 1.0),
            "family": family_of(str(meta.extra.get("object_material", ""))),
            "material": str(meta.extra.get("object_material", "")),
            "shape": meta.shape,
            "gel_log10": _log10_or_none(meta.extra.get("true_gel_modulus_pa")),
        }
        try:
            if isinstance(est, NeuralEstimator):
                e = est.estimate_stored(reader, gid, meta=blind)
            else:
                g = replace(reader.read(gid), meta=blind)
                cal = with_true_gel(meta) if name == "blind+gel" else resolve_calibration(meta)
                e = est.estimate(g, calibration=cal)
        except TactileError as exc:
            row["error"] = exc.message
            out.append(row)
            continue
        row.update(
            fields(e),
            net_mu=e.details.get("network_log10_mean"),
            net_sigma=e.details.get("network_log10_sigma"),
            ood=e.details.get("ood_score"),
            source=e.details.get("source"),
        )
        if isinstance(e.details.get("resolvable_limit_pa"), float):
            limits[gid] = e.details["resolvable_limit_pa"]
        out.append(row)
    return out


def per_object(rows: list[dict[str, Any]], limits: dict[str, float]) -> list[dict[str, Any]]:
    objs: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        objs.setdefault(r["object"], []).append(r)
    out = []
    for obj, grs in objs.items():
        ok = [r for r in grs if "log10" in r]
        base = {"object": obj, "label": grs[0]["label"], "family": grs[0]["family"]}
        base["material"] = grs[0]["material"]
        base["gel_log10"] = grs[0].get("gel_log10")
        if not ok:
            out.append({**base, "refused": True})
            continue
        lim = float(np.median([limits.get(r["grasp"], math.inf) for r in ok]))
        flagged = sum(r["flagged"] for r in ok) > len(ok) / 2
        use = [r for r in ok if r["flagged"] == flagged]
        med = float(np.median([r["log10"] for r in use]))
        lab = base["label"]
        nets = [r["net_mu"] for r in ok if r.get("net_mu") is not None]
        out.append(
            {
                **base,
                "refused": False,
                "log10": med,
                "flagged": flagged,
                "limit_log10": math.log10(lim) if math.isfinite(lim) else math.inf,
                "below_limit": lab < math.log10(lim),
                "covered_68": bool(
                    np.median([r["lo68"] for r in use])
                    <= lab
                    <= np.median([r["hi68"] for r in use])
                ),
                "net_mu": float(np.median(nets)) if nets else None,
                "source": use[len(use) // 2].get("source"),
                "ok": (flagged and med <= lab and lab >= math.log10(lim))
                or (not flagged and abs(med - lab) <= 1.0),
            }
        )
    return out


def against_rig_gel(objs: list[dict[str, Any]]) -> dict[str, int] | None:
    """Counts against each object's own rig gel (module docstring); None without true gels."""
    scored = [o for o in objs if not o["refused"] and o.get("gel_log10") is not None]
    if not scored:
        return None
    correct = false = rigid_points = 0
    for o in scored:
        lab, gel = o["label"], o["gel_log10"]
        if o["flagged"]:
            false += o["log10"] > lab
            correct += o["log10"] <= lab and lab >= gel + 1.0
        else:
            correct += abs(o["log10"] - lab) <= 1.0
            rigid_points += lab >= gel + 2.0
    return {
        "objects": len(scored),
        "refused": sum(o["refused"] for o in objs),
        "correct": correct,
        "false_bounds": false,
        "rigid_objects": sum(o["label"] >= o["gel_log10"] + 2.0 for o in scored),
        "rigid_points": rigid_points,
    }


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else math.nan


def summarize(objs: list[dict[str, Any]]) -> dict[str, Any]:
    res: dict[str, Any] = {}
    for fam in ("foam", "linear", "all"):
        os_ = [o for o in objs if fam == "all" or o["family"] == fam]
        scored = [o for o in os_ if not o["refused"]]
        below = [o for o in scored if o["below_limit"]]
        above = [o for o in scored if not o["below_limit"]]
        flagged = [o for o in scored if o["flagged"]]
        bands = {}
        for band, lo, hi in BANDS:
            b = [o for o in scored if lo <= o["label"] < hi]
            point = [abs(o["log10"] - o["label"]) for o in b if not o["flagged"]]
            net = [abs(o["net_mu"] - o["label"]) for o in b if o["net_mu"] is not None]
            bands[band] = {
                "objects": len(b),
                "ok": _mean([o["ok"] for o in b]),
                "point_mae": _mean(point),
                "net_mae": _mean(net),
                "flagged": _mean([o["flagged"] for o in b]),
            }
        res[fam] = {
            "objects": len(os_),
            "refused": len(os_) - len(scored),
            "below_limit_objects": len(below),
            "below_within_decade": _mean(
                [(not o["flagged"]) and abs(o["log10"] - o["label"]) <= 1 for o in below]
            ),
            "below_log10_mae": _mean(
                [abs(o["log10"] - o["label"]) for o in below if not o["flagged"]]
            ),
            "below_wrongly_flagged": _mean([o["flagged"] for o in below]),
            "above_limit_objects": len(above),
            "above_flagged": _mean([o["flagged"] for o in above]),
            "bounds_hold": _mean([o["log10"] <= o["label"] for o in flagged]),
            "n_bounds": len(flagged),
            "ok_all": _mean([o["ok"] for o in scored]),
            "coverage_68": _mean([o["covered_68"] for o in scored]),
            "bands": bands,
        }
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("--model", default="default")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--estimators", nargs="+", default=["neural", "hybrid", "blind", "blind+gel"])
    p.add_argument("--members", type=int, default=None, help="use the first N ensemble members")
    args = p.parse_args(argv)
    reader = GraspReader(args.data)
    loaded = resolve_model(args.model)
    if args.members is not None:
        if not 1 <= args.members <= loaded.n_members:
            p.error(f"--members must be 1..{loaded.n_members} for this model")
        loaded = replace(loaded, members=loaded.members[: args.members - 1])
    print(f"model {loaded.path}: {loaded.n_members} network(s)")
    limits: dict[str, float] = {}
    makers = {
        "neural": lambda: NeuralEstimator(loaded),
        "hybrid": lambda: HybridEstimator(loaded),
        "blind": lambda: get_estimator("blind"),
        "blind+gel": lambda: get_estimator("blind"),
    }
    report: dict[str, Any] = {"objects": {}, "summary": {}}
    for name in args.estimators:  # the network first: its limits score everyone
        objs = per_object(rows_for(name, makers[name](), reader, limits), limits)
        report["objects"][name] = objs
        report["summary"][name] = summarize(objs)
        report.setdefault("against_rig_gel", {})[name] = against_rig_gel(objs)
    constant = loaded.normalization.target_mean
    labels = {o["object"]: (o["label"], o["family"]) for o in report["objects"][args.estimators[0]]}
    report["constant_log10"] = constant
    report["constant"] = {
        fam: _mean([abs(constant - lab) <= 1 for lab, f in labels.values() if fam in ("all", f)])
        for fam in ("foam", "linear", "all")
    }
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print(
        "| estimator | family | objects | below limit: within 1 decade / MAE / wrongly "
        "flagged | above: flagged | bounds hold | all: within a decade or correctly flagged "
        "| 68 % coverage | refused |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, res in report["summary"].items():
        for fam, m in res.items():
            print(
                f"| {name} | {fam} | {m['objects']} | {m['below_limit_objects']}: "
                f"{m['below_within_decade']:.1%} / {m['below_log10_mae']:.2f} / "
                f"{m['below_wrongly_flagged']:.1%} | {m['above_limit_objects']}: "
                f"{m['above_flagged']:.1%} | {m['bounds_hold']:.1%} of {m['n_bounds']} | "
                f"{m['ok_all']:.1%} | {m['coverage_68']:.1%} | {m['refused']} |"
            )
    print(
        f"constant (10^{constant:.2f} Pa) within a decade: "
        + ", ".join(f"{k} {v:.1%}" for k, v in report["constant"].items())
    )
    rig = report["against_rig_gel"]
    if any(v is not None for v in rig.values()):
        print("\nAgainst each rig's own true gel (module docstring): correct (a point within a")
        print("decade, or a bound that holds on an object >= 10x its gel) / false bounds / rigid")
        print("(>= 100x its gel) answered with a point; constant within a decade beside")
        print("| estimator | objects | correct | false bounds | rigid points | refused |")
        print("|---|---|---|---|---|---|")
        for name, c in rig.items():
            if c is not None:
                print(
                    f"| {name} | {c['objects']} | {c['correct']} | {c['false_bounds']} | "
                    f"{c['rigid_points']} of {c['rigid_objects']} | {c['refused']} |"
                )
        n_const = sum(abs(constant - lab) <= 1 for lab, _ in labels.values())
        print(f"| constant | {len(labels)} | {n_const} within a decade | | | |")
    print("\nBy band of the label (all families): objects, within a decade or correctly flagged,")
    print("MAE of point estimates, MAE of the network's own mean, share flagged")
    print("| estimator | " + " | ".join(b for b, _, _ in BANDS) + " |")
    print("|---|" + "---|" * len(BANDS))
    for name, res in report["summary"].items():
        cells = []
        for band, _, _ in BANDS:
            m = res["all"]["bands"][band]
            cells.append(
                f"{m['objects']}: {m['ok']:.0%} / {m['point_mae']:.2f} / "
                f"{m['net_mae']:.2f} / {m['flagged']:.0%}"
            )
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
