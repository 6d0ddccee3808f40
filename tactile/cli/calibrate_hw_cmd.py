"""``tactile calibrate gripper|gauge``: bench calibrations of the rig, stored in its profile.

Both drive the profile's devices (or ``--gripper`` / ``--force`` URLs), ask for each manual
step on the terminal (``--yes`` skips the waits: simulated rigs, scripts), print what they
measured and write it into the profile's ``[gripper_calibration]`` / ``[force_calibration]``
table (``--dry-run`` only prints). Collection sessions with that profile apply it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, print_json


def register_steps(sub: Any) -> None:
    """Add the ``gripper`` and ``gauge`` steps to ``tactile calibrate``."""
    g = sub.add_parser(
        "gripper",
        help="gripper width: open/closed position counts (+ gauge blocks) into the profile",
        description="Measure the position counts of the fully open and fully closed gripper "
        "(a real 2F-85 reads about 3 and 230, not 0 and 255) and, optionally, of gauge blocks, "
        "and store the count <-> mm map in the hardware profile.",
    )
    _device_args(g, "gripper")
    g.add_argument(
        "--open-mm", type=float, required=True, help="finger gap fully open (caliper, mm)"
    )
    g.add_argument("--closed-mm", type=float, default=0.0, help="finger gap fully closed (0)")
    g.add_argument(
        "--block-mm", type=float, action="append", default=[], help="a gauge block (repeatable)"
    )
    g.set_defaults(func=run_gripper)
    w = sub.add_parser(
        "gauge",
        help="load cell: tare, then known weights -> newtons per raw unit, into the profile",
        description="Tare the force gauge with no load, then read it under known weights and "
        "store scale and offset in the hardware profile.",
    )
    _device_args(w, "force")
    w.add_argument(
        "--weights-kg", required=True, help="known masses, comma-separated (e.g. 0.5,1,2)"
    )
    w.add_argument("--samples", type=int, default=50, help="readings averaged per step (50)")
    w.set_defaults(func=run_gauge)


def _device_args(p: argparse.ArgumentParser, role: str) -> None:
    p.add_argument("--profile", required=True, help="hardware profile (name or .toml path)")
    p.add_argument(f"--{role}", metavar="URL", help=f"{role} URL (default: the profile's)")
    p.add_argument("--yes", action="store_true", help="do not wait for Enter between steps")
    p.add_argument("--dry-run", action="store_true", help="print, do not write the profile")
    add_json_flag(p)


def _prompt(args: argparse.Namespace, device: Any) -> Any:
    """Print each step and wait for Enter; on a simulated rig, also carry the step out."""
    from tactile.hardware.bench_calibration import SimOperator, Step, simulated_world

    world = simulated_world(device)
    operator = SimOperator(world) if world is not None else None

    def prompt(text: str, step: Step) -> None:
        print(text, file=sys.stderr, flush=True)
        if operator is not None:
            operator(text, step)
        if not args.yes:
            sys.stdin.readline()

    return prompt


def _profile(args: argparse.Namespace) -> Any:
    from tactile.hardware.profiles import load_profile

    return load_profile(args.profile)


def _write(profile: Any, table: str, values: dict[str, Any], args: argparse.Namespace) -> None:
    from tactile.hardware.profiles import write_profile_table

    if args.dry_run or profile.path is None:
        return
    write_profile_table(Path(profile.path), table, values, "written by tactile calibrate")
    print(f"wrote [{table}] to {profile.path}", file=sys.stderr)


def run_gripper(args: argparse.Namespace) -> int:
    from tactile.hardware import open_gripper
    from tactile.hardware.bench_calibration import calibrate_gripper
    from tactile.hardware.replay import refuse_for_recording
    from tactile.hardware.robotiq_protocol import PositionCalibration

    profile = _profile(args)
    url = args.gripper or profile.devices["gripper"]
    refuse_for_recording(
        {"gripper": url},
        "tactile calibrate gripper",
        hint="calibrate the gripper itself (--gripper robotiq://PORT, or the profile's)",
        does="moves the gripper to its ends and onto gauge blocks",
    )
    with open_gripper(url) as gripper:
        measured = calibrate_gripper(
            gripper,
            _prompt(args, gripper),
            open_mm=args.open_mm,
            closed_mm=args.closed_mm,
            blocks_mm=args.block_mm,
        )
    cal = measured.calibration
    values = measured.to_dict()
    before = PositionCalibration(open_mm=args.open_mm)  # what an uncalibrated driver assumes
    result = {
        **values,
        "uncalibrated_closed_reads_mm": round(before.to_mm(cal.closed_position), 2),
        "uncalibrated_open_reads_mm": round(before.to_mm(cal.open_position), 2),
    }
    if args.json:
        print_json(result)
    else:
        print(
            f"open {cal.open_position} counts = {cal.open_mm:g} mm, closed {cal.closed_position} "
            f"counts = {cal.closed_mm:g} mm (uncalibrated, closed read "
            f"{result['uncalibrated_closed_reads_mm']} mm)"
        )
        for block, reads in measured.block_checks:
            print(
                f"  gauge block {block:g} mm reads {reads:.2f} mm ({reads - block:+.2f} mm: "
                "pad compression at the weakest grip, or linkage non-linearity)"
            )
    _write(profile, "gripper_calibration", values, args)
    return 0


def run_gauge(args: argparse.Namespace) -> int:
    from tactile.errors import ConfigError
    from tactile.hardware import open_force_sensor
    from tactile.hardware.bench_calibration import calibrate_gauge

    try:
        masses = [float(v) for v in args.weights_kg.split(",") if v.strip()]
    except ValueError as exc:
        raise ConfigError(
            f"--weights-kg {args.weights_kg!r} is not a list of numbers", hint="e.g. 0.5,1,2"
        ) from exc
    profile = _profile(args)
    with open_force_sensor(args.force or profile.devices["force"]) as sensor:
        cal = calibrate_gauge(sensor, _prompt(args, sensor), masses, n_samples=args.samples)
    values = {"scale": cal.scale, "offset": cal.offset}
    result = {**values, "loads_n": cal.loads_n, "residuals_n": cal.residuals_n}
    if args.json:
        print_json(result)
    else:
        print(f"scale {cal.scale:.6g} N per raw unit, offset {cal.offset:.6g} raw units")
        for load, res in zip(cal.loads_n, cal.residuals_n, strict=True):
            print(f"  {load:8.3f} N: residual {res:+.3f} N")
    _write(profile, "force_calibration", values, args)
    return 0
