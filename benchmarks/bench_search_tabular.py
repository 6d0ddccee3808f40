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
    args = p.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
