"""``tactile collect --produce``: the produce's safe force caps the recorder
(``tactile.decisions.live.cap_to_produce``)."""

from __future__ import annotations

import pytest

from tactile.decisions import load_produce_profile
from tactile.decisions.grasping import FORCE_TARGET_SHARE
from tactile.decisions.live import cap_to_produce
from tactile.recording import RecorderConfig


def test_the_safe_force_caps_limit_target_and_contact_force() -> None:
    safe = load_produce_profile("tomato").max_force_n
    fields: dict[str, float] = {}
    cap_to_produce(fields, "tomato")
    assert fields["max_force_n"] == min(RecorderConfig().max_force_n, safe)
    assert fields["target_force_n"] == pytest.approx(FORCE_TARGET_SHARE * fields["max_force_n"])
    contact = fields.get("contact_force_n", RecorderConfig().contact_force_n)
    assert contact < fields["target_force_n"]
    RecorderConfig(**fields)  # a valid recorder


def test_a_lower_limit_given_by_the_user_is_kept() -> None:
    fields = {"max_force_n": 2.0, "target_force_n": 1.0}
    cap_to_produce(fields, "tomato")
    assert fields["max_force_n"] == 2.0 and fields["target_force_n"] == 1.0
