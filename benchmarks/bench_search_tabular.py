"""Build the tabular benchmark of the tower design (tactile.search.tabular) and compare search
strategies on it.

    # 1. data: the default model's simulate recipe (current simulator, randomised rigs; ~8 min
    #    with one worker, 2.4 GB of raw frames, kept outside the repository)
    tactile simulate /tmp/tabsim/sim_search.h5 --objects 100 --grasps 2 \
        --population independent --camera wedge-raw --rig random --physics realistic \
        --seed 1501 --workers 1 --frames raw
    # 2. the table: 142 cells x 3 seeds (resumable: rerun to continue; writes as it goes;
    #    --cells 69,141 --seeds 0 --out /tmp/probe.json times two cells first)
    nice -n 19 python benchmarks/bench_search_tabular.py build /tmp/tabsim/sim_search.h5 \
        --seeds 0,1,2 --epochs 30 --cache-dir /tmp/tabsim/cache \
        --out benchmarks/results/search_tabular.json
    # 3. strategies on the table (seconds) -> Markdown for BENCHMARKS.md / docs/search.md
    python benchmarks/bench_search_tabular.py compare benchmarks/results/search_tabular.json \
        --runs 30 --budget 60 --plot docs/img/search_anytime.png \
        --export benchmarks/results/search_best.json
    # 4. a lower-noise selection objective on the 200-object data (docs/search.md, "Selection
    #    by 5-fold CV"): every cell scored by object-grouped 5-fold CV over the 160 train + valid
    #    objects (the 40 test objects untouched), CV seeds 0, 1, 2; the picks and the default
    #    cells retrained on all 160 and tested (resumable; ~50 min here, --max-minutes stops it)
    nice -n 19 python benchmarks/bench_search_tabular.py cv /tmp/tabsim/sim_search.h5 \
        /tmp/tabsim/sim_search2.h5 --table benchmarks/results/search_tabular_200obj.json \
        --cache-dir /tmp/tabsim/cache --out benchmarks/results/search_tabular_cv.json
    #    then more training seeds of the default cells and the picks only (a minute or two)
    nice -n 19 python benchmarks/bench_search_tabular.py cv /tmp/tabsim/sim_search.h5 \
        /tmp/tabsim/sim_search2.h5 --cache-dir /tmp/tabsim/cache \
        --out benchmarks/results/search_tabular_cv.json --final-seeds 0,1,2,3,4,5,6,7,8,9
    python benchmarks/bench_search_tabular.py cv-report benchmarks/results/search_tabular_cv.json \
        --runs 30 --latency 300
    #    and a paired bootstrap over the 40 test objects, pick vs mt-physics cell (20 s)
    nice -n 19 python benchmarks/bench_search_tabular.py cv-bootstrap /tmp/tabsim/sim_search.h5 \
        /tmp/tabsim/sim_search2.h5 --cache-dir /tmp/tabsim/cache
    # 5. the picks and the default cells on FRESH simulated objects (new seeds; never in the
    #    table, the CV or the selection): 400 objects x 1 grasp, then 2 x 200 objects x 2 grasps
    #    (the table's recipe; seeds 1604, 1605), each 11-14 min with one worker on the loaded
    #    machine; then the 40 retrainings of step 4's --final-seeds and the scores (~1.5 min)
    tactile simulate /tmp/cvfresh/fresh1603.h5 --objects 400 --grasps 1 \
        --population independent --camera wedge-raw --rig random --physics realistic \
        --seed 1603 --workers 1 --frames raw
    tactile simulate /tmp/cvfresh/fresh1604.h5 --objects 200 --grasps 2 \
        --population independent --camera wedge-raw --rig random --physics realistic \
        --seed 1604 --workers 1 --frames raw      # and the same with 1605 -> fresh1605.h5
    nice -n 19 python benchmarks/bench_search_tabular.py cv-fresh /tmp/tabsim/sim_search.h5 \
        /tmp/tabsim/sim_search2.h5 --fresh /tmp/cvfresh/fresh1603.h5 /tmp/cvfresh/fresh1604.h5 \
        /tmp/cvfresh/fresh1605.h5 --cache-dir /tmp/cvfresh/cache \
        --out benchmarks/results/search_tabular_cv_fresh.json

The table of the simulator of 2026-12-04 is ``benchmarks/results/search_tabular_2026-12-04.json``
(``compare`` reads it as it is).

Each training is one thread (``num_threads=1``); latency is the median CPU time of one grasp's
forward pass on one thread, measured once per cell on this (shared, loaded) machine.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np


def build(args: argparse.Namespace) -> None:
    import torch

    from tactile.estimators.neural.data import build_dataset
    from tactile.search.objective import measure_latency_ms, require_simulated
    from tactile.search.space import count_parameters
    from tactile.search.tabular import (
        Table,
        all_cells,
        cell_config,
        cell_key,
        evaluate_cell,
        fixed_split,
        iter_missing,
    )

    torch.set_num_threads(1)
    require_simulated(args.data)
    seeds = [int(s) for s in args.seeds.split(",")]
    out = Path(args.out)
    table = Table.load(out) if out.is_file() else Table({}, {})
    table.meta.update(
        {
            "command": "python benchmarks/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "data": [str(p) for p in args.data],
            "epochs": args.epochs,
            "k_frames": args.k_frames,
            "split": "objects 60/20/20 % train/valid/test, stratified, seed 0",
            "protocol": "fixed epochs, default optimiser (AdamW lr 2e-3, wd 1e-4, cosine), "
            "no augmentation, weights of the lowest training loss; per-object log10 MAE",
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        }
    )
    cells = all_cells()
    if args.cells:  # a few cells by index, to time a build before running it all
        cells = [cells[int(i)] for i in args.cells.split(",")]
    probe = cell_config(cells[0], k_frames=args.k_frames)
    data = build_dataset(args.data, probe, cache_dir=args.cache_dir, progress=False)
    split = fixed_split(data)
    table.meta["n_objects"] = {
        "train": len(set(data.object_ids[split.train])),
        "valid": len(set(data.object_ids[split.valid])),
        "test": len(set(data.object_ids[split.test])),
    }
    # the constant prediction (median training label, per grasp) under the same split
    from tactile.estimators.neural.metrics import object_metrics

    median = float(np.median(data.log10_modulus[split.train]))
    table.meta["constant"] = {"log10_pa": round(median, 4)}
    for part, idx in (("valid", split.valid), ("test", split.test)):
        m = object_metrics(data.object_ids[idx], data.log10_modulus[idx], np.full(len(idx), median))
        table.meta["constant"][f"{part}_log10_mae"] = round(float(m["log10_mae"]), 4)
        table.meta["constant"][f"{part}_within_1_decade"] = round(float(m["within_1_decade"]), 4)
    todo = list(iter_missing(table, cells, seeds))
    print(f"{len(cells)} cells x {len(seeds)} seeds: {len(todo)} trainings to go", flush=True)
    started = time.perf_counter()
    for i, (cell, seed) in enumerate(todo):
        key = cell_key(cell)
        config = cell_config(cell, k_frames=args.k_frames)
        row = table.rows.setdefault(key, {"cell": cell, "runs": {}})
        if "params" not in row:
            row["params"] = count_parameters(config)
            row["latency_ms"] = round(measure_latency_ms(config, repeats=50), 4)
        row["runs"][str(seed)] = evaluate_cell(data, split, config, seed=seed, epochs=args.epochs)
        if i % 10 == 9 or i == len(todo) - 1:
            table.meta["elapsed_s"] = table.meta.get("elapsed_s", 0) + (
                time.perf_counter() - started
            )
            started = time.perf_counter()
            table.save(out)
            print(f"{i + 1}/{len(todo)} done, {table.meta['elapsed_s']:.0f} s", flush=True)
    table.save(out)


def _samplers() -> dict[str, Any]:
    import optuna

    from tactile.search.evolution import RegularizedEvolutionSampler

    return {
        "random": lambda s: optuna.samplers.RandomSampler(seed=s),
        "tpe": lambda s: optuna.samplers.TPESampler(seed=s, multivariate=True, group=True),
        "nsga2": lambda s: optuna.samplers.NSGAIISampler(seed=s, population_size=10),
        "evolution": lambda s: RegularizedEvolutionSampler(10, 3, seed=s),
    }


def compare(args: argparse.Namespace) -> None:
    import optuna

    from tactile.search.tabular import (
        DEFAULT_CELL,
        RIG_DEFAULT_CELL,
        Table,
        cell_key,
        replay_strategy,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    table = Table.load(args.table)
    n_seeds = max(len(r["runs"]) for r in table.rows.values())
    keys = table.complete_keys(n_seeds)
    table.rows = {k: table.rows[k] for k in keys}
    test = {k: table.value(k, "test_log10_mae") for k in keys}
    valid = {k: table.value(k, "valid_log10_mae") for k in keys}
    test_within = {k: table.value(k, "test_within_1_decade") for k in keys}
    per_seed_test = {k: [table.value(k, "test_log10_mae", s) for s in table.seeds(k)] for k in keys}
    default = cell_key(DEFAULT_CELL)
    rig_default = cell_key(RIG_DEFAULT_CELL)
    print(f"## Tabular benchmark ({len(keys)} cells x {n_seeds} seeds, simulated grasps)\n")
    print(
        f"Generated by `{table.meta.get('command')}`; {table.meta.get('elapsed_s', 0) / 60:.0f}"
        f" min of training; objects {table.meta.get('n_objects')}.\n"
    )
    rand_mean = float(np.mean(list(test.values())))
    # spread of the random-architecture average over seeds: the average over cells, per seed
    rand_by_seed = [float(np.mean([v[i] for v in per_seed_test.values()])) for i in range(n_seeds)]
    oracle = min(keys, key=lambda k: valid[k])
    best_test = min(keys, key=lambda k: test[k])
    rows = [
        (
            "random architecture (average of all cells)",
            rand_mean,
            float(np.std(rand_by_seed)),
            None,
        ),
        (
            "default of 2026-12-04, hand-designed (mt-physics cell)",
            test[default],
            float(np.std(per_seed_test[default])),
            table.rows[default]["latency_ms"],
        ),
        (
            "current default's nearest cell (mt-rig, geometry 16->8 instead of 24->12)",
            test[rig_default],
            float(np.std(per_seed_test[rig_default])),
            table.rows[rig_default]["latency_ms"],
        ),
        (
            "best cell by valid MAE (oracle of the search)",
            test[oracle],
            float(np.std(per_seed_test[oracle])),
            table.rows[oracle]["latency_ms"],
        ),
        (
            "best cell by test MAE (for reference only)",
            test[best_test],
            float(np.std(per_seed_test[best_test])),
            table.rows[best_test]["latency_ms"],
        ),
    ]
    print("| design | test log10 MAE (mean ± sd over training seeds) | CPU latency ms |")
    print("|---|---|---|")
    const = table.meta.get("constant")
    if const:  # tables built before it was stored have none
        print(
            f"| constant prediction (median training label, 1e{const['log10_pa']:.2f} Pa; "
            f"within a decade {const['test_within_1_decade']:.0%}) | "
            f"{const['test_log10_mae']:.3f} |  |"
        )
    for name, mean, sd, lat in rows:
        print(f"| {name} | {mean:.3f} ± {sd:.3f} | {'' if lat is None else f'{lat:.3f}'} |")
    print(
        f"\noracle cell: `{oracle}` ({table.rows[oracle]['params']} parameters, within a decade"
        f" {test_within[oracle]:.1%}); default: {table.rows[default]['params']} parameters, "
        f"within a decade {test_within[default]:.1%}; current default's nearest cell: "
        f"{table.rows[rig_default]['params']} parameters, within a decade "
        f"{test_within[rig_default]:.1%}"
    )
    rank = sorted(keys, key=lambda k: valid[k])
    print(
        f"valid rank (of {len(keys)}) of the oracle's test-best cell `{best_test}`: "
        f"{rank.index(best_test) + 1}; of the mt-physics cell: {rank.index(default) + 1}; "
        f"of the mt-rig-nearest cell: {rank.index(rig_default) + 1}"
    )
    dlat = [k for k in keys if table.rows[k]["latency_ms"] <= table.rows[default]["latency_ms"]]
    best_lat = min(dlat, key=lambda k: valid[k])
    print(
        f"best cell by valid MAE at latency <= the mt-physics cell's: `{best_lat}`: test "
        f"{test[best_lat]:.3f} ± {np.std(per_seed_test[best_lat]):.3f}, "
        f"{table.rows[best_lat]['latency_ms']:.3f} ms\n"
    )

    if args.export:
        from tactile.estimators.neural.recipe import TrainingRecipe
        from tactile.search.tabular import cell_config

        recipe = TrainingRecipe(
            cell_config(table.rows[oracle]["cell"], k_frames=table.meta["k_frames"]).with_overrides(
                name="searched-tabular"
            ),
            {},
            "hertz",
            {"source": "tabular benchmark, best cell by valid MAE", "cell": oracle},
        )
        recipe.save(args.export)
        print(f"searched design exported to {args.export}\n")

    curves: dict[str, np.ndarray] = {}
    for name, factory in _samplers().items():
        curves[name] = np.array(
            [
                replay_strategy(table, factory, budget=args.budget, run_seed=r)
                for r in range(args.runs)
            ]
        )
    marks = [m for m in (10, 20, 30, 40, 60, 100) if m <= args.budget]
    print(
        f"### Strategies ({args.runs} runs each, test log10 MAE of the incumbent, "
        "mean ± sd over runs)\n"
    )
    print("| strategy | " + " | ".join(f"after {m} trials" for m in marks) + " |")
    print("|---|" + "---|" * len(marks))
    for name, c in curves.items():
        cells = [f"{np.nanmean(c[:, m - 1]):.3f} ± {np.nanstd(c[:, m - 1]):.3f}" for m in marks]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print(
        f"\n(random architecture average {rand_mean:.3f}; mt-physics cell {test[default]:.3f}; "
        f"mt-rig-nearest cell {test[rig_default]:.3f}; oracle {test[oracle]:.3f})\n"
    )
    # the runs share their seeds across strategies (the same first random trials): paired
    print(
        "### Paired difference to random search (same run seeds; test log10 MAE of the "
        "incumbent, strategy - random: mean ± standard error over runs; wins/ties/losses)\n"
    )
    print("| strategy | " + " | ".join(f"after {m} trials" for m in marks) + " |")
    print("|---|" + "---|" * len(marks))
    for name, c in curves.items():
        if name == "random":
            continue
        cells = []
        for m in marks:
            d = c[:, m - 1] - curves["random"][:, m - 1]
            d = d[~np.isnan(d)]
            se = float(np.std(d, ddof=1) / np.sqrt(len(d))) if len(d) > 1 else math.nan
            w, t = int(np.sum(d < -1e-12)), int(np.sum(np.abs(d) <= 1e-12))
            cells.append(f"{np.mean(d):+.3f} ± {se:.3f} ({w}/{t}/{len(d) - w - t})")
        print(f"| {name} | " + " | ".join(cells) + " |")
    area = {n: float(np.nanmean(c)) for n, c in curves.items()}
    print(
        "\nmean over the whole anytime curve (all trials, all runs): "
        + ", ".join(f"{n} {v:.3f}" for n, v in area.items())
    )
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        x = np.arange(1, args.budget + 1)
        for name, c in curves.items():
            m, s = np.nanmean(c, axis=0), np.nanstd(c, axis=0)
            ax.plot(x, m, label=name)
            ax.fill_between(x, m - s, m + s, alpha=0.15)
        ax.axhline(test[default], color="k", ls="--", lw=1, label="mt-physics cell")
        ax.axhline(test[rig_default], color="k", ls="-.", lw=1, label="mt-rig-nearest cell")
        ax.axhline(rand_mean, color="grey", ls=":", lw=1, label="random-architecture mean")
        ax.set_xlabel("trials")
        ax.set_ylabel("test log10 MAE of the incumbent")
        ax.set_title(f"tabular benchmark, {args.runs} runs per strategy (mean ± sd)")
        ax.legend(fontsize=8)
        fig.tight_layout()
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(args.plot, dpi=110)
    if math.isnan(rand_mean):
        sys.exit(1)


# --- cv: a lower-noise selection objective (object-grouped K-fold over train + valid) ---------


def _cv_folds(data: Any, split: Any, n_folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, held-out) grasp indices of ``n_folds`` object-grouped, label-stratified folds of
    the split's train + valid objects (its test objects are never in any fold)."""
    from tactile.estimators.neural.data import object_folds

    pool = np.sort(np.concatenate([split.train, split.valid]))
    folds = object_folds(data.object_ids[pool], data.log10_modulus[pool], n_folds, seed=0)
    return [(np.setdiff1d(pool, pool[f]), pool[f]) for f in folds]


def _train(data: Any, idx: np.ndarray, config: Any, *, seed: int, epochs: int) -> Any:
    """The table's protocol: fixed epochs, no augmentation, no validation (lowest train loss)."""
    from tactile.estimators.neural.tensors import AugmentConfig
    from tactile.estimators.neural.train import TrainConfig, train_model

    cfg = TrainConfig(
        epochs=epochs, patience=epochs, seed=seed, num_threads=1, augment=AugmentConfig(False)
    )
    return train_model(data.subset(idx), None, config, cfg, progress=False).loaded


def _predict(loaded: Any, data: Any, idx: np.ndarray) -> np.ndarray:
    from tactile.estimators.neural.predict import predict_log10

    mu, _ = predict_log10(loaded, data.subset(idx).arrays)
    return np.asarray(mu, dtype=float)


def _metrics(data: Any, idx: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    from tactile.estimators.neural.metrics import object_metrics

    m = object_metrics(data.object_ids[idx], data.log10_modulus[idx], pred)
    return {
        "log10_mae": float(m.get("log10_mae", math.nan)),
        "within_1_decade": float(m.get("within_1_decade", math.nan)),
    }


def cv_picks(rows: dict[str, Any], n_seeds: int, default_key: str) -> dict[str, str]:
    """The cells the CV score picks, over the first ``n_seeds`` CV seeds: the best overall and
    the best at CPU latency <= the default cell's."""
    score = {k: cv_score(r, n_seeds) for k, r in rows.items()}
    lat = rows[default_key]["latency_ms"]
    return {
        "cv_best": min(score, key=lambda k: score[k]),
        "cv_best_at_default_latency": min(
            (k for k in score if rows[k]["latency_ms"] <= lat), key=lambda k: score[k]
        ),
    }


def cv_score(row: dict[str, Any], n_seeds: int) -> float:
    """A cell's CV score: pooled held-out per-object log10 MAE, mean over CV seeds 0..n-1."""
    return float(np.mean([row["cv"][str(s)]["log10_mae"] for s in range(n_seeds)]))


def _cv_seeds_done(rows: dict[str, Any]) -> int:
    n = 0
    while all(str(n) in r["cv"] for r in rows.values()):
        n += 1
    return n


def cv(args: argparse.Namespace) -> None:
    """Score every cell by object-grouped K-fold CV over the train + valid objects (the test
    objects untouched), retrain the picks and the default cells on all train + valid objects,
    and test them. Work goes in an order that leaves a usable result whenever it is stopped:
    CV seed 0 of every cell; the picks and the default cells on the full pool, seeds 0..2;
    every cell on the full pool, seed 0 (random-architecture average, rank correlation); CV
    seeds 1, 2 (re-picking, and retraining a new pick, after each); every cell on the full pool,
    seeds 1, 2. Resumable: rerun to continue."""
    import json

    import torch

    from tactile.estimators.neural.data import build_dataset
    from tactile.search.objective import require_simulated
    from tactile.search.tabular import (
        DEFAULT_CELL,
        RIG_DEFAULT_CELL,
        Table,
        all_cells,
        cell_config,
        cell_key,
        fixed_split,
    )

    torch.set_num_threads(1)
    require_simulated(args.data)
    table = Table.load(args.table)  # the single-split table: latency, and the old valid score
    seeds = [int(s) for s in args.seeds.split(",")]
    final_seeds = [int(s) for s in args.final_seeds.split(",")] if args.final_seeds else []
    out = Path(args.out)
    state = json.loads(out.read_text()) if out.is_file() else {"meta": {}, "rows": {}}
    cells = all_cells()
    probe = cell_config(cells[0], k_frames=args.k_frames)
    data = build_dataset(args.data, probe, cache_dir=args.cache_dir, progress=False)
    split = fixed_split(data)
    folds = _cv_folds(data, split, args.folds)
    pool = np.sort(np.concatenate([split.train, split.valid]))
    median = float(np.median(data.log10_modulus[pool]))
    const = _metrics(data, split.test, np.full(len(split.test), median))
    command = "python benchmarks/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
    # the main run's command stays; a --final-seeds run is recorded beside it
    state["meta"]["final_seeds_command" if final_seeds else "command"] = command
    state["meta"].update(
        {
            "data": [str(p) for p in args.data],
            "table": str(args.table),
            "epochs": args.epochs,
            "k_frames": args.k_frames,
            "folds": args.folds,
            "protocol": (
                "test objects: fold 0 of the table's split (seed 0), never trained on or scored "
                "for selection; the other objects (train + valid) in "
                f"{args.folds} object-grouped label-stratified folds (seed 0); each fold model "
                "trained like the table (fixed epochs, AdamW lr 2e-3, wd 1e-4, cosine, no "
                "augmentation, no validation, weights of the lowest training loss) with the "
                "training seed of its CV seed; CV score = per-object log10 MAE of the pooled "
                "held-out predictions, mean over CV seeds; 'full' = trained on every train + "
                "valid object, scored on test; latency from the table"
            ),
            "n_objects": {
                "pool": len(set(data.object_ids[pool])),
                "test": len(set(data.object_ids[split.test])),
                "per_fold_held_out": [len(set(data.object_ids[h])) for _, h in folds],
            },
            "constant": {
                "log10_pa": round(median, 4),
                **{f"test_{k}": v for k, v in const.items()},
            },
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        }
    )
    rows = state["rows"]
    for cell in cells:
        key = cell_key(cell)
        row = rows.setdefault(key, {"cell": cell, "cv": {}, "full": {}})
        row["params"] = table.rows[key]["params"]
        row["latency_ms"] = table.rows[key]["latency_ms"]
    default_keys = [cell_key(DEFAULT_CELL), cell_key(RIG_DEFAULT_CELL)]
    old_pick = min(rows, key=lambda k: table.value(k, "valid_log10_mae"))  # single-split pick

    def next_task() -> tuple[str, str, int] | None:
        """("cv" | "full", cell key, seed) of the next training job, None when done."""
        if final_seeds:  # only more seeds of the default cells and the current picks
            n = _cv_seeds_done(rows)
            wanted = default_keys + list(cv_picks(rows, n, default_keys[0]).values())
            for key in [*wanted, old_pick]:
                for s in final_seeds:
                    if str(s) not in rows[key]["full"]:
                        return "full", key, s
            return None
        for stage_seed in seeds:
            for key in rows:
                if str(stage_seed) not in rows[key]["cv"]:
                    return "cv", key, stage_seed
            n = _cv_seeds_done(rows)
            wanted = default_keys + list(cv_picks(rows, n, default_keys[0]).values())
            for key in wanted:
                for s in seeds:
                    if str(s) not in rows[key]["full"]:
                        return "full", key, s
            if stage_seed == seeds[0]:
                for key in rows:
                    if str(seeds[0]) not in rows[key]["full"]:
                        return "full", key, seeds[0]
        for s in seeds:
            for key in rows:
                if str(s) not in rows[key]["full"]:
                    return "full", key, s
        return None

    run_started = mark = time.perf_counter()
    done = 0
    while (task := next_task()) is not None:
        if args.max_minutes and (time.perf_counter() - run_started) > 60 * args.max_minutes:
            print("time limit reached; rerun to continue", flush=True)
            break
        kind, key, seed = task
        config = cell_config(rows[key]["cell"], k_frames=args.k_frames)
        t0 = time.perf_counter()
        if kind == "cv":
            held, preds, fold_mae, fold_test = [], [], [], []
            for train_idx, held_idx in folds:
                loaded = _train(data, train_idx, config, seed=seed, epochs=args.epochs)
                p = _predict(loaded, data, held_idx)
                held.append(held_idx)
                preds.append(p)
                fold_mae.append(round(_metrics(data, held_idx, p)["log10_mae"], 5))
                pt = _predict(loaded, data, split.test)
                fold_test.append(round(_metrics(data, split.test, pt)["log10_mae"], 5))
            m = _metrics(data, np.concatenate(held), np.concatenate(preds))
            rows[key]["cv"][str(seed)] = {
                **m,
                "fold_mae": fold_mae,
                "fold_model_test_mae": fold_test,
                "train_s": round(time.perf_counter() - t0, 2),
            }
        else:
            loaded = _train(data, pool, config, seed=seed, epochs=args.epochs)
            m = _metrics(data, split.test, _predict(loaded, data, split.test))
            rows[key]["full"][str(seed)] = {
                **{f"test_{k}": v for k, v in m.items()},
                "train_s": round(time.perf_counter() - t0, 2),
            }
        done += 1
        if done % 10 == 0:
            now = time.perf_counter()
            state["meta"]["elapsed_s"] = state["meta"].get("elapsed_s", 0) + now - mark
            mark = now
            _save_json(out, state)
            print(
                f"{done} jobs done (last: {kind} seed {seed}), "
                f"{state['meta']['elapsed_s']:.0f} s in all",
                flush=True,
            )
    state["meta"]["elapsed_s"] = state["meta"].get("elapsed_s", 0) + time.perf_counter() - mark
    _save_json(out, state)


def _save_json(path: Path, state: dict[str, Any]) -> None:
    import json

    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=1) + "\n")
    tmp.replace(path)


def cv_report(args: argparse.Namespace) -> None:
    """Markdown of a ``cv`` result beside the single-split table it was scored against."""
    import json

    import optuna
    from scipy.stats import kendalltau

    from tactile.search.tabular import (
        DEFAULT_CELL,
        RIG_DEFAULT_CELL,
        Table,
        cell_key,
        replay_strategy,
    )

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    state = json.loads(Path(args.result).read_text())
    meta, rows = state["meta"], state["rows"]
    table = Table.load(meta["table"])
    keys = list(rows)
    n_cv = _cv_seeds_done(rows)
    if n_cv == 0:
        sys.exit("no cell has a complete CV score yet")
    default, rig = cell_key(DEFAULT_CELL), cell_key(RIG_DEFAULT_CELL)
    picks = cv_picks(rows, n_cv, default)
    cv = {k: cv_score(rows[k], n_cv) for k in keys}
    old_valid = {k: table.value(k, "valid_log10_mae") for k in keys}
    old_pick = min(keys, key=lambda k: old_valid[k])
    old_test = {k: table.value(k, "test_log10_mae") for k in keys}
    full_seeds = sorted({s for r in rows.values() for s in r["full"]})
    complete_full = [s for s in full_seeds if all(s in rows[k]["full"] for k in keys)]

    def full(k: str) -> list[float]:
        return [rows[k]["full"][s]["test_log10_mae"] for s in sorted(rows[k]["full"])]

    def within(k: str) -> float:
        return float(np.mean([r["test_within_1_decade"] for r in rows[k]["full"].values()]))

    const = meta["constant"]
    print(
        f"## CV-scored selection ({len(keys)} cells; {meta['folds']}-fold object-grouped CV over "
        f"{meta['n_objects']['pool']} train + valid objects, {n_cv} CV seed(s); "
        f"{meta['n_objects']['test']} test objects untouched)\n"
    )
    print(
        f"Generated by `{meta['command']}`; {meta.get('elapsed_s', 0) / 60:.0f} min of training; "
        f"report: `python benchmarks/bench_search_tabular.py cv-report {args.result}`.\n"
    )
    if "final_seeds_command" in meta:
        print(f"More seeds of the default cells and the picks: `{meta['final_seeds_command']}`.\n")
    print(
        "| design (retrained on all 160 train + valid objects, tested on the 40 test objects) | "
        "CV score | test log10 MAE (mean ± sd over seeds) | seeds | within a decade | params | "
        "CPU latency ms |"
    )
    print("|---|---|---|---|---|---|---|")
    print(
        f"| constant prediction (median label of the 160, 1e{const['log10_pa']:.2f} Pa) | | "
        f"{const['test_log10_mae']:.3f} | | {const['test_within_1_decade']:.0%} | | |"
    )
    if complete_full:
        avg = [
            float(np.mean([rows[k]["full"][s]["test_log10_mae"] for k in keys]))
            for s in complete_full
        ]
        sd = f" ± {np.std(avg):.3f}" if len(avg) > 1 else ""
        print(
            f"| random architecture (mean of all {len(keys)} cells; sd of that mean over seeds) | "
            f"{np.mean([cv[k] for k in keys]):.3f} | {np.mean(avg):.3f}{sd} | "
            f"{len(complete_full)} | | | |"
        )
    named = [
        ("default of 2026-12-04 (`mt-physics` cell)", default),
        ("current default's nearest cell (`mt-rig`, geometry 16→8)", rig),
        ("**CV pick**: best cell by CV score", picks["cv_best"]),
        ("CV pick at latency ≤ the `mt-physics` cell's", picks["cv_best_at_default_latency"]),
        ("single-split pick (best mean valid MAE over 3 seeds, old table)", old_pick),
    ]
    if complete_full:
        best_test = min(keys, key=lambda k: float(np.mean(full(k))))
        named.append(("best cell by test MAE (hindsight, not a search result)", best_test))
    latency = {k: f"{rows[k]['latency_ms']:.3f}" for _, k in named}
    if args.latency:  # remeasured now, one process, the same repeats for every named cell
        from tactile.search.objective import measure_latency_ms
        from tactile.search.tabular import cell_config

        for _, k in named:
            config = cell_config(rows[k]["cell"], k_frames=meta["k_frames"])
            latency[k] += f" / {measure_latency_ms(config, repeats=args.latency):.3f}"
    for name, k in named:
        v = full(k)
        if not v:
            print(f"| {name}: `{k}` | {cv[k]:.3f} | (not retrained) | | | | {latency[k]} |")
            continue
        sd = f" ± {np.std(v):.3f}" if len(v) > 1 else ""
        print(
            f"| {name}: `{k}` | {cv[k]:.3f} | {np.mean(v):.3f}{sd} | {len(v)} | "
            f"{within(k):.0%} | {rows[k]['params']} | {latency[k]} |"
        )
    if args.latency:
        print(
            f"\n(latency: the table's single measurement / remeasured now, median of "
            f"{args.latency} forward passes, one thread, on the shared machine)"
        )
    print("\nPaired by training seed (same seeds), test MAE minus the `mt-physics` cell's:\n")
    for name, k in named[1:]:
        shared = sorted(set(rows[k]["full"]) & set(rows[default]["full"]), key=int)
        if k == default or len(shared) < 2:
            continue
        d = np.array(
            [
                rows[k]["full"][s]["test_log10_mae"] - rows[default]["full"][s]["test_log10_mae"]
                for s in shared
            ]
        )
        se = float(np.std(d, ddof=1) / np.sqrt(len(d)))
        print(
            f"- {name}: {np.mean(d):+.3f} ± {se:.3f} (standard error; sd {np.std(d, ddof=1):.3f}; "
            f"lower in {int(np.sum(d < 0))} of {len(d)} seeds)"
        )

    def tau(a: dict[str, float], b: dict[str, float]) -> float:
        return float(kendalltau([a[k] for k in keys], [b[k] for k in keys]).statistic)

    def per_seed(get: Any, seeds: list[str]) -> str:
        t = [tau({k: get(k, s) for k in keys}, old_test) for s in seeds]
        return f"{np.mean(t):.3f} ± {np.std(t):.3f} ({len(t)} seeds)"

    old_seeds = table.seeds(keys[0])
    cv_seeds = [str(s) for s in range(n_cv)]
    print(
        f"\nKendall tau across the {len(keys)} cells, against the old table's test MAE (mean of "
        "3 seeds, trained on the 120 train objects):\n"
    )
    print("| selection score | tau with test MAE |")
    print("|---|---|")
    print(
        "| single-split valid MAE (40 objects), one seed | "
        + per_seed(lambda k, s: table.value(k, "valid_log10_mae", s), old_seeds)
        + " |"
    )
    print(
        f"| single-split valid MAE (40 objects), mean of 3 seeds | {tau(old_valid, old_test):.3f} |"
    )
    print(
        f"| {meta['folds']}-fold CV (160 objects), one seed | "
        + per_seed(lambda k, s: rows[k]["cv"][s]["log10_mae"], cv_seeds)
        + " |"
    )
    print(
        f"| {meta['folds']}-fold CV (160 objects), mean of {n_cv} seed(s) | "
        f"{tau(cv, old_test):.3f} |"
    )
    ceiling = [
        tau(
            {k: table.value(k, "test_log10_mae", a) for k in keys},
            {k: table.value(k, "test_log10_mae", b) for k in keys},
        )
        for i, a in enumerate(old_seeds)
        for b in old_seeds[i + 1 :]
    ]
    print(
        "| (reference) test MAE of one seed against another seed's | "
        f"{np.mean(ceiling):.3f} ± {np.std(ceiling):.3f} |"
    )
    if complete_full:
        ft = {
            k: float(np.mean([rows[k]["full"][s]["test_log10_mae"] for s in complete_full]))
            for k in keys
        }
        print(
            f"\nAgainst the test MAE of the cells retrained on all 160 objects (seeds "
            f"{','.join(complete_full)}): single-split valid (mean of 3 seeds) "
            f"{tau(old_valid, ft):.3f}, CV (mean of {n_cv}) {tau(cv, ft):.3f}; the old table's "
            f"test MAE {tau(old_test, ft):.3f}."
        )
        cv_rank = sorted(keys, key=lambda k: cv[k])
        old_rank = sorted(keys, key=lambda k: old_valid[k])
        print(
            f"\nRank (of {len(keys)}) of the hindsight best cell `{best_test}`: CV "
            f"{cv_rank.index(best_test) + 1}, "
            f"single-split valid {old_rank.index(best_test) + 1}; of the `mt-physics` cell: CV "
            f"{cv_rank.index(default) + 1}, valid {old_rank.index(default) + 1}; of the "
            f"`mt-rig`-nearest cell: CV {cv_rank.index(rig) + 1}, valid {old_rank.index(rig) + 1}."
        )
        if args.runs:
            # strategies on the CV-scored table: each trial sees the CV score of one random CV
            # seed, the incumbent is reported by its retrained test MAE (mean of complete seeds)
            cvt = Table(
                {
                    k: {
                        **rows[k],
                        "runs": {
                            s: {
                                "valid_log10_mae": rows[k]["cv"][s]["log10_mae"],
                                "test_log10_mae": ft[k],
                            }
                            for s in cv_seeds
                        },
                    }
                    for k in keys
                },
                {},
            )
            marks = [m for m in (10, 20, 30, 40, 60) if m <= args.budget]
            print(
                f"\nStrategies on the CV-scored table ({args.runs} runs; test MAE of the "
                "incumbent, mean ± sd):\n"
            )
            print("| strategy | " + " | ".join(f"after {m} trials" for m in marks) + " |")
            print("|---|" + "---|" * len(marks))
            for name in ("random", "tpe"):
                factory = _samplers()[name]
                c = np.array(
                    [
                        replay_strategy(cvt, factory, budget=args.budget, run_seed=r)
                        for r in range(args.runs)
                    ]
                )
                print(
                    f"| {name} | "
                    + " | ".join(
                        f"{np.nanmean(c[:, m - 1]):.3f} ± {np.nanstd(c[:, m - 1]):.3f}"
                        for m in marks
                    )
                    + " |"
                )


def cv_bootstrap(args: argparse.Namespace) -> None:
    """Paired bootstrap over the test objects: a pick of a ``cv`` result against the
    ``mt-physics`` cell, both retrained on the train + valid objects with the same seeds (the
    seed spread says nothing about which 40 objects happen to be the test set)."""
    import json

    import torch

    from tactile.estimators.neural.data import build_dataset
    from tactile.estimators.neural.metrics import per_object
    from tactile.search.tabular import DEFAULT_CELL, all_cells, cell_config, cell_key, fixed_split

    torch.set_num_threads(1)
    state = json.loads(Path(args.result).read_text())
    rows = state["rows"]
    pick = cv_picks(rows, _cv_seeds_done(rows), cell_key(DEFAULT_CELL))[args.pick]
    data = build_dataset(
        args.data, cell_config(all_cells()[0]), cache_dir=args.cache_dir, progress=False
    )
    split = fixed_split(data)
    pool = np.sort(np.concatenate([split.train, split.valid]))
    seeds = [int(s) for s in args.seeds.split(",")]
    err = {}
    for key in (cell_key(DEFAULT_CELL), pick):
        config = cell_config(rows[key]["cell"], k_frames=state["meta"]["k_frames"])
        per_seed = []
        for seed in seeds:
            loaded = _train(data, pool, config, seed=seed, epochs=state["meta"]["epochs"])
            p = _predict(loaded, data, split.test)
            _, lab, pred = per_object(
                data.object_ids[split.test], data.log10_modulus[split.test], p
            )
            per_seed.append(np.abs(pred - lab))
        err[key] = np.array(per_seed)  # seeds x objects
    d = (err[pick] - err[cell_key(DEFAULT_CELL)]).mean(axis=0)  # per object, mean over seeds
    rng = np.random.default_rng(0)
    boot = np.array([d[rng.integers(0, len(d), len(d))].mean() for _ in range(args.resamples)])
    print(
        f"{args.pick} `{pick}` minus the mt-physics cell, {len(seeds)} seeds, {len(d)} test "
        f"objects: {d.mean():+.4f} (test MAE {err[pick].mean(axis=1).mean():.4f} vs "
        f"{err[cell_key(DEFAULT_CELL)].mean(axis=1).mean():.4f}); bootstrap over the test objects "
        f"({args.resamples}): 95 % interval [{np.percentile(boot, 2.5):+.4f}, "
        f"{np.percentile(boot, 97.5):+.4f}], share >= 0: {np.mean(boot >= 0):.3f}; objects "
        f"better / worse: {int(np.sum(d < 0))} / {int(np.sum(d > 0))}"
    )


def fresh_sets(object_ids: np.ndarray) -> dict[str, np.ndarray]:
    """Grasp indices of the evaluation sets of ``cv-fresh``: every fresh object ("all"); each
    fresh file (object ids are ``file stem/object``), when there are several; and, for a file
    with several grasps per object, its first grasp of each object only (``"<stem>, first
    grasp"``: the table's data have 2 grasps per object, a 1-grasp file 1)."""
    every = np.arange(len(object_ids))
    stems = np.array([str(o).split("/")[0] for o in object_ids])
    names = list(dict.fromkeys(stems))
    sets = {"all": every}
    for stem in names:
        idx = every[stems == stem]
        if len(names) > 1:
            sets[stem] = idx
        _, first = np.unique(np.asarray(object_ids)[idx], return_index=True)
        if len(first) < len(idx):
            sets[f"{stem}, first grasp"] = idx[np.sort(first)]
    return sets


def paired_difference(err: np.ndarray, base: np.ndarray, resamples: int) -> dict[str, Any]:
    """A design's per-object errors (seeds x objects) against a baseline's (same seeds, same
    objects): the per-seed MAE difference (mean, standard error, sd, seeds better) and a
    bootstrap over the objects of the difference averaged over the seeds (seed 0)."""
    paired = err.mean(axis=1) - base.mean(axis=1)  # per seed
    d = (err - base).mean(axis=0)  # per object, mean over seeds
    rng = np.random.default_rng(0)
    boot = np.array([d[rng.integers(0, len(d), len(d))].mean() for _ in range(resamples)])
    return {
        "paired_mean": round(float(paired.mean()), 5),
        "paired_se": round(float(paired.std(ddof=1) / math.sqrt(len(paired))), 5),
        "paired_sd": round(float(paired.std(ddof=1)), 5),
        "seeds_better": int(np.sum(paired < 0)),
        "bootstrap_95": [
            round(float(np.percentile(boot, 2.5)), 5),
            round(float(np.percentile(boot, 97.5)), 5),
        ],
        "bootstrap_share_ge_0": round(float(np.mean(boot >= 0)), 4),
        "objects_better": int(np.sum(d < 0)),
        "objects_worse": int(np.sum(d > 0)),
    }


def cv_fresh(args: argparse.Namespace) -> None:
    """The fixed designs of a ``cv`` result (its two picks, the ``mt-physics`` and ``mt-rig``
    default cells) retrained on the same train + valid objects with the same seeds as
    ``--final-seeds``, and scored on objects of a *fresh* simulated file that neither the
    table, the CV nor the selection saw: per-object log10 MAE, paired by seed against the
    ``mt-physics`` cell, and a paired bootstrap over the fresh objects; the constant
    prediction (median training label) beside. The old test split's MAE is recomputed as a
    check that the retrainings match the ``cv`` result."""
    import json

    import torch

    from tactile.estimators.neural.data import build_dataset
    from tactile.estimators.neural.metrics import per_object
    from tactile.search.objective import require_simulated
    from tactile.search.tabular import (
        DEFAULT_CELL,
        RIG_DEFAULT_CELL,
        all_cells,
        cell_config,
        cell_key,
        fixed_split,
    )

    torch.set_num_threads(1)
    started = time.perf_counter()
    require_simulated([*args.data, *args.fresh])
    state = json.loads(Path(args.result).read_text())
    rows, meta = state["rows"], state["meta"]
    default_key = cell_key(DEFAULT_CELL)
    picks = cv_picks(rows, _cv_seeds_done(rows), default_key)
    designs = {
        "cv_best_at_default_latency": picks["cv_best_at_default_latency"],
        "cv_best": picks["cv_best"],
        "mt_physics": default_key,
        "mt_rig": cell_key(RIG_DEFAULT_CELL),
    }
    probe = cell_config(all_cells()[0], k_frames=meta["k_frames"])
    data = build_dataset(args.data, probe, cache_dir=args.cache_dir, progress=False)
    fresh = build_dataset(args.fresh, probe, cache_dir=args.cache_dir, progress=False)
    split = fixed_split(data)
    pool = np.sort(np.concatenate([split.train, split.valid]))
    every = np.arange(len(fresh))
    overlap = set(data.object_ids) & set(fresh.object_ids)
    if overlap:
        raise SystemExit(f"{len(overlap)} fresh object ids also in the training files")
    seeds = [int(s) for s in args.seeds.split(",")]
    median = float(np.median(data.log10_modulus[pool]))
    out: dict[str, Any] = {
        "meta": {
            "command": "python benchmarks/" + " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            "data": [str(p) for p in args.data],
            "fresh": [str(p) for p in args.fresh],
            "result": str(args.result),
            "seeds": seeds,
            "n_objects": {
                "train": len(set(data.object_ids[pool])),
                "fresh": len(set(fresh.object_ids)),
                "fresh_grasps": len(fresh),
            },
            "protocol": "each design trained on the cv result's train + valid objects as its "
            "--final-seeds retrainings (fixed epochs, no augmentation, no validation); "
            "per-object log10 MAE on every fresh object (grasps of an object averaged, as "
            "object_metrics); bootstrap resamples the fresh objects, the per-object error "
            "difference averaged over the seeds first",
            "constant": {"log10_pa": round(median, 4)},
            "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared)",
        },
        "designs": {},
    }
    preds: dict[str, np.ndarray] = {}  # seeds x fresh grasps
    for name, key in designs.items():
        config = cell_config(rows[key]["cell"], k_frames=meta["k_frames"])
        per_seed, old_test, t0 = [], [], time.perf_counter()
        for seed in seeds:
            loaded = _train(data, pool, config, seed=seed, epochs=meta["epochs"])
            per_seed.append(_predict(loaded, fresh, every))
            p_old = _predict(loaded, data, split.test)
            old_test.append(_metrics(data, split.test, p_old)["log10_mae"])
        preds[name] = np.array(per_seed)
        out["designs"][name] = {
            "key": key,
            "params": rows[key]["params"],
            "latency_ms": rows[key]["latency_ms"],
            "old_test_log10_mae": [round(float(v), 5) for v in old_test],
            "train_s": round(time.perf_counter() - t0, 1),
        }
        print(f"{name} `{key}`: {time.perf_counter() - t0:.0f} s", flush=True)
    sets = fresh_sets(fresh.object_ids)
    out["sets"] = {}
    for set_name, idx in sets.items():
        ids, labels = fresh.object_ids[idx], fresh.log10_modulus[idx]
        _, lab, _ = per_object(ids, labels, np.zeros(len(idx)))
        const_err = np.abs(median - lab)
        res: dict[str, Any] = {
            "n_objects": len(lab),
            "n_grasps": len(idx),
            "constant": {
                "log10_mae": round(float(const_err.mean()), 5),
                "within_1_decade": round(float(np.mean(const_err <= 1.0)), 4),
            },
            "designs": {},
        }
        err = {}
        for name in designs:
            err[name] = np.array(
                [np.abs(per_object(ids, labels, p[idx])[2] - lab) for p in preds[name]]
            )
            res["designs"][name] = {
                "log10_mae": [round(float(v), 5) for v in err[name].mean(axis=1)],
                "within_1_decade": [round(float(np.mean(e <= 1.0)), 4) for e in err[name]],
            }
        base = err["mt_physics"]
        for name in designs:
            if name == "mt_physics":
                continue
            res["designs"][name]["vs_mt_physics"] = paired_difference(
                err[name], base, args.resamples
            )
        out["sets"][set_name] = res
    out["meta"]["elapsed_s"] = round(time.perf_counter() - started, 1)
    if args.out:
        _save_json(Path(args.out), out)
    print(cv_fresh_markdown(out))


def cv_fresh_markdown(out: dict[str, Any]) -> str:
    """The tables of a ``cv-fresh`` result, one per evaluation set."""
    meta, blocks = out["meta"], []
    for set_name, res in out["sets"].items():
        c = res["constant"]
        lines = [
            f"{set_name}: {res['n_objects']} fresh objects, {res['n_grasps']} grasps\n",
            f"| design (trained on the {meta['n_objects']['train']} objects) | fresh log10 MAE "
            "(mean ± sd over seeds) | within a decade | minus `mt-physics`, paired by seed "
            "(mean ± SE) | seeds better | bootstrap over the fresh objects, 95 % | objects "
            "better / worse | old 40-object test MAE |",
            "|---|---|---|---|---|---|---|---|",
            f"| constant prediction (median label, 10^{meta['constant']['log10_pa']:.2f} Pa) | "
            f"{c['log10_mae']:.3f} | {100 * c['within_1_decade']:.0f} % | | | | | |",
        ]
        for name, r in res["designs"].items():
            mae = np.array(r["log10_mae"])
            vs = r.get("vs_mt_physics")
            cells = (
                [
                    f"{vs['paired_mean']:+.3f} ± {vs['paired_se']:.3f}",
                    f"{vs['seeds_better']} of {len(mae)}",
                    f"[{vs['bootstrap_95'][0]:+.3f}, {vs['bootstrap_95'][1]:+.3f}]",
                    f"{vs['objects_better']} / {vs['objects_worse']}",
                ]
                if vs
                else ["", "", "", ""]
            )
            old = np.mean(out["designs"][name]["old_test_log10_mae"])
            lines.append(
                f"| {name} (`{out['designs'][name]['key']}`) | {mae.mean():.3f} ± "
                f"{mae.std(ddof=1):.3f} | {100 * np.mean(r['within_1_decade']):.0f} % | "
                + " | ".join(cells)
                + f" | {old:.3f} |"
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("data", nargs="+", type=Path)
    b.add_argument("--seeds", default="0,1,2")
    b.add_argument("--epochs", type=int, default=40)
    b.add_argument("--k-frames", type=int, default=6)
    b.add_argument("--cache-dir", type=Path, default=None)
    b.add_argument("--out", default="benchmarks/results/search_tabular.json")
    b.add_argument(
        "--cells", default=None, help="only these cells, by index in all_cells() (e.g. 0,100)"
    )
    b.set_defaults(func=build)
    c = sub.add_parser("compare")
    c.add_argument("table")
    c.add_argument("--runs", type=int, default=10)
    c.add_argument("--budget", type=int, default=60)
    c.add_argument("--plot", default=None)
    c.add_argument("--export", default=None, help="write the best cell's recipe here")
    c.set_defaults(func=compare)
    v = sub.add_parser("cv", help="score every cell by K-fold CV over train + valid; test picks")
    v.add_argument("data", nargs="+", type=Path)
    v.add_argument("--table", default="benchmarks/results/search_tabular_200obj.json")
    v.add_argument("--seeds", default="0,1,2")
    v.add_argument("--folds", type=int, default=5)
    v.add_argument("--epochs", type=int, default=30)
    v.add_argument("--k-frames", type=int, default=6)
    v.add_argument("--cache-dir", type=Path, default=None)
    v.add_argument("--out", default="benchmarks/results/search_tabular_cv.json")
    v.add_argument("--max-minutes", type=float, default=None, help="stop (resumably) after this")
    v.add_argument(
        "--final-seeds",
        default=None,
        help="only retrain the default cells, the CV picks and the single-split pick on all "
        "train + valid objects with these seeds (e.g. 0,1,2,3,4,5,6,7,8,9); nothing else",
    )
    v.set_defaults(func=cv)
    r = sub.add_parser("cv-report", help="Markdown of a cv result")
    r.add_argument("result", nargs="?", default="benchmarks/results/search_tabular_cv.json")
    r.add_argument("--runs", type=int, default=0, help="replay random / TPE on the CV scores")
    r.add_argument("--budget", type=int, default=60)
    r.add_argument(
        "--latency", type=int, default=0, help="remeasure the named cells' latency (repeats)"
    )
    r.set_defaults(func=cv_report)
    bs = sub.add_parser("cv-bootstrap", help="paired bootstrap over test objects of a cv pick")
    bs.add_argument("data", nargs="+", type=Path)
    bs.add_argument("--result", default="benchmarks/results/search_tabular_cv.json")
    bs.add_argument(
        "--pick",
        default="cv_best_at_default_latency",
        choices=["cv_best", "cv_best_at_default_latency"],
    )
    bs.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    bs.add_argument("--resamples", type=int, default=10000)
    bs.add_argument("--cache-dir", type=Path, default=None)
    bs.set_defaults(func=cv_bootstrap)
    fr = sub.add_parser(
        "cv-fresh", help="a cv result's picks and the default cells on fresh simulated objects"
    )
    fr.add_argument("data", nargs="+", type=Path, help="the cv result's training files")
    fr.add_argument("--fresh", nargs="+", type=Path, required=True, help="fresh test file(s)")
    fr.add_argument("--result", default="benchmarks/results/search_tabular_cv.json")
    fr.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    fr.add_argument("--resamples", type=int, default=10000)
    fr.add_argument("--cache-dir", type=Path, default=None)
    fr.add_argument("--out", default="benchmarks/results/search_tabular_cv_fresh.json")
    fr.set_defaults(func=cv_fresh)
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
