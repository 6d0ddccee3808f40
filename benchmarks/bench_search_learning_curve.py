"""Exploratory (issue 15, after search28): the default and a searched pick trained on a share of
the training file's objects (the CV folds' share, 0.8) and on all of them, scored blind on test
files: does the CV's smaller training set explain why a CV lead does not carry to new objects?

    python benchmarks/bench_search_learning_curve.py /tmp/search27/sim_train.h5 \\
        --pick benchmarks/results/search28_pick.json \\
        --test /tmp/rec28/test2710.h5 /tmp/rec28/test2711.h5 --test-cache-dir /tmp/rec28/tcache \\
        --cache-dir /tmp/search27/cache --out /tmp/lc.json

Single networks, training seeds 0-4; at each share the objects kept are drawn with
``numpy.random.default_rng(100 + seed)``; each network is trained as ``tactile train`` trains
its final network (``bench_search_default.train_final``). Per-object log10 MAE, blind inputs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_search_default as bsd


def main() -> None:
    import torch

    from tactile.estimators.neural.metrics import per_object
    from tactile.estimators.neural.predict import predict_log10
    from tactile.estimators.neural.recipe import load_recipe
    from tactile.search.objective import DatasetCache

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", type=Path)
    p.add_argument("--pick", type=Path, required=True)
    p.add_argument("--test", type=Path, nargs="+", required=True)
    p.add_argument("--test-cache-dir", type=Path, required=True)
    p.add_argument("--cache-dir", type=Path, default=None)
    p.add_argument("--shares", default="0.8,1.0")
    p.add_argument("--seeds", default="0,1,2,3,4")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()
    torch.set_num_threads(1)
    cache = DatasetCache([args.data], cache_dir=args.cache_dir)
    designs = {
        "default": (bsd._default_recipe(), {"epochs": 150}),
        "pick": (load_recipe(args.pick), {}),
    }
    out: dict[str, list[float]] = {}
    for name, (recipe, overrides) in designs.items():
        data = cache.get(recipe.network)
        test = bsd.prepare_blind(list(args.test), recipe.network, args.test_cache_dir)
        objects = np.unique(data.object_ids)
        for share in (float(v) for v in args.shares.split(",")):
            errors = []
            for seed in (int(v) for v in args.seeds.split(",")):
                rng = np.random.default_rng(100 + seed)
                keep = set(rng.choice(objects, size=round(share * len(objects)), replace=False))
                idx = np.flatnonzero([o in keep for o in data.object_ids])
                loaded = bsd.train_final(data.subset(idx), recipe, seed, overrides)
                mu = np.asarray(predict_log10(loaded, test.arrays)[0])
                _, lab, pred = per_object(test.object_ids, test.log10_modulus, mu)
                errors.append(round(float(np.mean(np.abs(pred - lab))), 5))
            out[f"{name}@{share}"] = errors
            print(name, share, errors, round(float(np.mean(errors)), 3), flush=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
