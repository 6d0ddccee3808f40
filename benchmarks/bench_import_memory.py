"""Peak memory (RSS) of ``tactile import`` on one long real recording (not a test; Markdown).

Usage::

    python benchmarks/bench_import_memory.py --work /tmp/x --frames 3085 \\
        --tree main=/path/to/main_checkout --tree new=/path/to/branch [--frames-codec jpeg]

Makes (once, in ``--work``) a long recording from a real unclipped one of
``reference_grasps_2023-12-16``: its frames played forward and back until ``--frames`` frames
(re-encoded MJPG by OpenCV, 640x480), its forces and widths the same way. Then, for each
``--tree`` (a source checkout, run with ``PYTHONPATH`` on it), runs
``tactile import LONG_DIR OUT.h5`` under ``/usr/bin/time -v`` and reports the maximum resident
set size and the wall time, then checks that every output holds the same content (every
dataset byte for byte, every attribute except the write time stamps ``written_unix_ns`` and
``extra.imported_utc``, and the ``extra`` keys named by ``--ignore-extra``, e.g.
``source_identity``, which trees before import41 do not write).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
STEM = "golf_ball__t=0"


def _pingpong(n_src: int, n: int) -> np.ndarray:
    cycle = np.r_[np.arange(n_src), np.arange(n_src - 2, 0, -1)]
    return np.resize(cycle, n)


def make_long_recording(data: Path, work: Path, n_frames: int) -> Path:
    """``work/long/<STEM>.avi`` (+ pickles) with ``n_frames`` frames; made once."""
    import cv2

    from tactile.io.pickles import load_array_pickle

    folder = work / f"long{n_frames}"
    avi = folder / f"{STEM}.avi"
    if avi.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    src = data / "reference_grasps_2023-12-16"
    cap = cv2.VideoCapture(str(src / f"{STEM}.avi"), cv2.CAP_OPENCV_MJPEG)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    force = load_array_pickle(src / f"{STEM}_forces.pkl")
    width = load_array_pickle(src / f"{STEM}_widths.pkl")
    n_src = min(len(frames), len(force), len(width))
    order = _pingpong(n_src, n_frames)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(avi), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (w, h))
    for i in order:
        writer.write(frames[i])
    writer.release()
    (folder / f"{STEM}_forces.pkl").write_bytes(pickle.dumps(force[order]))
    (folder / f"{STEM}_widths.pkl").write_bytes(pickle.dumps(width[order]))
    return folder


def run_import(tree: Path, src: Path, out: Path, codec: str) -> dict[str, float]:
    """Peak RSS (MB) and wall time (s) of one ``tactile import`` run from ``tree``."""
    out.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "tactile.cli.main", "import"]
    cmd += [str(src), str(out), "--no-progress", "--frames", codec]
    proc = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"import from {tree} failed:\n{proc.stdout}\n{proc.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", proc.stderr)
    assert rss and wall, proc.stderr
    parts = [float(x) for x in wall.group(1).split(":")]
    seconds = sum(x * 60**k for k, x in enumerate(reversed(parts)))
    return {"peak_rss_mb": int(rss.group(1)) / 1024, "wall_s": seconds}


def _norm_attr(name: str, value: Any, ignore: tuple[str, ...]) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and name == "extra":
        extra = json.loads(value)
        for key in ("imported_utc", *ignore):
            extra.pop(key, None)
        return extra
    if isinstance(value, np.ndarray):
        return value.tobytes()
    return value


def content(path: Path, ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every dataset's bytes and every attribute of ``path`` (time stamps left out)."""
    import h5py

    items: dict[str, Any] = {}

    def visit(name: str, obj: Any) -> None:
        attrs = {
            k: _norm_attr(k, v, ignore) for k, v in obj.attrs.items() if k != "written_unix_ns"
        }
        items[f"{name}@attrs"] = attrs
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            items[name] = (data.dtype.str, data.shape, np.asarray(data).tobytes())

    with h5py.File(path, "r") as f:
        items["/@attrs"] = {k: _norm_attr(k, v, ignore) for k, v in f.attrs.items()}
        f.visititems(visit)
    return items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--frames", type=int, default=3085)
    ap.add_argument("--frames-codec", default="jpeg", choices=("jpeg", "raw"))
    ap.add_argument("--tree", action="append", required=True, help="NAME=PATH (repeatable)")
    ap.add_argument("--ignore-extra", action="append", default=[], help="extra key (repeatable)")
    args = ap.parse_args()
    src = make_long_recording(args.data, args.work, args.frames)
    avi = next(src.glob("*.avi"))
    print(f"recording: {avi} ({avi.stat().st_size / 1e6:.1f} MB, {args.frames} frames)")
    print(f"frames codec: {args.frames_codec}\n")
    print("| tree | peak RSS (MB) | wall (s) |\n|---|---:|---:|")
    outputs = {}
    for spec in args.tree:
        name, path = spec.split("=", 1)
        out = args.work / f"out_{name}_{args.frames_codec}.h5"
        res = run_import(Path(path).resolve(), src, out, args.frames_codec)
        outputs[name] = out
        print(f"| {name} | {res['peak_rss_mb']:.0f} | {res['wall_s']:.1f} |")
    names = list(outputs)
    ignore = tuple(args.ignore_extra)
    ref = content(outputs[names[0]], ignore)
    print()
    for name in names[1:]:
        same = content(outputs[name], ignore) == ref
        left_out = f" (extra keys left out: {', '.join(ignore)})" if ignore else ""
        print(f"{name} output identical in content to {names[0]}'s{left_out}: {same}")


if __name__ == "__main__":
    main()
