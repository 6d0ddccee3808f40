"""Any features in, a valid estimate or a TactileError out: never NaN, 0 or a numpy traceback."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tactile.errors import TactileError
from tactile.estimators import AnalyticalEstimator, available_estimators, get_estimator
from tactile.sensor import SIM_WEDGE, WEDGE_REFERENCE
from tactile.types import GraspFeatures, GraspMetadata

finite = st.floats(-50.0, 200.0, allow_nan=False)

#: Every registered estimator that works from features (the network reads whole grasps).
FEATURE_ESTIMATORS = sorted(
    n for n in available_estimators() if isinstance(get_estimator(n), AnalyticalEstimator)
)


def test_every_analytical_estimator_is_covered() -> None:
    assert {"hertz", "mdr", "elastic", "line", "auto"} <= set(FEATURE_ESTIMATORS)


@st.composite
def messy_features(draw: st.DrawFn) -> GraspFeatures:
    n = draw(st.integers(2, 40))
    force = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    width = np.array(draw(st.lists(st.floats(0.0, 90.0), min_size=n, max_size=n)))
    area = np.array(
        draw(st.lists(st.one_of(st.floats(0.0, 900.0), st.just(math.nan)), min_size=n, max_size=n))
    )
    contact = draw(st.integers(0, n - 1))
    peak = draw(st.integers(0, n - 1))
    return GraspFeatures(
        grasp_id="messy",
        t_s=np.arange(n) / 30.0,
        force_n=force,
        width_mm=width,
        contact_area_mm2=area,
        contact_index=contact,
        peak_index=peak,
        reference_index=None,
    )


@settings(max_examples=120, deadline=None)
@given(
    feats=messy_features(),
    name=st.sampled_from(FEATURE_ESTIMATORS),
    shape=st.sampled_from([None, "sphere", "box", "cylinder"]),
    radius=st.one_of(st.none(), st.floats(1.0, 60.0)),
    cal=st.sampled_from([SIM_WEDGE, WEDGE_REFERENCE]),
)
def test_messy_features_never_crash(
    feats: GraspFeatures, name: str, shape: str | None, radius: float | None, cal: object
) -> None:
    meta = GraspMetadata(object_id="x", shape=shape, radius_mm=radius)
    est = get_estimator(name)
    assert isinstance(est, AnalyticalEstimator)
    try:
        e = est.estimate_features(feats, meta=meta, calibration=cal)
    except TactileError as exc:
        assert exc.hint  # every deliberate failure names its fix
        return
    assert math.isfinite(e.modulus_pa) and e.modulus_pa > 0
    lo68, hi68 = e.interval_68_pa
    lo95, hi95 = e.interval_95_pa
    assert 0 < lo95 <= lo68 <= hi68 <= hi95
    assert not (math.isnan(hi68) or math.isnan(hi95))
    if e.lower_bound_only:
        assert math.isinf(hi95) and e.modulus_pa == lo95
    else:
        assert lo68 <= e.modulus_pa <= hi68
