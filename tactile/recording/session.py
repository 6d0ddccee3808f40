"""A collection session: N accepted grasps of one object, safely, resumable.

Each accepted grasp goes to the output dataset through :class:`tactile.io.GraspWriter`, which
makes it durable (fsync + atomic rename) before the next grasp starts, so a crash loses at most
the grasp in progress. Rejected grasps (with their reason in ``meta.extra["reject_reason"]``)
and aborted partial grasps go to a sibling ``<name>_rejects`` dataset: nothing recorded is
thrown away, and the main dataset holds only grasps that passed validation.

Resuming is running the same session again: grasps of this object already in the output count
towards N, and numbering continues after them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from tqdm import tqdm

from tactile import __version__
from tactile.errors import ConfigError, DeviceError, StoreError
from tactile.hardware import (
    ForceSensor,
    Gripper,
    TactileSensor,
    open_force_sensor,
    open_gripper,
    open_tactile_sensor,
)
from tactile.io import GraspReader, GraspWriter
from tactile.recording.recorder import GraspAbortedError, Recorder, RecorderConfig
from tactile.recording.validation import ValidationLimits, validate_grasp
from tactile.types import Grasp, GraspMetadata


@dataclass(frozen=True)
class SessionConfig:
    object_id: str
    n_grasps: int
    output: Path
    gripper_url: str
    camera_url: str
    force_url: str
    label_modulus_pa: float | None = None
    shape: str | None = None
    radius_mm: float | None = None
    calibration_id: str | None = None
    profile: str | None = None
    recorder: RecorderConfig = field(default_factory=RecorderConfig)
    limits: ValidationLimits = field(default_factory=ValidationLimits)
    max_attempts: int | None = None  # default: twice the grasps still needed, at least 3
    tare: bool = True

    def __post_init__(self) -> None:
        if self.n_grasps < 1:
            raise ConfigError(f"n_grasps={self.n_grasps} must be >= 1", hint="e.g. -n 5")
        if not self.object_id or "/" in self.object_id:
            raise ConfigError(
                f"object name {self.object_id!r} is not usable as an id",
                hint="use letters, digits, '_' or '-', e.g. green_ball",
            )

    @property
    def rejects_path(self) -> Path:
        out = self.output
        return out.with_name(f"{out.stem}_rejects{out.suffix}")


@dataclass
class SessionSummary:
    object_id: str
    output: Path
    target: int
    already_present: int = 0
    accepted: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)
    aborted: str | None = None
    grasps: list[dict[str, Any]] = field(default_factory=list)  # one row per attempt

    def add_row(self, grasp: Grasp, stored_as: str, status: str, reason: str = "") -> None:
        """Per-attempt numbers for the live summary and the JSON report."""
        self.grasps.append(
            {
                "id": stored_as,
                "status": status,
                "reason": reason,
                "n_frames": grasp.n_frames,
                "duration_s": round(grasp.duration_s, 3),
                "peak_force_n": round(float(grasp.force_n.max()), 3),
                "squeeze_mm": round(_squeeze_mm(grasp), 3),
                "stopped_by": grasp.meta.extra.get("stopped_by", ""),
                "dropped_frames": grasp.meta.extra.get("n_dropped_frames", 0),
            }
        )

    @property
    def n_done(self) -> int:
        return self.already_present + len(self.accepted)

    @property
    def complete(self) -> bool:
        return self.n_done >= self.target

    def to_dict(self) -> dict[str, Any]:
        return {
            "object_id": self.object_id,
            "output": str(self.output),
            "target": self.target,
            "already_present": self.already_present,
            "accepted": self.accepted,
            "rejected": [{"id": i, "reason": r} for i, r in self.rejected],
            "aborted": self.aborted,
            "complete": self.complete,
            "grasps": self.grasps,
        }


def _squeeze_mm(grasp: Grasp, contact_force_n: float = 0.5) -> float:
    """Closure from first contact (force above ``contact_force_n``) to the narrowest opening."""
    touching = np.flatnonzero(grasp.force_n > contact_force_n)
    if touching.size == 0:
        return 0.0
    return float(grasp.width_mm[touching[0]] - grasp.width_mm[touching[0] :].min())


class SessionAbortedError(DeviceError):
    """A device failed mid-session; ``summary`` says what is safe on disk."""

    def __init__(self, message: str, *, summary: SessionSummary, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.summary = summary


def existing_grasp_ids(output: Path, object_id: str) -> list[str]:
    """Ids of grasps of ``object_id`` already in the output dataset (for resuming)."""
    try:  # also finds grasps a killed writer left pending (the .h5 itself may not exist yet)
        reader = GraspReader(output)
    except StoreError:
        if output.exists():
            raise  # a damaged or foreign file: do not write into it
        return []
    return [gid for gid in reader.ids() if reader.metadata(gid).object_id == object_id]


Opener = Callable[[SessionConfig], tuple[Gripper, TactileSensor, ForceSensor]]


def open_devices(config: SessionConfig) -> tuple[Gripper, TactileSensor, ForceSensor]:
    return (
        open_gripper(config.gripper_url),
        open_tactile_sensor(config.camera_url),
        open_force_sensor(config.force_url),
    )


class CollectSession:
    """Runs one session; see :func:`run_session`."""

    def __init__(self, config: SessionConfig, *, progress: bool = True, out: IO[str] | None = None):
        self.config = config
        self.progress = progress
        self.out = out if out is not None else sys.stderr
        self.summary = SessionSummary(config.object_id, config.output, config.n_grasps)
        self._rejects: GraspWriter | None = None

    def _close_rejects(self) -> None:
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None

    def metadata(self, attempt: int) -> GraspMetadata:
        c = self.config
        return GraspMetadata(
            object_id=c.object_id,
            label_modulus_pa=c.label_modulus_pa,
            shape=c.shape,
            radius_mm=c.radius_mm,
            source="collect",
            calibration_id=c.calibration_id,
            software_version=__version__,
            created_utc=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            extra={"attempt": attempt, **({"profile": c.profile} if c.profile else {})},
        )

    def run(self, opener: Opener = open_devices) -> SessionSummary:
        c, s = self.config, self.summary
        done_ids = existing_grasp_ids(c.output, c.object_id)
        s.already_present = len(done_ids)
        if s.complete:
            return s
        needed = c.n_grasps - s.already_present
        budget = c.max_attempts or max(3, 2 * needed)
        with contextlib.ExitStack() as stack:
            gripper, camera, force = opener(c)
            for device in (gripper, camera, force):
                stack.enter_context(device)
            recorder = self._prepare(gripper, camera, force)
            writer = stack.enter_context(GraspWriter(c.output))
            stack.callback(self._close_rejects)
            bar = stack.enter_context(
                tqdm(
                    total=c.n_grasps,
                    initial=s.already_present,
                    desc=c.object_id,
                    unit="grasp",
                    file=self.out,
                    disable=not self.progress,
                )
            )
            for attempt in range(1, budget + 1):
                if s.complete:
                    break
                self._attempt(attempt, recorder, writer, bar)
        return s

    def _prepare(self, gripper: Gripper, camera: TactileSensor, force: ForceSensor) -> Recorder:
        gripper.activate()
        gripper.open()
        gripper.wait_until_stopped(self.config.recorder.open_timeout_s)
        if self.config.tare:
            force.tare()
        return Recorder(gripper, camera, force, self.config.recorder)

    def _next_id(self, writer: GraspWriter) -> str:
        k = self.summary.n_done + 1
        while f"{self.config.object_id}_{k:03d}" in writer:
            k += 1
        return f"{self.config.object_id}_{k:03d}"

    def _attempt(self, attempt: int, recorder: Recorder, writer: GraspWriter, bar: tqdm) -> None:
        s = self.summary
        gid = self._next_id(writer)
        try:
            grasp = recorder.record(gid, self.metadata(attempt))
        except GraspAbortedError as exc:
            s.aborted = str(exc)
            if exc.partial is not None:
                self._reject(exc.partial, f"aborted: {exc.cause}", attempt)
            bar.close()
            raise SessionAbortedError(
                f"{exc}. Grasps already accepted ({s.n_done} of {s.target}) are safe in "
                f"{self.config.output}",
                summary=s,
                hint=(exc.hint + "; then " if exc.hint else "")
                + "run the same command again to resume",
            ) from exc
        verdict = validate_grasp(grasp, self.config.limits)
        if verdict.accepted:
            writer.append(grasp)
            s.accepted.append(gid)
            s.add_row(grasp, gid, "accepted")
            bar.update(1)
        else:
            self._reject(grasp, verdict.reason, attempt)
            bar.write(f"{gid} (attempt {attempt}) rejected: {verdict.reason}", file=self.out)
        bar.set_postfix_str(
            f"accepted {len(s.accepted)}, rejected {len(s.rejected)}, "
            f"peak {float(grasp.force_n.max()):.1f} N"
        )

    def _reject(self, grasp: Grasp, reason: str, attempt: int) -> None:
        if self._rejects is None:  # opened on the first reject: no empty rejects file
            self._rejects = GraspWriter(self.config.rejects_path)
        rejects = self._rejects
        rid = f"{self.config.object_id}_reject_{len(rejects.ids) + 1:03d}"
        while rid in rejects:
            rid += "x"
        extra = {**grasp.meta.extra, "reject_reason": reason, "attempt": attempt}
        meta = dataclasses.replace(grasp.meta, extra=extra)
        rejects.append(dataclasses.replace(grasp, grasp_id=rid, meta=meta))
        self.summary.rejected.append((rid, reason))
        self.summary.add_row(grasp, rid, "aborted" if "aborted" in extra else "rejected", reason)


def run_session(
    config: SessionConfig,
    *,
    progress: bool = True,
    out: IO[str] | None = None,
    opener: Opener = open_devices,
) -> SessionSummary:
    """Collect ``config.n_grasps`` accepted grasps of one object (resuming a partial output)."""
    return CollectSession(config, progress=progress, out=out).run(opener)
