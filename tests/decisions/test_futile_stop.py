"""Futile stops: with --stop-when-confident, stop squeezing once more force cannot decide.

An uncertain decision whose value holds (the stopping rule's own guards) where even a
zero-width interval could not be confident - in a band between classes, or within a class
limit's uncertainty - stops the squeeze, and the sorter rejects the item without re-grasping.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from tactile.decisions import ConfidenceStopper, ProduceEstimator, load_produce_profile
from tactile.decisions.decide import (
    UNCERTAIN,
    Measurement,
    decide,
    squeeze_futile,
    undecidable_at,
)
from tactile.decisions.grasping import FULL_GRASP, GraspRun, ReplayGrasper, run_online
from tactile.decisions.profiles import ProduceProfile, RipenessClass, StopRule
from tactile.decisions.sorter import REJECT, sort_item
from tactile.decisions.stopping import CONFIDENT_STOP, FUTILE_FORCE_RATIO, FUTILE_STOP
from tactile.decisions.tray import TrayItem
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.gripper import GripperProfile
from tactile.types import Grasp

CFG = SimGraspConfig(
    size_hw=(60, 80),
    gripper=GripperProfile(force_target_n=8.0, open_gap_mm=2.0, hold_s=0.2, close_speed_mm_s=5.0),
)
RULE = StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=2)
# the fruit below measures log10 E = 5.4-5.55 all along its squeeze
BAND = (
    RipenessClass("soft", -math.inf, 5.2, banded=True),
    RipenessClass("hard", 5.8, math.inf, banded=True),
)
ANY = (RipenessClass("any", -math.inf, math.inf),)


@pytest.fixture(scope="module")
def grasp() -> Grasp:
    return simulate_grasp(SimObject(radius_mm=25.0, modulus_pa=3e5, name="fruit"), CFG, 5)


def _profile(classes: tuple[RipenessClass, ...], rule: StopRule = RULE) -> ProduceProfile:
    tomato = load_produce_profile("tomato")
    return dataclasses.replace(tomato, classes=classes, stop=rule)


def test_undecidable_names_the_band_or_the_limits_uncertainty_and_nothing_else() -> None:
    banded = _profile(BAND)
    assert "band between classes 'soft' and 'hard'" in str(
        undecidable_at(Measurement("log10_modulus_pa", 5.5, 5.5, 5.5), banded)
    )
    assert undecidable_at(Measurement("log10_modulus_pa", 6.5, 6.4, 6.6), banded) is None
    lit = _profile(
        (
            RipenessClass("soft", -math.inf, 5.5, uncertainty=0.3),
            RipenessClass("hard", 5.5, math.inf, uncertainty=0.3),
        )
    )
    near = Measurement("log10_modulus_pa", 5.6, 5.59, 5.61)
    assert decide(near, lit).outcome == UNCERTAIN
    assert "uncertainty of the soft|hard limit" in str(undecidable_at(near, lit))
    assert undecidable_at(Measurement("log10_modulus_pa", 6.5, 6.4, 6.6), lit) is None
    lower_bound = Measurement("log10_modulus_pa", 5.5, 5.5, math.inf, lower_bound_only=True)
    assert undecidable_at(lower_bound, banded) is None  # more force may raise a bound
    out = _profile((RipenessClass("a", 5.0, 6.0),))
    assert undecidable_at(Measurement("log10_modulus_pa", 7.0, 6.9, 7.1), out) is None


def test_squeezing_is_futile_only_when_the_whole_interval_is_out_of_reach() -> None:
    """A value in the band whose interval still reaches a class may yet decide (the estimate
    of a skinned fruit rises with the force): not futile."""
    banded = _profile(BAND)
    inside = Measurement("log10_modulus_pa", 5.5, 5.3, 5.7)
    assert "whole 95 % interval [5.3, 5.7]" in str(squeeze_futile(inside, banded))
    reaching = Measurement("log10_modulus_pa", 5.5, 5.3, 5.9)
    assert undecidable_at(reaching, banded) is not None
    assert squeeze_futile(reaching, banded) is None
    lit = _profile(
        (
            RipenessClass("soft", -math.inf, 5.5, uncertainty=0.4),
            RipenessClass("hard", 5.5, math.inf, uncertainty=0.4),
        )
    )
    assert squeeze_futile(Measurement("log10_modulus_pa", 5.8, 5.7, 5.89), lit) is not None
    assert squeeze_futile(Measurement("log10_modulus_pa", 5.8, 5.7, 5.95), lit) is None


def test_the_futile_stop_triggers_on_a_stable_estimate_in_the_band(grasp: Grasp) -> None:
    stopper = ConfidenceStopper(_profile(BAND), stop_when_futile=True)
    trace, stop, reason = run_online(grasp, ProduceEstimator(), stopper, skip_below_n=0.5)
    assert reason == FUTILE_STOP and stop is not None
    assert grasp.force_n[stop] < 0.5 * grasp.force_n.max()  # well before the full squeeze
    assert float(trace[-1].force_n) >= RULE.min_force_n
    assert stopper.confirmed is trace[-1] and trace[-1].exact  # rests on an exact update
    assert "band between classes 'soft' and 'hard'" in str(stopper.futile_reason)


def test_never_without_stop_when_futile(grasp: Grasp) -> None:
    stopper = ConfidenceStopper(_profile(BAND))  # what collect --produce uses
    _, stop, reason = run_online(grasp, ProduceEstimator(), stopper, skip_below_n=0.5)
    assert reason == FULL_GRASP and stop is None


def test_a_fruit_that_becomes_confident_stops_confident_not_futile(grasp: Grasp) -> None:
    stopper = ConfidenceStopper(_profile(ANY), stop_when_futile=True)
    _, _, reason = run_online(grasp, ProduceEstimator(), stopper, skip_below_n=0.5)
    assert reason == CONFIDENT_STOP


def _update(value: float, force_n: float, half: float = 0.05) -> Any:
    """A stand-in for an exact OnlineUpdate with the given log10 E and force."""
    lo, hi = 10 ** (value - half), 10 ** (value + half)
    est = SimpleNamespace(
        log10_modulus=value,
        interval_95_pa=(lo, hi),
        interval_68_pa=(lo, hi),
        lower_bound_only=False,
    )
    feats = SimpleNamespace(peak_index=20, contact_index=0, force_n=np.full(21, force_n))
    return SimpleNamespace(force_n=force_n, estimate=est, features=feats, exact=True)


def test_a_value_passing_through_the_band_does_not_stop_as_futile() -> None:
    """The guards of the confident stop: the futile verdict must hold stable_updates times in
    a row above the force floor; an estimate leaving the band restarts the streak."""
    rule = StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=3)
    stopper = ConfidenceStopper(_profile(BAND, rule), stop_when_futile=True)
    seq = [(5.5, 1.0), (5.5, 1.2), (5.5, 1.4), (5.5, 1.6), (5.5, 1.8), (6.3, 2.0), (6.3, 2.2)]
    assert [stopper.check(_update(v, f)) for v, f in seq] == [None] * len(seq)  # type: ignore[arg-type]
    assert stopper.check(_update(6.3, 2.4)) == CONFIDENT_STOP  # type: ignore[arg-type]
    again = ConfidenceStopper(_profile(BAND, rule), stop_when_futile=True)
    seq = [(5.5, 1.6), (5.5, 1.8), (5.5, 2.0)]
    assert [again.check(_update(v, f)) for v, f in seq] == [None, None, FUTILE_STOP]  # type: ignore[arg-type]


def test_a_value_whose_interval_still_reaches_a_class_must_hold_while_the_force_doubles() -> None:
    """The estimate of a skinned fruit rises with the force: a value in the band whose interval
    still reaches a class stops as futile only once it has held there while the force rose
    FUTILE_FORCE_RATIO-fold; a whole interval out of reach needs no more than the streak."""
    rule = StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=3)
    stopper = ConfidenceStopper(_profile(BAND, rule), stop_when_futile=True)
    forces = [1.6, 1.8, 2.0, 2.5, 3.0, 3.2]
    got = [stopper.check(_update(5.5, f, half=0.35)) for f in forces]  # type: ignore[arg-type]
    assert FUTILE_FORCE_RATIO == 2.0
    assert got == [None] * 5 + [FUTILE_STOP]
    assert "while the force rose from 1.60 to 3.20 N" in str(stopper.futile_reason)
    whole = ConfidenceStopper(_profile(BAND, rule), stop_when_futile=True)
    got = [whole.check(_update(5.5, f, half=0.1)) for f in forces[:3]]  # type: ignore[arg-type]
    assert got == [None, None, FUTILE_STOP]
    assert "whole 95 % interval" in str(whole.futile_reason)


def test_the_exact_confirmation_must_meet_the_same_futile_condition() -> None:
    """A streaming interval inside the band proposes; an exact interval that still reaches a
    class does not confirm until the value has held while the force doubled."""
    rule = StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=2)
    stopper = ConfidenceStopper(_profile(BAND, rule), stop_when_futile=True)
    got = []
    for f in (1.6, 2.0, 2.6, 3.3):
        streaming = _update(5.5, f, half=0.1)
        streaming.exact = False
        exact = _update(5.5, f, half=0.35)  # the full draws: a wider interval
        got.append(stopper.check(streaming, confirm=lambda e=exact: e))  # type: ignore[misc]
    assert got == [None, None, None, FUTILE_STOP]
    assert stopper.n_rejected_confirmations == 2
    assert "while the force rose from 1.60 to 3.30 N" in str(stopper.futile_reason)


class _Recorded:
    """A replay reader that gives the same recorded grasp for every attempt."""

    def __init__(self, grasp: Grasp) -> None:
        self.grasp = grasp
        self.read_ids: list[str] = []

    def read(self, grasp_id: str) -> Grasp:
        self.read_ids.append(grasp_id)
        return dataclasses.replace(self.grasp, grasp_id=grasp_id)


def _item() -> TrayItem:
    return TrayItem("fruit-1", "tomato", grasp_ids=("g0", "g1", "g2"))


def test_the_item_is_rejected_without_a_regrasp_with_the_reason(grasp: Grasp) -> None:
    reader = _Recorded(grasp)
    grasper = ReplayGrasper(ProduceEstimator(), reader)
    result = sort_item(
        _item(), grasper, ProduceEstimator(), _profile(BAND), stop_when_confident=True
    )
    assert result.sorted_as == REJECT and len(result.attempts) == 1 and reader.read_ids == ["g0"]
    run: GraspRun = result.attempts[0].run
    assert run.stop_reason == FUTILE_STOP and run.grasp.n_frames < grasp.n_frames
    assert result.reason.startswith("uncertain, stopped squeezing at ")
    assert "not re-grasped" in result.reason
    assert "band between classes 'soft' and 'hard'" in result.reason
    assert "more force could not decide it" in result.reason
    assert result.attempts[0].peak_force_n < 0.5 * float(grasp.force_n.max())


def test_full_grasps_still_regrasp_the_same_fruit(grasp: Grasp) -> None:
    reader = _Recorded(grasp)
    grasper = ReplayGrasper(ProduceEstimator(), reader)
    result = sort_item(_item(), grasper, ProduceEstimator(), _profile(BAND))
    assert result.sorted_as == REJECT and reader.read_ids == ["g0", "g1", "g2"]
    assert all(a.run.stop_reason == FULL_GRASP for a in result.attempts)
    assert result.reason.startswith("uncertain after 3 grasp(s)")
