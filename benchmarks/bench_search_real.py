"""The searched design on real grasps, evaluated AFTER the search (never inside it).

    nice -n 10 python benchmarks/bench_search_real.py --recipe benchmarks/results/search_best.json \
        --train ../search_data/sim_search.h5 --real ../search_data/real.h5 --seeds 0,1,2

Trains the hand-designed default (mt-physics) and the searched recipe with the same protocol
(``train_network``: the given epochs, default optimiser and augmentation, 15 % validation
objects) on the same simulated file, once per seed, and scores both on the real grasps, per
object (median over its grasps), beside the constant prediction and the analytical estimate.
The real file: ``tactile import ../shared/data/reference_grasps real.h5 --labels
../shared/data/objects_and_compliance.csv`` (5 objects, 15 grasps). Blind: the network sees the
grasp and the label table's shape metadata only as the import stores it.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np


def main() -> None:
    import warnings

    from tactile.estimators.neural.evaluate import evaluate_model, summarize
    from tactile.estimators.neural.model import model_config
    from tactile.estimators.neural.recipe import load_recipe
    from tactile.estimators.neural.train import TrainConfig
    from tactile.estimators.neural.training import TrainingWarning, train_network
    from tactile.search.objective import measure_latency_ms

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--recipe", required=True)
    p.add_argument("--train", nargs="+", required=True)
    p.add_argument("--real", required=True)
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--cache-dir", default=None)
    args = p.parse_args()
    warnings.simplefilter("ignore", TrainingWarning)
    designs = {
        "default (mt-physics)": model_config("mt-physics"),
        "searched": load_recipe(args.recipe).network,
    }
    results: dict[str, list[dict[str, dict[str, float]]]] = {k: [] for k in designs}
    for name, cfg in designs.items():
        for seed in (int(s) for s in args.seeds.split(",")):
            run = train_network(
                args.train,
                cfg,
                TrainConfig(epochs=args.epochs, seed=seed, num_threads=1),
                cache_dir=args.cache_dir,
                progress=False,
                stiff_limit_pa=1e12,
            )
            records = evaluate_model(run.model, [args.real], cache_dir=args.cache_dir)
            results[name].append(summarize(records))
    print("## Searched design on the real grasps (after the search)\n")
    print(
        f"`python benchmarks/bench_search_real.py --recipe {args.recipe} --train "
        f"{' '.join(args.train)} --real {args.real} --seeds {args.seeds} --epochs "
        f"{args.epochs}`\n"
    )
    print("| design | objects | within 1 decade | log10 MAE | CPU latency ms |")
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        one = [r["network"]["within_1_decade"] for r in runs]
        mae = [r["network"]["log10_mae"] for r in runs]
        lat = measure_latency_ms(designs[name], repeats=100)
        print(
            f"| {name} | {runs[0]['network']['n_objects']:.0f} | {np.mean(one):.0%} ± "
            f"{np.std(one):.0%} | {np.mean(mae):.2f} ± {np.std(mae):.2f} | {lat:.3f} |"
        )
    base = results["searched"][0]
    for name in ("constant", "analytical"):
        print(
            f"| {name} baseline | {base[name]['n_objects']:.0f} | "
            f"{base[name]['within_1_decade']:.0%} | {base[name]['log10_mae']:.2f} | |"
        )


if __name__ == "__main__":
    main()
