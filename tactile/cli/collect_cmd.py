"""``tactile collect OBJECT -n N -o FILE``: a safe, resumable grasp collection session."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from tactile.cli._common import add_json_flag, print_json

_RECORDER_FLAGS = (
    ("max_force_n", "safety limit: open at once above this force (N)"),
    ("target_force_n", "close until this force, then hold (N)"),
    ("max_closing_s", "safety limit: open if closing takes longer (s)"),
    ("close_speed", "closing speed, fraction 0..1 of the gripper's range"),
    ("close_to_mm", "opening to close towards (mm)"),
    ("hold_s", "time to hold at the target force (s)"),
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "collect",
        help="record labelled grasps of one object from the rig, safely and resumably",
        description=(
            "Grasp one object N times and store the accepted grasps in FILE (HDF5, one durable "
            "write per grasp). Rejected grasps are kept, with their reason, in FILE_rejects. "
            "Run the same command again to resume after a crash or a device fault. Devices come "
            "from a hardware profile (hardware/*.toml) or from --gripper/--tactile/--force URLs."
        ),
    )
    p.add_argument("object", help="object name, e.g. green_ball (used in the grasp ids)")
    p.add_argument("-n", "--grasps", type=int, default=5, help="accepted grasps wanted (5)")
    p.add_argument("-o", "--out", type=Path, required=True, help="output grasp file (.h5)")
    p.add_argument("--profile", help="hardware profile name or .toml path (see find-devices)")
    for role in ("gripper", "tactile", "force"):
        p.add_argument(f"--{role}", metavar="URL", help=f"{role} device URL (overrides profile)")
    p.add_argument(
        "--sim",
        metavar="QUERY",
        help="object parameters for simulated devices, e.g. 'modulus_pa=5e4&radius_mm=20'",
    )
    p.add_argument("--label-pa", type=float, help="known Young's modulus of the object (Pa)")
    p.add_argument("--shape", help="object shape: sphere, cylinder, box, ...")
    p.add_argument("--radius-mm", type=float, help="curvature radius of the contact surface")
    p.add_argument("--calibration", help="sensor calibration id or JSON path (default: profile)")
    for name, text in _RECORDER_FLAGS:
        p.add_argument("--" + name.replace("_", "-"), type=float, help=text)
    p.add_argument("--max-attempts", type=int, help="give up after this many grasps (2N)")
    p.add_argument("--no-tare", action="store_true", help="do not zero the force sensor first")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_json_flag(p)
    p.set_defaults(func=run)


def _with_query(url: str, query: str | None) -> str:
    if not query or not url.startswith(("sim://", "robotiq-sim://")):
        return url
    return url + ("&" if "?" in url else "?") + query.lstrip("?&")


def _sim_calibration(camera_url: str) -> str | None:
    """A simulated camera renders at a known calibration; say so in the grasps' metadata."""
    from tactile.hardware import parse_device_url

    url = parse_device_url(camera_url)
    return url.get_str("calibration", "sim-wedge-v1") if url.scheme == "sim" else None


def build_config(args: argparse.Namespace) -> Any:
    from tactile.errors import ConfigError
    from tactile.hardware.profiles import list_profiles, load_profile
    from tactile.recording import RecorderConfig, SessionConfig

    profile = load_profile(args.profile) if args.profile else None
    devices = dict(profile.devices) if profile else {}
    recorder_fields = dict(profile.recorder) if profile else {}
    for role in ("gripper", "tactile", "force"):
        if getattr(args, role):
            devices[role] = getattr(args, role)
    missing = [r for r in ("gripper", "tactile", "force") if r not in devices]
    if missing:
        raise ConfigError(
            f"no device URL for {', '.join(missing)}",
            hint=f"pass --profile (one of {sorted(list_profiles())}) or --{missing[0]} URL",
        )
    for name, _ in _RECORDER_FLAGS:
        if getattr(args, name) is not None:
            recorder_fields[name] = getattr(args, name)
    try:
        recorder = RecorderConfig(**recorder_fields)
    except TypeError as exc:
        raise ConfigError(
            f"unknown [recorder] setting in profile: {exc}",
            hint=f"allowed: {', '.join(f.name for f in dataclasses.fields(RecorderConfig))}",
        ) from exc
    return SessionConfig(
        object_id=args.object,
        n_grasps=args.grasps,
        output=args.out,
        gripper_url=_with_query(devices["gripper"], args.sim),
        camera_url=_with_query(devices["tactile"], args.sim),
        force_url=_with_query(devices["force"], args.sim),
        label_modulus_pa=args.label_pa,
        shape=args.shape,
        radius_mm=args.radius_mm,
        calibration_id=args.calibration
        or (profile.calibration if profile else None)
        or _sim_calibration(devices["tactile"]),
        profile=profile.name if profile else None,
        recorder=recorder,
        max_attempts=args.max_attempts,
        tare=not args.no_tare,
    )


def _print_summary(summary: Any, as_json: bool) -> None:
    if as_json:
        print_json(summary.to_dict())
        return
    print(
        f"{summary.object_id}: {summary.n_done}/{summary.target} grasps in {summary.output} "
        f"({summary.already_present} already there, {len(summary.accepted)} new, "
        f"{len(summary.rejected)} rejected)"
    )
    for row in summary.grasps:
        line = (
            f"  {row['id']:<24} {row['status']:<8} peak {row['peak_force_n']:6.2f} N  "
            f"squeeze {row['squeeze_mm']:5.2f} mm  {row['n_frames']:4d} frames"
        )
        print(line + (f"  ({row['reason']})" if row["reason"] else ""))


def run(args: argparse.Namespace) -> int:
    from tactile.recording import SessionAbortedError, run_session

    config = build_config(args)
    try:
        summary = run_session(config, progress=not args.no_progress, out=sys.stderr)
    except SessionAbortedError as exc:
        _print_summary(exc.summary, args.json)
        raise
    _print_summary(summary, args.json)
    if not summary.complete:
        print(
            f"stopped after {config.max_attempts or 'the maximum number of'} attempts; "
            "see the reasons above",
            file=sys.stderr,
        )
    return 0 if summary.complete else 1
