"""Bytes per frame that ``tactile collect`` stores from a real GelSight Wedge MJPEG stream.

    python benchmarks/bench_collect_frames.py [--data ../shared/data/reference_grasps]

A real recording's MJPG frames (``foam_brick_1.avi``, 640x480, as the camera sent them) are
served over loopback by the test suite's mjpg_streamer look-alike (``mjpeg://``) while the
simulated gripper and load cell squeeze a simulated object; one grasp is collected with each
``frame_codec`` (``jpeg``: the camera's bytes verbatim; ``raw``: gzip pixels) and the file size
is divided by the frames stored. No hardware needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "reference_grasps"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--avi", default="foam_brick_1.avi")
    args = ap.parse_args()
    sys.path[:0] = [str(ROOT / "tests" / "hardware"), str(ROOT / "tests" / "recording")]
    from hw_helpers import MjpegServer
    from rec_helpers import FAST, rig

    from tactile.io import GraspReader
    from tactile.io.avi_mjpeg import read_mjpeg_video
    from tactile.recording import SessionConfig, run_session

    video = read_mjpeg_video(args.data / args.avi)
    if video is None:
        raise SystemExit(f"{args.data / args.avi} is not an MJPG AVI")
    mean_kb = sum(map(len, video.images)) / len(video.images) / 1e3
    print(f"{args.avi}: {len(video.images)} camera frames, {mean_kb:.1f} kB each\n")
    print("| frames | file bytes | frames stored | kB per frame |\n|---|---:|---:|---:|")
    with TemporaryDirectory() as tmp:
        for codec in ("jpeg", "raw"):
            out = Path(tmp) / f"{codec}.h5"
            server = MjpegServer(video.images, fps=30)
            urls = {**rig(f"bench_{codec}"), "tactile": server.url + "&buffer=4"}
            config = SessionConfig(
                object_id="ball",
                n_grasps=1,
                output=out,
                gripper_url=urls["gripper"],
                camera_url=urls["tactile"],
                force_url=urls["force"],
                recorder=FAST,
                frame_codec=codec,
            )
            try:
                run_session(config, progress=False)
            finally:
                server.close()
            reader = GraspReader(out)
            n = sum(reader.read(gid).n_frames for gid in reader.ids())
            size = out.stat().st_size
            print(f"| {codec} | {size} | {n} | {size / n / 1e3:.1f} |")


if __name__ == "__main__":
    main()
