"""Monte Carlo removal of the gel's compliance: monotone, honest intervals, finite bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.estimators.fitting import LogFit, robust_log_fit, robust_slope_fit
from tactile.estimators.separation import bottomed_gel_compliance, separate_object
from tactile.types import Flag, ModulusEstimate

GEL = 3.85e-6  # (1 - 0.48²) / 200 kPa


def _est(total: float, se: float = 0.03, gel_sd: float = 0.05) -> ModulusEstimate:
    return separate_object(
        LogFit(math.log10(total), se, 0.0, 20), GEL, gel_sd, numerator=0.75, estimator="t"
    )


def test_resolved_object_gets_median_of_k_over_t_minus_g() -> None:
    e = _est(GEL + 0.75 / 5e4)
    assert e.modulus_pa == pytest.approx(5e4, rel=0.05)
    assert e.interval_95_pa[0] < e.interval_68_pa[0] < e.modulus_pa < e.interval_68_pa[1]
    assert not e.lower_bound_only and Flag.STIFFER_THAN_GEL not in e.flags


def test_total_below_gel_gives_a_finite_conservative_bound() -> None:
    e = _est(0.5 * GEL)  # measured less compliant than the gel alone: model or calibration off
    assert e.lower_bound_only and math.isfinite(e.modulus_pa) and e.modulus_pa > 0
    assert e.interval_95_pa == (e.modulus_pa, math.inf)
    assert e.details["unresolved_share"] > 0.9


@settings(max_examples=40, deadline=None)
@given(
    log_share=st.floats(-3.0, 1.5),
    factor=st.floats(1.2, 5.0),
    se=st.floats(0.01, 0.3),
)
def test_property_stiffer_total_never_gives_softer_estimate(
    log_share: float, factor: float, se: float
) -> None:
    total = GEL * (1 + 10**log_share)
    soft, stiff = _est(total, se), _est(total / factor, se)
    if soft.lower_bound_only == stiff.lower_bound_only:  # a bound and a median don't compare
        assert stiff.modulus_pa >= soft.modulus_pa * 0.999
    assert stiff.interval_95_pa[0] >= soft.interval_95_pa[0] * 0.999
    for e in (soft, stiff):
        assert 0 < e.interval_95_pa[0] <= e.interval_68_pa[0]
        if e.lower_bound_only:
            assert e.modulus_pa == e.interval_95_pa[0] and math.isinf(e.interval_68_pa[1])
        else:
            assert e.interval_68_pa[0] <= e.modulus_pa <= e.interval_68_pa[1]


def test_more_uncertainty_more_width() -> None:
    narrow, wide = _est(2 * GEL, se=0.02), _est(2 * GEL, se=0.15)
    assert (wide.interval_95_pa[1] / wide.interval_95_pa[0]) > (
        narrow.interval_95_pa[1] / narrow.interval_95_pa[0]
    )


def test_robust_fits_ignore_outliers() -> None:
    values = [5.0] * 18 + [9.0, -3.0]
    fit = robust_log_fit(np.array(values))
    assert fit.log10_value == pytest.approx(5.0, abs=0.05)
    x = [float(i) for i in range(20)]
    y = [2.0 * (xi - 3.0) for xi in x]
    y[5], y[12] = 100.0, -50.0
    slope, se, x0 = robust_slope_fit(np.array(x), np.array(y))
    assert slope == pytest.approx(2.0, rel=1e-6) and x0 == pytest.approx(3.0, abs=0.5)
    assert se < 0.05


def test_bottomed_gel_compliance_solves_its_fixed_point() -> None:
    gel = np.full(5, 4e-6)
    total = np.array([5e-6, 5e-6, 2e-5, 4e-6, 1e-6])
    approach = np.array([1.0, 2.5, 2.5, 2.0, 0.5])
    x = bottomed_gel_compliance(gel, total, approach, 2.7)
    expected = gel * (1.0 - np.clip(x * approach / (total * 2.7), 0.0, 1.0) ** 3)
    np.testing.assert_allclose(x, expected, rtol=1e-6)
    assert np.all(x <= gel)  # bottoming only ever stiffens the gel
    assert x[1] < x[0]  # deeper press, stiffer gel
