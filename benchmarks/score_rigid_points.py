"""Issue 11's blind criteria on a simulated file, with the bound's flag counted too: rigid
points, false bounds, soft objects flagged ``stiffer_than_gel`` and the share within a decade
below the grasp's limit, per estimator.

    python benchmarks/score_rigid_points.py TEST.h5 [--estimators hybrid blind] [--json out.json]

The per-object scoring is :mod:`eval_sim_families`'s (one grasp per object on these files; with
more, an object is its grasps' median there and "flagged" here when most of its grasps carry
the flag). Added: **soft flagged stiffer** = objects softer than their rig's true gel
(``extra["true_gel_modulus_pa"]``) answered with a bound flagged ``stiffer_than_gel``, and the
same against the calibration's gel (the estimator's own reference, 54.7 kPa on the simulated
random rigs: ``wedge-reference-v3``). Order matters: the network's limits score every
estimator, so list ``hybrid`` (or ``neural``) first.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_sim_families as esf

from tactile.estimators.neural.estimator import HybridEstimator, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration
from tactile.types import Flag


def _fields_with_flag(e: Any) -> dict[str, Any]:
    return dict(esf.estimate_fields(e), stiffer=Flag.STIFFER_THAN_GEL in e.flags)


def score(data: Path, estimators: list[str], model: str = "default") -> dict[str, Any]:
    reader = GraspReader(data)
    loaded = resolve_model(model)
    makers = {"hybrid": lambda: HybridEstimator(loaded), "blind": lambda: get_estimator("blind")}
    cal_gel = {
        g: resolve_calibration(reader.read_signals(g).meta).gel_modulus_pa for g in reader.ids()
    }
    limits: dict[str, float] = {}
    out: dict[str, Any] = {"file": str(data)}
    for name in estimators:
        rows = esf.rows_for(name, makers[name](), reader, limits, fields=_fields_with_flag)
        objs = esf.per_object(rows, limits)
        summary = esf.summarize(objs)["all"]
        rig = esf.against_rig_gel(objs) or {}
        stiffer: dict[str, list[bool]] = {}
        cal: dict[str, float] = {}
        for r in rows:
            if "log10" in r:
                stiffer.setdefault(r["object"], []).append(bool(r["stiffer"]))
                cal[r["object"]] = cal_gel[r["grasp"]]
        soft_true = soft_cal = 0
        for o in objs:
            if o["refused"] or not o["flagged"]:
                continue
            flags = stiffer[o["object"]]
            if sum(flags) <= len(flags) / 2:
                continue
            soft_true += o.get("gel_log10") is not None and o["label"] < o["gel_log10"]
            soft_cal += o["label"] < math.log10(cal[o["object"]])
        out[name] = {
            "objects": len(objs),
            "refused": rig.get("refused"),
            "rigid_points": rig.get("rigid_points"),
            "rigid_objects": rig.get("rigid_objects"),
            "false_bounds": rig.get("false_bounds"),
            "n_bounds": summary["n_bounds"],
            "soft_true_gel_flagged_stiffer": soft_true,
            "soft_cal_gel_flagged_stiffer": soft_cal,
            "below_limit_objects": summary["below_limit_objects"],
            "below_within_decade": summary["below_within_decade"],
            "correct_vs_rig_gel": rig.get("correct"),
            "objects_detail": [
                {
                    **o,
                    "cal_gel_log10": math.log10(cal[o["object"]]) if o["object"] in cal else None,
                    "stiffer": sum(stiffer.get(o["object"], []))
                    > len(stiffer.get(o["object"], [])) / 2,
                }
                for o in objs
            ],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument(
        "--estimators", nargs="+", default=["hybrid", "blind"], choices=["hybrid", "blind"]
    )
    p.add_argument("--model", default="default")
    p.add_argument("--json", type=Path, default=None)
    args = p.parse_args(argv)
    res = score(args.data, args.estimators, args.model)
    if args.json is not None:
        args.json.write_text(json.dumps(res, indent=1, default=str) + "\n")
    print(
        "| estimator | objects | rigid points | false bounds / bounds | soft (true gel) flagged "
        "stiffer | soft (cal gel) flagged stiffer | below limit within a decade | refused |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in args.estimators:
        m = res[name]
        print(
            f"| {name} | {m['objects']} | {m['rigid_points']} of {m['rigid_objects']} | "
            f"{m['false_bounds']} / {m['n_bounds']} | {m['soft_true_gel_flagged_stiffer']} | "
            f"{m['soft_cal_gel_flagged_stiffer']} | {m['below_within_decade']:.1%} of "
            f"{m['below_limit_objects']} | {m['refused']} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
