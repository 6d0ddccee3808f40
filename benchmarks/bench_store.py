"""Grasp store speed and size on a real reference grasp (not a test; prints a Markdown table).

Usage: python benchmarks/bench_store.py [--data ../shared/data] [--repeat 3]

Measures, per compression: append (write + fsync + atomic rename) time, read time, bytes on
disk; then a whole single-file session (append 15 grasps + consolidation on close) and the
import of the 15 reference recordings.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path

from tactile.io import GraspReader, GraspWriter, import_reference, load_reference_grasp
from tactile.types import Grasp

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def bench_compression(grasp: Grasp, tmp: Path, repeat: int) -> list[str]:
    rows = []
    for compression, level in (("gzip", 1), ("gzip", 4), ("lzf", None), (None, None)):
        writes, reads = [], []
        for k in range(repeat):
            path = tmp / f"c_{compression}_{level}_{k}"
            t0 = time.perf_counter()
            with GraspWriter(path, compression=compression, compression_level=level) as w:
                w.append(grasp)
            writes.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            GraspReader(path).read(grasp.grasp_id)
            reads.append(time.perf_counter() - t0)
        mb = grasp.frames.nbytes / 1e6
        size = _size(path) / 1e6
        name = f"{compression}{'' if level is None else f'-{level}'}"
        w_s, r_s = statistics.median(writes), statistics.median(reads)
        rows.append(
            f"| {name} | {w_s * 1e3:.0f} | {mb / w_s:.0f} | {r_s * 1e3:.0f} | {mb / r_s:.0f} "
            f"| {size:.1f} | {mb / size:.2f} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    refs = args.data / "reference_grasps"
    grasp = load_reference_grasp(refs / "golf_ball_2.avi")
    print(
        f"grasp: {grasp.n_frames} frames {grasp.frame_shape}, "
        f"{grasp.frames.nbytes / 1e6:.1f} MB raw"
    )
    print(f"cpu count {os.cpu_count()}\n")
    print("| compression | append ms | MB/s | read ms | MB/s | file MB | ratio |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        for row in bench_compression(grasp, tmp, args.repeat):
            print(row)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for dest in (tmp / "ref.h5", tmp / "ref_dir"):
                t0 = time.perf_counter()
                ids = import_reference(
                    refs, dest, frame_codec="raw", strict=True
                )  # pixels, as measured
                dt = time.perf_counter() - t0
                print(
                    f"\nimport {len(ids)} reference grasps (gzip-4) into {dest.name}: {dt:.1f} s, "
                    f"{_size(dest) / 1e6:.0f} MB on disk"
                )
            t0 = time.perf_counter()
            with GraspWriter(tmp / "ref.h5") as w:  # append one more: copy + consolidate
                w.append(dataclasses.replace(grasp, grasp_id="extra"))
            print(
                f"append 1 grasp to the 15-grasp single file (incl. consolidation): "
                f"{time.perf_counter() - t0:.1f} s"
            )
            t0 = time.perf_counter()
            reader = GraspReader(tmp / "ref.h5")
            n = sum(1 for _ in reader)
            print(f"read all {n} grasps back: {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
