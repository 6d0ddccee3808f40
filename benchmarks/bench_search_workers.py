"""Search throughput: trials per hour with one worker, and the speed-up with two workers sharing
one study (two `tactile search` processes on one journal file, or on PostgreSQL with --storage).

    nice -n 10 python benchmarks/bench_search_workers.py ../search_data/sim_search.h5 \
        --trials 8 --epochs 30

Both runs use the same protocol (3 folds, the given epochs, one torch thread per worker) and a
warm input cache; pruning is off so every trial costs a full cross-validation. Prints Markdown
with the machine's load average: on a shared machine the figures are lower bounds of what a
free one does.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _run(data: list[str], out: Path, storage: str, args: argparse.Namespace, seed: int) -> Any:
    cmd = [sys.executable, "-m", "tactile.cli.main", "search", *data, "--out", str(out)]
    cmd += ["--storage", storage, "--trials", str(args.trials), "--epochs", str(args.epochs)]
    cmd += ["--folds", "3", "--no-prune", "--no-plots", "--no-progress", "--json"]
    cmd += ["--sampler", "random", "--sampler-seed", str(seed), "--threads", "1"]
    cmd += ["--cache-dir", str(args.cache_dir)]
    if args.towers:
        cmd += ["--towers", args.towers]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("data", nargs="+")
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--towers", default=None, help="restrict the space, e.g. force,width")
    p.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "tactile-bench")
    args = p.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            storage = str(Path(tmp) / f"w{workers}.log")
            load0 = os.getloadavg()[0]
            start = time.perf_counter()
            procs = [
                _run(args.data, Path(tmp) / f"o{workers}{i}", storage, args, i)
                for i in range(workers)
            ]
            for proc in procs:
                _, err = proc.communicate()
                if proc.returncode != 0:
                    sys.exit(err)
            wall = time.perf_counter() - start
            rows.append((workers, wall, args.trials / wall * 3600, load0, os.getloadavg()[0]))
    print(
        f"`python benchmarks/bench_search_workers.py {' '.join(args.data)} --trials "
        f"{args.trials} --epochs {args.epochs}"
        f"{' --towers ' + args.towers if args.towers else ''}` ({os.cpu_count()} cores)\n"
    )
    print("| workers | trials | wall s | trials per hour | speed-up | load avg (start, end) |")
    print("|---|---|---|---|---|---|")
    for workers, wall, rate, l0, l1 in rows:
        print(
            f"| {workers} | {args.trials} | {wall:.0f} | {rate:.0f} | "
            f"{rows[0][1] / wall:.2f}x | {l0:.1f}, {l1:.1f} |"
        )


if __name__ == "__main__":
    main()
