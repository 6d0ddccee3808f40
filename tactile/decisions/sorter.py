"""Sort a tray: grasp each item, decide from the estimate's interval, re-grasp, reject.

Per item, up to ``1 + max_regrasps`` grasps: each grasp's final estimate (the online estimate
after its last frame, which is the offline estimate of that grasp) gives a measurement on the
profile's axis and a decision. A confident class ends the item; an interval outside every class
rejects it at once; "uncertain" grasps again, and after the last grasp the item is rejected as
uncertain, except when the value itself lies within a class limit's uncertainty (no narrower
interval around it could clear the limit): rejected at once, not squeezed again. With
``--stop-when-confident`` a grasp the stopper ended as futile (an uncertain decision whose value
held, under the stopping rule's guards, where no interval could be confident:
:mod:`tactile.decisions.stopping`) is rejected at once too, unless the decision on the grasp
up to there is confident after all. Nothing is ever assigned a class the interval did not lie
in.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tactile.decisions.decide import (
    CONFIDENT,
    OUT_OF_RANGE,
    UNCERTAIN,
    Decision,
    Measurement,
    decide,
    measure,
)
from tactile.decisions.grasping import ABORTED, Grasper, GraspRun, GraspStoppedError
from tactile.decisions.profiles import ProduceProfile
from tactile.decisions.stopping import FUTILE_STOP, ConfidenceStopper
from tactile.decisions.tray import TrayItem
from tactile.errors import TactileError
from tactile.estimators.base import AnalyticalEstimator
from tactile.estimators.online import estimate_prefix

REJECT = "reject"


@dataclass(frozen=True, eq=False)
class Attempt:
    run: GraspRun
    measurement: Measurement | None
    decision: Decision
    estimate: dict[str, Any] | None

    @property
    def peak_force_n(self) -> float:
        """The largest force of the grasp: per frame, or, when the recorder kept the force
        stream (a rig), the largest reading it accepted, which falls between frames; above the
        rest level of a gauge not zeroed (``meta.extra["force_rest_n"]``)."""
        g = self.run.grasp
        peak = float(g.force_n.max())
        sample = g.meta.extra.get("peak_force_sample_n")
        rest = float(g.meta.extra.get("force_rest_n", 0.0))
        return (max(peak, float(sample)) if isinstance(sample, int | float) else peak) - rest

    @property
    def stop_time_s(self) -> float | None:
        """Seconds from first contact to where the stopper fired (None: it did not)."""
        if self.run.stop_index is None or not self.run.trace:
            return None
        stopped = next((u for u in self.run.trace if u.frame_index == self.run.stop_index), None)
        feats = stopped.features if stopped is not None else None
        if stopped is None or feats is None:
            return None
        return max(float(stopped.t_s) - float(feats.t_s[feats.contact_index]), 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "grasp_id": self.run.grasp.grasp_id,
            "stop_reason": self.run.stop_reason,
            "stop_frame": self.run.stop_index,
            "stop_time_s": self.stop_time_s,
            "peak_force_n": self.peak_force_n,
            "n_frames": self.run.grasp.n_frames,
            "measurement": self.measurement.to_dict() if self.measurement else None,
            "outcome": self.decision.outcome,
            "label": self.decision.label,
            "candidates": list(self.decision.candidates),
            "reason": self.decision.reason,
            "estimate": self.estimate,
        }


@dataclass(frozen=True, eq=False)
class ItemResult:
    item: TrayItem
    attempts: tuple[Attempt, ...]
    sorted_as: str  # a class name, or REJECT
    reason: str
    #: a fault or the user's stop cut its grasp short (it is rejected, and the run stopped)
    aborted: bool = False

    @property
    def confident(self) -> bool:
        return self.sorted_as != REJECT

    @property
    def correct(self) -> bool | None:
        """Whether a confident class matches the known truth (None: rejected or no truth)."""
        if not self.confident or self.item.truth_class is None:
            return None
        return self.sorted_as == self.item.truth_class

    @property
    def max_peak_force_n(self) -> float:
        # 0: no attempt kept (a grasp stopped before 2 frames were recorded)
        return max((a.peak_force_n for a in self.attempts), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.item.to_dict(),
            "sorted_as": self.sorted_as,
            "reason": self.reason,
            "correct": self.correct,
            "n_grasps": len(self.attempts),
            "max_peak_force_n": self.max_peak_force_n,
            "attempts": [a.to_dict() for a in self.attempts],
            **({"aborted": True} if self.aborted else {}),
        }


def _decide_grasp(
    run: GraspRun, estimator: AnalyticalEstimator, profile: ProduceProfile
) -> Attempt:
    if run.aborted is not None:
        why = f"grasp aborted: {run.aborted}"
        return Attempt(run, None, Decision(UNCERTAIN, None, (), why), None)
    last = run.trace[-1] if run.trace else None
    if (
        last is not None
        and not run.live
        and last.exact
        and last.frame_index == run.decision_frames - 1
    ):
        update = last  # the exact update that stopped the gripper: the same estimate
    else:
        update = estimate_prefix(run.grasp, estimator, n_frames=run.decision_frames)
    try:
        m = measure(profile, update.estimate, update.features)
    except TactileError as exc:
        why = update.waiting_for or exc.message
        return Attempt(run, None, Decision(UNCERTAIN, None, (), f"no estimate: {why}"), None)
    est = update.estimate.to_dict() if update.estimate is not None else None
    return Attempt(run, m, decide(m, profile), est)


def sort_item(
    item: TrayItem,
    grasper: Grasper,
    estimator: AnalyticalEstimator,
    profile: ProduceProfile,
    *,
    stop_when_confident: bool = False,
) -> ItemResult:
    attempts: list[Attempt] = []
    n_max = 1 + profile.max_regrasps
    if item.grasp_ids:
        n_max = min(n_max, len(item.grasp_ids))
    for k in range(n_max):
        stopper = ConfidenceStopper(profile, stop_when_futile=True) if stop_when_confident else None
        try:
            grasp_run = grasper.grasp(item, k, stopper)
        except GraspStoppedError as exc:  # a fault or a stop: the item is logged as aborted
            # the recorder's message starts "grasp 'ID' aborted: ": said once
            stop_why = re.sub(r"^grasp '[^']*' aborted: ", "", exc.message)
            if exc.run is not None:
                cut_decision = Decision(UNCERTAIN, None, (), f"grasp aborted: {stop_why}")
                attempts.append(Attempt(exc.run, None, cut_decision, None))
            # logged even when under 2 frames were recorded (no attempt kept)
            exc.result = ItemResult(
                item, tuple(attempts), REJECT, f"aborted: {stop_why}", aborted=True
            )
            raise
        attempt = _decide_grasp(grasp_run, estimator, profile)
        attempts.append(attempt)
        d = attempt.decision
        if attempt.run.aborted is not None:  # the force passed the limit: never squeeze again
            if attempt.run.stop_reason == ABORTED:  # a replayed fault or stop: as logged live
                cut_why = attempt.run.aborted
                return ItemResult(
                    item, tuple(attempts), REJECT, f"aborted: {cut_why}", aborted=True
                )
            return ItemResult(item, tuple(attempts), REJECT, d.reason)
        if d.outcome == CONFIDENT and d.label is not None:
            return ItemResult(item, tuple(attempts), d.label, d.reason)
        if d.outcome == OUT_OF_RANGE:
            return ItemResult(item, tuple(attempts), REJECT, f"out of range: {d.reason}")
        if attempt.run.stop_reason == FUTILE_STOP:  # more force could not decide it
            why = stopper.futile_reason if stopper is not None else None
            held = f"{why}" if why else "its value held where no interval could be confident"
            return ItemResult(
                item,
                tuple(attempts),
                REJECT,
                f"uncertain, stopped squeezing at {attempt.peak_force_n:.2f} N and not "
                f"re-grasped ({held}: more force could not decide it): {d.reason}",
            )
        if d.regrasp_futile:  # the value lies within a limit's own uncertainty
            return ItemResult(item, tuple(attempts), REJECT, f"uncertain: {d.reason}")
    last = attempts[-1].decision.reason
    return ItemResult(
        item, tuple(attempts), REJECT, f"uncertain after {len(attempts)} grasp(s): {last}"
    )


@dataclass
class SortRun:
    profile: ProduceProfile
    results: list[ItemResult] = field(default_factory=list)
    stop_when_confident: bool = False
    source: str = ""
    #: why the run stopped before the end of the tray (a fault, the user's stop); None: it did
    #: not
    stopped: str | None = None

    def summary(self) -> dict[str, Any]:
        """Counts per outcome, accuracy of confident decisions, peak forces, limits."""
        confident = [r for r in self.results if r.confident]
        scored = [r for r in confident if r.correct is not None]
        right = sum(bool(r.correct) for r in scored)
        peaks = [a.peak_force_n for r in self.results for a in r.attempts]
        first_peaks = [r.attempts[0].peak_force_n for r in self.results if r.attempts]
        per_class = {
            c: sum(r.sorted_as == c for r in self.results) for c in self.profile.class_names
        }
        per_class[REJECT] = sum(not r.confident for r in self.results)
        stops = [
            a.stop_time_s for r in self.results for a in r.attempts if a.stop_time_s is not None
        ]
        return {
            "profile": self.profile.name,
            "quantity": self.profile.quantity,
            "source": self.source,
            "stop_when_confident": self.stop_when_confident,
            "n_items": len(self.results),
            "n_grasps": sum(len(r.attempts) for r in self.results),
            "complete": self.stopped is None,
            **({"stopped": self.stopped} if self.stopped is not None else {}),
            "n_confident": len(confident),
            "n_rejected": len(self.results) - len(confident),
            "n_aborted": sum(r.aborted for r in self.results),
            "n_scored": len(scored),
            "n_right": right,
            "confident_accuracy": right / len(scored) if scored else None,
            "n_wrong": len(scored) - right,
            "per_class": per_class,
            "max_force_n": self.profile.max_force_n,
            "peak_force_max_n": max(peaks) if peaks else None,
            "peak_force_median_n": statistics.median(peaks) if peaks else None,
            "first_grasp_peak_force_median_n": statistics.median(first_peaks)
            if first_peaks
            else None,
            "item_peak_force_median_n": statistics.median(r.max_peak_force_n for r in self.results)
            if self.results
            else None,
            "sorted_item_peak_force_median_n": statistics.median(
                r.max_peak_force_n for r in confident
            )
            if confident
            else None,
            "force_limit_exceeded": any(p > self.profile.max_force_n for p in peaks),
            "stop_time_median_s": statistics.median(stops) if stops else None,
            "n_futile_stops": sum(
                a.run.stop_reason == FUTILE_STOP for r in self.results for a in r.attempts
            ),
        }


def sort_tray(
    items: Sequence[TrayItem],
    grasper: Grasper,
    estimator: AnalyticalEstimator,
    profile: ProduceProfile,
    *,
    stop_when_confident: bool = False,
    source: str = "",
    on_item: Callable[[ItemResult], None] | None = None,
    run: SortRun | None = None,
) -> SortRun:
    """Sort ``items`` in order; results go into ``run`` (a new one by default) as each item
    is done, so a caller holding ``run`` keeps them if a device fails half-way."""
    if run is None:
        run = SortRun(profile, stop_when_confident=stop_when_confident, source=source)
    for item in items:
        try:
            result = sort_item(
                item, grasper, estimator, profile, stop_when_confident=stop_when_confident
            )
        except GraspStoppedError as exc:  # the item in the gripper is logged, the run stops
            stopped = exc
        else:
            run.results.append(result)
            if on_item is not None:
                on_item(result)
            continue
        run.stopped = f"{item.item_id}: {stopped.message}"
        if stopped.result is not None:
            run.results.append(stopped.result)
            if on_item is not None:
                on_item(stopped.result)
        raise stopped.cause  # the recorder's own error (a fault, or the user's stop)
    return run


def fmt_value(quantity: str, value: float) -> str:
    if quantity == "log10_modulus_pa":
        from tactile.types import format_pa

        return format_pa(10**value) if math.isfinite(value) else "inf"
    return f"{value:.3g} N/mm"
