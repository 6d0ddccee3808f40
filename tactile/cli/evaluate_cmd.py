"""``tactile evaluate PATH [--labels CSV]``: estimate every grasp, score per object vs a baseline.

Labels come from the label table, or, without ``--labels``, from each grasp's own metadata
(``label_modulus_pa``: simulated grasps, or grasps recorded with ``--label-pa``).

The constant baseline predicts one value for every object. With no training set at hand it is
the median of log10 E over every usable row of the label table given (the label distribution
the objects are drawn from), unless ``--baseline-pa`` sets it. Without a table it is the median
label of the evaluated objects: a baseline that has seen the test labels' median, so it flatters
the baseline, never the estimator.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, print_json
from tactile.types import format_pa


def register(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="estimate every grasp and score the estimates per object against labels",
        description=(
            "Estimate every grasp at PATH (grasp file/directory, or a folder of reference "
            "recordings), combine grasps per object (median), and print the per-object table "
            "and summary metrics beside a constant-prediction baseline."
        ),
    )
    p.add_argument("path", type=Path, help="grasp file or folder")
    p.add_argument(
        "--labels",
        type=Path,
        default=None,
        metavar="CSV",
        help="label table (default: the labels stored in the grasps, e.g. simulated ones)",
    )
    p.add_argument("--estimator", default="auto", help="estimator name (default: auto)")
    p.add_argument("--calibration", default=None, metavar="ID|PATH", help="sensor calibration")
    p.add_argument("--plot", type=Path, default=None, metavar="PNG", help="write the figure here")
    p.add_argument(
        "--baseline-pa",
        type=float,
        default=None,
        help="constant baseline in Pa (default: median log10 E of the label table)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def row_to_json(row: Any) -> dict[str, Any]:
    return {
        "object_id": row.object_id,
        "label_pa": row.label_pa,
        "estimate_pa": row.estimate_pa,
        "interval_68_pa": list(row.interval_68_pa),
        "interval_95_pa": list(row.interval_95_pa),
        "lower_bound_only": row.lower_bound_only,
        "log10_error": row.log10_error,
        "within_one_decade": row.within_one_decade,
        "n_grasps": row.n_grasps,
        "grasp_ids": list(row.grasp_ids),
        "flags": sorted(str(f) for f in row.flags),
    }


def run(args: argparse.Namespace) -> int:
    from tactile.errors import ConfigError
    from tactile.evaluation import (
        constant_baseline_pa,
        format_object_table,
        format_summary,
        per_object_table,
        plot_evaluation,
        summary_metrics,
    )
    from tactile.evaluation.runner import estimate_dataset
    from tactile.io.labels import read_label_table

    table = read_label_table(args.labels) if args.labels is not None else None
    baseline = args.baseline_pa
    if baseline is None and table is not None:
        baseline = constant_baseline_pa(r.modulus_pa for r in table.values())
    results = estimate_dataset(
        args.path, args.estimator, calibration=args.calibration, labels=table
    )
    failed = [r for r in results if not r.ok]
    unlabelled = [r for r in results if r.ok and not r.label_pa]
    records = [
        (r.object_id, r.grasp_id, r.label_pa, r.estimate)
        for r in results
        if r.estimate is not None and r.label_pa
    ]
    if not records:
        raise ConfigError(
            f"no grasp at {args.path} could be estimated and labelled "
            f"({len(failed)} failed, {len(unlabelled)} without a label)",
            hint="check the label table's object names and `tactile estimate` on the data"
            if table is not None
            else "pass --labels CSV: these grasps carry no labels",
        )
    rows = per_object_table(records)
    baseline_source = "--baseline-pa"
    if args.baseline_pa is None and args.labels is not None:
        baseline_source = f"median label of {args.labels.name}"
    if baseline is None:
        baseline = constant_baseline_pa(r.label_pa for r in rows if r.label_pa)
        baseline_source = "median label of the evaluated objects: optimistic for the baseline"
    metrics = summary_metrics(rows, baseline_pa=baseline)
    if args.plot is not None:
        plot_evaluation(rows, args.plot, baseline_pa=baseline, title=f"{args.estimator} estimator")
    used = sorted({str(e.details.get("calibration_id")) for _, _, _, e in records})
    if args.json:
        print_json(
            {
                "estimator": args.estimator,
                "calibration": used,
                "objects": [row_to_json(r) for r in rows],
                "summary": metrics,
                "failed": [{"grasp_id": r.grasp_id, "error": r.error} for r in failed],
                "unlabelled": [r.grasp_id for r in unlabelled],
                "plot": str(args.plot) if args.plot else None,
            }
        )
    else:
        print(format_object_table(rows))
        print()
        print(format_summary(metrics, name=args.estimator))
        for r in failed:
            print(f"failed: {r.grasp_id}: {r.error}")
        for r in unlabelled:
            print(f"no label: {r.grasp_id} ({r.object_id})")
        print(f"\nbaseline: constant {format_pa(baseline)} ({baseline_source})")
        source = "--calibration" if args.calibration else "named by the grasps"
        print(f"calibration: {', '.join(used)} ({source})")
        if args.plot is not None:
            print(f"plot: {args.plot}")
    return 0 if not failed else 1
