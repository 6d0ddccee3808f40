"""Per-grasp validation: each reject names its reason and threshold."""

from __future__ import annotations

import numpy as np
import pytest

from tactile.recording import ValidationLimits, validate_grasp
from tactile.types import Flag, Grasp, GraspMetadata


def grasp(force: list[float], width: list[float], **extra: object) -> Grasp:
    n = len(force)
    return Grasp(
        grasp_id="g",
        frames=np.zeros((n, 4, 4, 3), np.uint8),
        t_s=np.arange(n) * 0.03,
        force_n=np.array(force),
        width_mm=np.array(width),
        meta=GraspMetadata(object_id="o", extra=dict(extra)),
    )


GOOD_F = [0.0, 0.1, 3.0, 9.0, 15.0, 9.0, 0.1]
GOOD_W = [85.0, 60.0, 48.0, 46.0, 45.0, 60.0, 85.0]


def test_good_grasp_is_accepted() -> None:
    v = validate_grasp(grasp(GOOD_F, GOOD_W))
    assert v.accepted and v.reason == "ok" and not v.flags


NO_TOUCH = ([0.0, 0.1, 0.2, 0.1], [85.0, 60.0, 40.0, 85.0])
WEAK = ([0.0, 0.5, 1.5, 0.3], [85.0, 60.0, 40.0, 85.0])
GLITCH = ([0.0, -70.0, 9.0, 15.0], [85.0, 60.0, 46.0, 45.0])
STUCK = ([0.0, 5.0, 15.0, 5.0], [45.0, 45.1, 45.2, 45.0])


@pytest.mark.parametrize(
    ("series", "extra", "flag", "text"),
    [
        (NO_TOUCH, {}, Flag.NO_CONTACT, "no contact: peak force 0.20 N"),
        (WEAK, {}, Flag.FORCE_TOO_LOW, "force too low: peak 1.50 N"),
        ((GOOD_F, GOOD_W), {"n_force_rejected": 7}, Flag.FORCE_GLITCHES, "7 spike(s) rejected"),
        (GLITCH, {}, Flag.FORCE_GLITCHES, "1 reading(s) below"),
        (STUCK, {}, Flag.WIDTH_UNCHANGED, "width never changed"),
    ],
)
def test_each_reject_states_its_reason(
    series: tuple[list[float], list[float]], extra: dict[str, object], flag: Flag, text: str
) -> None:
    v = validate_grasp(grasp(*series, **extra))
    assert not v.accepted and flag in v.flags
    assert text in v.reason


def test_limits_are_configurable_and_aborted_grasps_are_rejected() -> None:
    v = validate_grasp(grasp(GOOD_F, GOOD_W), ValidationLimits(min_peak_force_n=20.0))
    assert not v.accepted and "force too low: peak 15.00 N < 20.0 N" in v.reason
    v = validate_grasp(grasp(GOOD_F, GOOD_W, aborted="camera stopped"))
    assert not v.accepted and "aborted: camera stopped" in v.reason
