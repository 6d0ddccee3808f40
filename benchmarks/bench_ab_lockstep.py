"""Two source trees' whole estimates from a file, timed in lockstep on one core (A/B).

    python benchmarks/bench_ab_lockstep.py --base /work/main_base --new . \
        --estimator hybrid /tmp/data/sim_test.h5 /tmp/data/ref_0612_nolabel.h5

This shared machine's speed drifts by tens of percent within minutes, so two
``bench_estimate_tail.py`` runs a minute apart (one per tree) can differ by more than the change
being measured. Here one worker process per tree (``PYTHONPATH`` = the tree, both pinned to
``--core``) estimates the *same grasp* one right after the other, the order alternating from
grasp to grasp: each grasp's pair is timed seconds apart, under the same load. Each worker times
its own CPU (``time.process_time``) around ``est.estimate_stored(reader, gid, calibration=None,
meta=reader.metadata(gid))`` in one ``reader.holding(gid)`` for a network estimator (as
``bench_estimate_tail.py`` and ``tactile estimate``; an
analytical one through ``tactile.evaluation.runner.estimate_stored``), one torch / OpenCV
thread; per grasp the median of ``--repeats`` estimates after one first (warm-up) estimate.
Prints per file and tree median / p95 / max / grasps over ``--limit-ms`` and the median paired
difference (new - base); ``--json`` writes the per-grasp figures.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

import numpy as np

_WORKER = r"""
import contextlib, json, os, sys, time
os.environ.setdefault("OMP_NUM_THREADS", "1")
import cv2
cv2.setNumThreads(1)
import tactile
from tactile.errors import TactileError
from tactile.estimators import get_estimator
from tactile.estimators.base import AnalyticalEstimator
from tactile.evaluation.runner import estimate_stored
from tactile.io import GraspReader
est = get_estimator(sys.argv[1])
if not isinstance(est, AnalyticalEstimator):
    import torch
    torch.set_num_threads(1)
def estimate(r, gid):
    if isinstance(est, AnalyticalEstimator):
        estimate_stored(r, gid, est)
    else:
        with r.holding(gid):
            est.estimate_stored(r, gid, calibration=None, meta=r.metadata(gid))
readers = {}
print(json.dumps(tactile.__file__), flush=True)
for line in sys.stdin:
    path, gid, n = json.loads(line)
    r = readers.get(path) or readers.setdefault(path, GraspReader(path))
    cpu = []
    for _ in range(n):
        c0 = time.process_time()
        with contextlib.suppress(TactileError):  # a refused grasp is timed like the others
            estimate(r, gid)
        cpu.append((time.process_time() - c0) * 1e3)
    print(json.dumps(cpu), flush=True)
"""


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("files", nargs="+", help="grasp files (.h5)")
    p.add_argument("--base", required=True, help="source tree A (its root holds tactile/)")
    p.add_argument("--new", required=True, help="source tree B")
    p.add_argument("--estimator", default="hybrid")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--core", type=int, default=0, help="the CPU both workers run on")
    p.add_argument("--limit-ms", type=float, default=50.0)
    p.add_argument("--json", default=None, help="write per-grasp CPU ms here")
    args = p.parse_args()

    trees = {"base": os.path.abspath(args.base), "new": os.path.abspath(args.new)}
    workers = {}
    for name, tree in trees.items():
        env = dict(os.environ, PYTHONPATH=tree, OMP_NUM_THREADS="1")
        cmd = ["taskset", "-c", str(args.core), sys.executable, "-c", _WORKER, args.estimator]
        workers[name] = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd="/"
        )
        print(f"{name}: {json.loads(_line(workers[name]))}")

    sys.path.insert(0, trees["new"])
    from tactile.io import GraspReader

    per_grasp: dict[str, dict[str, float]] = {}
    n = 0
    for path in args.files:
        for gid in GraspReader(path).ids():
            order = ("base", "new") if n % 2 == 0 else ("new", "base")
            n += 1
            row = {}
            for name in order:
                w = workers[name]
                assert w.stdin is not None
                w.stdin.write(json.dumps([path, gid, 1 + args.repeats]) + "\n")
                w.stdin.flush()
                cpu = json.loads(_line(w))
                row[name] = statistics.median(cpu[1:])
            per_grasp[f"{path}:{gid}"] = row
    for w in workers.values():
        assert w.stdin is not None
        w.stdin.close()
        w.wait()

    for path in args.files:
        keys = [k for k in per_grasp if k.startswith(f"{path}:")]
        cells = []
        for name in ("base", "new"):
            ms = np.array([per_grasp[k][name] for k in keys])
            cells.append(
                f"{name} {np.median(ms):.1f} / {np.percentile(ms, 95):.1f} / {ms.max():.1f} / "
                f"{int((ms > args.limit_ms).sum())} of {ms.size}"
            )
        d = np.array([per_grasp[k]["new"] - per_grasp[k]["base"] for k in keys])
        name = os.path.basename(path)
        print(f"{name}: " + " | ".join(cells) + f" | new - base {np.median(d):+.1f}")
    d = np.array([v["new"] - v["base"] for v in per_grasp.values()])
    print(
        f"all {d.size} grasps: new - base per grasp median {np.median(d):+.1f} ms "
        f"(p25 {np.percentile(d, 25):+.1f}, p75 {np.percentile(d, 75):+.1f}); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(per_grasp, f, indent=0)


def _line(worker: subprocess.Popen[str]) -> str:
    assert worker.stdout is not None
    line = worker.stdout.readline()
    if not line:
        raise SystemExit(f"a worker stopped (exit {worker.wait()}); run it alone to see why")
    return line


if __name__ == "__main__":
    main()
