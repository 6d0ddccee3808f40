"""``tactile search``: architecture search over the multi-tower network (Optuna).

    tactile simulate sim.h5 --objects 100 --grasps 2 --population loguniform --physics mix
    tactile search sim.h5 --out runs/s1 --trials 30              # journal file runs/s1/study.log
    tactile train sim.h5 --config runs/s1/best.json --out models/searched --folds 3

Every trial is scored by object-grouped cross-validation on *simulated* grasps (files holding a
real grasp are refused) with the same folds, seeds and schedule. The study is stored by URL
(``--storage``: a journal file by default, ``postgresql://...`` for workers on several machines;
see docs/search.md) and resumes where it stopped when the command is run again. The best design
is exported as a training recipe, ``OUT/best.json``. The work is
:func:`tactile.search.run.run_search`; this command parses, calls, prints.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, add_progress_flags, print_json, show_progress
from tactile.errors import ConfigError


def _int_list(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of integers, e.g. 4,6") from exc


def _names(text: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in text.split(",") if v.strip())


def register(sub: Any) -> None:
    p = sub.add_parser(
        "search",
        help="search the network's tower design with Optuna on simulated grasps",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", nargs="+", type=Path, help="simulated grasp files (tactile simulate)")
    p.add_argument("--out", type=Path, required=True, help="folder for best.json, plots, study")
    p.add_argument("--study", default="tactile-search", help="study name (default tactile-search)")
    p.add_argument(
        "--storage",
        default=None,
        help="Optuna storage URL: memory, PATH.log (journal), sqlite:///x.db, "
        "postgresql://user@host/db (default: OUT/study.log)",
    )
    p.add_argument("--trials", type=int, default=30, help="finished trials the study should hold")
    p.add_argument(
        "--sampler",
        default="tpe",
        choices=("tpe", "random", "nsga2", "evolution"),
        help="tpe (default), random (the baseline), nsga2, evolution (regularised ageing)",
    )
    p.add_argument("--seed", type=int, default=0, help="training seed, part of the protocol")
    p.add_argument(
        "--sampler-seed",
        type=int,
        default=None,
        help="sampler seed (default: --seed); give each parallel worker its own",
    )
    p.add_argument(
        "--objectives",
        default="log10_mae",
        help="log10_mae, or log10_mae,latency_ms / log10_mae,params for a Pareto front",
    )
    p.add_argument("--folds", type=int, default=3, help="object-grouped folds per trial")
    p.add_argument("--epochs", type=int, default=60, help="epochs per fold (default 60)")
    p.add_argument("--patience", type=int, default=15, help="early stopping (default 15)")
    p.add_argument("--val-fraction", type=float, default=0.15, help="validation objects share")
    p.add_argument(
        "--protocol",
        choices=("given", "blind"),
        default="given",
        help="score held-out folds with each grasp's stored shape/radius (given, default) or "
        "without them, as a new object arrives (blind)",
    )
    p.add_argument(
        "--valid",
        type=Path,
        nargs="+",
        default=None,
        metavar="FILE",
        help="simulated grasps of other objects: each trial trains once on all of DATA and is "
        "scored on these instead of by --folds cross-validation",
    )
    p.add_argument("--no-prune", action="store_true", help="no median pruning")
    p.add_argument("--towers", type=_names, default=None, help="towers the search may use")
    p.add_argument("--k-frames", type=_int_list, default=None, help="frame counts, e.g. 4,6,8")
    p.add_argument("--max-params", type=int, default=None, help="parameter budget (200000)")
    p.add_argument(
        "--search-epochs",
        type=_int_list,
        default=None,
        help="also search the epochs (the cosine schedule's length; early stopping still "
        "applies), e.g. 30,60,150; default: --epochs for every trial",
    )
    p.add_argument(
        "--search-batch-size",
        type=_int_list,
        default=None,
        help="also search the batch size, e.g. 32,64; default: 64 for every trial",
    )
    p.add_argument(
        "--search-augment",
        action="store_true",
        help="also search sim-to-real augmentation on/off (default: on for every trial)",
    )
    p.add_argument("--timeout", type=float, default=None, help="stop after this many seconds")
    p.add_argument(
        "--ray",
        default=None,
        metavar="ADDRESS",
        help="run trials as Ray tasks: local, auto (a `ray start` cluster) or ray://host:10001",
    )
    p.add_argument("--workers", type=int, default=2, help="trials in flight with --ray")
    p.add_argument("--threads", type=int, default=1, help="torch threads per trial (default 1)")
    p.add_argument("--analytical", default="hertz", help="analytical estimator ('none': off)")
    p.add_argument("--cache-dir", type=Path, default=None, help="prepared-input cache folder")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    add_progress_flags(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def _space(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from tactile.search.space import SearchSpace

    space = SearchSpace()
    overrides: dict[str, Any] = {}
    if args.towers is not None:
        overrides["towers"] = args.towers
    if args.k_frames is not None:
        overrides["k_frames"] = args.k_frames
    if args.max_params is not None:
        overrides["max_params"] = args.max_params
    if args.search_epochs is not None:
        overrides["epochs"] = args.search_epochs
    if args.search_batch_size is not None:
        overrides["batch_size"] = args.search_batch_size
    if args.search_augment:
        overrides["augment"] = (True, False)
    return replace(space, **overrides) if overrides else space


def run(args: argparse.Namespace) -> int:
    from tactile.search.objective import ObjectiveSettings
    from tactile.search.run import run_search

    if args.trials < 1:
        raise ConfigError(f"--trials {args.trials} must be >= 1", hint="e.g. --trials 30")
    analytical = None if args.analytical.lower() == "none" else args.analytical
    settings = ObjectiveSettings(
        folds=args.folds,
        epochs=args.epochs,
        patience=args.patience,
        val_fraction=args.val_fraction,
        seed=args.seed,
        objectives=tuple(args.objectives.split(",")),
        threads=args.threads,
        analytical=analytical,
        protocol=args.protocol,
        valid=tuple(str(v) for v in args.valid or ()),
    )
    report = run_search(
        args.data,
        args.out,
        settings,
        space=_space(args),
        trials=args.trials,
        study_name=args.study,
        storage=args.storage,
        sampler=args.sampler,
        sampler_seed=args.sampler_seed,
        prune=not args.no_prune,
        timeout_s=args.timeout,
        ray=args.ray,
        workers=args.workers,
        cache_dir=args.cache_dir,
        plots=not args.no_plots,
        progress=show_progress(args),
    )
    if args.json:
        print_json(report)
    else:
        _print(report, args)
    return 0


def _print(report: dict[str, Any], args: argparse.Namespace) -> None:
    t = report["trials"]
    print(
        f"study {report['study']} ({report['storage']}): {t['complete']} complete, "
        f"{t['pruned']} pruned, {t['fail']} failed"
    )
    attrs = report["best_user_attrs"]
    best = report["best"].get("log10_mae", math.nan)
    print(
        f"best: trial {report['best_trial']}, held-out log10 MAE {best:.3f} "
        f"(constant prediction {attrs.get('constant_mae', math.nan):.3f}; mean of all complete "
        f"trials {report.get('mean_log10_mae', math.nan):.3f}), "
        f"{attrs.get('params', 0)} parameters, {attrs.get('latency_ms', math.nan):.2f} ms CPU"
    )
    if report.get("pareto_size"):
        print(f"Pareto front: {report['pareto_size']} designs (OUT/pareto.json)")
    print(f"recipe: {report['best_json']}")
    print(_next_command(args, report["best_json"]))


def _next_command(args: argparse.Namespace, best_json: str) -> str:
    """The `tactile train` command for the best design: into models/<study>, with --overwrite
    when that folder already holds a model (tactile train refuses it otherwise, review55)."""
    data = " ".join(str(p) for p in args.data)
    out = Path("models") / str(args.study)
    again = " --overwrite" if (out / "model.pt").exists() else ""
    return (
        f"next: tactile train {data} --config {best_json} --out {out} --folds {args.folds}{again}"
    )
