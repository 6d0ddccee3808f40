"""A collection session: N accepted grasps of one object, safely, resumable on request.

Each accepted grasp goes to the output dataset through :class:`tactile.io.GraspWriter`, which
makes it durable (fsync + atomic rename) before the next grasp starts, so a crash loses at most
the grasp in progress. Rejected grasps (with their reason in ``meta.extra["reject_reason"]``),
aborted and interrupted partial grasps go to a sibling ``<name>_rejects`` dataset: nothing
recorded is thrown away, and the main dataset holds only grasps that passed validation.

An existing output is refused unless ``if_exists`` says what to do: ``"append"`` resumes
(grasps of this object already there count towards N, numbering continues after them) and
``"overwrite"`` deletes it (and its rejects) first.

Stopping: set ``stop_event`` (the CLI does on Ctrl-C). The grasp in progress stops at its next
frame, the gripper is commanded open, its partial recording is kept in the rejects, the output
is consolidated, and :class:`SessionInterruptedError` says what is safe and how to resume.

Frames are stored as JPEG (``frame_codec``, default ``"jpeg"``): the camera's own bytes,
verbatim, when every frame of the grasp came with them (an MJPEG stream), else the pixels
encoded at the reference camera's quality; ``"raw"`` keeps the pixels (about 10x larger).

Between grasps, ``pause`` (a callable, or :func:`pause_for_key` / a fixed delay from
``pause_s`` / ``pause_for_key``) lets the operator reposition or swap the object.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import select
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

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
from tactile.io.frame_codec import FRAME_CODECS
from tactile.recording.recorder import (
    FrameCallback,
    GraspAbortedError,
    Recorder,
    RecorderConfig,
    RecordingInterruptedError,
)
from tactile.recording.validation import ValidationLimits, force_above_rest_n, validate_grasp
from tactile.types import Grasp, GraspMetadata

if TYPE_CHECKING:
    from tactile.hardware.robotiq_protocol import PositionCalibration
    from tactile.hardware.sim_world import SimRigs

IF_EXISTS = ("error", "append", "overwrite")


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
    if_exists: str = "error"  # "append" resumes, "overwrite" replaces (see module doc)
    pause_s: float = 0.0  # fixed delay between grasps
    pause_for_key: bool = False  # wait for Enter between grasps
    latency_s: Mapping[str, float] = field(default_factory=dict)  # per device, from the profile
    width_calibration: PositionCalibration | None = None  # from the profile
    force_conversion: Mapping[str, float] | None = None  # {"scale": .., "offset": ..}
    frame_codec: str = "jpeg"  # the camera's JPEG bytes, else JPEG at its quality; or "raw"

    def __post_init__(self) -> None:
        if self.if_exists not in IF_EXISTS:
            raise ConfigError(
                f"if_exists={self.if_exists!r} is not one of {IF_EXISTS}",
                hint="'append' resumes an existing output, 'overwrite' replaces it",
            )
        if self.frame_codec not in FRAME_CODECS:
            raise ConfigError(
                f"frame_codec={self.frame_codec!r} is not one of {FRAME_CODECS}",
                hint="'jpeg' (compact: the camera's own bytes when it sends JPEG) or 'raw'",
            )
        if not self.pause_s >= 0:
            raise ConfigError(f"pause_s={self.pause_s} must be >= 0", hint="0 = no pause")
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

    def grasp_metadata(self, **fields: Any) -> GraspMetadata:
        """The metadata of a grasp of this session's object; ``fields`` add to it."""
        return GraspMetadata(
            object_id=self.object_id,
            label_modulus_pa=self.label_modulus_pa,
            shape=self.shape,
            radius_mm=self.radius_mm,
            source="collect",
            calibration_id=self.calibration_id,
            **fields,
        )


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
        """Per-attempt numbers for the live summary and the JSON report (forces above the
        rest level of a gauge not zeroed)."""
        force = force_above_rest_n(grasp)
        self.grasps.append(
            {
                "id": stored_as,
                "status": status,
                "reason": reason,
                "n_frames": grasp.n_frames,
                "duration_s": round(grasp.duration_s, 3),
                "peak_force_n": round(float(force.max()), 3),
                "squeeze_mm": round(_squeeze_mm(force, grasp.width_mm), 3),
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


def _squeeze_mm(force_n: np.ndarray, width_mm: np.ndarray, contact_force_n: float = 0.5) -> float:
    """Closure from first contact (force above ``contact_force_n``) to the narrowest opening."""
    touching = np.flatnonzero(force_n > contact_force_n)
    if touching.size == 0:
        return 0.0
    return float(width_mm[touching[0]] - width_mm[touching[0] :].min())


class SessionAbortedError(DeviceError):
    """A device failed mid-session; ``summary`` says what is safe on disk."""

    def __init__(self, message: str, *, summary: SessionSummary, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.summary = summary


class SessionInterruptedError(SessionAbortedError):
    """The user stopped the session (Ctrl-C); what was recorded is safe."""


class OutputExistsError(StoreError):
    """The output dataset already holds grasps and the session was not told what to do."""


def pause_for_key(
    prompt: str,
    stop_event: threading.Event,
    stream: IO[str] | None = None,
    out: IO[str] = sys.stderr,
) -> None:
    """Print ``prompt`` and wait for a line on ``stream`` (stdin); returns early on stop."""
    stream = stream if stream is not None else sys.stdin
    print(prompt, file=out if out is not None else sys.stderr, flush=True)
    while not stop_event.is_set():
        try:
            ready, _, _ = select.select([stream], [], [], 0.1)
        except (OSError, ValueError, TypeError):  # not selectable (e.g. a StringIO): just read
            ready = [stream]
        if ready:
            stream.readline()  # a line, or end of input (nobody to press Enter): go on
            return


def check_output(config: SessionConfig) -> int:
    """Grasps already in the output; refuses an existing output unless told what to do."""
    try:
        reader = GraspReader(config.output)
    except StoreError:
        if config.output.exists():
            raise  # a damaged or foreign file: do not write into it
        return 0
    n = len(reader.ids())
    if n and config.if_exists == "error":
        mine = len(existing_grasp_ids(config.output, config.object_id))
        raise OutputExistsError(
            f"{config.output} already holds {n} grasp(s) ({mine} of {config.object_id!r})",
            hint="pass --append to add to it (grasps of this object count towards -n, i.e. "
            "resume), --overwrite to replace it, or choose another -o",
        )
    return n


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


def open_devices(
    config: SessionConfig, rigs: SimRigs | None = None
) -> tuple[Gripper, TactileSensor, ForceSensor]:
    """The session's three devices; simulated ones share one :class:`SimRigs`."""
    if rigs is None:
        from tactile.hardware.sim_world import SimRigs

        rigs = SimRigs()
    return (
        open_gripper(config.gripper_url, rigs=rigs),
        open_tactile_sensor(config.camera_url, rigs=rigs),
        open_force_sensor(config.force_url, rigs=rigs),
    )


class CollectSession:
    """Runs one session; see :func:`run_session`."""

    def __init__(
        self,
        config: SessionConfig,
        *,
        progress: bool = True,
        out: IO[str] | None = None,
        on_frame: FrameCallback | None = None,
        stop_event: threading.Event | None = None,
        pause: Callable[[int], None] | None = None,
        rigs: SimRigs | None = None,
    ):
        self.config = config
        self.progress = progress
        self.out = out if out is not None else sys.stderr
        self.on_frame = on_frame
        self.stop_event = stop_event or threading.Event()
        self.pause = pause if pause is not None else self._default_pause
        self.rigs = rigs
        self.summary = SessionSummary(config.object_id, config.output, config.n_grasps)
        self._rejects: GraspWriter | None = None
        self._abort_opened: bool | None = None  # after a second Ctrl-C: the gripper opened?

    def _close_rejects(self) -> None:
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None

    def _default_pause(self, done: int) -> None:
        c = self.config
        what = f"{done} of {c.n_grasps} grasps of {c.object_id} done"
        if c.pause_for_key:
            pause_for_key(
                f"{what}: reposition or swap the object, then press Enter (Ctrl-C stops)",
                self.stop_event,
                out=self.out,
            )
        elif c.pause_s > 0:
            print(f"{what}: pausing {c.pause_s:g} s", file=self.out, flush=True)
            self.stop_event.wait(c.pause_s)

    def metadata(self, attempt: int) -> GraspMetadata:
        c = self.config
        return c.grasp_metadata(
            software_version=__version__,
            created_utc=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            extra={"attempt": attempt, **({"profile": c.profile} if c.profile else {})},
        )

    def run(self, opener: Opener | None = None) -> SessionSummary:
        c, s = self.config, self.summary
        if c.if_exists == "overwrite":
            _remove_dataset(c.output)
            _remove_dataset(c.rejects_path)
        check_output(c)
        s.already_present = len(existing_grasp_ids(c.output, c.object_id))
        if s.complete:
            with GraspWriter(c.output):  # cleans a killed writer's temporary files, consolidates
                return s
        needed = c.n_grasps - s.already_present
        budget = c.max_attempts or max(3, 2 * needed)
        try:
            self._run(opener, budget)
        except KeyboardInterrupt as exc:  # a second Ctrl-C: abort, without another traceback
            raise self._aborted() from exc
        return s

    def _aborted(self) -> SessionInterruptedError:
        s = self.summary
        s.aborted = "interrupted"
        gripper = ""  # None: it had not moved yet
        if self._abort_opened is not None:
            gripper = (
                "; the gripper was commanded open"
                if self._abort_opened
                else "; the gripper could NOT be commanded open - check it"
            )
        return SessionInterruptedError(
            f"aborted at the second Ctrl-C{gripper}; {s.n_done} of {s.target} accepted grasps "
            f"are safe in {self.config.output}",
            summary=s,
            hint="run the same command with --append to resume (it also finishes the file)",
        )

    def _open_on_abort(self, gripper: Gripper) -> Callable[..., bool]:
        """An exit callback: on a second Ctrl-C (a KeyboardInterrupt from anywhere, perhaps
        mid-command) command the gripper open once more. Pushed twice: first on unwinding (not
        after the final merge) and last before the devices close (a Ctrl-C during the merge)."""

        def callback(et: object, exc: BaseException | None, tb: object) -> bool:
            if isinstance(exc, KeyboardInterrupt) and not self._abort_opened:
                try:
                    gripper.open()
                    self._abort_opened = True
                except Exception:
                    self._abort_opened = False
            return False

        return callback

    def _run(self, opener: Opener | None, budget: int) -> None:
        c, s = self.config, self.summary
        with contextlib.ExitStack() as stack:
            devices = (opener or self._open_devices)(c)
            for device in devices:
                stack.enter_context(device)
            stack.push(self._open_on_abort(devices[0]))  # Ctrl-C during the final merge
            recorder = self._prepare(*devices)
            writer = stack.enter_context(GraspWriter(c.output, frame_codec=c.frame_codec))
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
            stack.push(self._open_on_abort(devices[0]))  # the first thing on unwinding
            for attempt in range(1, budget + 1):
                if s.complete:
                    break
                if attempt > 1:
                    self.pause(s.n_done)
                if self.stop_event.is_set():
                    self._interrupted(None)
                self._attempt(attempt, recorder, writer, bar)

    def _open_devices(self, config: SessionConfig) -> tuple[Gripper, TactileSensor, ForceSensor]:
        return open_devices(config, self.rigs)

    def _prepare(self, gripper: Gripper, camera: TactileSensor, force: ForceSensor) -> Recorder:
        c = self.config
        if c.width_calibration is not None:
            apply = getattr(gripper, "set_width_calibration", None)
            if apply is None:
                raise ConfigError(
                    f"the profile has a width calibration but {gripper.name} takes none",
                    hint="remove [gripper_calibration] from the profile for this gripper",
                )
            apply(c.width_calibration)
        if c.force_conversion is not None:
            force.set_conversion(**c.force_conversion)
        recorder = Recorder(  # checks the limits against this gripper before anything moves
            gripper,
            camera,
            force,
            c.recorder,
            latency_s=c.latency_s,
            on_frame=self.on_frame,
            stop_event=self.stop_event,
            warn=lambda message: tqdm.write(message, file=self.out),  # a rest level moved
        )
        rest_warning = recorder.prepare(tare=c.tare)  # untared: the limits act from its rest
        if rest_warning:
            print(rest_warning, file=self.out)
        if not gripper.width_calibrated:
            print(
                f"warning: {gripper.name} has no measured width calibration: widths may be "
                "off by several mm and the grasps are flagged width_calibrated=false "
                "(run `tactile calibrate gripper --profile ...`)",
                file=self.out,
            )
        return recorder

    def _next_id(self, writer: GraspWriter) -> str:
        k = self.summary.n_done + 1
        while f"{self.config.object_id}_{k:03d}" in writer:
            k += 1
        return f"{self.config.object_id}_{k:03d}"

    def _interrupted(self, partial_id: str | None) -> None:
        s = self.summary
        s.aborted = "interrupted"
        kept = f"; the partial grasp is kept as {partial_id} in {self.config.rejects_path}"
        raise SessionInterruptedError(
            f"interrupted: the gripper was commanded open; {s.n_done} of {s.target} grasps are "
            f"safe in {self.config.output}" + (kept if partial_id else ""),
            summary=s,
            hint="run the same command with --append to resume",
        )

    def _attempt(self, attempt: int, recorder: Recorder, writer: GraspWriter, bar: tqdm) -> None:
        s = self.summary
        gid = self._next_id(writer)
        try:
            grasp = recorder.record(gid, self.metadata(attempt))
        except GraspAbortedError as exc:
            interrupted = isinstance(exc.cause, RecordingInterruptedError)
            rid = None
            if exc.partial is not None:
                why = "interrupted by the user" if interrupted else f"aborted: {exc.cause}"
                rid = self._reject(exc.partial, why, attempt)
            bar.close()
            if interrupted:
                self._interrupted(rid)
            s.aborted = str(exc)
            raise SessionAbortedError(
                f"{exc}. Grasps already accepted ({s.n_done} of {s.target}) are safe in "
                f"{self.config.output}",
                summary=s,
                hint=(exc.hint + "; then " if exc.hint else "")
                + "run the same command with --append to resume",
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
            f"peak {float(force_above_rest_n(grasp).max()):.1f} N"
        )

    def _reject(self, grasp: Grasp, reason: str, attempt: int) -> str:
        if self._rejects is None:  # opened on the first reject: no empty rejects file
            self._rejects = GraspWriter(
                self.config.rejects_path, frame_codec=self.config.frame_codec
            )
        rejects = self._rejects
        k = len(rejects.ids) + 1  # the next free number (a resumed session's are taken)
        while f"{self.config.object_id}_reject_{k:03d}" in rejects:
            k += 1
        rid = f"{self.config.object_id}_reject_{k:03d}"
        extra = {**grasp.meta.extra, "reject_reason": reason, "attempt": attempt}
        meta = dataclasses.replace(grasp.meta, extra=extra)
        rejects.append(dataclasses.replace(grasp, grasp_id=rid, meta=meta))
        self.summary.rejected.append((rid, reason))
        status = "rejected"
        if "aborted" in extra:
            status = "interrupted" if reason.startswith("interrupted") else "aborted"
        self.summary.add_row(grasp, rid, status, reason)
        return rid


def _remove_dataset(path: Path) -> None:
    """Delete a grasp dataset (single file with its pending grasps, or a directory's grasps)."""
    if not path.exists() and not path.with_name(f".{path.name}.pending").exists():
        return
    with GraspWriter(path, overwrite=True):
        pass
    if path.suffix in (".h5", ".hdf5"):
        path.unlink(missing_ok=True)


def run_session(
    config: SessionConfig,
    *,
    progress: bool = True,
    out: IO[str] | None = None,
    opener: Opener | None = None,
    on_frame: FrameCallback | None = None,
    stop_event: threading.Event | None = None,
    pause: Callable[[int], None] | None = None,
    rigs: SimRigs | None = None,
) -> SessionSummary:
    """Collect ``config.n_grasps`` accepted grasps of one object.

    ``on_frame``: called for every recorded frame (a preview, or a policy that stops closing by
    returning True); ``stop_event``: set it to stop cleanly (raises
    :class:`SessionInterruptedError`); ``pause``: called between grasps with the number done
    (default: ``config.pause_for_key`` / ``config.pause_s``); ``rigs``: the simulated rigs the
    devices share (tests pass one to inspect the simulated world).
    """
    session = CollectSession(
        config,
        progress=progress,
        out=out,
        on_frame=on_frame,
        stop_event=stop_event,
        pause=pause,
        rigs=rigs,
    )
    return session.run(opener)
