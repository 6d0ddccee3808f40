"""``tactile evaluate PATH [--labels CSV]``: estimate every grasp, score per object vs a baseline.

A thin wrapper over :func:`tactile.evaluation.evaluate_dataset` (labels and the choice of the
constant baseline are documented there).
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
    p.add_argument(
        "--protocol",
        choices=("both", "blind", "given"),
        default="both",
        help="blind: nothing but the grasp (labels only score); given: the label table's shape "
        "and radius too; both (default): the blind table, and the given-geometry summary beside",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tactile.evaluation import evaluate_dataset, format_object_table, format_summary

    protocols = ["blind", "given"] if args.protocol == "both" else [args.protocol]
    result = evaluate_dataset(
        args.path,
        args.estimator,
        labels=args.labels,
        calibration=args.calibration,
        baseline_pa=args.baseline_pa,
        plot=args.plot,
        protocol=protocols[0],
        beside=protocols[1:],
    )
    if args.json:
        print_json({**result.to_json(), "plot": str(args.plot) if args.plot else None})
        return 0 if result.ok else 1
    print(f"protocol: {result.protocol}")
    print(format_object_table(result.rows))
    print()
    print(format_summary(result.metrics, name=f"{result.estimator} ({result.protocol})"))
    for other, metrics in (result.beside or {}).items():
        print()
        print(format_summary(metrics, name=f"{result.estimator} ({other} geometry, beside)"))
    for r in result.failed:
        print(f"failed: {r.grasp_id}: {r.error}")
    for r in result.unlabelled:
        print(f"no label: {r.grasp_id} ({r.object_id})")
    source = "--baseline-pa" if args.baseline_pa is not None else result.baseline.source
    print(f"\nbaseline: constant {format_pa(result.baseline.value_pa)} ({source})")
    given = "--calibration" if args.calibration else "named by the grasps"
    print(f"calibration: {', '.join(result.calibration_ids)} ({given})")
    if args.plot is not None:
        print(f"plot: {args.plot}")
    return 0 if result.ok else 1
