"""What a user pays: bytes per grasp on disk, decode time per frame, `tactile estimate` start-up.

Usage: python benchmarks/bench_costs.py [--data ../shared/data] [--sim-grasps 6] [--repeat 5]
       [--skip-bytes] [--skip-startup] [--e2e] [--frames raw|jpeg]

Runs the `tactile` commands a user would run (import, simulate, estimate) in subprocesses, so the
same script measures any version of the code (``--frames`` is passed only when given):

- bytes per grasp: ``tactile import`` of the 15 reference recordings (MJPG AVI); ``tactile
  simulate`` of ``--sim-grasps`` grasps with the default pad camera and with ``--camera
  wedge-raw`` (the raw 640x480 Wedge view);
- decode time per frame: CPU time of ``GraspReader.read_frames(gid, [i])`` for every frame of
  every grasp, one at a time (what a partial read pays), median and 90th percentile;
- fixed cost of ``tactile estimate``: CPU time (user + system) of the command on a one-grasp
  file minus the in-process CPU time of that grasp's estimate, medians of ``--repeat`` runs, for
  ``auto`` (analytical) and ``neural``. CPU time, not wall time, because the development
  machine is shared: wall time there measures the other jobs (the wall column shows it);
- with ``--e2e``: CPU time of a whole estimate (``estimate_dataset`` on one grasp: signals, the
  frames it needs, features, estimate) of each of the 15 real grasps from the imported file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_SCRIPT = Path(sys.executable).with_name("tactile")  # the console script a user runs
TACTILE = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "tactile.cli.main"]


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _run(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([*TACTILE, *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def _run_cpu(args: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one ``tactile`` command in a subprocess."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = _run(args)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def decode_per_frame(path: Path) -> tuple[float, float, float, tuple[int, ...]]:
    """CPU ms per frame: median and p90 of reading one frame per call (every frame of every
    grasp), and the whole grasp in one call divided by its frames (no per-call overhead)."""
    from tactile.io import GraspReader

    times, whole = [], []
    shape: tuple[int, ...] = ()
    with GraspReader(path) as reader:
        for gid in reader.ids():
            n = reader.summary(gid)["n_frames"]
            for i in range(n):
                t0 = time.process_time()  # CPU time: robust to other jobs on the machine
                frame = reader.read_frames(gid, [i])
                times.append(time.process_time() - t0)
                shape = frame.shape[1:]
            t0 = time.process_time()
            reader.read_frames(gid, list(range(n)))
            whole.append((time.process_time() - t0) / n)
    ms = np.asarray(times) * 1e3
    return float(np.median(ms)), float(np.percentile(ms, 90)), 1e3 * float(np.median(whole)), shape


def bytes_rows(data: Path, tmp: Path, sim_grasps: int, frames_flag: list[str]) -> list[str]:
    rows = []
    cases = [
        ("real import, 15 MJPG AVIs (15.5 MB)", "import", tmp / "ref.h5"),
        (f"simulate pad 240x320, {sim_grasps} grasps", "sim-pad", tmp / "sim_pad.h5"),
        (f"simulate wedge-raw 640x480, {sim_grasps} grasps", "sim-raw", tmp / "sim_raw.h5"),
    ]
    for name, kind, out in cases:
        if kind == "import":
            secs = _run(["import", str(data / "reference_grasps"), str(out), *frames_flag])
        else:
            camera = ["--camera", "wedge-raw"] if kind == "sim-raw" else []
            secs = _run(
                ["simulate", str(out), "--objects", str(sim_grasps), "--grasps", "1",
                 "--workers", "1", "--no-progress", *camera, *frames_flag]
            )  # fmt: skip
        from tactile.io import GraspReader

        with GraspReader(out) as reader:
            n = len(reader)
            n_frames = sum(reader.summary(g)["n_frames"] for g in reader.ids())
        size = _size(out)
        med, p90, whole, shape = decode_per_frame(out)
        rows.append(
            f"| {name} | {secs:.1f} | {size / n / 1e6:.2f} | {size / n_frames / 1e3:.1f} "
            f"| {'x'.join(map(str, shape))} | {med:.2f} | {p90:.2f} | {whole:.2f} |"
        )
    return rows


def startup_rows(data: Path, tmp: Path, repeat: int) -> list[str]:
    from tactile.evaluation.runner import estimate_dataset
    from tactile.io import GraspReader, GraspWriter, load_reference_grasp

    one = tmp / "one.h5"
    if not one.exists():
        grasp = load_reference_grasp(data / "reference_grasps" / "golf_ball_1.avi")
        with GraspWriter(one) as w:
            w.append(grasp)
    with GraspReader(one) as r:
        assert len(r) == 1
    rows = []
    for est in ("auto", "neural"):
        runs = [_run_cpu(["estimate", str(one), "--estimator", est]) for _ in range(repeat)]
        estimate_dataset(one, est)  # warm: imports, model load, caches
        inner = []
        for _ in range(repeat):
            t0 = time.process_time()
            estimate_dataset(one, est)
            inner.append(time.process_time() - t0)
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        work = statistics.median(inner)
        rows.append(
            f"| {est} | {wall * 1e3:.0f} | {cpu * 1e3:.0f} | {work * 1e3:.0f} "
            f"| **{(cpu - work) * 1e3:.0f}** |"
        )
    return rows


def e2e_rows(data: Path, tmp: Path, repeat: int) -> list[str]:
    """CPU ms of a whole estimate per real grasp from an imported file (decode included)."""
    from tactile.evaluation.runner import estimate_dataset
    from tactile.io import GraspReader

    ref = tmp / "ref_e2e.h5"
    if not ref.exists():
        _run(["import", str(data / "reference_grasps"), str(ref)])
    ids = GraspReader(ref).ids()
    rows = []
    for est in ("auto", "neural"):
        estimate_dataset(ref, est, grasp_ids=ids[:1])  # warm: imports, model, caches
        per_grasp = []
        for gid in ids:
            runs = []
            for _ in range(repeat):
                t0 = time.process_time()
                estimate_dataset(ref, est, grasp_ids=[gid])
                runs.append(time.process_time() - t0)
            per_grasp.append(1e3 * statistics.median(runs))
        rows.append(
            f"| {est} | {statistics.median(per_grasp):.1f} | {max(per_grasp):.1f} "
            f"| {sum(v > 50 for v in per_grasp)} of {len(per_grasp)} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sim-grasps", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--frames", choices=("raw", "jpeg"), default=None)
    ap.add_argument("--skip-startup", action="store_true")
    ap.add_argument("--skip-bytes", action="store_true")
    ap.add_argument("--e2e", action="store_true", help="also: whole estimates of real grasps")
    args = ap.parse_args()
    frames_flag = ["--frames", args.frames] if args.frames else []
    print(f"cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.1f}\n")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if not args.skip_bytes:
            print("| dataset | command s | MB per grasp | kB per frame | frame | read 1 frame "
                  "CPU ms (median) | p90 | per frame, whole grasp in one call |")  # fmt: skip
            print("|---|---:|---:|---:|---|---:|---:|---:|")
            for row in bytes_rows(args.data, tmp, args.sim_grasps, frames_flag):
                print(row, flush=True)
        if not args.skip_startup:
            print("\n| estimator | `tactile estimate` wall ms | its CPU ms | estimate in-process "
                  "CPU ms | fixed cost (CPU) ms |")  # fmt: skip
            print("|---|---:|---:|---:|---:|")
            for row in startup_rows(args.data, tmp, args.repeat):
                print(row, flush=True)
        if args.e2e:
            print("\n| estimator | whole estimate from file, CPU ms per real grasp (median) "
                  "| max | over 50 ms |")  # fmt: skip
            print("|---|---:|---:|---:|")
            for row in e2e_rows(args.data, tmp, args.repeat):
                print(row, flush=True)
    print(json.dumps({"load_after": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
