"""Produce profiles: the shipped ones validate; inconsistent ones are refused, saying why."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import pytest

from tactile.decisions.profiles import (
    ProfileError,
    list_produce_profiles,
    load_produce_profile,
    profile_from_dict,
    profile_to_toml,
)

BASE = """
name = "test"
quantity = "log10_modulus_pa"
[max_force_n]
value = 5.0
uncertainty = 1.0
source = "a test"
"""


def _load(text: str) -> object:
    return profile_from_dict(tomllib.loads(text))


def test_shipped_profiles_load_with_sources_and_uncertainties() -> None:
    found = list_produce_profiles()
    assert {"tomato", "peach", "avocado", "kiwifruit", "strawberry"} <= set(found)
    for name in found:
        prof = load_produce_profile(name)
        assert prof.max_force_n > 0 and prof.max_force_source and prof.max_force_uncertainty_n > 0
        for c in prof.classes:
            assert c.source and c.uncertainty > 0, (name, c)
        assert prof.sim.get("source"), name


def test_overlapping_classes_are_rejected_naming_both() -> None:
    text = (
        BASE
        + """
[[classes]]
name = "soft"
min = 4.0
max = 5.5
[[classes]]
name = "firm"
min = 5.0
max = 7.0
"""
    )
    with pytest.raises(ProfileError, match=r"'soft'.*'firm'.*overlap") as err:
        _load(text)
    assert "max = 5.0" in str(err.value)  # the fix names the value to use


def test_unordered_classes_are_rejected() -> None:
    text = (
        BASE
        + """
[[classes]]
name = "firm"
min = 6.0
max = 7.0
[[classes]]
name = "soft"
min = 4.0
max = 5.0
"""
    )
    with pytest.raises(ProfileError, match="not in ascending order"):
        _load(text)


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ('[[classes]]\nname = "a"\nmin = 5.0\nmax = 5.0\n', "min 5.0 >= max 5.0"),
        (
            '[[classes]]\nname = "a"\nmin = 1.0\nmax = 2.0\n[[classes]]\nname = "a"\nmin = 2.0\n',
            "repeat",
        ),
        ("[[classes]]\nmin = 1.0\nmax = 2.0\n", "no name"),
        ("", "no \\[\\[classes\\]\\]"),
    ],
)
def test_other_bad_classes(classes: str, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        _load(BASE + classes)


def test_unknown_quantity_and_bad_force() -> None:
    cls = '[[classes]]\nname = "a"\nmin = 1.0\nmax = 2.0\n'
    with pytest.raises(ProfileError, match="quantity 'E' is unknown"):
        _load(BASE.replace("log10_modulus_pa", "E") + cls)
    with pytest.raises(ProfileError, match="max_force_n"):
        _load(BASE.replace("value = 5.0", "value = -1.0") + cls)


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="tomato"):
        load_produce_profile("durian")


def test_toml_round_trip_keeps_every_value(tmp_path: Path) -> None:
    prof = load_produce_profile("tomato")
    path = tmp_path / "copy.toml"
    path.write_text(profile_to_toml(prof))
    back = load_produce_profile(path)
    assert back.classes == prof.classes
    assert back.max_force_n == prof.max_force_n and back.stop == prof.stop
    assert back.sim == prof.sim
    assert math.isinf(back.classes[-1].max_value)
