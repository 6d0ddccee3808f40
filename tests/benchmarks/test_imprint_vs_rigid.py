"""benchmarks/imprint_vs_rigid.py: the physics it rests on (the simulator's own imprints, no
camera) and its summary. Findings: BENCHMARKS.md "Blind: can the imprint unflag soft cylinders?"."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from imprint_vs_rigid import ideal_imprint, summary

from tactile.sensor import get_calibration


@dataclass
class _Meta:
    shape: str
    radius_mm: float
    label_modulus_pa: float
    extra: dict[str, Any] = field(default_factory=dict)


def _meta(modulus_pa: float, shape: str = "cylinder") -> _Meta:
    return _Meta(
        shape,
        12.0,
        modulus_pa,
        {
            "true_gel_modulus_pa": 5.5e5,
            "true_gel_poisson": 0.48,
            "true_gel_thickness_mm": 2.4,
            "rig_gel_max_strain": 0.9,
            "true_peak_force_n": 19.0,
            "length_mm": 55.0,
            "object_poisson": 0.45,
        },
    )


def test_a_rigid_body_prints_like_a_rigid_body_and_a_soft_one_shallower_and_wider() -> None:
    cal = get_calibration("wedge-reference-v4")
    rigid = ideal_imprint(_meta(2e11), cal, 1.0)
    soft = ideal_imprint(_meta(1.2e5), cal, 1.0)
    assert rigid is not None and soft is not None
    assert abs(rigid["depth_ratio"] - 1.0) < 0.01 and abs(rigid["area_ratio"] - 1.0) < 0.01
    assert soft["depth_ratio"] < 0.8 and soft["area_ratio"] > 1.5
    # the unknown rig gel moves a rigid body's depth by more than 2x; the soft object's depth
    # is at most a little below the shallowest rigid one (the stiffest, thinnest gel)
    lo, hi = soft["rigid_depth_mm_over_gels"]
    assert hi / lo > 2.0
    assert lo / 1.5 < soft["soft_depth_mm"] < hi


def test_no_radius_no_ideal_imprint() -> None:
    cal = get_calibration("wedge-reference-v4")
    assert ideal_imprint(_meta(1e5, shape="box"), cal, 1.0) is None


def test_summary_counts_soft_flagged_objects_beyond_every_rigid_one() -> None:
    def row(group: str, flagged: bool, value: float) -> dict[str, Any]:
        stats = {
            k: 1.0
            for k in (
                "r_depth_sph", "r_area_cyl", "r_area_sph", "q_line", "q_sph",
                "depth_meas_over_true", "area_meas_over_true",
            )
        }  # fmt: skip
        return {"group": group, "flagged": flagged, "r_depth_cyl": value, **stats}

    rows = [row("rigid", True, 0.5), row("rigid", False, 0.9), row("soft", True, 0.4)]
    rows += [row("soft", True, 0.6), row("soft", False, 0.1)]
    depth = next(t for t in summary(rows) if t["statistic"] == "r_depth_cyl")
    assert depth["rigid_range"] == (0.5, 0.9)
    assert depth["soft_flagged_n"] == 2
    assert depth["soft_flagged_beyond_every_rigid"] == 1  # 0.4 < 0.5; 0.6 is not
