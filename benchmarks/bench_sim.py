"""Simulator throughput: simulated grasps per second (one core) and peak memory per grasp.

Run: ``python benchmarks/bench_sim.py [--grasps 20] [--sizes 240x320 640x480]``. Objects come from
the ``reference`` population (seed 0) with the ``realistic`` settings, so frame counts vary like
a real dataset's (about 35-100 frames per grasp). Prints a markdown table. On a shared
machine the wall-clock rate depends on the load; grasps per CPU-second does not (much).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import tracemalloc
from dataclasses import replace

import numpy as np

from tactile.calibration.sensor import SIM_WEDGE
from tactile.sim import SimGraspConfig, sample_population, simulate_grasp


def bench(size_hw: tuple[int, int], n_grasps: int) -> dict[str, float]:
    # same pad, finer pixels: scale mm/px so every size shows the 35 x 25.5 mm pad
    cal = replace(
        SIM_WEDGE,
        mm_per_px_x=SIM_WEDGE.mm_per_px_x * 320 / size_hw[1],
        mm_per_px_y=SIM_WEDGE.mm_per_px_y * 240 / size_hw[0],
    )
    cfg = SimGraspConfig.realistic(calibration=cal, size_hw=size_hw)
    objects = sample_population(n_grasps, "reference", seed=0)
    simulate_grasp(objects[0], cfg, seed=0)  # warm-up (imports, caches)
    frames = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for i, obj in enumerate(objects):
        frames += simulate_grasp(obj, cfg, seed=i).n_frames
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    tracemalloc.start()
    grasp = simulate_grasp(objects[0], cfg, seed=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "grasps_per_s": n_grasps / elapsed,
        "grasps_per_cpu_s": n_grasps / cpu,
        "frames_per_s": frames / elapsed,
        "mean_frames": frames / n_grasps,
        "peak_mib": peak / 2**20,
        "grasp_mib": grasp.frames.nbytes / 2**20,
    }


def _size(text: str) -> tuple[int, int]:
    h, w = (int(v) for v in text.lower().split("x"))
    return h, w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grasps", type=int, default=20)
    parser.add_argument("--sizes", nargs="+", type=_size, default=[(240, 320), (480, 640)])
    args = parser.parse_args()
    print(
        f"tactile.sim benchmark on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs visible, numpy {np.__version__}, 1 process\n"
    )
    print(
        "| frame size | grasps/s (wall, 1 process) | grasps per CPU-second | frames/s (wall) | "
        "frames/grasp | peak memory per grasp (MiB) | frames array (MiB) |"
    )
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        r = bench(size, args.grasps)
        print(
            f"| {size[0]}x{size[1]} | {r['grasps_per_s']:.1f} | {r['grasps_per_cpu_s']:.1f} | "
            f"{r['frames_per_s']:.0f} | "
            f"{r['mean_frames']:.0f} | {r['peak_mib']:.0f} | {r['grasp_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
