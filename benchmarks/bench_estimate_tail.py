"""Every grasp's whole estimate from a file, CPU ms on one core: the slow tail, not the median.

    taskset -c 0 python benchmarks/bench_estimate_tail.py /tmp/data/sim_test.h5 --repeats 3

For each grasp of each file: the CPU time (``time.process_time``) of ``estimate_stored`` (read
force/width, the frames the estimator needs, features, estimate; for ``neural`` / ``hybrid``
the metadata and the network's own partial read in one hold of the grasp's file, one torch
thread, as ``tactile estimate``) the first time the
grasp is estimated in this process (a user's case: nothing cached for it yet) and the median of
``--repeats`` further estimates (``--protocol blind``: the metadata without the object's
shape, radius and hints, as a new object arrives). Prints median / p95 / max and how many
grasps exceed ``--limit-ms`` for both, and the slowest grasps; ``--json`` writes the per-grasp
figures.

The first grasp a process estimates also pays one-off costs, which the "first" column
includes: mostly the first touch of the memory its frames and arrays take (page faults), and
the Fletcher-32 weight table of a raw-frame store. As in ``tactile estimate``, the estimator is
loaded before the timer: its imports (with them ``numpy.ma`` and ``numpy.random``, which
:mod:`tactile.processing` imports up front) and, for a network, loading the model and its first
run (``resolve_model``'s warm-up) are start-up, not any grasp's time (BENCHMARKS.md quotes
them separately). The process's peak resident memory is printed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("files", nargs="+", help="grasp files (.h5)")
    p.add_argument("--estimator", default="blind")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--limit-ms", type=float, default=50.0)
    p.add_argument("--slowest", type=int, default=3, help="list this many slowest grasps")
    p.add_argument("--json", default=None, help="write per-grasp CPU ms here")
    p.add_argument(
        "--protocol",
        choices=["given", "blind"],
        default="given",
        help="the metadata the estimator sees: the file's (given, as `tactile estimate`) or "
        "without the object's shape, radius and hints (blind: a new object)",
    )
    args = p.parse_args()

    import cv2

    from tactile.errors import TactileError
    from tactile.estimators import get_estimator
    from tactile.estimators.base import AnalyticalEstimator
    from tactile.evaluation.protocol import apply_protocol
    from tactile.evaluation.runner import estimate_stored
    from tactile.io import GraspReader

    cv2.setNumThreads(1)
    est = get_estimator(args.estimator)
    if not isinstance(est, AnalyticalEstimator):  # the network path: one torch thread
        import torch

        torch.set_num_threads(1)

    def estimate(reader: GraspReader, gid: str) -> None:
        # as `tactile estimate` does (tactile.evaluation.runner): the analytical estimators
        # through estimate_stored, a network through its own partial read, the metadata read
        # in the same hold of the grasp's file
        if isinstance(est, AnalyticalEstimator):
            estimate_stored(reader, gid, est, protocol=args.protocol)
        else:
            with reader.holding(gid):
                meta = apply_protocol(reader.metadata(gid), args.protocol)
                est.estimate_stored(reader, gid, calibration=None, meta=meta)

    out: dict[str, dict[str, float]] = {}
    for path in args.files:
        with GraspReader(path) as reader:
            for gid in reader.ids():
                cpu = []
                for _ in range(1 + args.repeats):
                    c0 = time.process_time()
                    # a refused grasp costs time too; it is timed like the others
                    with contextlib.suppress(TactileError):
                        estimate(reader, gid)
                    cpu.append((time.process_time() - c0) * 1e3)
                out[f"{path}:{gid}"] = {"first": cpu[0], "repeat": statistics.median(cpu[1:])}
        keys = [k for k in out if k.startswith(f"{path}:")]
        for col in ("first", "repeat"):
            ms = np.array([out[k][col] for k in keys])
            slow = sorted(keys, key=lambda k: -out[k][col])[: args.slowest]
            print(
                f"{os.path.basename(path)} {col:6s}: CPU ms median {np.median(ms):.1f} "
                f"p95 {np.percentile(ms, 95):.1f} max {ms.max():.1f}; "
                f"{int((ms > args.limit_ms).sum())} of {ms.size} over {args.limit_ms:g} ms; "
                "slowest " + ", ".join(f"{k.split(':', 1)[1]} {out[k][col]:.0f}" for k in slow)
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"load average {os.getloadavg()[0]:.2f}; peak RSS {peak_mb:.0f} MB")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=0)


if __name__ == "__main__":
    main()
