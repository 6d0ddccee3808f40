"""Issue 11 on the real Wedge sessions: blind estimates (nothing but the grasp).

Both sessions of ../shared/data are read as recorded, the label table used only to score
(``protocol="blind"`` removes shape and radius). Calibration ``wedge-reference-v4``: the gel of
v3 (golf-ball presses of 2023-12-06) and the rig fitted on the golf-ball presses of both
sessions — so the golf ball is not a test here; the soft objects are.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pytest

from tactile.evaluation.runner import estimate_dataset
from tactile.io.labels import read_label_table

PROFILE = "wedge-reference-v4"
SOFT_ORDER = ("orange_ball_softest", "green_ball_softer", "purple_ball_hardest")


@pytest.fixture(scope="module")
def sessions(shared_data: Path) -> dict[str, dict[str, list]]:
    table = read_label_table(shared_data / "objects_and_compliance.csv")
    out: dict[str, dict[str, list]] = {}
    for name in ("reference_grasps", "reference_grasps_2023-12-16"):
        results = estimate_dataset(
            shared_data / name, "auto", calibration=PROFILE, labels=table, protocol="blind"
        )
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        per: dict[str, list] = {}
        for r in results:
            per.setdefault(r.object_id, []).append(r)
        out[name] = per
    return out


def _median_log(rows: list) -> float:
    return statistics.median(math.log10(r.estimate.modulus_pa) for r in rows)


def test_blind_every_object_within_a_decade_or_a_bound_that_holds(sessions) -> None:
    for per in sessions.values():
        for obj, rows in per.items():
            assert all(r.estimate.details["auto_chose"] == "blind" for r in rows)
            label = math.log10(rows[0].label_pa)
            bounds = [r for r in rows if r.estimate.lower_bound_only]
            for r in bounds:  # every bound is a true claim
                assert math.log10(r.estimate.modulus_pa) <= label, (obj, r.grasp_id)
            if len(bounds) <= len(rows) // 2:
                assert abs(_median_log(rows) - label) <= 1.0, obj


def test_blind_soft_objects_in_order_and_not_flagged(sessions) -> None:
    for per in sessions.values():
        logs = [_median_log(per[o]) for o in SOFT_ORDER]
        assert logs == sorted(logs)
        for o in ("orange_ball_softest", "green_ball_softer"):
            assert not any(r.estimate.lower_bound_only for r in per[o])
    assert all(r.estimate.lower_bound_only for per in sessions.values() for r in per["golf_ball"])


def test_blind_same_object_close_between_sessions(sessions) -> None:
    a, b = sessions["reference_grasps"], sessions["reference_grasps_2023-12-16"]
    for obj in SOFT_ORDER:
        assert abs(_median_log(a[obj]) - _median_log(b[obj])) <= 0.2, obj
