"""``tactile evaluate``'s ``simulated_truth`` block: BENCHMARKS.md's criteria against each rig's
true gel, beside the headline counts against the calibration's gel; absent for real grasps."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.evaluation import evaluate_dataset, simulated_truth_block, summary_metrics
from tactile.evaluation.metrics import per_object_table
from tactile.evaluation.runner import GraspResult
from tactile.evaluation.simulated import TRUE_GEL_KEY, has_simulation_truth
from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import Flag, GraspMetadata, ModulusEstimate

CAL_GEL = 2e5  # sim-wedge-v1's gel: what the estimator (and the headline) knows
TRUE_GEL = 2e6  # the rig's true gel, 10x stiffer (the randomised rigs' are 3-11x)
LIMIT = 3e6  # every grasp's resolvable limit


def _estimate(value: float, bound: bool = False, stiffer: bool = False) -> ModulusEstimate:
    flags = frozenset({Flag.STIFFER_THAN_GEL if stiffer else Flag.UNRESOLVED}) if bound else None
    hi = math.inf if bound else value * 2
    return ModulusEstimate(
        modulus_pa=value,
        interval_68_pa=(value if bound else value / 2, hi),
        interval_95_pa=(value if bound else value / 4, hi),
        estimator="test",
        flags=flags or frozenset(),
        lower_bound_only=bound,
        details={"gel_modulus_pa": CAL_GEL},
    )


#: object, label, estimate: each scores differently against the calibration's gel and the rig's
CASES = (
    ("a_hard_point", 1e8, _estimate(1e8)),  # >= 100x cal gel (rigid), < 100x true gel
    ("b_bound", 5e6, _estimate(1e6, bound=True, stiffer=True)),  # >= 10x cal gel, < 10x true
    ("c_soft_flagged", 1e6, _estimate(3e5, bound=True, stiffer=True)),  # below the true gel
    ("d_soft_point", 1e4, _estimate(2e4)),  # below the limit, within a decade
    ("e_false_bound", 1e4, _estimate(5e4, bound=True)),  # a false bound, below the limit
)


def _results(true_gel: float | None = TRUE_GEL) -> list[GraspResult]:
    out = []
    for name, label, est in CASES:
        extra = {TRUE_GEL_KEY: true_gel, "object_material": "rubber"} if true_gel else {}
        meta = GraspMetadata(
            object_id=name, label_modulus_pa=label, calibration_id="sim-wedge-v1", extra=extra
        )
        sim = meta if has_simulation_truth(meta) else None
        out.append(GraspResult(f"g_{name}", name, label, est, simulation_meta=sim))
    return out


def test_counts_against_the_rig_gel_differ_from_the_calibration_gel_where_they_should() -> None:
    results = _results()
    rows = per_object_table([(r.object_id, r.grasp_id, r.label_pa, r.estimate) for r in results])
    headline = summary_metrics(rows)  # against the calibration's 200 kPa gel
    assert headline["correct"] == 3  # a, b (a true bound >= 10x 200 kPa), d
    assert headline["rigid_points"] == 1  # a: 100 MPa >= 100x 200 kPa
    assert headline["bounds"]["holding_below_resolution"] == 1  # c
    assert headline["false_bounds"] == 1  # e

    truth = simulated_truth_block(results, {r.grasp_id: LIMIT for r in results})
    assert truth is not None and "simulated truth" in truth["basis"]
    assert truth["correct_vs_rig_gel"] == 2  # a and d: b's 5 MPa is under 10x the 2 MPa gel
    assert truth["rigid_points"] == 0 and truth["rigid_objects"] == 0  # 100 MPa < 100x 2 MPa
    assert truth["false_bounds"] == 1 and truth["n_bounds"] == 3
    assert truth["soft_true_gel_flagged_stiffer"] == 1  # c: 1 MPa under the rig's 2 MPa gel
    assert truth["soft_cal_gel_flagged_stiffer"] == 0  # ... but above the calibration's
    # below the 3 MPa limit: c (a bound: wrong there), d (a hit), e (a false bound)
    assert truth["below_limit_objects"] == 3 and truth["below_limit_hits"] == 1
    assert truth["below_within_decade"] == pytest.approx(1 / 3)
    assert truth["objects"] == 5 and truth["refused"] == 0
    detail = {o["object"]: o for o in truth["objects_detail"]}
    assert detail["c_soft_flagged"]["stiffer"] is True
    assert detail["c_soft_flagged"]["gel_log10"] == pytest.approx(math.log10(TRUE_GEL))
    assert detail["c_soft_flagged"]["cal_gel_log10"] == pytest.approx(math.log10(CAL_GEL))


def test_no_truth_no_block_and_no_limits_no_below_limit_counts() -> None:
    assert simulated_truth_block(_results(true_gel=None), {}) is None
    truth = simulated_truth_block(_results(), {})  # e.g. without the network
    assert truth is not None
    assert truth["below_limit_objects"] is None and truth["below_limit_hits"] is None
    assert truth["below_within_decade"] is None
    assert truth["correct_vs_rig_gel"] == 2  # the rig-gel counts need no limit


def test_a_refused_grasp_counts_as_refused() -> None:
    results = _results()
    results[0] = dataclasses.replace(results[0], estimate=None, error="no contact")
    truth = simulated_truth_block(results, {})
    assert truth is not None and truth["refused"] == 1 and truth["objects"] == 5


OBJECTS = (("soft_ball", 5e4, 20.0), ("steel_ball", 2e11, 15.0))


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same two simulated grasps, with their rig's true gel (made 10x the calibration's)
    and without it (as a real recording: no truth)."""
    root = tmp_path_factory.mktemp("truth")
    grasps = [
        simulate_grasp(
            SimObject(shape="sphere", radius_mm=r, modulus_pa=e, name=name),
            config=SimGraspConfig(),
            seed=i,
        )
        for i, (name, e, r) in enumerate(OBJECTS)
    ]
    paths = (root / "with_truth.h5", root / "without_truth.h5")
    for path, keep in zip(paths, (True, False), strict=True):
        with GraspWriter(path) as writer:
            for g in grasps:
                extra = {k: v for k, v in g.meta.extra.items() if k != TRUE_GEL_KEY}
                if keep:
                    extra[TRUE_GEL_KEY] = TRUE_GEL
                writer.append(dataclasses.replace(g, meta=dataclasses.replace(g.meta, extra=extra)))
    return paths


def test_evaluate_reports_simulated_truth_beside_the_unchanged_headline(
    stores: tuple[Path, Path],
) -> None:
    with_truth, without = stores
    sim = evaluate_dataset(with_truth, "blind", protocol="blind", beside=["given"])
    real = evaluate_dataset(without, "blind", protocol="blind", beside=["given"])
    truth = sim.metrics["simulated_truth"]
    for key in (
        "basis", "limits_from", "objects", "refused", "correct_vs_rig_gel", "false_bounds",
        "n_bounds", "rigid_points", "rigid_objects", "below_limit_objects", "below_limit_hits",
        "below_within_decade", "soft_true_gel_flagged_stiffer", "soft_cal_gel_flagged_stiffer",
        "objects_detail",
    ):  # fmt: skip
        assert key in truth
    assert truth["objects"] == 2 and truth["refused"] == 0
    assert "simulated_truth" in (sim.beside or {})["given"]
    # the steel ball's bound: correct against the calibration's gel and the rig's alike (2e11
    # is far beyond 10x either); nothing is rigid against a 2 MPa gel but the steel ball
    assert truth["rigid_objects"] == 1
    # without truth: no block, and every other figure as with it (the headline is the
    # calibration's, whatever the file knows)
    assert "simulated_truth" not in real.metrics
    assert "simulated_truth" not in (real.beside or {})["given"]
    assert {k: v for k, v in sim.metrics.items() if k != "simulated_truth"} == real.metrics
    assert [r.to_json() for r in sim.rows] == [r.to_json() for r in real.rows]


def test_cli_prints_and_writes_simulated_truth_only_for_simulated_grasps(
    stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with_truth, without = stores
    args = ["--estimator", "blind", "--protocol", "blind"]
    assert main(["evaluate", str(with_truth), *args]) == 0
    out = capsys.readouterr().out
    assert "simulated truth, blind (blind)" in out and "limits from:" in out
    assert "rigid (>= 100x rig gel) answered with a point" in out
    assert main(["evaluate", str(without), *args]) == 0
    assert "simulated truth" not in capsys.readouterr().out
    assert main(["evaluate", str(with_truth), *args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["simulated_truth"]["basis"].startswith("simulated truth")
    assert main(["evaluate", str(without), *args, "--json"]) == 0
    assert "simulated_truth" not in json.loads(capsys.readouterr().out)["summary"]


class _Refuses:
    """An estimator that refuses every grasp, as ``neural`` does outside its envelope."""

    name = "refuses"

    def estimate(self, grasp: object, *, calibration: object = None) -> ModulusEstimate:
        from tactile.errors import EstimatorError

        raise EstimatorError("the grasp is out of the network's training distribution: test")


def test_when_every_labelled_grasp_fails_the_error_says_why_not_no_labels(
    stores: tuple[Path, Path],
) -> None:
    """review25 (F2): the error quotes the first failure, and does not ask for labels that the
    grasps carry."""
    from tactile.errors import ConfigError

    with_truth, _ = stores
    with pytest.raises(ConfigError) as exc:
        evaluate_dataset(with_truth, _Refuses(), protocol="blind")  # type: ignore[arg-type]
    assert "2 failed, 0 without a label" in exc.value.message
    assert "out of the network's training distribution: test" in exc.value.message
    assert exc.value.hint is not None and "label" not in exc.value.hint


def test_an_object_on_several_rigs_takes_the_median_of_its_grasps_gels() -> None:
    """review26 (F1): with several grasps per object on randomised rigs every grasp has its own
    rig; the object's true gel (and its calibration gel) is the median of its grasps', not the
    first (or last) grasp's. Label 10^7.1: rigid against the median gel 10^5.0, not against the
    first grasp's 10^5.6."""
    from tactile.evaluation.simulated import per_object, simulated_truth_counts

    rows = [
        {"grasp": f"g{i}", "object": "box", "label": 7.1, "family": "linear", "material": "hard",
         "shape": "box", "gel_log10": gel, "log10": 5.5, "flagged": False, "lo68": 5.0,
         "hi68": 6.0, "stiffer": False}
        for i, gel in enumerate((5.6, 4.9, 5.0))
    ]  # fmt: skip
    (obj,) = per_object(rows, {})
    assert obj["gel_log10"] == 5.0
    cal = {"g0": 1e5, "g1": 3e4, "g2": 5e4}
    counts = simulated_truth_counts(rows, {}, cal)
    assert counts["rigid_objects"] == 1 and counts["rigid_points"] == 1
    assert counts["objects_detail"][0]["cal_gel_log10"] == math.log10(5e4)
    # one grasp: exactly that grasp's
    (single,) = per_object(rows[:1], {})
    assert single["gel_log10"] == 5.6
