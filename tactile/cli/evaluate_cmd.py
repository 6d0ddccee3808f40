"""``tactile evaluate PATH [--labels CSV]``: estimate every grasp, score per object vs a baseline.

A thin wrapper over :func:`tactile.evaluation.evaluate_dataset` (labels and the choice of the
constant baseline are documented there).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, add_model_flag, print_json, resolve_estimator
from tactile.types import format_pa


def register(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate",
        help="estimate every grasp and score the estimates per object against labels",
        description=(
            "Estimate every grasp at PATH (grasp file/directory, or a folder of reference "
            "recordings), combine grasps per object (median), and print the per-object table "
            "and summary metrics beside a constant-prediction baseline; on simulated grasps also "
            "BENCHMARKS.md's simulated-truth counts (each rig's true gel: docs/evaluation.md, "
            '"Which gel").'
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
    p.add_argument(
        "--estimator",
        default=None,
        help=(
            "estimator name: auto, blind, hertz, mdr, line, elastic, neural, hybrid or a plugin "
            "(default: auto; hybrid when --model is given)"
        ),
    )
    add_model_flag(p)
    p.add_argument("--calibration", default=None, metavar="ID|PATH", help="sensor calibration")
    p.add_argument("--plot", type=Path, default=None, metavar="PNG", help="write the figure here")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --plot file")
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
        "and radius too; both (default): the blind table, and the given-geometry summary beside "
        "(given only for hertz, mdr, elastic and line, which refuse a grasp without geometry)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def _report_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Each object without a label row once, worded for scoring (newuser41: evaluate printed
    the importer's "imported without a label" as raw Python warnings, up to 4 times an object);
    other warnings as they came."""
    from tactile.io.labels import LabelWarning

    unlabelled: dict[str, None] = {}
    for w in caught:
        if issubclass(w.category, LabelWarning):
            text = str(w.message).replace("; imported without a label", "")
            unlabelled.setdefault(text, None)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    for text in unlabelled:
        print(f"tactile evaluate: warning: {text}: not scored", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from tactile.estimators.auto import GIVEN_GEOMETRY_ESTIMATORS
    from tactile.evaluation import evaluate_dataset, format_object_table, format_summary
    from tactile.evaluation.report import format_simulated_truth

    plot_mode = None
    if args.plot is not None:  # refuse an existing figure before the work, not after it
        from tactile.io.output import file_mode

        plot_mode = file_mode(args.plot, overwrite=args.overwrite)
    name, estimator, model = resolve_estimator(args)
    protocols = ["blind", "given"] if args.protocol == "both" else [args.protocol]
    if args.protocol == "both" and name.strip().lower() in GIVEN_GEOMETRY_ESTIMATORS:
        # a named given-geometry estimator refuses every grasp of the blind protocol (named42)
        protocols = ["given"]
        print(
            f"note: {name} needs each object's shape or radius: evaluated under --protocol given "
            "only (--estimator auto for the blind protocol)",
            file=sys.stderr,
        )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = evaluate_dataset(
            args.path,
            estimator,
            labels=args.labels,
            calibration=args.calibration,
            baseline_pa=args.baseline_pa,
            protocol=protocols[0],
            beside=protocols[1:],
        )
    _report_warnings(caught)
    plot_error = None
    if args.plot is not None:  # after the work, and a failure never costs the results
        plot_error = _plot(args, result, plot_mode, title=f"{name} estimator")
    ok = result.ok and not plot_error
    if args.json:
        plot = str(args.plot) if args.plot and not plot_error else None
        print_json({**result.to_json(), "model": model, "plot": plot, "plot_error": plot_error})
        _report_plot_error(plot_error)
        return 0 if ok else 1
    label = name if not model else f"{name} ({model})"
    print(f"protocol: {result.protocol}")
    print(format_object_table(result.rows))
    print()
    print(format_summary(result.metrics, name=f"{label} ({result.protocol})"))
    for other, metrics in (result.beside or {}).items():
        print()
        print(format_summary(metrics, name=f"{label} ({other} geometry, beside)"))
    blocks = [(result.protocol, result.metrics)]
    blocks += [(f"{other} geometry, beside", m) for other, m in (result.beside or {}).items()]
    for proto, metrics in blocks:
        if "simulated_truth" in metrics:  # simulated grasps only: a real session has no truth
            print()
            print(format_simulated_truth(metrics["simulated_truth"], name=f"{label} ({proto})"))
    for r in result.failed:
        print(f"failed: {r.grasp_id}: {r.error}")
    for r in result.unlabelled:
        print(f"no label: {r.grasp_id} ({r.object_id})")
    source = "--baseline-pa" if args.baseline_pa is not None else result.baseline.source
    print(f"\nbaseline: constant {format_pa(result.baseline.value_pa)} ({source})")
    given = "--calibration" if args.calibration else "named by the grasps"
    print(f"calibration: {', '.join(result.calibration_ids)} ({given})")
    if args.plot is not None and not plot_error:
        print(f"plot: {args.plot}")
    _report_plot_error(plot_error)
    return 0 if ok else 1


def _report_plot_error(plot_error: str | None) -> None:
    if plot_error:
        print(f"tactile evaluate: error: the plot failed ({plot_error})", file=sys.stderr)


def _plot(args: argparse.Namespace, result: Any, mode: Any, title: str) -> str | None:
    """Write the figure; a failure is reported (the results are printed anyway), not raised."""
    from tactile.evaluation.plots import plot_evaluation
    from tactile.io.output import replace_file

    try:
        with replace_file(args.plot, mode) as tmp:
            plot_evaluation(result.rows, tmp, baseline_pa=result.baseline.value_pa, title=title)
    except Exception as exc:  # a figure must never cost the user the table
        if args.debug:
            raise
        return f"{type(exc).__name__}: {exc}"
    return None
