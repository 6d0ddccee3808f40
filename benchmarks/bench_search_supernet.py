"""Weight sharing tested before it is trusted: Kendall tau between supernet scores and
stand-alone training on the tabular benchmark.

    nice -n 10 python benchmarks/bench_search_supernet.py benchmarks/results/search_tabular.json \
        --seeds 0,1,2 --epochs 60

Trains the supernet (tactile.search.supernet, sandwich rule) on the table's *train* objects, once
per seed, scores every cell's sub-network on the *valid* objects with the shared weights, and
ranks the cells against their stand-alone valid MAE (mean over the table's training seeds).
The noise ceiling is the tau between two stand-alone training seeds: a proxy cannot be expected
to rank better than training itself does.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import time

import numpy as np


def main() -> None:
    import torch

    from tactile.estimators.neural.data import build_dataset
    from tactile.search.supernet import kendall_tau, score_cell, train_supernet
    from tactile.search.tabular import Table, cell_config, fixed_split

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("table")
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--cache-dir", default=None)
    args = p.parse_args()
    torch.set_num_threads(1)
    table = Table.load(args.table)
    n_seeds = max(len(r["runs"]) for r in table.rows.values())
    keys = table.complete_keys(n_seeds)
    cells = [table.rows[k]["cell"] for k in keys]
    data = build_dataset(
        table.meta["data"],
        cell_config(cells[0], k_frames=table.meta["k_frames"]),
        cache_dir=args.cache_dir,
        progress=False,
    )
    split = fixed_split(data)
    train, valid, test = (data.subset(i) for i in (split.train, split.valid, split.test))
    standalone = np.array([table.value(k, "valid_log10_mae") for k in keys])
    standalone_test = np.array([table.value(k, "test_log10_mae") for k in keys])
    seeds = table.seeds(keys[0])
    ceiling = [
        kendall_tau(
            [table.value(k, "valid_log10_mae", a) for k in keys],
            [table.value(k, "valid_log10_mae", b) for k in keys],
        )
        for i, a in enumerate(seeds)
        for b in seeds[i + 1 :]
    ]
    taus, taus_test, top = [], [], []
    started = time.perf_counter()
    for seed in (int(s) for s in args.seeds.split(",")):
        net, norm = train_supernet(train, epochs=args.epochs, seed=seed)
        scores = np.array([score_cell(net, norm, valid, c) for c in cells])
        taus.append(kendall_tau(scores, standalone))
        taus_test.append(
            kendall_tau([score_cell(net, norm, test, c) for c in cells], standalone_test)
        )
        best10 = set(np.argsort(standalone)[:10])
        top.append(len(best10 & set(np.argsort(scores)[:10])))
    elapsed = time.perf_counter() - started
    print(f"## Supernet vs stand-alone training ({len(keys)} cells, simulated grasps)\n")
    print(
        f"`python benchmarks/bench_search_supernet.py {args.table} --seeds {args.seeds} "
        f"--epochs {args.epochs}`; {elapsed / 60:.1f} min for {len(taus)} supernets.\n"
    )
    print("| measure | mean ± sd over supernet seeds |")
    print("|---|---|")
    print(
        f"| Kendall tau, supernet valid score vs stand-alone valid MAE | "
        f"{np.mean(taus):.3f} ± {np.std(taus):.3f} |"
    )
    print(
        f"| Kendall tau on the test objects | {np.mean(taus_test):.3f} ± {np.std(taus_test):.3f} |"
    )
    print(
        f"| stand-alone top-10 cells found in the supernet's top 10 | "
        f"{np.mean(top):.1f} ± {np.std(top):.1f} |"
    )
    print(
        f"| noise ceiling: tau between two stand-alone training seeds | "
        f"{np.mean(ceiling):.3f} ± {np.std(ceiling):.3f} |"
    )


if __name__ == "__main__":
    main()
