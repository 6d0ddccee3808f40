"""Grasping one tray item, optionally stopping once the online estimate is confident.

Three ways to get a grasp, one result (:class:`GraspRun`):

* :class:`SimGrasper` (``sim://`` trays): the physics simulator closes on the fruit at constant
  speed until the gripper's force target (below the profile's safe force). With a stopper, the
  online estimate runs on that squeeze frame by frame; where the stopper fires the gripper stops
  one frame later (``STOP_LATENCY_FRAMES``: the command's latency), and the grasp is what was
  recorded up to there (the hold and release that follow add nothing to the decision). The
  simulation runs in virtual time (no sleeping).
* :class:`ReplayGrasper` (``replay://`` trays): the recorded grasps of an item in order, fed to
  the online estimate frame by frame; a stop keeps the frames up to the stopping frame (the
  recording cannot show the hold that would have followed).
* :class:`~tactile.decisions.rig.RigGrasper` (real hardware, or ``sim://`` /
  ``robotiq-sim://`` devices): the recorder closing the gripper in real time, the online
  estimate fed from its per-frame hook; see :mod:`tactile.decisions.rig`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from tactile.decisions.stopping import Stopper
from tactile.decisions.tray import TrayItem
from tactile.errors import TactileError
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.online import OnlineEstimator, OnlineUpdate
from tactile.types import Grasp, GraspMetadata

if TYPE_CHECKING:  # the simulator (scipy, PIL) loads only when a simulated grasp is made
    from tactile.sim import SimGraspConfig

#: The simulated gripper closes to this share of the profile's safe force (its own overshoot
#: stays below the rest).
FORCE_TARGET_SHARE = 0.9
FULL_GRASP = "full_grasp"
#: A grasp the recorder's safety check aborted (the force passed the limit): the item is
#: rejected at once.
SAFETY_TRIP = "safety_trip"
#: A grasp a fault or the user's stop (Ctrl-C) cut short on a rig: what was recorded is kept,
#: the item is logged as aborted (rejected) and the run stops.
ABORTED = "aborted"
#: Frames the simulated gripper keeps closing after the stopper fires (command latency).
STOP_LATENCY_FRAMES = 1


@dataclass(frozen=True, eq=False)
class GraspRun:
    grasp: Grasp
    #: "confident", "futile", "safe_force", "full_grasp", "safety_trip" or "aborted"
    stop_reason: str
    stop_index: int | None  # frame where the stopper fired (None: never)
    trace: tuple[OnlineUpdate, ...] = field(default_factory=tuple)
    #: the trace came from live readings, not from ``grasp`` (a rig: see decisions.live)
    live: bool = False
    aborted: str | None = None  # why the recorder aborted the grasp (safety check, fault, stop)

    @property
    def decision_frames(self) -> int:
        """Frames the decision uses: up to the one that stopped the gripper, else all."""
        return self.grasp.n_frames if self.stop_index is None else self.stop_index + 1


class Grasper(Protocol):
    def grasp(self, item: TrayItem, attempt: int, stopper: Stopper | None) -> GraspRun: ...


class GraspStoppedError(TactileError):
    """A grasp a fault or the user's stop cut short (raised by a rig's grasper): ``cause`` is
    the recorder's error (re-raised by :func:`tactile.decisions.sorter.sort_tray` once the
    item is logged), ``run`` what was recorded and kept (None: under 2 frames)."""

    def __init__(self, cause: TactileError, run: GraspRun | None) -> None:
        super().__init__(cause.message, hint=cause.hint)
        self.cause = cause
        self.run = run
        #: the item's log entry (its grasps so far, this one included), set by the sorter
        self.result: Any = None


def blind_meta(meta: GraspMetadata, *, item: TrayItem, attempt: int) -> GraspMetadata:
    """What the sorter knows about the item: near-spherical, nothing else; the truth is kept
    in ``extra`` for scoring only (no estimator reads it)."""
    extra = dict(meta.extra)
    extra.update(
        item_id=item.item_id,
        attempt=attempt,
        produce=item.kind,
        truth_class=item.truth_class,
        ripeness=item.ripeness,
        true_shape=meta.shape,
        true_radius_mm=meta.radius_mm,
    )
    return dataclasses.replace(meta, shape="sphere", radius_mm=None, extra=extra)


def tray_grasp_config() -> SimGraspConfig:
    """How the simulated tray gripper grasps: 120x160 frames, 5 mm/s, 0.3 s hold."""
    from tactile.sim import SimGraspConfig
    from tactile.sim.gripper import GripperProfile

    return SimGraspConfig(
        size_hw=(120, 160),
        gripper=GripperProfile(close_speed_mm_s=5.0, open_gap_mm=3.0, hold_s=0.3),
    )


def run_online(
    grasp: Grasp,
    estimator: AnalyticalEstimator,
    stopper: Stopper | None,
    *,
    skip_below_n: float = 0.0,
) -> tuple[list[OnlineUpdate], int | None, str]:
    """Feed ``grasp`` frame by frame; stop at the stopper's first stop. Frames with a force
    below ``skip_below_n`` are added without estimating (nothing is decided from them).
    Updates are streaming; a confident stop is confirmed by an exact update, which ends the
    trace (:mod:`tactile.decisions.stopping`). The force is read above the rest level of a
    gauge not zeroed (``--no-tare``: :func:`~tactile.recording.validation.force_above_rest_n`),
    as a live run's recorder feeds it."""
    from tactile.recording.validation import force_above_rest_n

    force_n = force_above_rest_n(grasp)
    online = OnlineEstimator(
        estimator, meta=grasp.meta, reference_frame=grasp.reference_frame, grasp_id=grasp.grasp_id
    )
    trace: list[OnlineUpdate] = []
    for i in range(grasp.n_frames):
        args = (grasp.frames[i], grasp.t_s[i], force_n[i], grasp.width_mm[i])
        if force_n[i] < skip_below_n:
            online.add_frame(*args)
            continue
        update = online.update(*args)
        trace.append(update)
        if stopper is not None:
            reason = stopper.check(update, confirm=online.exact_update)
            if reason is not None:
                if stopper.confirmed is not None and stopper.confirmed.frame_index == i:
                    trace[-1] = stopper.confirmed
                return trace, i, reason
    return trace, None, FULL_GRASP


@dataclass
class SimGrasper:
    """Simulated fruit (see the module docstring)."""

    estimator: AnalyticalEstimator
    max_force_n: float
    config: SimGraspConfig = field(default_factory=tray_grasp_config)
    seed: int = 0

    def _simulate(self, item: TrayItem, attempt: int, target_n: float) -> Grasp:
        assert item.obj is not None
        cfg = dataclasses.replace(
            self.config, gripper=dataclasses.replace(self.config.gripper, force_target_n=target_n)
        )
        seed = self.seed + 1000 * attempt + _stable_hash(item.item_id)
        gid = f"{item.item_id}_a{attempt}"
        from tactile.sim import simulate_grasp_truth

        grasp, _ = simulate_grasp_truth(item.obj, cfg, seed, grasp_id=gid)
        return dataclasses.replace(grasp, meta=blind_meta(grasp.meta, item=item, attempt=attempt))

    def grasp(self, item: TrayItem, attempt: int, stopper: Stopper | None) -> GraspRun:
        if item.obj is None:
            raise ValueError(f"tray item {item.item_id!r} has no simulated object")
        full = self._simulate(item, attempt, FORCE_TARGET_SHARE * self.max_force_n)
        if stopper is None:
            return GraspRun(full, FULL_GRASP, None)
        skip = 0.5 * stopper.rule.min_force_n
        trace, stop, reason = run_online(full, self.estimator, stopper, skip_below_n=skip)
        if stop is None:
            return GraspRun(full, reason, None, tuple(trace))
        return GraspRun(prefix(full, stop + 1 + STOP_LATENCY_FRAMES), reason, stop, tuple(trace))


def prefix(grasp: Grasp, n_frames: int) -> Grasp:
    """The first ``n_frames`` frames of ``grasp`` (all of them if it is shorter)."""
    n = max(2, min(n_frames, grasp.n_frames))
    return dataclasses.replace(
        grasp,
        frames=grasp.frames[:n],
        t_s=grasp.t_s[:n],
        force_n=grasp.force_n[:n],
        width_mm=grasp.width_mm[:n],
        camera_jpegs=None if grasp.camera_jpegs is None else grasp.camera_jpegs[:n],
    )


@dataclass
class ReplayGrasper:
    """Recorded grasps (see the module docstring)."""

    estimator: AnalyticalEstimator
    reader: Any  # a GraspReader

    def grasp(self, item: TrayItem, attempt: int, stopper: Stopper | None) -> GraspRun:
        if attempt >= len(item.grasp_ids):
            raise IndexError(attempt)
        recorded = self.reader.read(item.grasp_ids[attempt])
        grasp = dataclasses.replace(
            recorded, meta=blind_meta(recorded.meta, item=item, attempt=attempt)
        )
        why = recorded.meta.extra.get("aborted")
        if why:  # cut short live (safety trip, fault, stop): rejected as it was live
            reason = str(recorded.meta.extra.get("stop_reason") or ABORTED)
            return GraspRun(grasp, reason, None, aborted=str(why))
        if stopper is None:
            return GraspRun(grasp, FULL_GRASP, None)
        skip = 0.5 * stopper.rule.min_force_n
        trace, stop, reason = run_online(grasp, self.estimator, stopper, skip_below_n=skip)
        if stop is None:
            return GraspRun(grasp, reason, None, tuple(trace))
        return GraspRun(prefix(grasp, stop + 1), reason, stop, tuple(trace))


def _stable_hash(text: str) -> int:
    """A small seed offset from a name that does not change between runs (unlike hash())."""
    return int(np.frombuffer(text.encode().ljust(8, b"\0")[:8], dtype=np.uint32).sum() % 997)
