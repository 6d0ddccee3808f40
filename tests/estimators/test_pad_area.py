"""The gel pad's imaged area and the flat-face contact area of the elastic estimator."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from estimator_curves import block_features

from tactile.estimators import ElasticEstimator
from tactile.estimators.elastic import contact_area, pad_area_mm2
from tactile.sensor import SIM_WEDGE, WEDGE_REFERENCE
from tactile.types import GraspMetadata


def test_pad_area_from_the_warp() -> None:
    pad = pad_area_mm2(WEDGE_REFERENCE)
    cal = WEDGE_REFERENCE
    assert pad == pytest.approx(350 * cal.mm_per_px_x * 250 * cal.mm_per_px_y)
    assert pad_area_mm2(SIM_WEDGE) is None


def test_flat_face_area_prefers_metadata_then_pad() -> None:
    detected = np.array([30.0, 40.0])
    meta = GraspMetadata(object_id="b", shape="box", extra={"contact_area_mm2": 500.0})
    area, source, se = contact_area(detected, meta, WEDGE_REFERENCE)
    assert source == "metadata" and np.all(area == 500.0) and se == 0.0
    area, source, se = contact_area(detected, GraspMetadata(object_id="b"), WEDGE_REFERENCE)
    assert source == "pad" and se == pytest.approx(0.1)
    well_imaged = np.array([300.0, 320.0])
    assert contact_area(well_imaged, GraspMetadata(object_id="b"), WEDGE_REFERENCE)[1] == "detected"
    assert contact_area(detected, GraspMetadata(object_id="b"), SIM_WEDGE)[1] == "detected"


def test_elastic_with_under_detected_area_uses_the_pad() -> None:
    # a block as large as the pad, whose image only shows 5 % of the contact
    pad = pad_area_mm2(WEDGE_REFERENCE)
    assert pad is not None
    feats = block_features(5e4, area_mm2=pad, calibration=WEDGE_REFERENCE)
    shrunk = dataclasses.replace(feats, contact_area_mm2=feats.contact_area_mm2 * 0.05)
    meta = GraspMetadata(object_id="brick", shape="box")
    est = ElasticEstimator().estimate_features(shrunk, meta=meta, calibration=WEDGE_REFERENCE)
    assert est.details["contact_area_source"] == "pad"
    assert 1 / 1.3 <= est.modulus_pa / 5e4 <= 1.3
    assert est.interval_95_pa[0] <= 5e4 <= est.interval_95_pa[1]


def test_pad_area_from_unwarped_frames() -> None:
    from tactile.estimators.base import with_pad_area
    from tactile.types import Grasp

    n = 3
    grasp = Grasp(
        grasp_id="g",
        frames=np.zeros((n, 240, 320, 3), dtype=np.uint8),
        t_s=np.arange(n) / 30.0,
        force_n=np.zeros(n),
        width_mm=np.full(n, 50.0),
        meta=GraspMetadata(object_id="x"),
    )
    cal = with_pad_area(SIM_WEDGE, grasp)
    assert cal.pad_area_mm2 == pytest.approx(35.0 * 25.5)
    assert pad_area_mm2(cal) == pytest.approx(35.0 * 25.5)
    assert with_pad_area(WEDGE_REFERENCE, grasp) is WEDGE_REFERENCE  # the warp says it


def test_overestimated_area_cannot_make_a_rigid_face_look_soft() -> None:
    # edge blur makes a rigid face's detected area 30 % too large: T grows as A, G as sqrt(A)
    feats = block_features(1e10, thickness_mm=20.0, area_mm2=200.0, peak_force_n=20.0)
    blurred = dataclasses.replace(feats, contact_area_mm2=feats.contact_area_mm2 * 1.3)
    est = ElasticEstimator().estimate_features(
        blurred, meta=GraspMetadata(object_id="steel", shape="box"), calibration=SIM_WEDGE
    )
    assert est.lower_bound_only and est.modulus_pa <= 1e10
