"""``tactile collect OBJECT -n N -o FILE``: a safe, resumable grasp collection session.

Ctrl-C stops the session cleanly (the grasp in progress stops at its next frame, the gripper
opens, the partial grasp is kept in the rejects, the output is consolidated) and prints how to
resume; a second Ctrl-C aborts at once (devices and files are still closed).
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from tactile.cli._common import add_frames_flag, add_json_flag, print_json

_RECORDER_FLAGS = (
    ("max_force_n", "safety limit: open at once above this force (N)"),
    ("target_force_n", "close until this force, then hold (N)"),
    ("max_closing_s", "safety limit: open if closing takes longer (s)"),
    ("close_speed", "closing speed until first contact, fraction 0..1 of the gripper's range"),
    (
        "press_speed",
        "closing speed after first contact (default: close speed; the slowest when "
        "--max-force-n is below the gripper's weakest grip)",
    ),
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
            "An existing FILE is refused unless --append (resume: grasps of OBJECT already there "
            "count towards -n) or --overwrite. Ctrl-C stops cleanly and says how to resume. "
            "Devices come from a hardware profile (hardware/*.toml) or from "
            "--gripper/--tactile/--force URLs."
        ),
    )
    p.add_argument("object", help="object name, e.g. green_ball (used in the grasp ids)")
    p.add_argument("-n", "--grasps", type=int, default=5, help="accepted grasps wanted (5)")
    p.add_argument("-o", "--out", type=Path, required=True, help="output grasp file (.h5)")
    exists = p.add_mutually_exclusive_group()
    exists.add_argument(
        "--append",
        action="store_true",
        help="add to an existing FILE; its grasps of OBJECT count towards -n (resume)",
    )
    exists.add_argument(
        "--overwrite", action="store_true", help="delete an existing FILE (and its rejects) first"
    )
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
    p.add_argument(
        "--software-force-limit",
        action="store_true",
        help="accept a --max-force-n below the gripper's weakest grip (only the host-side "
        "check then guards it; the press runs at the slowest speed)",
    )
    p.add_argument("--max-attempts", type=int, help="give up after this many grasps (2N)")
    pause = p.add_mutually_exclusive_group()
    pause.add_argument(
        "--pause",
        action="store_true",
        help="wait for Enter between grasps (reposition or swap the object)",
    )
    pause.add_argument("--pause-s", type=float, metavar="S", help="wait S seconds between grasps")
    p.add_argument(
        "--preview",
        metavar="KIND",
        default="none",
        help="live view of image, force and width: rerun (viewer), rerun:FILE.rrd (saved, "
        "works headless), opencv (window), none (default)",
    )
    p.add_argument("--no-tare", action="store_true", help="do not zero the force sensor first")
    add_frames_flag(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    stop = p.add_argument_group("stopping when the online estimate is confident")
    stop.add_argument(
        "--stop-when-confident",
        action="store_true",
        help="estimate at every frame while closing and stop once the estimate is confident "
        "(see --produce, --confident-dex), or at the safe force",
    )
    stop.add_argument(
        "--produce",
        metavar="NAME",
        help="with --stop-when-confident: decide with this produce profile (produce/*.toml): "
        "stop once its classes decide; caps --max-force-n at its safe force",
    )
    stop.add_argument(
        "--confident-dex",
        type=float,
        default=0.5,
        metavar="D",
        help="without --produce: stop once the 95%% interval of log10 E spans at most D "
        "decades (0.5 = a factor 3.2)",
    )
    stop.add_argument(
        "--estimator",
        default="auto",
        help="analytical estimator of the online estimate without --produce (auto)",
    )
    add_json_flag(p)
    p.set_defaults(func=run)


_SIM_SCHEMES = ("sim://", "robotiq-sim://")


def _with_query(url: str, query: str | None) -> str:
    if not query or not url.startswith(_SIM_SCHEMES):
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
    if args.sim and not any(devices[r].startswith(_SIM_SCHEMES) for r in devices):
        raise ConfigError(
            "--sim sets the simulated object, but no device is simulated",
            hint="use --profile sim, or sim:// / robotiq-sim:// device URLs",
        )
    for name, _ in _RECORDER_FLAGS:
        if getattr(args, name) is not None:
            recorder_fields[name] = getattr(args, name)
    if args.software_force_limit:
        recorder_fields["software_force_limit"] = True
    if args.produce and not args.stop_when_confident:
        raise ConfigError(
            "--produce chooses the stopping rule of --stop-when-confident",
            hint="add --stop-when-confident, or drop --produce",
        )
    if args.produce:
        from tactile.decisions.live import cap_to_produce

        cap_to_produce(recorder_fields, args.produce)
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
        if_exists="append" if args.append else "overwrite" if args.overwrite else "error",
        pause_for_key=args.pause,
        pause_s=args.pause_s or 0.0,
        latency_s=dict(profile.latency_s) if profile else {},
        width_calibration=profile.width_calibration() if profile else None,
        force_conversion=profile.force_conversion() if profile else None,
        frame_codec=args.frames,
    )


def _print_summary(summary: Any, as_json: bool, live: Any = None) -> None:
    if live is not None:  # where and why each grasp stopped closing
        for row in summary.grasps:
            run = live.runs.get(row["id"])
            if run is not None:
                row["online"] = run.summary()
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
        online = row.get("online")
        if online:
            print(f"  {'':<24} {_stop_words(online)}")


def _stop_words(online: dict[str, Any]) -> str:
    est = online.get("estimate_at_stop")
    value = ""
    if est:
        lo, hi = est["interval_95_pa"]
        hi = float("inf") if hi is None else hi
        value = f"; E {est['modulus_pa']:.3g} Pa, 95 % interval [{lo:.3g}, {hi:.3g}]"
    if online["stop_reason"] == "confident":
        return f"stopped when confident at {online['stop_force_n']:.2f} N{value}"
    if online["stop_reason"] == "safe_force":
        return f"stopped at the safe force ({online['stop_force_n']:.2f} N){value}"
    return f"not confident before the target force{value}"


def resume_command(argv: list[str]) -> str:
    """The command line that resumes this session (the same one, with --append)."""
    args = [a for a in argv if a != "--overwrite"]
    if "--append" not in args:
        args.append("--append")
    return "tactile " + " ".join(shlex.quote(a) for a in args)


@contextmanager
def stop_on_sigint(stop: threading.Event, out: Any) -> Iterator[None]:
    """First Ctrl-C: set ``stop`` (a clean stop at the next frame); second: KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        print(
            "\nstopping: finishing safely (gripper opens, data is kept); Ctrl-C again to abort",
            file=out,
            flush=True,
        )

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run(args: argparse.Namespace) -> int:
    from tactile.recording import SessionAbortedError, SessionInterruptedError, run_session
    from tactile.recording.preview import close_preview, make_preview

    config = build_config(args)
    preview = make_preview(args.preview)
    live = None
    if args.stop_when_confident:
        from tactile.decisions.live import live_stopper

        live = live_stopper(
            config,
            produce=args.produce,
            confident_dex=args.confident_dex,
            estimator=args.estimator,
            then=preview,
        )
    stop = threading.Event()
    try:
        with stop_on_sigint(stop, sys.stderr):
            summary = run_session(
                config,
                progress=not args.no_progress,
                out=sys.stderr,
                on_frame=live if live is not None else preview,
                stop_event=stop,
            )
    except SessionInterruptedError as exc:
        _print_summary(exc.summary, args.json, live)
        print(f"tactile collect: {exc.message}", file=sys.stderr)
        print(f"resume with: {resume_command(sys.argv[1:])}", file=sys.stderr)
        return 130
    except SessionAbortedError as exc:
        _print_summary(exc.summary, args.json, live)
        raise
    finally:
        close_preview(preview)
    _print_summary(summary, args.json, live)
    if not summary.complete:
        print(
            f"stopped after {config.max_attempts or 'the maximum number of'} attempts; "
            "see the reasons above",
            file=sys.stderr,
        )
    return 0 if summary.complete else 1
