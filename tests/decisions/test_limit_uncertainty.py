"""Decisions against class limits that carry an uncertainty (docs/decisions.md, "Uncertain
class limits"): the interval must clear a limit by its own half-width and the limit's 95 %
half-width combined in quadrature; zero uncertainty, or a banded (fitted) class, is the old rule
exactly."""

from __future__ import annotations

import itertools
import math
import tomllib
from pathlib import Path

import pytest

from tactile.decisions.decide import (
    _Z,
    CONFIDENT,
    OUT_OF_RANGE,
    UNCERTAIN,
    Decision,
    Measurement,
    decide,
)
from tactile.decisions.fit import Sample, fit_profile
from tactile.decisions.profiles import (
    FITTED_SOURCE_PREFIX,
    ProduceProfile,
    ProfileError,
    RipenessClass,
    load_produce_profile,
    profile_from_dict,
    profile_to_toml,
)

INF = math.inf


def _profile(u: float = 0.0, *, banded: bool = False, level: int = 95) -> ProduceProfile:
    return ProduceProfile(
        name="test",
        quantity="log10_modulus_pa",
        classes=(
            RipenessClass("overripe", -INF, 5.0, u, banded=banded),
            RipenessClass("ripe", 5.0, 6.0, u, banded=banded),
            RipenessClass("unripe", 6.0, INF, u, banded=banded),
        ),
        max_force_n=5.0,
        interval=level,
    )


def _m(value: float, lo: float, hi: float) -> Measurement:
    return Measurement("log10_modulus_pa", value, lo, hi, lower_bound_only=math.isinf(hi))


def _old_rule(m: Measurement, profile: ProduceProfile) -> Decision:
    """The rule before limits carried their uncertainty (kept here to compare against)."""
    lo, hi = m.lo, m.hi
    inside = [c.name for c in profile.classes if c.contains_interval(lo, hi)]
    touching = tuple(c.name for c in profile.classes if c.overlaps(lo, hi))
    if len(inside) == 1:
        return Decision(CONFIDENT, inside[0], (inside[0],), "")
    first, last = profile.classes[0], profile.classes[-1]
    if not touching and not (lo >= first.min_value and hi <= last.max_value):
        return Decision(OUT_OF_RANGE, None, (), "")
    return Decision(UNCERTAIN, None, touching, "")


# intervals at, just inside and just outside every limit, narrow and wide, bounds included
EDGES = (4.0, 4.7, 4.9, 4.999999, 5.0, 5.000001, 5.1, 5.5, 5.9, 5.999999, 6.0, 6.000001, 6.4)
INTERVALS = [(lo, hi) for lo, hi in itertools.product((-INF, *EDGES), (*EDGES, INF)) if lo <= hi]


def _same(a: Decision, b: Decision) -> bool:
    return (a.outcome, a.label, a.candidates) == (b.outcome, b.label, b.candidates)


def test_zero_uncertainty_is_the_old_rule_exactly() -> None:
    profile = _profile(0.0)
    for lo, hi in INTERVALS:
        for value in (lo, hi) if math.isinf(lo) or math.isinf(hi) else (lo, (lo + hi) / 2, hi):
            if math.isfinite(value):
                m = _m(value, lo, hi)
                assert _same(decide(m, profile), _old_rule(m, profile)), (value, lo, hi)


def test_banded_limits_are_the_old_rule_exactly_whatever_their_uncertainty() -> None:
    plain, banded = _profile(0.0), _profile(0.4, banded=True)
    for lo, hi in INTERVALS:
        value = lo if math.isinf(hi) else hi if math.isinf(lo) else (lo + hi) / 2
        m = _m(value, lo, hi)
        a, b = decide(m, banded), decide(m, plain)
        assert _same(a, b) and a.reason == b.reason, (lo, hi)


def test_a_limit_with_uncertainty_withholds_a_decision_that_was_confident_without_it() -> None:
    m = _m(6.2, 6.1, 6.3)  # 0.1 dex above the ripe|unripe limit
    assert decide(m, _profile(0.0)).label == "unripe"
    d = decide(m, _profile(0.4))
    assert d.outcome == UNCERTAIN and d.label is None
    assert d.candidates == ("ripe", "unripe")
    assert "lies in class 'unripe'" in d.reason
    assert "within the 0.4-dex uncertainty of the ripe|unripe limit (6.00)" in d.reason
    assert d.reason.endswith("fit thresholds on your fruit: tactile sort fit")
    # far enough from the limit it is confident again
    assert decide(_m(6.6, 6.5, 6.7), _profile(0.4)).label == "unripe"


def test_the_margin_is_the_two_half_widths_in_quadrature() -> None:
    u, d = 0.3, 0.1
    margin = math.hypot(d, u)  # 0.316: the estimate minus the limit is non-zero at 95 %
    for eps, outcome in ((1e-9, CONFIDENT), (-1e-9, UNCERTAIN)):
        value = 6.0 + margin + eps
        assert decide(_m(value, value - d, value + d), _profile(u)).outcome == outcome
        value = 5.0 - margin - eps  # the upper limit is half-open: touching it is not inside
        expected = CONFIDENT if eps > 0 else UNCERTAIN
        assert decide(_m(value, value - d, value + d), _profile(u)).outcome == expected
    # an asymmetric interval is widened on each side by its own half-width
    assert decide(_m(6.5, 6.45, 7.5), _profile(u)).label == "unripe"  # 6.5 - hypot(.05, .3)


def test_the_limit_uncertainty_is_scaled_to_a_68_percent_profile() -> None:
    u, d = 0.4, 0.05
    margin = math.hypot(d, u * _Z[68] / _Z[95])
    value = 6.0 + margin
    assert decide(_m(value + 1e-9, value - d, value + d), _profile(u, level=68)).confident
    assert not decide(_m(value - 1e-9, value - d, value + d), _profile(u, level=68)).confident


def test_a_lower_bound_must_clear_the_limit_by_its_uncertainty() -> None:
    assert decide(_m(6.3, 6.3, INF), _profile(0.0)).label == "unripe"
    d = decide(_m(6.3, 6.3, INF), _profile(0.4))
    assert d.outcome == UNCERTAIN and "ripe|unripe limit" in d.reason
    assert "upper" not in d.reason  # the open end is no limit
    assert decide(_m(6.41, 6.41, INF), _profile(0.4)).label == "unripe"


def test_a_shared_limit_takes_the_larger_uncertainty_of_its_two_classes() -> None:
    classes = (
        RipenessClass("ripe", 5.0, 6.0, 0.1),
        RipenessClass("unripe", 6.0, INF, 0.4),
    )
    profile = _profile().with_classes(classes)
    assert profile.limit_uncertainties() == ((0.1, 0.4), (0.4, 0.4))
    d = decide(_m(5.7, 5.65, 5.75), profile)  # 0.25 below 6.0: clear of 0.1, not of 0.4
    assert d.outcome == UNCERTAIN and "0.4-dex uncertainty of the ripe|unripe limit" in d.reason
    # a gap between the classes: each keeps its own limit and uncertainty
    gapped = profile.with_classes((classes[0], RipenessClass("unripe", 6.2, INF, 0.4)))
    assert gapped.limit_uncertainties() == ((0.1, 0.1), (0.4, 0.4))
    assert decide(_m(5.7, 5.65, 5.75), gapped).label == "ripe"


def test_out_of_range_is_still_judged_on_the_interval_itself() -> None:
    profile = _profile(0.4).with_classes(
        (RipenessClass("soft", 4.0, 5.0, 0.4), RipenessClass("firm", 5.0, 6.0, 0.4))
    )
    assert decide(_m(6.6, 6.5, 6.7), profile).outcome == OUT_OF_RANGE
    assert decide(_m(3.0, 2.9, 3.1), profile).outcome == OUT_OF_RANGE


def _fitted() -> ProduceProfile:
    samples = [Sample(v, "overripe") for v in (4.6, 4.8)]
    samples += [Sample(v, "ripe") for v in (5.3, 5.6)] + [Sample(v, "unripe") for v in (6.4, 6.5)]
    fitted, _ = fit_profile(_profile(0.3), samples)
    return fitted


def test_fitted_classes_are_banded_and_decide_as_with_zero_uncertainty() -> None:
    fitted = _fitted()
    assert all(c.banded and c.uncertainty > 0 for c in fitted.classes)
    assert fitted.limit_uncertainties() == ((0.0, 0.0),) * 3
    zero = fitted.with_classes(
        tuple(RipenessClass(c.name, c.min_value, c.max_value) for c in fitted.classes)
    )
    for lo, hi in itertools.product((-INF, 4.7, 4.8, 5.0, 5.3, 5.35, 5.6, 6.4), (5.5, 5.6, INF)):
        if lo <= hi:
            m = _m(lo if math.isinf(hi) else (lo + hi) / 2 if math.isfinite(lo) else hi, lo, hi)
            assert _same(decide(m, fitted), decide(m, zero)), (lo, hi)
    assert decide(_m(5.45, 5.35, 5.55), fitted).label == "ripe"  # 0.05 inside its limit


def test_a_fitted_file_round_trips_banded_and_old_fitted_files_load_banded(
    tmp_path: Path,
) -> None:
    text = profile_to_toml(_fitted())
    assert text.count("banded = true") == 3
    again = profile_from_dict(tomllib.loads(text))
    assert [c.banded for c in again.classes] == [True] * 3
    # a file the fit wrote before the key existed: no `banded`, the fit's source text
    old = text.replace("banded = true", "# (no key)")
    assert "banded = true" not in old and FITTED_SOURCE_PREFIX in old
    legacy = profile_from_dict(tomllib.loads(old))
    assert [c.banded for c in legacy.classes] == [True] * 3
    m = _m(5.45, 5.35, 5.55)
    assert decide(m, legacy).label == "ripe"
    # the key written out wins over the source text
    unbanded = profile_from_dict(tomllib.loads(text.replace("banded = true", "banded = false")))
    assert not decide(m, unbanded).confident


def test_shipped_literature_limits_are_not_banded() -> None:
    for name in ("tomato", "peach", "avocado", "kiwifruit", "strawberry"):
        prof = load_produce_profile(name)
        assert all(not c.banded and c.limit_uncertainty > 0 for c in prof.classes), name


BASE = """
name = "test"
[max_force_n]
value = 5.0
[[classes]]
name = "soft"
max = 5.5
uncertainty = 0.3
{extra}
[[classes]]
name = "firm"
min = 5.5
"""


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('banded = "yes"', "banded = 'yes' must be true or false"),
        ("bandd = true", "did you mean 'banded'"),
        ("uncertainty_dex = 0.3", "unknown key 'uncertainty_dex'"),
    ],
)
def test_a_bad_banded_key_is_refused_clearly(extra: str, message: str) -> None:
    with pytest.raises(ProfileError) as err:
        profile_from_dict(tomllib.loads(BASE.format(extra=extra)))
    assert message in str(err.value) + str(getattr(err.value, "hint", ""))


def test_classes_no_wider_than_their_limits_uncertainty_are_named_undecidable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _profile(0.5).undecidable_classes() == ("ripe",)  # 1.0 wide, 0.5 + 0.5
    assert _profile(0.49).undecidable_classes() == ()
    assert decide(_m(5.5, 5.5, 5.5), _profile(0.49)).label == "ripe"  # only its very middle
    assert not decide(_m(5.5, 5.5, 5.5), _profile(0.5)).confident
    assert _fitted().undecidable_classes() == ()
    assert load_produce_profile("tomato").undecidable_classes() == ("ripe",)
    from tactile.cli.main import main

    assert main(["sort", "profiles"]) == 0
    out = capsys.readouterr().out
    assert "ripe [5.4, 6) ±0.3" in out and "never confident: ripe" in out


def test_a_regrasp_is_futile_only_when_the_value_itself_is_within_a_limits_uncertainty() -> None:
    profile = _profile(0.3)
    d = decide(_m(6.2, 6.1, 6.3), profile)  # the value 0.2 from the limit: no interval clears it
    assert d.outcome == UNCERTAIN and d.regrasp_futile and "a re-grasp cannot clear it" in d.reason
    d = decide(_m(6.35, 6.1, 6.6), profile)  # 0.35 away: a narrower interval could clear it
    assert d.outcome == UNCERTAIN and not d.regrasp_futile
    assert "re-grasp" not in d.reason and d.reason.endswith("tactile sort fit")
    d = decide(_m(6.05, 5.95, 6.15), profile)  # spans the limit, its value within 0.3 of it
    assert d.regrasp_futile and "its value 6.05 lies within the 0.3-dex uncertainty" in d.reason
    assert not decide(_m(6.2, 6.2, INF), profile).regrasp_futile  # a bound may rise
    for m in (_m(5.5, 5.3, 5.7), _m(6.05, 5.95, 6.15), _m(6.2, 6.1, 6.3)):
        assert not decide(m, _profile(0.0)).regrasp_futile  # never without an uncertainty
        assert not decide(m, _profile(0.3, banded=True)).regrasp_futile  # nor when fitted


@pytest.mark.parametrize("level", [95, 68])
def test_limit_bands_are_where_an_exact_value_is_not_confident(level: int) -> None:
    """The bands the report shades: each limit widened by its uncertainty at the profile's
    level; a value inside one is uncertain however narrow its interval, one just outside is
    confident."""
    from tactile.decisions.decide import limit_bands

    prof = _profile(0.2, level=level)
    bands = limit_bands(prof)
    u = 0.2 * _Z[level] / _Z[95]
    assert [(b.lower, b.upper) for b in bands] == [("overripe", "ripe"), ("ripe", "unripe")]
    for b, limit in zip(bands, (5.0, 6.0), strict=True):
        assert b.limit_low == b.limit_high == b.middle == limit
        assert b.lo == pytest.approx(limit - u) and b.hi == pytest.approx(limit + u)
        for v in (b.lo + 1e-6, b.middle, b.hi - 1e-6):
            assert decide(_m(v, v, v), prof).outcome == UNCERTAIN
        for v in (b.lo - 1e-6, b.hi + 1e-6):
            assert decide(_m(v, v, v), prof).outcome == CONFIDENT


def test_limit_bands_of_a_fitted_profile_are_its_gaps() -> None:
    from tactile.decisions.decide import limit_bands

    samples = [Sample(v, c) for v, c in ((4.6, "overripe"), (5.2, "ripe"), (5.5, "ripe"))]
    samples += [Sample(v, "unripe") for v in (6.1, 6.4)]
    fitted, boundaries = fit_profile(_profile(0.3), samples)
    bands = limit_bands(fitted)
    for band, fit, (a, b) in zip(
        bands, boundaries, itertools.pairwise(fitted.classes), strict=True
    ):
        assert (band.lo, band.hi) == (band.limit_low, band.limit_high) == (a.max_value, b.min_value)
        assert band.middle == pytest.approx(fit.threshold)  # the number the report quotes
