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
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from OUT/last.pt (same data and settings; a finished "
        "run's is refused); with --overwrite: an interrupted --overwrite run, whose replaced "
        "model's leftovers go when it finishes",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the model in an existing --out folder (its ensemble members and "
        "MODEL_CARD.md go too; without it such a folder is refused). The shipped models "
        "(models/default) are always refused: train into another folder",
    )
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


def _check_out(out: Path, *, overwrite: bool, resume: bool) -> None:
    """Refuse a shipped model's folder always, a folder holding a model unless ``overwrite``
    or ``resume``, and ``resume`` without ``OUT/last.pt`` (README: no command replaces a file
    unless told; ``tactile calibrate`` refuses shipped ids the same way)."""
    from tactile.errors import ConfigError
    from tactile.estimators.neural.estimator import shipped_model_at

    shipped = shipped_model_at(out)
    if shipped is not None:
        raise ConfigError(
            f"{out} is the shipped model {shipped!r} (versioned with tactile, described by its "
            "MODEL_CARD.md): tactile train does not write into it",
            hint="train into another folder (e.g. --out models/mine) and use it with --model "
            "models/mine; to replace the shipped model, copy a checked folder over it "
            "(docs/search.md)",
        )
    if resume:
        if not (out / "last.pt").is_file():
            raise ConfigError(
                f"--resume: {out / 'last.pt'} does not exist, so there is no interrupted run to "
                "continue",
                hint="drop --resume to start a new training run (or check the --out folder)",
            )
        from tactile.estimators.neural.checkpoint import load_checkpoint
        from tactile.estimators.neural.train import check_resumable

        check_resumable(out / "last.pt", load_checkpoint(out / "last.pt"))  # finished: refused
        return
    if (out / "model.pt").exists() and not overwrite:
        raise ConfigError(
            f"{out} already holds a model (model.pt); refusing to replace it",
            hint="pass --overwrite to replace it (its members and card go too), --resume to "
            "continue an interrupted run there, or choose another --out",
        )


def _remove_stale(out: Path, kept_members: set[str], folds: int) -> list[Path]:
    """After an ``--overwrite`` run (or a ``--resume``, which may finish one): delete what the
    old model left that the new one did not write (ensemble members it does not list, its
    MODEL_CARD.md, its cross-validation records), so the folder is one model."""
    stale = [p for p in out.glob("member_*.pt") if p.name not in kept_members]
    stale.append(out / "MODEL_CARD.md")
    if folds < 2:
        stale.append(out / "cv_records.json")
    removed = [p for p in stale if p.is_file()]
    for path in removed:
        path.unlink()
    return removed


def run(args: argparse.Namespace) -> int:
    from tactile.estimators.neural.recipe import recipe_for, train_config
    from tactile.estimators.neural.training import TrainingWarning, train_network

    out: Path = args.out
    _check_out(out, overwrite=args.overwrite, resume=args.resume)
    created = not out.exists()
    state_before = _stamp(out / "last.pt")
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
    try:
        with warnings.catch_warnings():
            # the warnings are printed below, once, in the report's own words
            warnings.simplefilter("ignore", TrainingWarning)
            result = _train(args, train_network, recipe, cfg, analytical, progress, extra)
    except KeyboardInterrupt as exc:
        exc.add_note(_interrupted_note(out, created, _stamp(out / "last.pt") != state_before))
        raise
    if args.overwrite or args.resume:
        # a resume finishes a run that --overwrite may have started (docs43: a resume without
        # --overwrite left the replaced model's members and card beside the new model.pt); a
        # run started without --overwrite had no model in the folder, so nothing else goes
        members = result.model.info.get("ensemble") or {}
        kept = {str(m.get("file")) for m in members.get("members", [])}
        for path in _remove_stale(out, kept, args.folds):
            print(f"tactile train: removed {path} (left by the replaced model)", file=sys.stderr)
    report = result.to_dict()
    if args.json:
        print_json(report)
    else:
        _print_report(report)
    for message in result.warnings:
        print(f"tactile train: WARNING: {message}", file=sys.stderr)
    return 0


def _stamp(path: Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of ``path``, None when absent: tells whether a run wrote it."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _interrupted_note(out: Path, created: bool, wrote_state: bool = True) -> str:
    """What an interrupted run left and how to go on (printed under "interrupted"); the
    ``last.pt`` is named only when this run wrote it (``wrote_state``): an older one is
    another run's (review55)."""
    if wrote_state and (out / "last.pt").is_file():
        return (
            f"the training state is in {out / 'last.pt'} (not a model: it has no "
            "out-of-distribution statistics); run the same command with --resume to finish it"
        )
    if created and out.is_dir():
        try:
            for leftover in out.iterdir():  # a cv_records.json at most, before any epoch
                if leftover.is_file() and leftover.name == "cv_records.json":
                    leftover.unlink()
            out.rmdir()
        except OSError:  # something else is in it: leave it
            return f"stopped before the first epoch; {out} was kept (not empty)"
        return f"stopped before the first epoch: nothing to resume; removed the empty {out}"
    return "stopped before the first epoch: nothing to resume; run the command again"


def _train(
    args: argparse.Namespace,
    train_network: Any,
    recipe: Any,
    cfg: Any,
    analytical: str | None,
    progress: bool,
    extra: dict[str, Any] | None,
) -> Any:
    return train_network(
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
