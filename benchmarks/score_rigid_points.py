"""Issue 11's blind criteria on a simulated file, with the bound's flag counted too: rigid
points, false bounds, soft objects flagged ``stiffer_than_gel`` and the share within a decade
below the grasp's limit, per estimator.

    python benchmarks/score_rigid_points.py TEST.h5 [--estimators hybrid blind] [--json out.json]

The scoring is :func:`tactile.evaluation.simulated.simulated_truth_counts` (the same per-object
scoring as :mod:`eval_sim_families` and ``tactile evaluate``'s ``simulated_truth`` block; one
grasp per object on these files; with more, an object is its grasps' median and "flagged
stiffer" when most of its grasps carry the flag). Added to eval_sim_families' counts: **soft
flagged stiffer** = objects softer than their rig's true gel (``extra["true_gel_modulus_pa"]``)
answered with a bound flagged ``stiffer_than_gel``, and the same against the calibration's gel
(the estimator's own reference, 54.7 kPa on the simulated random rigs: ``wedge-reference-v3``).
Order matters: the network's limits score every estimator, so list ``hybrid`` (or ``neural``)
first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_sim_families as esf

from tactile.estimators.neural.estimator import HybridEstimator, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.evaluation.simulated import simulated_truth_counts, stiffer_fields
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration


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
        rows = esf.rows_for(name, makers[name](), reader, limits, fields=stiffer_fields)
        out[name] = simulated_truth_counts(rows, limits, cal_gel)
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
