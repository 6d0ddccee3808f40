"""``tactile train``: train (or fine-tune) a multi-tower network on labelled grasp files.

    tactile train /tmp/simdata.h5 --out models/mine --epochs 200 --folds 5 --seed 0

With ``--folds K`` it first reports object-grouped K-fold cross-validation (network beside the
constant and analytical baselines, on the same held-out objects), then trains the final model on
all objects with a validation split for early stopping. ``--resume`` continues an interrupted
run from ``OUT/last.pt``; ``--finetune CKPT`` starts from a trained model (e.g. on a few labelled
real grasps). ``--config best.json`` retrains a design exported by ``tactile search`` with its
own learning rate, weight decay and schedule. ``--ensemble K`` trains K networks on the same
data with seeds SEED .. SEED+K-1 (an ensemble over training seeds; the estimators combine them).

A degenerate result (a limit that calls most objects "stiffer than the gel", a network no
better than a constant, metrics that could not be computed) is printed as WARNING lines on
stderr and kept in the checkpoint. The work itself is
:func:`tactile.estimators.neural.training.train_network`; this command parses, calls, prints.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, add_progress_flags, print_json, show_progress


def register(sub: Any) -> None:
    p = sub.add_parser(
        "train",
        help="train a multi-tower network on labelled grasp files (HDF5)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", nargs="+", type=Path, help="grasp files or folders (labelled)")
    p.add_argument("--out", type=Path, required=True, help="output folder, e.g. models/NAME")
    p.add_argument("--model", default="mt-rig", help="registered architecture (default mt-rig)")
    p.add_argument(
        "--config",
        default=None,
        help="network config or training recipe (e.g. best.json from `tactile search`): "
        "JSON file or JSON text; explicit flags override the recipe's settings",
    )
    p.add_argument("--epochs", type=int, default=None, help="default 200")
    p.add_argument("--batch-size", type=int, default=None, help="default 64")
    p.add_argument("--lr", type=float, default=None, help="learning rate (default 2e-3)")
    p.add_argument("--weight-decay", type=float, default=None, help="AdamW (default 1e-4)")
    p.add_argument(
        "--patience", type=int, default=None, help="early-stopping patience (epochs, default 30)"
    )
    p.add_argument("--seed", type=int, default=None, help="default 0")
    p.add_argument(
        "--folds", type=int, default=0, help="object-grouped K-fold CV first (K >= 2; 0: none)"
    )
    p.add_argument(
        "--ensemble",
        type=int,
        default=1,
        metavar="K",
        help="train K networks with seeds SEED .. SEED+K-1 on the same data (the first with "
        "--folds, the others written beside it as member_<k>.pt); the estimators combine them "
        "(default 1: a single model)",
    )
    p.add_argument(
        "--val-fraction", type=float, default=0.15, help="share of objects for validation"
    )
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--finetune", default=None, help="start from this checkpoint (name or path)")
    p.add_argument(
        "--calibration", default=None, help="sensor calibration id or JSON (default: per grasp)"
    )
    p.add_argument(
        "--analytical",
        default=None,
        help="analytical estimator feeding its tower ('none': off; default hertz, or the recipe's)",
    )
    p.add_argument(
        "--stiff-limit-pa",
        type=float,
        default=None,
        help="resolvable-stiffness limit to store (default with --folds: the stiffness up to "
        "which the cross-validated estimates stay within a decade for 90 %% of the objects)",
    )
    p.add_argument("--threads", type=int, default=None, help="torch threads (default: all cores)")
    p.add_argument(
        "--no-augment",
        action="store_true",
        help="switch sim-to-real augmentation off (default: on, or the recipe's augment)",
    )
    p.add_argument("--cache-dir", type=Path, default=None, help="prepared-input cache folder")
    add_progress_flags(p)  # bars only on a terminal, unless --progress / --no-progress
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from tactile.estimators.neural.recipe import recipe_for, train_config
    from tactile.estimators.neural.training import TrainingWarning, train_network

    recipe = recipe_for(args.config, args.model)
    keys = ("epochs", "batch_size", "lr", "weight_decay", "patience", "seed")
    cfg = train_config(
        recipe,
        {key: getattr(args, key) for key in keys},
        num_threads=args.threads,
        augment=False if args.no_augment else None,
    )
    analytical_name = args.analytical or recipe.analytical or "hertz"
    analytical = None if analytical_name.lower() == "none" else analytical_name
    progress = show_progress(args)  # not into a log file (issue 13), never with --json
    extra = {"recipe_provenance": recipe.provenance} if recipe.provenance else None
    with warnings.catch_warnings():
        # the warnings are printed below, once, in the report's own words
        warnings.simplefilter("ignore", TrainingWarning)
        result = train_network(
            args.data,
            recipe.network,
            cfg,
            out_dir=args.out,
            folds=args.folds,
            val_fraction=args.val_fraction,
            stiff_limit_pa=args.stiff_limit_pa,
            finetune=args.finetune,
            resume=args.resume,
            calibration=args.calibration,
            analytical=analytical,
            cache_dir=args.cache_dir,
            progress=progress,
            info=extra,
            ensemble=args.ensemble,
        )
    report = result.to_dict()
    if args.json:
        print_json(report)
    else:
        _print_report(report)
    for message in result.warnings:
        print(f"tactile train: WARNING: {message}", file=sys.stderr)
    return 0


def _pct(value: Any) -> str:
    return f"{value:.1%}" if isinstance(value, int | float) and math.isfinite(value) else "n/a"


def _num(value: Any, fmt: str = ".3f") -> str:
    return format(value, fmt) if isinstance(value, int | float) and math.isfinite(value) else "n/a"


def _print_report(report: dict[str, Any]) -> None:
    print(
        f"trained {report['architecture']} on {report['n_grasps']} grasps of "
        f"{report['n_objects']} objects ({report['skipped']} skipped)"
    )
    cv = report.get("cross_validation")
    if cv:
        print("cross-validation, held-out objects:  within 1 decade | within 0.5 | log10 MAE")
        for name, m in cv.items():
            one, half = _pct(m.get("within_1_decade")), _pct(m.get("within_half_decade"))
            print(f"  {name:<11} {one:>21} {half:>10} {_num(m.get('log10_mae')):>10}")
    lim = report.get("limit_report")
    if lim:
        b, a = lim["below"], lim["above"]
        applied = report.get("limit_applied", True)
        name = "the resolvable limit" if applied else "the held-out accuracy boundary"
        would = "" if applied else " by it"
        print(
            f"below {name} ({report['stiff_limit_pa']:.3g} Pa): network within "
            f"1 decade {_pct(b.get('network_within_1_decade'))}, log10 MAE "
            f"{_num(b.get('network_log10_mae'))} (analytical "
            f"{_pct(b.get('analytical_within_1_decade'))}, "
            f"{_num(b.get('analytical_log10_mae'))}); wrongly flagged stiff{would} "
            f"{_pct(b.get('wrongly_flagged'))}"
        )
        print(
            f"above it: {_pct(a.get('flagged'))} of {a.get('n_objects', 0):.0f} objects "
            f"flagged{would}, 95% lower bound holds for {_pct(a.get('bound_holds'))}"
        )
        if not applied:
            print(
                "  (the boundary is reported, not applied: the model answers 'stiffer than "
                "the gel' from each grasp's physics; --stiff-limit-pa applies a fixed limit)"
            )
    val = report["val"]
    if val:
        print(
            f"validation objects: within 1 decade {_pct(val.get('within_1_decade'))}, "
            f"log10 MAE {_num(val.get('log10_mae'))}, "
            f"68% coverage {_pct(val.get('coverage_68'))}"
        )
    for k, member in enumerate(report.get("ensemble", []), start=1):
        mval = member["val"] or {}
        print(
            f"ensemble member {k} (seed {member['seed']}): validation within 1 decade "
            f"{_pct(mval.get('within_1_decade'))}, log10 MAE {_num(mval.get('log10_mae'))}; "
            f"{member['checkpoint']}"
        )
    print(f"checkpoint: {report['checkpoint']}")
