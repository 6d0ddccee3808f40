"""The stopping rules: streaming updates propose, an exact update confirms, the safe force wins."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest

from tactile.decisions import ConfidenceStopper, ProduceEstimator, load_produce_profile
from tactile.decisions.grasping import FULL_GRASP, run_online
from tactile.decisions.profiles import RipenessClass, StopRule
from tactile.decisions.stopping import CONFIDENT_STOP, SAFE_FORCE_STOP, NarrowIntervalStopper
from tactile.errors import ConfigError
from tactile.estimators.online import OnlineEstimator, OnlineUpdate, estimate_prefix
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.sim.gripper import GripperProfile
from tactile.types import Grasp

CFG = SimGraspConfig(
    size_hw=(60, 80),
    gripper=GripperProfile(force_target_n=8.0, open_gap_mm=2.0, hold_s=0.2, close_speed_mm_s=5.0),
)
ANY = (RipenessClass("any", -math.inf, math.inf),)


@pytest.fixture(scope="module")
def grasp() -> Grasp:
    return simulate_grasp(SimObject(radius_mm=25.0, modulus_pa=3e5, name="fruit"), CFG, 5)


def _profile(**changes: object) -> object:
    tomato = load_produce_profile("tomato")
    return dataclasses.replace(tomato, classes=ANY, **changes)  # type: ignore[arg-type]


def test_a_confident_stop_rests_on_an_exact_update_equal_to_the_offline_one(grasp: Grasp) -> None:
    profile = _profile(stop=StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=2))
    stopper = ConfidenceStopper(profile)  # type: ignore[arg-type]
    est = ProduceEstimator()
    trace, stop, reason = run_online(grasp, est, stopper, skip_below_n=0.5)
    assert reason == CONFIDENT_STOP and stop is not None
    assert grasp.force_n[stop] < 0.5 * grasp.force_n.max()  # well before the full squeeze
    assert stopper.n_confirmations == 1 and stopper.confirmed is trace[-1]
    assert trace[-1].exact and all(not u.exact for u in trace[:-1])
    offline = estimate_prefix(grasp, est, n_frames=stop + 1).estimate
    assert offline is not None and stopper.confirmed.estimate is not None
    assert stopper.confirmed.estimate.interval_95_pa == offline.interval_95_pa
    assert float(trace[-1].force_n) >= profile.stop.min_force_n  # type: ignore[attr-defined]


def test_an_exact_update_that_disagrees_restarts_the_streak(grasp: Grasp) -> None:
    profile = _profile(stop=StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=2))
    stopper = ConfidenceStopper(profile)  # type: ignore[arg-type]
    online = OnlineEstimator(ProduceEstimator(), meta=grasp.meta)
    asked: list[int] = []

    def disagree() -> OnlineUpdate:  # an exact update without an estimate
        asked.append(online.n_frames)
        return dataclasses.replace(online.updates[-1], estimate=None, exact=True)

    stops = []
    for i in range(grasp.n_frames):
        u = online.update(grasp.frames[i], grasp.t_s[i], grasp.force_n[i], grasp.width_mm[i])
        stops.append(stopper.check(u, confirm=disagree))
    assert CONFIDENT_STOP not in stops and len(asked) >= 2
    assert stopper.n_rejected_confirmations == len(asked)
    # two streaming updates in a row after every rejected confirmation
    assert all(b - a >= 2 for a, b in itertools.pairwise(asked))


def test_a_streaming_stop_without_confirmation_is_refused(grasp: Grasp) -> None:
    stopper = ConfidenceStopper(_profile(stop=StopRule(1.5, 4, 1)))  # type: ignore[arg-type]
    online = OnlineEstimator(ProduceEstimator(), meta=grasp.meta)
    with pytest.raises(ConfigError, match="exact confirmation"):
        for i in range(grasp.n_frames):
            u = online.update(grasp.frames[i], grasp.t_s[i], grasp.force_n[i], grasp.width_mm[i])
            stopper.check(u)


def test_the_safe_force_stops_whatever_the_estimate(grasp: Grasp) -> None:
    tomato = load_produce_profile("tomato")
    stopper = ConfidenceStopper(tomato, force_limit_n=3.0)
    trace, stop, reason = run_online(grasp, ProduceEstimator(), stopper)
    assert reason == SAFE_FORCE_STOP and stop is not None
    assert grasp.force_n[stop] >= 3.0 > grasp.force_n[stop - 1]
    assert trace[-1].frame_index == stop


def test_the_narrow_interval_rule(grasp: Grasp) -> None:
    rule = StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=2)
    wide = NarrowIntervalStopper(rule=rule, force_limit_n=100.0, max_width_dex=0.5)
    _, stop, reason = run_online(grasp, ProduceEstimator(), wide, skip_below_n=0.5)
    assert reason == CONFIDENT_STOP and stop is not None
    confirmed = wide.confirmed
    assert confirmed is not None and confirmed.estimate is not None
    lo, hi = confirmed.estimate.interval_95_pa
    assert math.log10(hi / lo) <= 0.5
    never = NarrowIntervalStopper(rule=rule, force_limit_n=100.0, max_width_dex=1e-4)
    assert run_online(grasp, ProduceEstimator(), never)[2] == FULL_GRASP
    with pytest.raises(ConfigError, match="positive"):
        NarrowIntervalStopper(max_width_dex=0.0)


def test_a_stopped_grasp_keeps_the_cameras_jpeg_of_each_kept_frame() -> None:
    """A grasp from an MJPEG camera carries its JPEG bytes; stopping early keeps them aligned."""
    from tactile.decisions.grasping import prefix
    from tactile.io.frame_codec import encode_jpeg

    obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=1e5, name="ball")
    grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=0)
    jpegs = tuple(encode_jpeg(f) for f in grasp.frames)
    grasp = dataclasses.replace(grasp, camera_jpegs=jpegs)
    cut = prefix(grasp, 5)
    assert cut.n_frames == 5 and cut.camera_jpegs == jpegs[:5]


def test_replay_of_an_untared_grasp_stops_where_the_live_run_did(grasp: Grasp) -> None:
    """review51: a grasp recorded with --no-tare keeps the raw readings (here a gauge reading
    -3 N at rest) and its rest level; the replay feeds the force above it, as the live run's
    recorder did: the same stop at the same force (the branch fed the raw readings)."""
    rule = StopRule(min_force_n=1.5, min_loading_frames=4, stable_updates=2)
    untared = dataclasses.replace(
        grasp,
        force_n=grasp.force_n - 3.0,
        meta=dataclasses.replace(grasp.meta, extra={**grasp.meta.extra, "force_rest_n": -3.0}),
    )
    runs = [
        run_online(g, ProduceEstimator(), ConfidenceStopper(_profile(stop=rule)), skip_below_n=0.5)  # type: ignore[arg-type]
        for g in (grasp, untared)
    ]
    (trace, stop, reason), (trace_u, stop_u, reason_u) = runs
    assert reason == CONFIDENT_STOP and (stop_u, reason_u) == (stop, reason)
    assert [float(u.force_n) for u in trace_u] == pytest.approx([float(u.force_n) for u in trace])
