"""Device-layer throughput: how fast the drivers can talk and decode (prints a Markdown table).

    python benchmarks/bench_hardware.py [--data ../shared/data/reference_grasps] [--seconds 3]

- Robotiq 2F-85 status polls per second through the real driver and the byte-level firmware
  emulator (``robotiq-sim://``, pyserial URL handler): the driver's own cost (framing, CRC,
  parsing) without a wire. A real RS-485 link at 115200 baud adds about 1.7 ms of transmission
  per poll (8-byte request + 11-byte reply, 10 bits a byte) plus the gripper's turnaround.
- Tactile frames per second decoded by the OpenCV camera backend from a real GelSight Wedge
  recording (``opencv://file.avi``, MJPG, 640x480): the decoding cost a live MJPG camera has too.

The force gauge is not timed: its rate is the device's own (a load cell board sends ~80-200
readings/s), far below what the line parser reads.

With ``--overshoot``: the true peak contact force in the simulated rig (emulated 2F-85 with its
force overshoot, 200 Hz gauge) when recording grasps with a 25 N limit, per object stiffness and
approach speed, for the second grasp of a session (the first closes slowly all the way): what
the two-speed closing and the force margin leave of the limit.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "reference_grasps"


def _rate(step: Callable[[], object], seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        step()
        n += 1
    return n / (time.perf_counter() - t0)


def gripper_polls(seconds: float) -> float:
    from tactile.hardware import open_gripper

    with open_gripper("robotiq-sim://?rig=bench&radius_mm=20&modulus_pa=1e5") as g:
        g.activate()
        return _rate(g.state, seconds)


def camera_frames(avi: Path, seconds: float) -> float:
    from tactile.hardware import open_tactile_sensor
    from tactile.hardware.base import EndOfStreamError

    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        with open_tactile_sensor(f"opencv://{avi}") as cam:
            try:
                while time.perf_counter() - t0 < seconds:
                    cam.read()
                    n += 1
            except EndOfStreamError:
                continue
    return n / (time.perf_counter() - t0)


def overshoot_rows() -> list[tuple[str, float]]:
    import dataclasses

    from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
    from tactile.hardware.sim_world import SimRigs
    from tactile.recording import Recorder, RecorderConfig
    from tactile.types import GraspMetadata

    rows = []
    base = RecorderConfig(max_force_n=25.0, target_force_n=24.0, hold_s=0.0, pre_s=0.03,
                          release_s=0.5)  # fmt: skip
    for modulus in (3e4, 2e5, 1e9):
        for speed in (0.1, 1.0):
            rigs = SimRigs()
            q = f"rig=b&modulus_pa={modulus}&radius_mm=25"
            config = dataclasses.replace(base, close_speed=speed)
            with (
                open_gripper(f"robotiq-sim://?{q}&activation_s=0", rigs=rigs) as g,
                open_tactile_sensor(f"sim://?{q}&fps=60&height_px=48&width_px=64", rigs=rigs) as c,
                open_force_sensor(f"sim://?{q}&rate_hz=200", rigs=rigs) as f,
            ):
                g.activate()
                recorder = Recorder(g, c, f, config)
                for i in range(2):
                    recorder.record(f"g{i}", GraspMetadata(object_id="b"))
            world = rigs.get("b")
            assert world is not None
            name = f"peak force, E = {modulus:.0e} Pa, approach speed {speed} (limit 25 N)"
            rows.append((name, world.peak_force_n))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--overshoot", action="store_true", help="also the force-limit table")
    args = parser.parse_args()
    import cv2

    cv2.setNumThreads(1)
    rows = [("Robotiq status polls (driver + emulator, no wire)", gripper_polls(args.seconds))]
    avis = sorted(args.data.glob("*.avi"))
    if avis:
        name = "Wedge MJPG frames decoded (opencv://, 640x480)"
        rows.append((name, camera_frames(avis[0], args.seconds)))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| path | per second |\n|---|---:|")
    for name, value in rows:
        print(f"| {name} | {value:,.0f} |")
    if args.overshoot:
        print("\n| simulated grasp | N |\n|---|---:|")
        for name, value in overshoot_rows():
            print(f"| {name} | {value:.1f} |")


if __name__ == "__main__":
    main()
