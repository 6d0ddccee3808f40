"""Simulator throughput: simulated grasps per second (one core) and peak memory per grasp.

Run: ``python benchmarks/bench_sim.py [--grasps 20] [--sizes 240x320 480x640] [--wedge-raw]
[--profile]``. ``--wedge-raw`` adds raw 640x480 frames of the reference Wedge (pad rendered at
300x400 and warped through the mirror each frame, the view moving with the load);
``--profile`` prints where the time goes at the first size. Objects come from
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

from tactile.sensor import SIM_WEDGE
from tactile.sim import SimGraspConfig, sample_population, simulate_grasp


def pad_config(size_hw: tuple[int, int]) -> SimGraspConfig:
    # same pad, finer pixels: scale mm/px so every size shows the 35 x 25.5 mm pad
    cal = replace(
        SIM_WEDGE,
        mm_per_px_x=SIM_WEDGE.mm_per_px_x * 320 / size_hw[1],
        mm_per_px_y=SIM_WEDGE.mm_per_px_y * 240 / size_hw[0],
    )
    return SimGraspConfig.realistic(calibration=cal, size_hw=size_hw)


def bench(cfg: SimGraspConfig, n_grasps: int) -> dict[str, float]:
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


def profile(cfg: SimGraspConfig, n_grasps: int) -> None:
    """Top functions by own time over ``n_grasps`` grasps."""
    import cProfile
    import pstats

    objects = sample_population(n_grasps, "reference", seed=0)
    simulate_grasp(objects[0], cfg, seed=0)
    prof = cProfile.Profile()
    prof.enable()
    for i, obj in enumerate(objects):
        simulate_grasp(obj, cfg, seed=i)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(12)


def _size(text: str) -> tuple[int, int]:
    h, w = (int(v) for v in text.lower().split("x"))
    return h, w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grasps", type=int, default=20)
    parser.add_argument("--sizes", nargs="+", type=_size, default=[(240, 320), (480, 640)])
    parser.add_argument("--wedge-raw", action="store_true", help="also raw 640x480 Wedge frames")
    parser.add_argument("--profile", action="store_true", help="profile the first size")
    args = parser.parse_args()
    if args.profile:
        profile(pad_config(args.sizes[0]), args.grasps)
        return
    print(
        f"tactile.sim benchmark on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs visible, numpy {np.__version__}, 1 process\n"
    )
    print(
        "| frame size | grasps/s (wall, 1 process) | grasps per CPU-second | frames/s (wall) | "
        "frames/grasp | peak memory per grasp (MiB) | frames array (MiB) |"
    )
    print("|---|---|---|---|---|---|---|")
    runs = [(f"{h}x{w}", pad_config((h, w))) for h, w in args.sizes]
    if args.wedge_raw:
        runs.append(("480x640 raw Wedge", SimGraspConfig.wedge_raw()))
    for label, cfg in runs:
        r = bench(cfg, args.grasps)
        print(
            f"| {label} | {r['grasps_per_s']:.1f} | {r['grasps_per_cpu_s']:.1f} | "
            f"{r['frames_per_s']:.0f} | "
            f"{r['mean_frames']:.0f} | {r['peak_mib']:.0f} | {r['grasp_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
