"""``tactile sort``: sort a tray of produce by ripeness; ``tactile sort fit``: fit thresholds.

tactile sort --profile tomato --tray "sim://?n=12&seed=1" --out run1 [--stop-when-confident]
tactile sort --profile tomato --tray replay://run1/grasps.h5 --out run2
tactile sort fit --profile tomato --samples run1/items.csv --out tomato-fitted.toml
tactile sort profiles                      # the shipped profiles, validated
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
            "profile's classes when the estimate's interval lies in one class; otherwise grasp "
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
        help="sim://?n=12&seed=1 (simulated fruit of the profile's kind) or replay://FILE.h5",
    )
    p.add_argument("--out", type=Path, help="output folder (run) or .toml file (fit)")
    p.add_argument(
        "--stop-when-confident",
        action="store_true",
        help="stop closing once the online estimate's interval decides the class",
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


def _run_sort(args: argparse.Namespace) -> int:
    from tactile.decisions import ProduceEstimator, load_produce_profile
    from tactile.decisions.grasping import ReplayGrasper, SimGrasper
    from tactile.decisions.log import summary_table, write_run
    from tactile.decisions.sorter import sort_tray
    from tactile.decisions.tray import parse_tray_url, replay_tray, sim_tray

    _need(args, "profile", "tray", "out")
    _check_out(args.out, args.overwrite)
    profile = load_produce_profile(args.profile)
    estimator = ProduceEstimator()
    scheme, target, params = parse_tray_url(args.tray)
    reader = None
    if scheme == "sim":
        items = sim_tray(profile, int(params.get("n", 12)), int(params.get("seed", 0)))
        grasper: Any = SimGrasper(estimator, profile.max_force_n, seed=args.seed)
    else:
        from tactile.io import GraspReader

        items = replay_tray(target)
        reader = GraspReader(target)
        grasper = ReplayGrasper(estimator, reader)

    def progress(r: Any) -> None:
        if not args.json:
            print(
                f"  {r.item.item_id}: {r.sorted_as} ({len(r.attempts)} grasp(s))", file=sys.stderr
            )

    try:
        run = sort_tray(
            items,
            grasper,
            estimator,
            profile,
            stop_when_confident=args.stop_when_confident,
            source=args.tray,
            on_item=progress,
        )
    finally:
        if reader is not None:
            reader.close()
    paths = write_run(run, args.out)
    if args.json:
        print_json({"summary": run.summary(), "files": {k: str(v) for k, v in paths.items()}})
    else:
        print(summary_table(run))
        print(f"\nlogs: {paths['items_csv']}, {paths['items_json']}; plot: {paths['summary_png']}")
    return 0


def _run_fit(args: argparse.Namespace) -> int:
    from tactile.decisions import load_produce_profile
    from tactile.decisions.fit import fit_profile, read_samples
    from tactile.decisions.profiles import profile_to_toml

    _need(args, "profile", "samples", "out")
    _check_out(args.out, args.overwrite)
    profile = load_produce_profile(args.profile)
    samples = read_samples(args.samples, profile.quantity)
    fitted, boundaries = fit_profile(profile, samples)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(profile_to_toml(fitted))
    if args.json:
        print_json(
            {
                "profile": str(args.out),
                "boundaries": [b.__dict__ for b in boundaries],
                "n_samples": len(samples),
            }
        )
        return 0
    print(f"fitted {profile.name!r} to {len(samples)} labelled sample(s) -> {args.out}")
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
                "classes": [[c.name, c.min_value, c.max_value] for c in prof.classes],
            }
        )
    if args.json:
        print_json(rows)
        return 0
    for r in rows:
        classes = ", ".join(f"{n} [{lo:g}, {hi:g})" for n, lo, hi in r["classes"])
        print(f"{r['name']:<12} max {r['max_force_n']:g} N  {r['quantity']}: {classes}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.mode == "fit":
        return _run_fit(args)
    if args.mode == "profiles":
        return _run_profiles(args)
    return _run_sort(args)
