"""A flat face smaller than the pad (a rubber cylinder's end): blind's flat hypothesis divides
the force by the imaged face, not the pad (issue 11, shape35).

model34's diagnosis (benchmarks/results/model34_diagnosis.md, cause F): rubber cylinder ends of
50-65 mm² under a 651 mm² pad read 1.0-1.1 dex too soft, with every reading true, because the
flat hypothesis took the face as covering the pad. The imprint of such a face is settled by a
fifth of the peak force (a face's imprint does not grow with the load) and covers a small share
of the pad: that area is used. A face's imprint that grows (a soft face over the pad barely
indenting the gel at first) or fills the pad keeps the pad's area.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

import tactile.estimators.blind as blind_module
from tactile.estimators.blind import BlindEstimator, flat_face_area_mm2
from tactile.evaluation.protocol import blind_metadata
from tactile.processing.grasp_geometry import GraspGeometry
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp

PAD_MM2 = 651.0


def _geometry(fill_early: float | None, fill_peak: float | None) -> GraspGeometry:
    return GraspGeometry(
        contact_width_mm=20.0, contact_width_sd_mm=1.0, size_mm=19.0, size_sd_mm=1.0,
        radius_mm=9.5, hold_force_n=10.0, hold_width_mm=15.0, closure_mm=5.0,
        shape_class="unknown", pad_fill_peak=fill_peak, pad_fill_early=fill_early,
        starts_in_contact=False, evidence="", contact_width_estimates_mm={},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("fill_early", "fill_peak", "area"),
    [
        (0.35, 0.37, 0.37 * PAD_MM2),  # settled small imprint: the face's area
        (0.60, 0.74, 0.74 * PAD_MM2),  # settled (0.60 >= 0.8 x 0.74)
        (0.00, 0.54, PAD_MM2),  # grows from nothing: a soft face over the pad, the pad
        (0.16, 0.63, PAD_MM2),  # grows with the load: not a face's imprint
        (0.85, 0.87, PAD_MM2),  # fills the pad
        (0.03, 0.03, PAD_MM2),  # near-empty: nothing decisive
        (None, None, PAD_MM2),  # no images
    ],
)
def test_the_flat_face_is_the_settled_imprint_smaller_than_the_pad(
    fill_early: float | None, fill_peak: float | None, area: float
) -> None:
    assert flat_face_area_mm2(_geometry(fill_early, fill_peak), PAD_MM2) == pytest.approx(area)


@pytest.mark.parametrize(
    ("radius_mm", "length_mm", "modulus_pa"), [(4.0, 20.0, 5.5e5), (5.0, 15.0, 3.0e5)]
)
def test_a_rubber_cylinder_end_smaller_than_the_pad_reads_within_a_decade(
    radius_mm: float, length_mm: float, modulus_pa: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    obj = SimObject(
        shape="cylinder_end", radius_mm=radius_mm, length_mm=length_mm, modulus_pa=modulus_pa,
        poisson=0.5, name="rubber_cylinder_end", material="rubber",
    )  # fmt: skip
    grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=0)
    grasp = dataclasses.replace(grasp, meta=blind_metadata(grasp.meta))
    est = BlindEstimator().estimate(grasp)
    face = math.pi * radius_mm**2
    pad = float(est.details["flat_pad_area_mm2"])
    # the imaged face: smaller than the pad, never smaller than the face itself
    assert face <= est.details["flat_flat_area_mm2"] < 0.2 * pad
    assert not est.lower_bound_only
    assert abs(math.log10(est.modulus_pa / modulus_pa)) < 1.0
    # the face over the whole pad read it 0.9-1.3 dex too soft (model34's cause F)
    monkeypatch.setattr(blind_module, "FLAT_FACE_SETTLED_SHARE", None)
    pad_est = BlindEstimator().estimate(grasp)
    assert pad_est.details["flat_flat_area_mm2"] == pytest.approx(pad)
    assert math.log10(modulus_pa / pad_est.modulus_pa) > 0.8
    assert math.log10(est.modulus_pa / pad_est.modulus_pa) > 0.5
