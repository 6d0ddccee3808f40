"""The online estimate on a live recording: a frame callback that stops closing when confident.

:class:`LiveOnline` plugs into the recorder's per-frame hook (``Recorder(on_frame=...)``,
``run_session(on_frame=...)``; :mod:`tactile.recording.recorder`). For every frame of the
``pre`` and ``closing`` phases it adds the frame, its arrival time, the latest force reading
and the gripper's width to an :class:`~tactile.estimators.online.OnlineEstimator`; from
``skip_below_n`` on it also estimates (a streaming update) and asks the grasp's stopper, and
returns True - stop closing - when the stopper says ``confident`` (confirmed by an exact update)
or ``safe_force``. Frames of the hold and the release are not fed: the decision is made while
closing.

What the live estimate sees differs slightly from the stored grasp: the latest force reading
and gripper state at each frame's arrival, where the stored grasp interpolates each stream to
the frame times after subtracting the device latencies. So the *decision* on a live grasp is
taken again on the stored grasp up to the stopping frame (:mod:`tactile.decisions.sorter`),
and a replay of the stored grasps gives the same decisions.

One :class:`LiveOnline` serves a whole session: a new grasp id starts a new estimator and a new
stopper (from ``make_stopper``); :attr:`runs` keeps each grasp's trace, stopping frame and
reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tactile.decisions.grasping import FULL_GRASP
from tactile.decisions.stopping import Stopper
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.online import OnlineEstimator, OnlineUpdate
from tactile.types import GraspMetadata

if TYPE_CHECKING:
    from tactile.recording.recorder import FrameCallback, LiveFrame
    from tactile.recording.session import SessionConfig


@dataclass
class LiveRun:
    """One grasp as the live estimate saw it."""

    grasp_id: str
    online: OnlineEstimator
    stopper: Stopper | None
    trace: list[OnlineUpdate] = field(default_factory=list)
    stop_index: int | None = None  # frame (of the recording) where the stopper fired
    stop_reason: str = FULL_GRASP
    stop_force_n: float | None = None

    def summary(self) -> dict[str, object]:
        """For logs: where and why the closing stopped, and the estimate there."""
        est = None
        if self.stopper is not None and self.stopper.confirmed is not None:
            est = self.stopper.confirmed.estimate
        elif self.trace and self.trace[-1].estimate is not None:
            est = self.trace[-1].estimate
        costs = [u.cpu_s for u in self.trace if not u.exact]
        return {
            "stop_reason": self.stop_reason,
            "stop_frame": self.stop_index,
            "stop_force_n": self.stop_force_n,
            "n_updates": len(self.trace),
            "cpu_ms_per_update_median": round(1e3 * sorted(costs)[len(costs) // 2], 3)
            if costs
            else None,
            "estimate_at_stop": est.to_dict() if est is not None else None,
        }


class LiveOnline:
    """A :data:`~tactile.recording.recorder.FrameCallback` (see the module docstring).

    ``meta``: how the estimator sees the object (shape, radius if known, the sensor's
    ``calibration_id``); :meth:`expect` changes it for the next grasp. ``make_stopper``: a new
    stopper per grasp (None: estimate without stopping, e.g. for a plot). ``then``: another
    callback (a live preview) called first on every frame.
    """

    def __init__(
        self,
        estimator: AnalyticalEstimator,
        *,
        meta: GraspMetadata,
        make_stopper: Callable[[], Stopper] | None,
        skip_below_n: float | None = None,
        then: FrameCallback | None = None,
    ) -> None:
        self.estimator = estimator
        self.meta = meta
        self.make_stopper = make_stopper
        self.skip_below_n = skip_below_n
        self.then = then
        self.runs: dict[str, LiveRun] = {}
        self._current: LiveRun | None = None

    def expect(self, meta: GraspMetadata) -> None:
        """The next grasp's metadata (the sorter knows each item's before recording it)."""
        self.meta = meta

    def _start(self, live: LiveFrame) -> LiveRun:
        online = OnlineEstimator(
            self.estimator,
            meta=self.meta,
            reference_frame=live.frame.image,  # the recorder's reference: the grasp's first frame
            grasp_id=live.grasp_id,
        )
        stopper = self.make_stopper() if self.make_stopper is not None else None
        run = LiveRun(live.grasp_id, online, stopper)
        self.runs[live.grasp_id] = run
        self._current = run
        return run

    def _skip_n(self, run: LiveRun) -> float:
        if self.skip_below_n is not None:
            return self.skip_below_n
        return 0.5 * run.stopper.rule.min_force_n if run.stopper is not None else 0.3

    def __call__(self, live: LiveFrame) -> bool:
        stop = bool(self.then(live)) if self.then is not None else False
        run = self._current
        if run is None or run.grasp_id != live.grasp_id:
            run = self._start(live)
        if live.phase not in ("pre", "closing") or run.stop_index is not None:
            return stop
        args = (live.frame.image, live.frame.t_s, live.force_n, live.state.width_mm)
        if live.phase == "pre" or live.force_n < self._skip_n(run):
            run.online.add_frame(*args)
            return stop
        update = run.online.update(*args)
        run.trace.append(update)
        if run.stopper is None:
            return stop
        reason = run.stopper.check(update, confirm=run.online.exact_update)
        if reason is None:
            return stop
        confirmed = run.stopper.confirmed
        if confirmed is not None and confirmed.frame_index == update.frame_index:
            run.trace[-1] = confirmed
        run.stop_index = len(live.frames) - 1
        run.stop_reason = reason
        run.stop_force_n = float(live.force_n)
        return True


def cap_to_produce(recorder_fields: dict[str, Any], produce: str) -> None:
    """The produce's safe force caps a recorder's settings (``RecorderConfig`` fields, changed
    in place): the safety limit, the target force below it (``FORCE_TARGET_SHARE``), and the
    contact force below the target. A cap that binds is named in ``max_force_cap``, so that a
    refusal of the limit says where it comes from."""
    from tactile.decisions import load_produce_profile
    from tactile.decisions.grasping import FORCE_TARGET_SHARE
    from tactile.recording import RecorderConfig

    fields = recorder_fields
    safe = load_produce_profile(produce).max_force_n
    default = RecorderConfig()
    asked = float(fields.get("max_force_n", default.max_force_n))
    limit = min(asked, safe)
    fields["max_force_n"] = limit
    if limit < asked:  # named in a refusal: --max-force-n cannot lift it
        fields["max_force_cap"] = f"the safe force of the produce profile {produce!r}"
    target = float(fields.get("target_force_n", default.target_force_n))
    fields["target_force_n"] = min(target, FORCE_TARGET_SHARE * limit)
    if float(fields.get("contact_force_n", default.contact_force_n)) >= fields["target_force_n"]:
        fields["contact_force_n"] = 0.25 * fields["target_force_n"]


def live_stopper(
    config: SessionConfig,
    *,
    produce: str | None = None,
    confident_dex: float = 0.5,
    estimator: str = "auto",
    then: FrameCallback | None = None,
) -> LiveOnline:
    """The frame callback of ``tactile collect --stop-when-confident`` for a session.

    With ``produce`` (a produce profile), stop once the profile's classes decide
    (:class:`~tactile.decisions.ConfidenceStopper`); otherwise once the 95 % interval of
    log10 E from the online ``estimator`` spans at most ``confident_dex`` decades
    (:class:`~tactile.decisions.stopping.NarrowIntervalStopper`). Either way it never stops
    below the force a grasp needs to be accepted (``config.limits.min_peak_force_n``), and
    stops at the session's safety limit. ``then``: another frame callback (a live preview).
    """
    import dataclasses

    from tactile.decisions import ConfidenceStopper, ProduceEstimator, load_produce_profile
    from tactile.decisions.profiles import StopRule
    from tactile.decisions.stopping import NarrowIntervalStopper
    from tactile.estimators import get_estimator

    limit = config.recorder.max_force_n
    floor = config.limits.min_peak_force_n
    meta = config.grasp_metadata()
    if produce:
        profile = load_produce_profile(produce)
        rule = dataclasses.replace(profile.stop, min_force_n=max(profile.stop.min_force_n, floor))
        profile = dataclasses.replace(profile, stop=rule)
        return LiveOnline(
            ProduceEstimator(),
            meta=meta,
            make_stopper=lambda: ConfidenceStopper(profile, force_limit_n=limit),
            then=then,
        )
    rule = StopRule(min_force_n=max(StopRule().min_force_n, floor))
    NarrowIntervalStopper(max_width_dex=confident_dex)  # refuses a bad width now
    from tactile.errors import ConfigError
    from tactile.estimators.auto import GIVEN_GEOMETRY_ESTIMATORS
    from tactile.estimators.base import has_given_geometry

    named = estimator.strip().lower()
    if named in GIVEN_GEOMETRY_ESTIMATORS and not has_given_geometry(meta):
        # review48: every online update was refused, silently, and the grasp closed to the
        # target force instead of stopping when confident
        raise ConfigError(
            f"--stop-when-confident with --estimator {named} needs the object's shape or "
            "radius: it refuses a grasp with neither",
            hint="give --shape / --radius-mm, or use --estimator auto (reads the geometry "
            "from the grasp)",
        )
    return LiveOnline(
        get_estimator(estimator),  # type: ignore[arg-type]  # the online one checks
        meta=meta,
        make_stopper=lambda: NarrowIntervalStopper(
            rule=rule, force_limit_n=limit, max_width_dex=confident_dex
        ),
        then=then,
    )
