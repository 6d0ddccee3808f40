"""Breaks found by an independent review of issue 16 (produce sorting), kept as expected
failures until fixed (now fixed: the markers are gone, the tests guard the fixes). Each test
states the documented behaviour it checks."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from tactile.decisions.decide import UNCERTAIN, Measurement, decide
from tactile.decisions.fit import Sample, fit_profile
from tactile.decisions.profiles import (
    ProduceProfile,
    ProfileError,
    RipenessClass,
    profile_from_dict,
)

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

BASE = """
name = "test"
quantity = "log10_modulus_pa"
[max_force_n]
value = 5.0
[[classes]]
name = "soft"
max = 5.5
[[classes]]
name = "firm"
min = 5.5
"""


def _m(lo: float, hi: float) -> Measurement:
    return Measurement("log10_modulus_pa", (lo + hi) / 2, lo, hi)


def test_fit_keeps_the_overlap_of_two_labelled_classes_undecided() -> None:
    # overripe measured at 5.0 and 6.5, ripe at 4.0 and 6.0: they overlap on [4.0, 6.5], which
    # covers every value ripe could take (its other band, to unripe at 6.3, lies inside it).
    # Before the fix the fit put ripe at [5.25, 6.15), inside the overlap, and a 5.3-5.4
    # measurement was called ripe confidently. A class the overlaps leave no room is refused,
    # naming the samples to check (docs/sorting.md, "tactile sort fit").
    samples = [Sample(v, "overripe") for v in (5.0, 6.5)]
    samples += [Sample(v, "ripe") for v in (4.0, 6.0)] + [Sample(6.3, "unripe")]
    with pytest.raises(ProfileError, match=r"'ripe' has no range left.*'overripe'.*6\.5.*4"):
        fit_profile(PROFILE, samples)


def test_fit_never_places_a_class_inside_an_overlap() -> None:
    # one ripe value (5.5) inside the overripe|ripe overlap [5.5, 5.6]: the gap above ripe is
    # shared up to its threshold, the overlap is not (before the fix: ripe [5.55, 6.0))
    samples = [Sample(v, "overripe") for v in (5.0, 5.6)]
    samples += [Sample(5.5, "ripe"), Sample(6.5, "unripe")]
    fitted, bounds = fit_profile(PROFILE, samples)
    assert bounds[0].n_misclassified > 0  # the fit knows the classes overlap
    ripe = fitted.classes[1]
    assert (ripe.min_value, ripe.max_value) == pytest.approx((5.6, 6.0))
    # 5.56-5.58 lies inside the overlap: labelled overripe and ripe fruit were both measured
    # around it, so the sorter must not call it either class confidently
    d = decide(_m(5.56, 5.58), fitted)
    assert d.outcome == UNCERTAIN, (
        d.reason,
        [(c.name, c.min_value, c.max_value) for c in fitted.classes],
    )
    assert decide(_m(5.65, 5.9), fitted).label == "ripe"


def test_non_numeric_max_regrasps_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match=r"\[regrasp\]: max_regrasps = 'two'.*fix: write"):
        profile_from_dict(tomllib.loads(BASE + '[regrasp]\nmax_regrasps = "two"\n'))


@pytest.mark.parametrize(
    "stop",
    ['min_force_n = "x"', "min_force_n = -5.0", "stable_updates = 0", "min_loading_frames = -3"],
)
def test_bad_stop_rule_values_are_profile_errors(stop: str) -> None:
    key = stop.split(" =")[0]
    with pytest.raises(ProfileError, match=rf"\[stop\]: {key} = .*fix: write e.g. {key} ="):
        profile_from_dict(tomllib.loads(BASE + f"[stop]\n{stop}\n"))


@pytest.mark.parametrize(
    "extra",
    ["[regrasp]\nmax_regrasp = 0\n", "max_force = 3.0\n"],
)
def test_unknown_profile_keys_are_refused(extra: str) -> None:
    text = extra + BASE if not extra.startswith("[") else BASE + extra
    key = extra.splitlines()[-1].split(" =")[0]
    with pytest.raises(ProfileError, match=rf"unknown key '{key}'.*did you mean '{key}[_s]"):
        profile_from_dict(tomllib.loads(text))


def test_a_bad_profile_file_is_one_line_naming_key_file_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tactile.cli.main import main

    bad = tmp_path / "bad.toml"
    bad.write_text(BASE + '[regrasp]\nmax_regrasps = "two"\n')
    argv = ["sort", "--profile", str(bad), "--tray", "sim://?n=1", "--out", str(tmp_path / "o")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(bad) in err and "max_regrasps = 'two'" in err and "fix: write e.g." in err
