"""Monte Carlo budgets, the closed-form bottomed gel, and the Theil-Sen fit's refusal."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.errors import ConfigError, EstimatorError
from tactile.estimators.fitting import LogFit, robust_slope_fit
from tactile.estimators.montecarlo import (
    DrawBudget,
    bootstrap_draws,
    current_budget,
    reduced_draws,
    separation_draws,
)
from tactile.estimators.separation import bottomed_gel_compliance, separate_object


@pytest.mark.parametrize("n", [0, 1])
def test_theil_sen_refuses_too_few_points_with_a_clear_error(n: int) -> None:
    with pytest.raises(EstimatorError, match="at least 2 points") as info:
        robust_slope_fit(np.arange(n, dtype=float), np.arange(n, dtype=float))
    assert info.value.hint and "loading phase" in info.value.hint


def test_theil_sen_refuses_x_and_y_of_different_lengths() -> None:
    with pytest.raises(EstimatorError, match="equal length"):
        robust_slope_fit(np.arange(5.0), np.arange(4.0))


def test_two_points_give_their_slope() -> None:
    slope, _, x0 = robust_slope_fit(np.array([1.0, 3.0]), np.array([2.0, 6.0]))
    assert slope == pytest.approx(2.0) and x0 == pytest.approx(0.0)


@settings(max_examples=200, deadline=None)
@given(
    gel=st.floats(1e-9, 1e-3),
    total_over_gel=st.floats(0.05, 1e4),
    approach_mm=st.floats(-1.0, 20.0),
    lock_mm=st.floats(0.05, 5.0),
)
def test_closed_form_bottomed_gel_solves_its_equation(
    gel: float, total_over_gel: float, approach_mm: float, lock_mm: float
) -> None:
    g, t = np.array([gel]), np.array([gel * total_over_gel])
    x = bottomed_gel_compliance(g, t, np.array([approach_mm]), lock_mm)
    s = max(approach_mm, 0.0) / (t[0] * lock_mm)
    assert 0.0 < x[0] <= gel * (1 + 1e-12)
    residual = x[0] - gel * (1.0 - min(max(x[0] * s, 0.0), 1.0) ** 3)
    assert abs(residual) <= 1e-9 * gel


def test_budget_is_full_by_default_and_reduced_only_inside_the_block() -> None:
    assert separation_draws(4000) == 4000 and bootstrap_draws(100) == 100
    with reduced_draws() as budget:
        assert current_budget() is budget
        assert separation_draws(4000) == 400 and bootstrap_draws(100) == 25
        assert bootstrap_draws(10) == 10  # never more than the full count
    assert separation_draws(4000) == 4000


def test_budget_does_not_leak_into_another_thread() -> None:
    seen: list[int] = []
    with reduced_draws():
        worker = threading.Thread(target=lambda: seen.append(separation_draws(4000)))
        worker.start()
        worker.join()
    assert seen == [4000]


def test_too_small_budgets_are_refused() -> None:
    with pytest.raises(ConfigError, match="too few"):
        DrawBudget(separation=10)
    with pytest.raises(ConfigError, match="bootstrap share"):
        DrawBudget(bootstrap_share=0.0)


def test_reduced_separation_is_close_to_the_full_one() -> None:
    fit = LogFit(-5.5, 0.05, 0.02, 30)  # 1/E* of ~300 kPa
    kw = {"numerator": 0.75, "estimator": "t", "gel_lock_depth_mm": 1.0, "approach_mm": 0.6}
    full = separate_object(fit, 2e-6, 0.05, **kw)
    with reduced_draws():
        fast = separate_object(fit, 2e-6, 0.05, **kw)
    assert full.details["unresolved_share"] == 0.0
    for a, b in zip(full.interval_95_pa, fast.interval_95_pa, strict=True):
        assert abs(np.log10(a / b)) < 0.03
    assert abs(np.log10(full.modulus_pa / fast.modulus_pa)) < 0.01
