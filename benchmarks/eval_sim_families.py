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

The per-object scoring lives in :mod:`tactile.evaluation.simulated` (``tactile evaluate``'s
``simulated_truth`` block counts with it too); its names stay importable from here.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tactile.errors import TactileError
from tactile.estimators.neural.estimator import HybridEstimator, NeuralEstimator, resolve_model
from tactile.estimators.registry import get_estimator
from tactile.evaluation.protocol import blind_metadata
from tactile.evaluation.simulated import (
    BANDS,
    against_rig_gel,
    estimate_fields,
    grasp_row,
    mean_or_nan,
    per_object,
    summarize,
)
from tactile.evaluation.simulated import family_of as family_of  # other scripts read it here
from tactile.io import GraspReader
from tactile.sensor import resolve_calibration


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
        try:
            if isinstance(est, NeuralEstimator):
                e = est.estimate_stored(reader, gid, meta=blind)
            else:
                g = replace(reader.read(gid), meta=blind)
                cal = with_true_gel(meta) if name == "blind+gel" else resolve_calibration(meta)
                e = est.estimate(g, calibration=cal)
        except TactileError as exc:
            out.append({**grasp_row(gid, meta, None), "error": exc.message})
            continue
        out.append(grasp_row(gid, meta, e, fields=fields))
        if isinstance(e.details.get("resolvable_limit_pa"), float):
            limits[gid] = e.details["resolvable_limit_pa"]
    return out


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
        fam: mean_or_nan(
            [abs(constant - lab) <= 1 for lab, f in labels.values() if fam in ("all", f)]
        )
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
