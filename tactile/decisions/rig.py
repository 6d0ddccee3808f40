"""Sorting with a rig: each tray item grasped by the real recorder on real (or emulated) devices.

:class:`RigGrasper` opens the three devices of a hardware profile (``hardware/*.toml``, or URLs
that override it), prepares them as ``tactile collect`` does (width calibration, force
conversion, activation, tare) and grasps each item with a
:class:`~tactile.recording.recorder.Recorder` whose per-frame hook is a
:class:`~tactile.decisions.live.LiveOnline`: with a stopper, the closing stops as soon as the
online estimate is confident, or at the safe force.

Forces. The recorder's limits come from the produce profile: the safety limit is the profile's
``max_force_n`` (or the hardware profile's, if lower), the force target (where closing stops
anyway) :data:`~tactile.decisions.grasping.FORCE_TARGET_SHARE` of it. A gripper that cannot stop
itself that gently (a Robotiq 2F-85's weakest grip is 20 N; a tomato's safe force 10 N) is
refused by the recorder unless ``software_force_limit`` accepts the host-side check as the only
guard (``--software-force-limit``; the press then runs at the gripper's slowest speed). A grasp
the safety check aborts is kept, and the item is rejected at once, not squeezed again.

Items. The first grasp of an item begins with ``place(item)``: on ``sim://`` /
``robotiq-sim://`` devices :class:`SimPlacer` puts the simulated fruit between the fingers (the
operator's hands); on real hardware :class:`OperatorPrompt` asks the operator to place it and
waits for Enter (or a fixed delay). Each new item is approached slowly from the open gripper
(fruit differ in size: the opening where the previous item touched says little); re-grasps of
the same item approach fast to ``approach_margin_mm`` before where it touched.

Every grasp is stored as recorded (hold and release included, the stop in
``meta.extra["stop_frame"]`` / ``["stop_reason"]``), durably, as it is recorded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tactile import __version__
from tactile.decisions.grasping import (
    ABORTED,
    FORCE_TARGET_SHARE,
    SAFETY_TRIP,
    GraspRun,
    GraspStoppedError,
    blind_meta,
)
from tactile.decisions.live import LiveOnline
from tactile.decisions.stopping import Stopper
from tactile.decisions.tray import TrayItem
from tactile.errors import ConfigError, SafetyLimitError
from tactile.estimators.base import AnalyticalEstimator
from tactile.types import GraspMetadata

#: Fruit differ in size: a re-grasp approaches fast down to this far before where it touched.
SORT_APPROACH_MARGIN_MM = 8.0
#: Force target, as a share of the safe force, when only the host-side check guards the limit
#: (a gripper whose weakest grip is above it). The check reacts one gauge reading and one
#: command late: at a 2F-85's slowest 20 mm/s on an unripe simulated tomato that overshot a
#: 9 N target by 1 N (to 10.01 N against a 10 N limit), so the target leaves 30 %.
HOST_GUARDED_TARGET_SHARE = 0.7


@dataclass(frozen=True)
class RigSpec:
    """The devices and recorder settings of a rig (from a hardware profile and overrides)."""

    gripper_url: str
    camera_url: str
    force_url: str
    recorder: dict[str, Any] = field(default_factory=dict)  # RecorderConfig fields
    calibration_id: str | None = None
    latency_s: dict[str, float] = field(default_factory=dict)
    width_calibration: Any = None
    force_conversion: dict[str, float] | None = None
    tare: bool = True
    name: str = ""

    @property
    def simulated(self) -> bool:
        urls = (self.gripper_url, self.camera_url, self.force_url)
        return all(u.startswith(("sim://", "robotiq-sim://")) for u in urls)

    @classmethod
    def from_profile(
        cls,
        profile: str | Path | None,
        *,
        gripper: str | None = None,
        tactile: str | None = None,
        force: str | None = None,
        calibration: str | None = None,
    ) -> RigSpec:
        """A hardware profile (name or .toml), with device URLs overridden where given."""
        from tactile.hardware.profiles import list_profiles, load_profile

        prof = load_profile(profile) if profile else None
        devices = dict(prof.devices) if prof else {}
        for role, url in (("gripper", gripper), ("tactile", tactile), ("force", force)):
            if url:
                devices[role] = url
        missing = [r for r in ("gripper", "tactile", "force") if r not in devices]
        if missing:
            raise ConfigError(
                f"no device URL for {', '.join(missing)}",
                hint=f"pass --hardware (one of {sorted(list_profiles())}) or --{missing[0]} URL",
            )
        from tactile.hardware.replay import refuse_for_recording

        refuse_for_recording(
            devices,
            "tactile sort on a rig",
            hint="sort a recorded tray with --tray replay://FILE.h5 and no --hardware; to "
            "rehearse on a rig use --hardware sim",
        )
        cal = calibration or (prof.calibration if prof else None)
        if not cal:
            cal = _sim_calibration(devices["tactile"])
        return cls(
            gripper_url=devices["gripper"],
            camera_url=devices["tactile"],
            force_url=devices["force"],
            recorder=dict(prof.recorder) if prof else {},
            calibration_id=cal,
            latency_s=dict(prof.latency_s) if prof else {},
            width_calibration=prof.width_calibration() if prof else None,
            force_conversion=prof.force_conversion() if prof else None,
            name=prof.name if prof else "",
        )


def _sim_calibration(camera_url: str) -> str | None:
    from tactile.hardware import parse_device_url

    url = parse_device_url(camera_url)
    return url.get_str("calibration", "sim-wedge-v1") if url.scheme == "sim" else None


def sort_recorder_config(
    spec: RigSpec,
    max_force_n: float,
    *,
    software_force_limit: bool = False,
    min_grip_force_n: float = 0.0,
) -> Any:
    """The recorder's settings for sorting: the hardware profile's, with the produce's forces
    (the target lower when the gripper cannot stop itself below the limit: module docstring)."""
    from tactile.recording import RecorderConfig

    fields = dict(spec.recorder)
    limit = min(float(max_force_n), float(fields.get("max_force_n", max_force_n)))
    margin = float(fields.get("force_margin", 0.1))
    host_guarded = limit * (1.0 - margin) < min_grip_force_n
    share = HOST_GUARDED_TARGET_SHARE if host_guarded else FORCE_TARGET_SHARE
    fields.update(
        max_force_n=limit,
        target_force_n=share * limit,
        approach_margin_mm=max(
            float(fields.get("approach_margin_mm", 0.0)), SORT_APPROACH_MARGIN_MM
        ),
    )
    fields.pop("approach_to_mm", None)  # fruit differ in size (module docstring)
    if software_force_limit:
        fields["software_force_limit"] = True
    if float(fields.get("contact_force_n", 0.5)) >= fields["target_force_n"]:
        fields["contact_force_n"] = 0.25 * fields["target_force_n"]
    try:
        return RecorderConfig(**fields)
    except TypeError as exc:
        allowed = ", ".join(f.name for f in dataclasses.fields(RecorderConfig))
        raise ConfigError(f"unknown [recorder] setting: {exc}", hint=f"allowed: {allowed}") from exc


class SimPlacer:
    """Puts a simulated tray item between the simulated fingers (the operator's hands)."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def __call__(self, item: TrayItem) -> None:
        if item.obj is None:
            raise ConfigError(
                f"tray item {item.item_id!r} has no simulated object to put in the gripper",
                hint="a sim:// tray on simulated devices, or a rig:// tray on real hardware",
            )
        self.world.set_object(item.obj)
        self.world.object_present = True


class OperatorPrompt:
    """Asks the operator to place each item: waits for Enter, or ``pause_s`` seconds."""

    def __init__(
        self, stop_event: threading.Event, *, pause_s: float | None = None, out: IO[str] | None
    ) -> None:
        self.stop_event, self.pause_s, self.out = stop_event, pause_s, out

    def __call__(self, item: TrayItem) -> None:
        from tactile.recording.session import pause_for_key

        what = f"place {item.item_id} between the fingers"
        if self.pause_s is None:
            pause_for_key(
                f"{what}, then press Enter (Ctrl-C stops)",
                self.stop_event,
                out=self.out if self.out is not None else sys.stderr,
            )
        elif self.pause_s > 0:
            if self.out is not None:
                print(f"{what}: {self.pause_s:g} s", file=self.out, flush=True)
            self.stop_event.wait(self.pause_s)


class RigGrasper:
    """Grasps tray items on a rig (see the module docstring); use it as a context manager."""

    def __init__(
        self,
        spec: RigSpec,
        estimator: AnalyticalEstimator,
        max_force_n: float,
        *,
        grasps_path: Path | None = None,
        software_force_limit: bool = False,
        place: Callable[[TrayItem], None] | None = None,
        stop_event: threading.Event | None = None,
        out: IO[str] | None = None,
        rigs: Any = None,
    ) -> None:
        from tactile.hardware.sim_world import SimRigs

        self.spec = spec
        self.estimator = estimator
        self.software_force_limit = software_force_limit
        self.config = sort_recorder_config(  # checked here; again with the gripper's limits
            spec, max_force_n, software_force_limit=software_force_limit
        )
        self._max_force_n = max_force_n
        self.grasps_path = grasps_path
        self.place = place
        self.stop_event = stop_event or threading.Event()
        self.out = out
        self.rigs = rigs if rigs is not None else SimRigs()
        self.live = LiveOnline(estimator, meta=GraspMetadata(object_id="item"), make_stopper=None)
        self._stack = contextlib.ExitStack()
        self._recorder: Any = None
        self._writer: Any = None
        self._stopper: Stopper | None = None
        self._item: str | None = None

    @property
    def max_force_n(self) -> float:
        return float(self.config.max_force_n)

    def __enter__(self) -> RigGrasper:
        from tactile.hardware import open_force_sensor, open_gripper, open_tactile_sensor
        from tactile.recording import Recorder

        s = self.spec
        try:
            gripper = self._stack.enter_context(open_gripper(s.gripper_url, rigs=self.rigs))
            camera = self._stack.enter_context(open_tactile_sensor(s.camera_url, rigs=self.rigs))
            force = self._stack.enter_context(open_force_sensor(s.force_url, rigs=self.rigs))
            if s.width_calibration is not None:
                gripper.set_width_calibration(s.width_calibration)  # type: ignore[attr-defined]
            if s.force_conversion is not None:
                force.set_conversion(**s.force_conversion)
            self.config = sort_recorder_config(
                s,
                self._max_force_n,
                software_force_limit=self.software_force_limit,
                min_grip_force_n=gripper.min_grip_force_n,
            )
            weakest = gripper.min_grip_force_n
            if self.config.max_force_n < weakest and not self.software_force_limit:
                raise ConfigError(
                    f"the safe force {self.config.max_force_n:g} N is below the {weakest:g} N "
                    f"the gripper {gripper.url!r} can stop itself at",
                    hint="pass --software-force-limit to let the host-side check alone guard "
                    "it (the press then runs at the gripper's slowest speed and the target is "
                    f"{HOST_GUARDED_TARGET_SHARE:.0%} of the safe force), or use a gripper "
                    "that can grip this gently",
                )
            self._recorder = Recorder(  # checks the limits against this gripper first
                gripper,
                camera,
                force,
                self.config,
                latency_s=s.latency_s,
                on_frame=self._on_frame,
                stop_event=self.stop_event,
                warn=self._warn,  # a rest level that moved (untared)
            )
            rest_warning = self._recorder.prepare(tare=s.tare)  # untared: limits from its rest
            if rest_warning:
                self._warn(rest_warning)
            if self.place is None:
                self.place = self._default_placer(gripper)
            if self.grasps_path is not None:
                from tactile.io import GraspWriter

                self._writer = self._stack.enter_context(
                    GraspWriter(self.grasps_path, overwrite=True)
                )
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def _warn(self, message: str) -> None:
        print(message, file=self.out if self.out is not None else sys.stderr)

    def _default_placer(self, gripper: Any) -> Callable[[TrayItem], None]:
        from tactile.hardware.bench_calibration import simulated_world

        world = simulated_world(gripper)
        if world is not None:
            return SimPlacer(world)
        return OperatorPrompt(self.stop_event, out=self.out)

    def _on_frame(self, live: Any) -> bool:
        return self.live(live)

    def grasp(self, item: TrayItem, attempt: int, stopper: Stopper | None) -> GraspRun:
        from tactile.recording.recorder import GraspAbortedError

        if self._recorder is None:
            raise ConfigError("RigGrasper is not open", hint="use it in a with block")
        if item.item_id != self._item:
            self._item = item.item_id
            if self.place is not None:
                self.place(item)
            self._recorder.contact_width_mm = None  # a new item: approach slowly (docstring)
        meta = blind_meta(self._metadata(item), item=item, attempt=attempt)
        if stopper is not None and stopper.force_limit_n > self.max_force_n:
            stopper.force_limit_n = self.max_force_n
        self.live.make_stopper = (lambda: stopper) if stopper is not None else None
        self.live.expect(meta)
        gid = f"{item.item_id}_a{attempt}"
        try:
            grasp = self._recorder.record(gid, meta)
        except GraspAbortedError as exc:
            run = self.live.runs.get(gid)
            trace = tuple(run.trace) if run is not None else ()
            if isinstance(exc.cause, SafetyLimitError) and exc.partial is not None:
                kept = self._store(exc.partial, SAFETY_TRIP, None)
                return GraspRun(kept, SAFETY_TRIP, None, trace, live=True, aborted=exc.message)
            # a fault or the user's stop: keep what was recorded; the sorter logs the item
            # as aborted and the run stops
            cut = None
            if exc.partial is not None:
                kept = self._store(exc.partial, ABORTED, None)
                cut = GraspRun(kept, ABORTED, None, trace, live=True, aborted=exc.message)
            raise GraspStoppedError(exc, cut) from exc
        run = self.live.runs.get(gid)
        if run is None or stopper is None:
            return GraspRun(self._store(grasp, "full_grasp", None), "full_grasp", None, live=True)
        kept = self._store(grasp, run.stop_reason, run.stop_index)
        return GraspRun(kept, run.stop_reason, run.stop_index, tuple(run.trace), live=True)

    def _metadata(self, item: TrayItem) -> GraspMetadata:
        return GraspMetadata(
            object_id=item.item_id,
            label_modulus_pa=item.true_modulus_pa,
            shape=item.obj.shape if item.obj is not None else None,
            radius_mm=item.obj.radius_mm if item.obj is not None else None,
            source="sort",
            calibration_id=self.spec.calibration_id,
            software_version=__version__,
            created_utc=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            extra={"hardware_profile": self.spec.name} if self.spec.name else {},
        )

    def _store(self, grasp: Any, reason: str, stop_index: int | None) -> Any:
        extra = {**grasp.meta.extra, "stop_reason": reason}
        if stop_index is not None:
            extra["stop_frame"] = stop_index
        kept = dataclasses.replace(grasp, meta=dataclasses.replace(grasp.meta, extra=extra))
        if self._writer is not None:
            self._writer.append(kept)
        return kept
