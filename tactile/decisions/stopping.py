"""The stopping rule of ``--stop-when-confident``: stop closing once the decision is made.

Fed the online estimate after every frame (:class:`~tactile.estimators.online.OnlineUpdate`),
:class:`ConfidenceStopper` says ``"confident"`` when the interval has lain inside one class (or
outside all of them) for ``stable_updates`` updates in a row, once the force is at least
``min_force_n`` and the loading phase has ``min_loading_frames`` frames; and ``"safe_force"``
when the force reaches the profile's largest safe grasp force, whichever comes first. The
first frames of a squeeze say little (contact timing, the skin, width steps), hence the floor.
"""

from __future__ import annotations

from dataclasses import dataclass

from tactile.decisions.decide import UNCERTAIN, Decision, decide, measure
from tactile.decisions.profiles import ProduceProfile
from tactile.errors import TactileError
from tactile.estimators.online import OnlineUpdate

CONFIDENT_STOP = "confident"
SAFE_FORCE_STOP = "safe_force"


@dataclass
class ConfidenceStopper:
    profile: ProduceProfile
    force_limit_n: float | None = None  # default: the profile's max_force_n
    _label: str | None = None
    _streak: int = 0
    last_decision: Decision | None = None

    @property
    def limit_n(self) -> float:
        return self.force_limit_n if self.force_limit_n is not None else self.profile.max_force_n

    def check(self, update: OnlineUpdate) -> str | None:
        """``"confident"``, ``"safe_force"`` or None (keep closing)."""
        if update.force_n >= self.limit_n:
            return SAFE_FORCE_STOP
        rule = self.profile.stop
        feats = update.features
        if update.estimate is None or feats is None:
            self._label, self._streak = None, 0
            return None
        loading = feats.peak_index - feats.contact_index + 1
        if float(feats.force_n[feats.peak_index]) < rule.min_force_n:
            return None
        if loading < rule.min_loading_frames:
            return None
        try:
            decision = decide(measure(self.profile, update.estimate, feats), self.profile)
        except TactileError:
            self._label, self._streak = None, 0
            return None
        self.last_decision = decision
        if decision.outcome == UNCERTAIN:
            self._label, self._streak = None, 0
            return None
        label = decision.label or decision.outcome
        self._streak = self._streak + 1 if label == self._label else 1
        self._label = label
        return CONFIDENT_STOP if self._streak >= rule.stable_updates else None
