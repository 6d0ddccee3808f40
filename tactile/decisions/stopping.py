"""The stopping rules of ``--stop-when-confident``: stop closing once the estimate has decided.

Fed the online estimate after every frame (:class:`~tactile.estimators.online.OnlineUpdate`), a
stopper says ``"confident"`` when its verdict has been the same for ``stable_updates`` updates
in a row, once the force is at least ``min_force_n`` and the loading phase has
``min_loading_frames`` frames; and ``"safe_force"`` when the force reaches the safe limit,
whichever comes first. The first frames of a squeeze say little (contact timing, the skin,
width steps), hence the floor.

**Futile stops** (``tactile sort --stop-when-confident``: ``ConfidenceStopper(...,
stop_when_futile=True)``): the stopper also says ``"futile"`` when, under the same guards
(force floor, loading frames, ``stable_updates`` updates in a row, exact confirmation), the
decision is ``uncertain`` and its value lies where even a zero-width interval could not be
confident (:func:`~tactile.decisions.decide.undecidable_at`: within a class limit's
uncertainty, or in a band between classes). The estimate of a skinned fruit still rises with
the force, so a value that looks futile early can be confident at the full squeeze; hence one
more condition: the whole interval lies out of reach too
(:func:`~tactile.decisions.decide.squeeze_futile`), or else the value has held there while the
force rose ``FUTILE_FORCE_RATIO``-fold. The sorter rejects the item as uncertain without
re-grasping it. BENCHMARKS.md measures what this costs in decisions.

* :class:`ConfidenceStopper` (``tactile sort``, ``tactile collect --produce``): the verdict is
  the produce profile's decision (a confident class, or out of every class); the safe limit is
  the profile's ``max_force_n``.
* :class:`NarrowIntervalStopper` (``tactile collect --stop-when-confident`` without a produce
  profile): the verdict is "narrow" while the 95 % interval of log10 E is narrower than
  ``max_width_dex`` (a lower bound never is).

**Streaming updates propose, an exact update decides.** Streaming updates use reduced Monte
Carlo draws (:mod:`tactile.estimators.montecarlo`). When the streak would stop the gripper on a
streaming update, ``check`` calls ``confirm`` (the online estimator's
:meth:`~tactile.estimators.online.OnlineEstimator.exact_update`: full draws, the offline
estimate of the grasp so far) and stops only if the exact verdict is the same; otherwise the
streak starts again. So a stop always rests on what an offline estimate of the grasp up to that
frame says, and :attr:`confirmed` holds that exact update.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from tactile.decisions.decide import (
    UNCERTAIN,
    Decision,
    decide,
    measure,
    squeeze_futile,
    undecidable_at,
)
from tactile.decisions.profiles import ProduceProfile, StopRule
from tactile.errors import ConfigError, TactileError
from tactile.estimators.online import OnlineUpdate

CONFIDENT_STOP = "confident"
SAFE_FORCE_STOP = "safe_force"
FUTILE_STOP = "futile"
#: A futile verdict whose interval still reaches a decidable value must hold while the force
#: rises this many times (the estimate of a skinned fruit rises with the force).
FUTILE_FORCE_RATIO = 2.0
#: The streak label of a futile verdict (not a class name: those are the profile's).
_FUTILE_LABEL = "\0futile"

Confirm = Callable[[], OnlineUpdate]


@dataclass
class Stopper:
    """The shared rule; subclasses say what the verdict of one update is."""

    rule: StopRule = field(default_factory=StopRule)
    force_limit_n: float = math.inf
    _label: str | None = None
    _streak: int = 0
    _streak_force_n: float = 0.0  # the force where the current streak began
    confirmed: OnlineUpdate | None = None  # the exact update a confident/futile stop rests on
    n_confirmations: int = 0  # exact updates asked for
    n_rejected_confirmations: int = 0  # ... whose verdict differed from the streaming one

    def verdict(self, update: OnlineUpdate) -> str | None:
        """A label the streak counts (None: undecided, the streak restarts)."""
        raise NotImplementedError

    def _ready(self, label: str, update: OnlineUpdate) -> bool:
        """Whether a streak long enough may stop (subclasses may ask for more)."""
        return True

    def _reset(self) -> None:
        self._label, self._streak = None, 0

    def check(self, update: OnlineUpdate, confirm: Confirm | None = None) -> str | None:
        """``"confident"``, ``"futile"``, ``"safe_force"`` or None (keep closing); see the
        module docstring."""
        if update.force_n >= self.force_limit_n:
            return SAFE_FORCE_STOP
        feats = update.features
        if update.estimate is None or feats is None:
            self._reset()
            return None
        loading = feats.peak_index - feats.contact_index + 1
        if float(feats.force_n[feats.peak_index]) < self.rule.min_force_n:
            return None
        if loading < self.rule.min_loading_frames:
            return None
        label = self.verdict(update)
        if label is None:
            self._reset()
            return None
        self._streak = self._streak + 1 if label == self._label else 1
        if self._streak == 1:
            self._streak_force_n = float(update.force_n)
        self._label = label
        if self._streak < self.rule.stable_updates or not self._ready(label, update):
            return None
        if not update.exact:
            if confirm is None:
                raise ConfigError(
                    "a stop on a streaming update needs its exact confirmation",
                    hint="pass confirm=online.exact_update (see tactile.decisions.stopping)",
                )
            exact = confirm()
            self.n_confirmations += 1
            verdict = None if exact.estimate is None else self.verdict(exact)
            if verdict != label or not self._ready(label, exact):
                self.n_rejected_confirmations += 1
                if verdict != label:
                    self._reset()
                # else the same verdict, not yet ready by the exact update (a futile one
                # whose exact interval still reaches a class): the streak goes on
                return None
            update = exact
        self.confirmed = update
        return FUTILE_STOP if label == _FUTILE_LABEL else CONFIDENT_STOP


class ConfidenceStopper(Stopper):
    """Stops on a produce profile's confident decision (or out of range) held
    ``stable_updates`` updates, or at the profile's safe force (or ``force_limit_n``); with
    ``stop_when_futile``, also on an uncertain decision no narrower interval could make
    confident, held as long (see the module docstring; :attr:`futile_reason` says why)."""

    def __init__(
        self,
        profile: ProduceProfile,
        force_limit_n: float | None = None,
        *,
        stop_when_futile: bool = False,
    ) -> None:
        limit = profile.max_force_n if force_limit_n is None else force_limit_n
        super().__init__(rule=profile.stop, force_limit_n=limit)
        self.profile = profile
        self.stop_when_futile = stop_when_futile
        self.last_decision: Decision | None = None
        # the latest futile verdict: why the value, and why the whole interval, is out of reach
        self._why_value: str | None = None
        self._why_whole: str | None = None
        self._force_n = 0.0  # ... and its force

    def verdict(self, update: OnlineUpdate) -> str | None:
        try:
            m = measure(self.profile, update.estimate, update.features)
            decision = decide(m, self.profile)
        except TactileError:
            return None
        self.last_decision = decision
        if decision.outcome == UNCERTAIN:
            why = undecidable_at(m, self.profile) if self.stop_when_futile else None
            if why is None:
                return None
            self._why_value, self._why_whole = why, squeeze_futile(m, self.profile)
            self._force_n = float(update.force_n)
            return _FUTILE_LABEL
        return decision.label or decision.outcome

    def _ready(self, label: str, update: OnlineUpdate) -> bool:
        """A futile streak whose interval still reaches a decidable value stops only once the
        value has held while the force rose ``FUTILE_FORCE_RATIO``-fold."""
        if label != _FUTILE_LABEL or self._why_whole is not None:
            return True
        return float(update.force_n) >= FUTILE_FORCE_RATIO * self._streak_force_n

    @property
    def futile_reason(self) -> str | None:
        """Why the latest futile verdict is futile, in words (None: there was none)."""
        if self._why_whole is not None:
            return f"{self._why_whole}, for {self.rule.stable_updates} updates in a row"
        if self._why_value is None:
            return None
        return (
            f"{self._why_value}, and it held there while the force rose from "
            f"{self._streak_force_n:.2f} to {self._force_n:.2f} N"
        )


@dataclass
class NarrowIntervalStopper(Stopper):
    """Stops once the 95 % interval of log10 E is narrower than ``max_width_dex`` for
    ``stable_updates`` updates, or at ``force_limit_n``."""

    max_width_dex: float = 0.5

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_width_dex) and self.max_width_dex > 0):
            raise ConfigError(
                f"interval width {self.max_width_dex!r} dex must be a positive number",
                hint="e.g. 0.5 (the 95 % interval spans at most a factor 10^0.5 = 3.2)",
            )

    def verdict(self, update: OnlineUpdate) -> str | None:
        est = update.estimate
        if est is None or est.lower_bound_only:
            return None
        lo, hi = est.interval_95_pa
        if not (lo > 0 and math.isfinite(hi)):
            return None
        return "narrow" if math.log10(hi / lo) <= self.max_width_dex else None
