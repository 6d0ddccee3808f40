"""``tactile collect OBJECT -n N -o FILE``: a safe, resumable grasp collection session.

Ctrl-C stops the session cleanly (the grasp in progress stops at its next frame, the gripper
opens, the partial grasp is kept in the rejects, the output is consolidated) and prints how to
resume; a second Ctrl-C aborts at once (the gripper is commanded open again, devices and files
are still closed, the resume command is printed); later presses are ignored.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
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
    p.add_argument(
        "--no-tare",
        action="store_true",
        help="do not zero the force sensor first (the grasps keep its raw readings; the limits "
        "act on the force above its rest level, read with the gripper open)",
    )
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


def _check_calibration(calibration_id: str | None, source: str) -> None:
    """Refuse, before anything moves, a calibration id that estimates could not resolve
    (issue 14: every grasp was recorded, then every estimate failed "unknown calibration")."""
    from tactile.errors import CalibrationError, ConfigError
    from tactile.sensor import BUILTIN_CALIBRATIONS, CALIBRATION_DIR, get_calibration

    if not calibration_id:
        return
    try:
        get_calibration(calibration_id)
    except (CalibrationError, OSError, ValueError) as exc:
        known = ", ".join(
            sorted(set(BUILTIN_CALIBRATIONS) | {p.stem for p in CALIBRATION_DIR.glob("*.json")})
        )
        raise ConfigError(
            f"sensor calibration {calibration_id!r} ({source}) cannot be loaded "
            f"({exc.message if isinstance(exc, CalibrationError) else exc}); nothing was "
            "recorded, as no grasp recorded with it could be estimated",
            hint=f"write it first (`tactile calibrate geometry|depth|gel --id {calibration_id}`, "
            "docs/calibration.md), or name a known id or a calibration JSON path (--calibration, "
            f"or calibration = in the profile): {known}",
        ) from exc


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
    from tactile.hardware.replay import refuse_for_recording

    refuse_for_recording(
        {r: devices[r] for r in ("gripper", "tactile", "force")},
        "tactile collect",
        hint="to rehearse collect use --profile sim; a recording is estimated with tactile "
        "estimate FILE.h5, a sort's grasps sorted again with tactile sort --tray replay://FILE.h5",
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
    calibration_id = (
        args.calibration
        or (profile.calibration if profile else None)
        or _sim_calibration(devices["tactile"])
    )
    _check_calibration(
        calibration_id,
        "--calibration"
        if args.calibration
        else f"hardware profile {profile.name!r}, {profile.path}"
        if profile and profile.calibration
        else "the simulated camera's URL",
    )
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
        calibration_id=calibration_id,
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
def stop_on_sigint(stop: threading.Event, out: Any) -> Iterator[Callable[[], None]]:
    """First Ctrl-C: set ``stop`` (a clean stop at the next frame); second: one
    KeyboardInterrupt (the session then opens the gripper and says how to resume); later ones
    are ignored, so they cannot break that.

    A KeyboardInterrupt raised while Python runs a finaliser (h5py's weak-reference callbacks)
    is not raised but printed as "Exception ignored in ..."; that one is raised again, silently,
    instead (issue 13: the second Ctrl-C was often lost that way).

    Yields ``finished()``: call it once the session is over, so that a late Ctrl-C cannot cut
    the summary and the resume line short."""
    if threading.current_thread() is not threading.main_thread():
        yield lambda: None  # signal handlers can only be set from the main thread
        return
    import _thread

    presses = 0
    redeliver = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal presses, redeliver
        if redeliver:  # the abort, swallowed by a finaliser: raise it again here
            redeliver = False
            raise KeyboardInterrupt
        presses += 1
        if presses == 1:
            stop.set()
            print(
                "\nstopping: finishing safely (gripper opens, data is kept); Ctrl-C again to abort",
                file=out,
                flush=True,
            )
        elif presses == 2:
            stop.set()
            print("\naborting: the gripper is commanded open", file=out, flush=True)
            raise KeyboardInterrupt

    previous_hook = sys.unraisablehook

    timers: list[threading.Timer] = []

    def unraisable(info: Any) -> None:
        nonlocal redeliver
        if presses == 2 and isinstance(info.exc_value, KeyboardInterrupt):
            redeliver = True
            # from another thread, a moment later: ``handler`` then runs in the main thread
            # outside the finaliser (called from here it would raise inside this hook)
            timer = threading.Timer(0.01, _thread.interrupt_main)
            timer.daemon = True
            timers.append(timer)
            timer.start()
            return
        previous_hook(info)

    def finished() -> None:
        nonlocal presses, redeliver
        presses, redeliver = max(presses, 3), False  # ignored from now on
        for timer in timers:
            timer.cancel()

    previous = signal.signal(signal.SIGINT, handler)
    sys.unraisablehook = unraisable
    try:
        yield finished
    finally:
        signal.signal(signal.SIGINT, previous)
        sys.unraisablehook = previous_hook


def run(args: argparse.Namespace) -> int:
    from tactile.recording.preview import make_preview

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
    with stop_on_sigint(stop, sys.stderr) as finished:
        return _collect(args, config, preview, live, stop, finished)


def _collect(
    args: argparse.Namespace,
    config: Any,
    preview: Any,
    live: Any,
    stop: threading.Event,
    finished: Callable[[], None],
) -> int:
    from tactile.recording import SessionAbortedError, SessionInterruptedError, run_session
    from tactile.recording.preview import close_preview

    try:
        try:
            summary = run_session(
                config,
                progress=not args.no_progress,
                out=sys.stderr,
                on_frame=live if live is not None else preview,
                stop_event=stop,
            )
        finally:
            finished()
    except SessionInterruptedError as exc:
        _print_summary(exc.summary, args.json, live)
        print(f"tactile collect: {exc.message}", file=sys.stderr)
        print(f"resume with: {resume_command(sys.argv[1:])}", file=sys.stderr)
        return 130
    except KeyboardInterrupt:  # the second Ctrl-C, outside the session (devices not open)
        print("tactile collect: aborted", file=sys.stderr)
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
