"""``tactile estimate FILE``: Young's modulus of every grasp in a file (or the ones named)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from tactile.cli._common import (
    add_json_flag,
    add_model_flag,
    print_json_lines,
    resolve_estimator,
)
from tactile.errors import StoreError
from tactile.types import display_width, format_pa, pad


def register(sub: Any) -> None:
    p = sub.add_parser(
        "estimate",
        help="estimate Young's modulus of the grasps in a file",
        description=(
            "Estimate Young's modulus of every grasp in a grasp file (.h5 or a directory of grasp "
            "files, or a folder of reference AVI + pickle recordings) unless --grasp names some. "
            "A grasp that fails (e.g. no contact) is reported with its reason and does not stop "
            "the others; the exit code is 1 when any failed, 2 when there is nothing to "
            "estimate (an empty folder or store)."
        ),
    )
    p.add_argument("file", type=Path, help="grasp file or folder")
    p.add_argument(
        "--grasp", action="append", default=None, metavar="ID", help="only this grasp (repeatable)"
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
    p.add_argument(
        "--calibration",
        default=None,
        metavar="ID|PATH",
        help="sensor calibration id or JSON file (default: the one each grasp names)",
    )
    p.add_argument(
        "--labels",
        type=Path,
        default=None,
        metavar="CSV",
        help="label table to show labels from; under --protocol given its shape and radius fill "
        "what a grasp's metadata lacks",
    )
    p.add_argument(
        "--protocol",
        choices=("given", "blind"),
        default="given",
        help="given (default): the estimator gets the shape and radius the file (or --labels) "
        "holds; blind: nothing but the grasp, as for a new object (the geometry column says "
        "which each answer had)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def geometry_text(given: dict[str, Any] | None) -> str:
    """The geometry column: the shape and radius the estimator was given, or ``—`` (none)."""
    if not given:
        return "—"
    shape = given.get("shape") or "?"
    radius = given.get("radius_mm")
    return shape if radius is None else f"{shape} r{radius:.3g}mm"


def _row_text(r: Any, grasp_width: int = 26, object_width: int = 22) -> str:
    label = format_pa(r.label_pa) if r.label_pa else "—"
    lead = f"{pad(r.grasp_id, grasp_width)} {pad(r.object_id, object_width)}"
    geometry = geometry_text(r.given_geometry)
    if r.estimate is None:
        return f"{lead} {'failed':>11} {'':>24} {label:>10}  {geometry:<18} {r.error}".rstrip()
    e = r.estimate
    value = (">" if e.lower_bound_only else "") + format_pa(e.modulus_pa)
    interval = f"[{format_pa(e.interval_68_pa[0])}, {format_pa(e.interval_68_pa[1])}]"
    flags = ", ".join(sorted(str(f) for f in e.flags))
    return f"{lead} {value:>11} {interval:>24} {label:>10}  {geometry:<18} {flags}".rstrip()


def run(args: argparse.Namespace) -> int:
    from tactile.evaluation.runner import estimate_dataset

    labels = None
    if args.labels is not None:
        from tactile.io.labels import read_label_table

        labels = read_label_table(args.labels)
    name, estimator, model = resolve_estimator(args)
    results = estimate_dataset(
        args.file,
        estimator,
        grasp_ids=args.grasp,
        calibration=args.calibration,
        labels=labels,
        protocol=args.protocol,
    )
    if not results:  # nothing estimated is no success (newuser40: "0 estimated", exit 0)
        from tactile.io.layout import resolve

        if resolve(args.file).main is not None:  # a .h5 store: it exists (else scan raised)
            raise StoreError(
                f"{args.file} holds no grasps yet",
                hint="a recording into it is still before its first grasp, or stopped there; "
                "`tactile inspect` it, or pass another grasp file",
            )
        raise StoreError(
            f"{args.file}: no grasps to estimate",
            hint="pass a grasp file (.h5), a folder of them, or a folder of NAME.avi recordings "
            "(recordings in sub-folders are not searched: pass the sub-folder)",
        )
    if args.json:  # JSON Lines: one object per grasp
        for r in results:
            print_json_lines({**r.to_json(), **({"model": model} if model else {})})
    else:
        # columns as wide as their longest cell, in terminal columns (a CJK name: 2 each)
        gw = max(26, *(display_width(r.grasp_id) for r in results))
        ow = max(22, *(display_width(r.object_id) for r in results))
        header = (
            f"{'grasp':<{gw}} {'object':<{ow}} {'estimate':>11} {'68% interval':>24} "
            f"{'label':>10}  {'given geometry':<18} flags"
        )
        print(header)
        print("-" * len(header))
        for r in results:
            print(_row_text(r, gw, ow))
        failed = sum(not r.ok for r in results)
        used = f"{name}, model {model}" if model else name
        print(f"\n{len(results) - failed} estimated, {failed} failed ({used})")
        given = sum(r.given_geometry is not None for r in results)
        if given:  # an answer that rests on a label table's geometry says so (newuser40)
            print(
                f"{given} of {len(results)} grasps were given a shape/radius (the file's metadata"
                f"{' or --labels' if labels else ''}); `--protocol blind` estimates from the "
                "grasp alone, as for a new object"
            )
    return 0 if all(r.ok for r in results) else 1
