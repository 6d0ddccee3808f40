"""The hybrid's stiff flag follows the physics (issue 12): a network answer beyond the grasp's
resolvable limit does not make an object the physics resolved "stiffer than the gel"; a
physics lower bound with the network beyond the limit still does."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import disk_grasp, tiny_untrained_setup

from tactile.estimators.base import resolve_calibration
from tactile.estimators.neural.checkpoint import save_checkpoint
from tactile.estimators.neural.data import prepare_grasp
from tactile.estimators.neural.estimator import HybridEstimator, NetworkAnswer, NeuralEstimator
from tactile.estimators.neural.model import create_model
from tactile.estimators.neural.predict import Z68
from tactile.sensor import get_calibration
from tactile.types import Flag, ModulusEstimate, bound_flag

#: the synthetic grasps' gel: a lower bound's flag says what the bound proves against it
GEL_PA = get_calibration("sim-wedge-v1").gel_modulus_pa

#: the network's answer in every test: far beyond any limit of the synthetic grasp
NET = NetworkAnswer(mu=8.0, sigma=0.2, ood_score=0.5, sim_to_real_sd=0.0)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cfg, norm = tiny_untrained_setup()
    path = tmp_path_factory.mktemp("tiny") / "model.pt"
    return save_checkpoint(path, create_model(cfg).eval(), norm, info={})


def _fixed(cls: type[NeuralEstimator], model: Path, net: NetworkAnswer = NET) -> NeuralEstimator:
    class Fixed(cls):  # type: ignore[valid-type,misc]
        def network_answer(self, inputs: object, meta: object) -> NetworkAnswer:
            return net

    return Fixed(model)


def _answer(
    cls: type[NeuralEstimator],
    model: Path,
    analytical: ModulusEstimate | None,
    net: NetworkAnswer = NET,
) -> ModulusEstimate:
    """The estimator's answer on a synthetic soft grasp, with the network's answer ``net``
    and ``analytical`` as the physics' (no rig calibration: the limit is the uncalibrated
    one, and the closure counts as unresolved)."""
    grasp, feats = disk_grasp(20, modulus_pa=1e4)
    est = _fixed(cls, model, net)
    inputs, feats, _ = prepare_grasp(
        grasp, est.loaded.config, calibration="sim-wedge-v1", analytical=None, features=feats
    )
    cal = resolve_calibration(grasp.meta, "sim-wedge-v1")
    return est._predict(inputs, feats, analytical, grasp.meta, cal)


def _limit(model: Path) -> float:
    """log10 of the synthetic grasp's resolvable limit (Pa)."""
    limit = _answer(NeuralEstimator, model, None).details["resolvable_limit_pa"]
    assert isinstance(limit, float)
    return math.log10(limit)


def _two_sided(log10_e: float, half_width: float = 0.1) -> ModulusEstimate:
    return ModulusEstimate(
        modulus_pa=10**log10_e,
        interval_68_pa=(10 ** (log10_e - half_width), 10 ** (log10_e + half_width)),
        interval_95_pa=(10 ** (log10_e - 2 * half_width), 10 ** (log10_e + 2 * half_width)),
        estimator="auto",
    )


def test_a_resolved_physics_answer_is_not_turned_stiff_by_the_network(tiny_model: Path) -> None:
    limit = _limit(tiny_model)
    assert limit < NET.mu - 1.0  # the network alone is far beyond the limit
    physics = _two_sided(limit - 1.5)  # upper 95 % end (sigma floored at 0.3) below the limit
    hybrid = _fixed(HybridEstimator, tiny_model)
    assert isinstance(hybrid, HybridEstimator)
    mixed, _, _ = hybrid._combine(NET, physics)
    assert mixed >= limit  # without the physics check the combination would be flagged

    est = _answer(HybridEstimator, tiny_model, physics)
    assert not est.lower_bound_only and Flag.STIFFER_THAN_GEL not in est.flags
    assert est.log10_modulus == pytest.approx(limit - 1.5)  # the physics answers
    assert est.details["network_physics_disagree"] is True
    assert "physics resolves" in str(est.details["source"])
    lo95, hi95 = est.interval_95_pa
    assert lo95 < physics.modulus_pa and math.log10(hi95) >= NET.mu  # covers the disagreement
    assert est.interval_68_pa[1] < 10**limit
    assert est.details["log10_sigma"] == pytest.approx(max(0.1 / Z68, 0.3))  # floored

    # ``neural`` has no physics of its own: the network beyond the limit is flagged
    alone = _answer(NeuralEstimator, tiny_model, physics)
    assert alone.lower_bound_only and bound_flag(alone.modulus_pa, GEL_PA) in alone.flags


def test_a_physics_lower_bound_with_the_network_beyond_the_limit_is_flagged(
    tiny_model: Path,
) -> None:
    limit = _limit(tiny_model)
    bound = ModulusEstimate(
        modulus_pa=10 ** (limit - 0.5),
        interval_68_pa=(10 ** (limit - 0.5), math.inf),
        interval_95_pa=(10 ** (limit - 0.5), math.inf),
        estimator="auto",
        flags=frozenset({Flag.STIFFER_THAN_GEL}),
        lower_bound_only=True,
    )
    est = _answer(HybridEstimator, tiny_model, bound)
    assert est.lower_bound_only and bound_flag(est.modulus_pa, GEL_PA) in est.flags
    assert math.isinf(est.interval_95_pa[1])
    assert "network_physics_disagree" not in est.details


def test_a_physics_answer_reaching_the_limit_does_not_lift_the_flag(tiny_model: Path) -> None:
    """Two-sided, but its upper 95 % end is beyond the limit: the physics does not resolve the
    object, the combination beyond the limit is flagged as before."""
    limit = _limit(tiny_model)
    est = _answer(HybridEstimator, tiny_model, _two_sided(limit - 0.2))
    assert est.lower_bound_only and bound_flag(est.modulus_pa, GEL_PA) in est.flags
    assert "network_physics_disagree" not in est.details


@pytest.mark.parametrize("chose", ["blind", "hertz"])
def test_the_hybrid_keeps_the_larger_bound_only_from_the_blind_physics(
    tiny_model: Path, chose: str
) -> None:
    """The network's own bound (here the statistical one: the synthetic grasp has no rig
    calibration) and blind's both hold: the larger one is the answer. A given-geometry bound
    (hertz on a stated sphere) is not trusted for that."""
    alone = _answer(NeuralEstimator, tiny_model, None)
    assert alone.lower_bound_only and alone.details["lower_bound_from"] == "network"
    own_bound = alone.modulus_pa
    high = 30.0 * own_bound
    physics = ModulusEstimate(
        modulus_pa=high,
        interval_68_pa=(high, math.inf),
        interval_95_pa=(high, math.inf),
        estimator="auto",
        flags=frozenset({bound_flag(high, GEL_PA)}),
        lower_bound_only=True,
        details={"auto_chose": chose},
    )
    est = _answer(HybridEstimator, tiny_model, physics)
    assert est.lower_bound_only
    if chose == "blind":
        assert est.modulus_pa == high and est.details["lower_bound_from"] == "analytical (blind)"
    else:
        assert est.modulus_pa == pytest.approx(own_bound)
        assert est.details["lower_bound_from"] == "network"
    assert bound_flag(est.modulus_pa, GEL_PA) in est.flags


@pytest.mark.parametrize("cls", [NeuralEstimator, HybridEstimator])
def test_the_network_answers_once_per_grasp(tiny_model: Path, cls: type[NeuralEstimator]) -> None:
    """The hybrid's out-of-distribution gate and its answer share one network answer (it ran
    the ensemble twice per grasp before, issue 12's latency), and the answer is the same."""
    calls: list[object] = []

    class Counting(cls):  # type: ignore[valid-type,misc]
        def network_answer(self, inputs: object, meta: object) -> NetworkAnswer:
            calls.append(inputs)
            return NET

    grasp, feats = disk_grasp(20, modulus_pa=1e4)
    est = Counting(tiny_model)
    inputs, feats, _ = prepare_grasp(
        grasp, est.loaded.config, calibration="sim-wedge-v1", analytical=None, features=feats
    )
    cal = resolve_calibration(grasp.meta, "sim-wedge-v1")
    once = est._predict(inputs, feats, None, grasp.meta, cal)
    assert len(calls) == 1
    given = est._predict(inputs, feats, None, grasp.meta, cal, NET)
    assert len(calls) == 1 and given.to_dict() == once.to_dict()


def _blind_bound(value_pa: float, flag: Flag) -> ModulusEstimate:
    return ModulusEstimate(
        modulus_pa=value_pa,
        interval_68_pa=(value_pa, math.inf),
        interval_95_pa=(value_pa, math.inf),
        estimator="auto",
        flags=frozenset({flag}),
        lower_bound_only=True,
        details={"auto_chose": "blind"},
    )


def test_a_network_reading_below_blinds_stiff_bound_does_not_unflag_the_object(
    tiny_model: Path,
) -> None:
    """Blind proved "stiffer than the gel" (a bound built to hold for any shape and material);
    a network that reads the object softer than that bound (a rigid object it has not seen,
    issue 12: a steel bolt read 9e4 Pa) must not turn it into a point below the bound."""
    bound_pa = 3.0 * GEL_PA
    low = NetworkAnswer(mu=math.log10(bound_pa) - 1.0, sigma=0.2, ood_score=0.5, sim_to_real_sd=0.0)
    assert low.mu < _limit(tiny_model)  # the network alone resolves it: a point
    est = _answer(HybridEstimator, tiny_model, _blind_bound(bound_pa, Flag.STIFFER_THAN_GEL), low)
    assert est.lower_bound_only and est.modulus_pa == pytest.approx(bound_pa)
    assert Flag.STIFFER_THAN_GEL in est.flags and math.isinf(est.interval_95_pa[1])
    assert est.details["network_below_physics_bound"] is True
    assert est.details["lower_bound_from"] == "analytical (blind)"

    # a weak bound (below the gel: "unresolved") does not override the network's point
    weak = _answer(HybridEstimator, tiny_model, _blind_bound(0.5 * GEL_PA, Flag.UNRESOLVED), low)
    assert not weak.lower_bound_only and weak.log10_modulus < math.log10(GEL_PA)
    # nor does ``neural``, which has no physics of its own
    alone = _answer(NeuralEstimator, tiny_model, _blind_bound(bound_pa, Flag.STIFFER_THAN_GEL), low)
    assert not alone.lower_bound_only


@pytest.mark.parametrize("cls", [NeuralEstimator, HybridEstimator])
@pytest.mark.parametrize("physics", ["point", "bound"])
def test_the_answer_names_the_calibration_it_was_judged_against(
    tiny_model: Path, cls: type[NeuralEstimator], physics: str
) -> None:
    """review26 F2: a bound is scored against the gel (a holding bound on an object under
    10x the gel is true but not its answer), so the network's answers name the calibration's
    gel as the analytical estimators do; without it evaluation counted every holding bound."""
    limit = _limit(tiny_model)
    analytical = _two_sided(limit - 1.5) if physics == "point" else None
    est = _answer(cls, tiny_model, analytical)
    assert est.lower_bound_only is (cls is NeuralEstimator or physics == "bound")
    assert est.details["gel_modulus_pa"] == GEL_PA
    assert est.details["calibration_id"] == "sim-wedge-v1"
