"""Gel modulus fitted from objects of known E; flat-face contact area for the elastic estimator."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from estimator_curves import block_features, sphere_features, sphere_meta

from tactile.calibration import SIM_WEDGE, WEDGE_REFERENCE
from tactile.errors import CalibrationError
from tactile.estimators import ElasticEstimator, HertzEstimator
from tactile.estimators.elastic import contact_area, pad_area_mm2
from tactile.estimators.gel_fit import fit_gel_from_reference
from tactile.types import GraspMetadata

CAL = dataclasses.replace(SIM_WEDGE, extra={"width_offset_sd_mm": 0.05})


def _labelled(modulus_pa: float) -> GraspMetadata:
    return dataclasses.replace(sphere_meta(), label_modulus_pa=modulus_pa)


def test_rigid_reference_ball_recovers_the_true_gel() -> None:
    wrong_prior = dataclasses.replace(CAL, gel_modulus_pa=8e4, gel_modulus_log10_sd=0.3)
    samples = [(sphere_features(1e10, seed=i), _labelled(1e10)) for i in range(3)]
    fit = fit_gel_from_reference(samples, wrong_prior)
    assert fit.gel_modulus_pa == pytest.approx(SIM_WEDGE.gel_modulus_pa, rel=0.05)
    assert fit.gel_modulus_log10_sd == pytest.approx(0.05)
    cal = fit.apply(wrong_prior, "sim-wedge-fitted")
    assert cal.calibration_id == "sim-wedge-fitted" and "fitted" in cal.notes
    # with the fitted gel a soft ball is recovered again; with the wrong prior it is not
    soft = sphere_features(1e5)
    good = HertzEstimator().estimate_features(soft, meta=sphere_meta(), calibration=cal)
    bad = HertzEstimator().estimate_features(soft, meta=sphere_meta(), calibration=wrong_prior)
    assert good.modulus_pa == pytest.approx(1e5, rel=0.2)
    assert not bad.interval_95_pa[0] <= 1e5 <= bad.interval_95_pa[1] or bad.lower_bound_only


def test_soft_objects_do_not_inform_the_gel() -> None:
    with pytest.raises(CalibrationError) as info:
        fit_gel_from_reference([(sphere_features(1e4), _labelled(1e4))], CAL)
    assert "stiffer" in (info.value.hint or "")


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
    assert cal.extra["pad_area_mm2"] == pytest.approx(35.0 * 25.5)
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
