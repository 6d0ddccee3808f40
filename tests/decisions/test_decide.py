"""Decisions from an interval, at and around the class boundaries."""

from __future__ import annotations

import math

import pytest

from tactile.decisions.decide import (
    CONFIDENT,
    OUT_OF_RANGE,
    UNCERTAIN,
    Measurement,
    decide,
    log10_measurement,
)
from tactile.decisions.fit import Sample, fit_boundary, fit_profile
from tactile.decisions.profiles import ProduceProfile, RipenessClass
from tactile.types import ModulusEstimate

PROFILE = ProduceProfile(
    name="test",
    quantity="log10_modulus_pa",
    classes=(
        RipenessClass("overripe", -math.inf, 5.0),
        RipenessClass("ripe", 5.0, 6.0),
        RipenessClass("unripe", 6.0, math.inf),
    ),
    max_force_n=5.0,
)


def _m(lo: float, hi: float) -> Measurement:
    return Measurement("log10_modulus_pa", (lo + hi) / 2 if math.isfinite(hi) else lo, lo, hi)


@pytest.mark.parametrize(
    ("lo", "hi", "outcome", "label"),
    [
        (5.2, 5.8, CONFIDENT, "ripe"),
        (5.0, 5.9, CONFIDENT, "ripe"),  # starting on a class's min is inside it
        (5.1, 6.0, UNCERTAIN, None),  # ending exactly on the next class's min touches it
        (4.9, 5.1, UNCERTAIN, None),
        (4.0, 4.999, CONFIDENT, "overripe"),
        (6.0, math.inf, CONFIDENT, "unripe"),  # a lower bound in the open-ended class
        (5.9, math.inf, UNCERTAIN, None),  # a lower bound below the last boundary
        (-math.inf, 4.0, CONFIDENT, "overripe"),
    ],
)
def test_decisions_at_interval_boundaries(
    lo: float, hi: float, outcome: str, label: str | None
) -> None:
    d = decide(_m(lo, hi), PROFILE)
    assert (d.outcome, d.label) == (outcome, label), d.reason
    if outcome == UNCERTAIN:
        assert len(d.candidates) >= 1 and "interval" in d.reason


def test_band_between_fitted_classes_is_uncertain_and_beyond_is_out_of_range() -> None:
    gapped = PROFILE.with_classes(
        (RipenessClass("soft", 4.0, 5.0), RipenessClass("firm", 5.4, 6.0))
    )
    assert decide(_m(5.1, 5.3), gapped).outcome == UNCERTAIN  # inside the band
    assert decide(_m(4.9, 5.1), gapped).candidates == ("soft",)
    assert decide(_m(6.5, 6.8), gapped).outcome == OUT_OF_RANGE
    assert decide(_m(3.0, 3.5), gapped).outcome == OUT_OF_RANGE


def test_log10_measurement_of_a_lower_bound_is_open_ended() -> None:
    est = ModulusEstimate(2e6, (3e6, math.inf), (2e6, math.inf), "hertz", lower_bound_only=True)
    m = log10_measurement(est, 95)
    assert m.lo == pytest.approx(math.log10(2e6)) and math.isinf(m.hi) and m.lower_bound_only
    assert decide(m, PROFILE).label == "unripe"


def test_fit_leaves_the_unlabelled_gap_undecided() -> None:
    t, half, wrong = fit_boundary([5.0, 5.1, 5.2], [5.6, 5.8])
    assert t == pytest.approx(5.4) and half == pytest.approx(0.2) and wrong == 0
    t, half, wrong = fit_boundary([5.0, 5.5], [5.3, 5.8])  # overlapping: the overlap is the band
    assert t == pytest.approx(5.4) and half == pytest.approx(0.1) and wrong == 2
    samples = [Sample(v, "overripe") for v in (4.6, 4.8)]
    samples += [Sample(v, "ripe") for v in (5.3, 5.6)] + [Sample(6.4, "unripe")]
    fitted, bounds = fit_profile(PROFILE, samples)
    lows = [(c.min_value, c.max_value) for c in fitted.classes]
    assert lows[0][1] == pytest.approx(4.8) and lows[1] == pytest.approx((5.3, 5.6))
    assert lows[2][0] == pytest.approx(6.4) and [b.n_misclassified for b in bounds] == [0, 0]
    assert decide(_m(5.35, 5.55), fitted).label == "ripe"
    assert decide(_m(5.0, 5.2), fitted).outcome == UNCERTAIN
