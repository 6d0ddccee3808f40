"""``tactile sort``: sort a tray of produce by ripeness; ``tactile sort fit``: fit thresholds.

tactile sort --profile tomato --tray "sim://?n=12&seed=1" --out run1 [--stop-when-confident]
tactile sort --profile tomato --tray replay://run1/grasps.h5 --out run2
tactile sort --profile tomato --tray "rig://?n=12" --hardware mybench --out run3 \
             --stop-when-confident
tactile sort --profile tomato --tray "sim://?n=3" --hardware sim --software-force-limit --out run4
tactile sort fit --profile tomato --samples run1/items.csv --out tomato-fitted.toml
tactile sort profiles                      # the shipped profiles, validated

The work is :func:`tactile.decisions.run.sort_run` (and ``fit_run``); this command parses,
calls, prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, print_json


def register(sub: Any) -> None:
    p = sub.add_parser(
        "sort",
        help="sort a tray of produce by ripeness (or: sort fit, sort profiles)",
        description=(
            "Grasp each item of a tray, estimate its stiffness, and sort it into the produce "
            "profile's classes when the estimate's interval lies in one class, clear of each "
            "class limit by its uncertainty (see tactile sort profiles); otherwise grasp "
            "again (up to the profile's max_regrasps), then reject. Writes items.csv, "
            "items.json, summary.json, summary.png and grasps.h5 into --out. "
            "'tactile sort fit' fits a profile's thresholds to labelled samples; "
            "'tactile sort profiles' lists and validates the profiles."
        ),
    )
    p.add_argument(
        "mode", nargs="?", default="run", choices=("run", "fit", "profiles"),
        help="run (default), fit, or profiles",
    )  # fmt: skip
    p.add_argument("--profile", help="produce profile name (produce/*.toml) or .toml path")
    p.add_argument(
        "--tray",
        help="sim://?n=12&seed=1 (simulated fruit of the profile's kind), replay://FILE.h5, "
        "or rig://?n=12 (real items an operator places, with --hardware)",
    )
    p.add_argument("--out", type=Path, help="output folder (run) or .toml file (fit)")
    p.add_argument(
        "--stop-when-confident",
        action="store_true",
        help="stop closing once the online estimate's interval decides the class, or once no "
        "more force could (that item is rejected without a re-grasp)",
    )
    rig = p.add_argument_group(
        "a rig (real hardware, or sim:// / robotiq-sim:// devices through the real recorder)"
    )
    rig.add_argument(
        "--hardware", metavar="PROFILE", help="hardware profile name or .toml (see find-devices)"
    )
    for role in ("gripper", "tactile", "force"):
        rig.add_argument(f"--{role}", metavar="URL", help=f"{role} device URL (overrides profile)")
    rig.add_argument(
        "--software-force-limit",
        action="store_true",
        help="accept a safe force below the gripper's weakest grip (a 2F-85 stops itself at "
        "20 N at the least): only the host-side check then guards it, at the slowest press",
    )
    rig.add_argument(
        "--pause-s",
        type=float,
        metavar="S",
        help="rig:// trays: wait S seconds for the next item instead of waiting for Enter",
    )
    p.add_argument("--samples", type=Path, help="fit: CSV with value and label columns")
    p.add_argument("--seed", type=int, default=0, help="simulation seed offset (0)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out")
    add_json_flag(p)
    p.set_defaults(func=run)


def _need(args: argparse.Namespace, *names: str) -> None:
    from tactile.errors import ConfigError

    for name in names:
        if getattr(args, name) is None:
            raise ConfigError(
                f"tactile sort {args.mode} needs --{name.replace('_', '-')}",
                hint="see tactile sort --help and docs/tutorials/sort.md",
            )


def _check_out(path: Path, overwrite: bool) -> None:
    from tactile.errors import ConfigError

    if path.exists() and not overwrite and (not path.is_dir() or any(path.iterdir())):
        raise ConfigError(
            f"{path} already exists; refusing to overwrite it",
            hint="pass --overwrite, or choose another --out",
        )


def _rig_requested(args: argparse.Namespace) -> bool:
    return bool(args.hardware or args.gripper or args.tactile or args.force)


def _run_sort(args: argparse.Namespace) -> int:
    import contextlib
    import threading

    from tactile.cli.collect_cmd import stop_on_sigint
    from tactile.decisions.run import sort_run
    from tactile.reporting.plots import sorting_figure

    _need(args, "profile", "tray", "out")
    _check_out(args.out, args.overwrite)

    def progress(r: Any) -> None:
        if not args.json:
            print(
                f"  {r.item.item_id}: {r.sorted_as}{', aborted' if r.aborted else ''} "
                f"({len(r.attempts)} grasp(s))",
                file=sys.stderr,
            )

    stop = threading.Event()  # on a rig, the first Ctrl-C stops at the next frame
    on_rig = _rig_requested(args)
    with stop_on_sigint(stop, sys.stderr) if on_rig else contextlib.nullcontext():
        outcome = sort_run(
            args.profile,
            args.tray,
            args.out,
            stop_when_confident=args.stop_when_confident,
            seed=args.seed,
            hardware=args.hardware,
            gripper=args.gripper,
            tactile=args.tactile,
            force=args.force,
            software_force_limit=args.software_force_limit,
            pause_s=args.pause_s,
            on_item=progress,
            plot=sorting_figure,
            stop=stop,
            log=sys.stderr,
        )
    run = outcome.run
    _report(args, run, outcome.paths)
    if outcome.failure is None:
        return 0
    s = run.summary()
    rejected = s["n_rejected"] - s["n_aborted"]
    done = (
        f"{s['n_items']} of {outcome.n_items} item(s) logged in {args.out}: "
        f"{s['n_confident']} sorted, {rejected} rejected"
        + (
            f", {s['n_aborted']} aborted (its grasp so far kept, as rejected)"
            if s["n_aborted"]
            else ""
        )
    )
    if outcome.interrupted:
        print(f"tactile sort: interrupted; {done}; the gripper was opened", file=sys.stderr)
        return 130
    print(f"tactile sort: stopped by a fault; {done}", file=sys.stderr)
    raise outcome.failure


def _report(args: argparse.Namespace, run: Any, paths: dict[str, Path]) -> None:
    from tactile.decisions.log import summary_table

    if args.json:
        print_json({"summary": run.summary(), "files": {k: str(v) for k, v in paths.items()}})
    else:
        print(summary_table(run))
        print(f"\nlogs: {paths['items_csv']}, {paths['items_json']}; plot: {paths['summary_png']}")


def _run_fit(args: argparse.Namespace) -> int:
    from tactile.decisions.run import fit_run

    _need(args, "profile", "samples", "out")
    _check_out(args.out, args.overwrite)
    profile, _fitted, boundaries, n_samples = fit_run(args.profile, args.samples, args.out)
    if args.json:
        print_json(
            {
                "profile": str(args.out),
                "boundaries": [b.__dict__ for b in boundaries],
                "n_samples": n_samples,
            }
        )
        return 0
    print(f"fitted {profile.name!r} to {n_samples} labelled sample(s) -> {args.out}")
    for b in boundaries:
        print(
            f"  {b.lower} | {b.upper}: {b.threshold:.3g} ± {b.uncertainty:.2g}"
            f"  ({b.n_misclassified} sample(s) on the wrong side)"
        )
    return 0


def _run_profiles(args: argparse.Namespace) -> int:
    from tactile.decisions.profiles import list_produce_profiles, load_produce_profile

    rows: list[dict[str, Any]] = []
    for name, path in list_produce_profiles().items():
        prof = load_produce_profile(path)  # validates
        rows.append(
            {
                "name": name,
                "path": str(path),
                "quantity": prof.quantity,
                "max_force_n": prof.max_force_n,
                "undecidable": list(prof.undecidable_classes()),
                # name, min, max, the limits' uncertainty (95 % half-width), banded
                "classes": [
                    [c.name, c.min_value, c.max_value, c.uncertainty, c.banded]
                    for c in prof.classes
                ],
            }
        )
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        classes = ", ".join(
            f"{n} [{lo:g}, {hi:g})" + ("" if banded or not u else f" ±{u:g}")
            for n, lo, hi, u, banded in r["classes"]
        )
        print(f"{r['name']:<12} max {r['max_force_n']:g} N  {r['quantity']}: {classes}")
        if r["undecidable"]:
            print(
                f"{'':<12} never confident: {', '.join(r['undecidable'])} (no wider than the "
                "uncertainty of its two limits; fit thresholds on your fruit: tactile sort fit)"
            )
    return 0


def run(args: argparse.Namespace) -> int:
    if args.mode == "fit":
        return _run_fit(args)
    if args.mode == "profiles":
        return _run_profiles(args)
    return _run_sort(args)
