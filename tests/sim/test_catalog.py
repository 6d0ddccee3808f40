"""Material catalog and object populations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tactile.errors import ConfigError
from tactile.sim import SHAPES, sample_population
from tactile.sim.catalog import E_MAX_PA, E_MIN_PA


def test_reference_population_is_bimodal_like_the_label_table() -> None:
    objs = sample_population(400, "reference", seed=0)
    log_e = np.log10([o.modulus_pa for o in objs])
    assert 10 ** log_e.min() >= E_MIN_PA and 10 ** log_e.max() <= E_MAX_PA
    soft, hard = (log_e < 7).mean(), (log_e > 8.5).mean()
    assert 0.25 < soft < 0.55 and 0.45 < hard < 0.75  # table: ~38 % soft, ~60 % hard
    assert {o.shape for o in objs} == set(SHAPES)
    assert all(o.foam for o in objs if o.material == "foam")
    assert len({o.name for o in objs}) == len(objs)


def test_loguniform_population_covers_the_range() -> None:
    objs = sample_population(300, "loguniform", seed=1)
    log_e = np.log10([o.modulus_pa for o in objs])
    assert log_e.min() < math.log10(E_MIN_PA) + 0.5 and log_e.max() > math.log10(E_MAX_PA) - 0.5
    counts, _ = np.histogram(log_e, bins=4)
    assert counts.min() > 40  # roughly flat in log E


def test_population_is_deterministic_per_seed() -> None:
    assert sample_population(20, seed=3) == sample_population(20, seed=3)
    assert sample_population(20, seed=3) != sample_population(20, seed=4)


def test_unknown_population_names_the_choices() -> None:
    with pytest.raises(ConfigError, match="loguniform"):
        sample_population(3, "uniform")


def test_e_range_draws_within_it_and_the_default_is_unchanged() -> None:
    lo, hi = 5.0e3, 3.16e5
    objs = sample_population(200, "independent", seed=11, e_range_pa=(lo, hi))
    log_e = np.log10([o.modulus_pa for o in objs])
    assert log_e.min() >= math.log10(lo) and log_e.max() <= math.log10(hi)
    counts, _ = np.histogram(log_e, bins=4)
    assert counts.min() > 25  # log-uniform within the range
    assert {"foam", "gel", "rubber"} <= {o.material for o in objs}  # family still independent
    assert sample_population(20, "independent", seed=3) == sample_population(
        20, "independent", seed=3, e_range_pa=(E_MIN_PA, E_MAX_PA)
    )
    low = sample_population(50, "loguniform", seed=2, e_range_pa=(1e9, 1e10))
    assert all(1e9 <= o.modulus_pa <= 1e10 for o in low)


@pytest.mark.parametrize(
    ("kind", "e_range", "match"),
    [
        ("reference", (1e4, 1e5), "log-uniform populations only"),
        ("independent", (1e5, 1e4), "0 < LO < HI"),
        ("independent", (0.0, 1e4), "0 < LO < HI"),
        ("loguniform", (1e4, math.inf), "0 < LO < HI"),
    ],
)
def test_bad_e_range_is_refused(kind: str, e_range: tuple[float, float], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        sample_population(5, kind, seed=0, e_range_pa=e_range)
