"""``tactile estimate`` and ``tactile evaluate`` end to end on a real HDF5 file of sim grasps."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tactile.cli.main import main
from tactile.io import GraspWriter
from tactile.sim import SimGraspConfig, SimObject, simulate_grasp
from tactile.types import Grasp, GraspMetadata

OBJECTS = (("soft_ball", 5e4, 20.0), ("rubber_ball", 1.5e5, 20.0), ("steel_ball", 2e11, 15.0))


def _no_contact_grasp() -> Grasp:
    n = 12
    frames = np.full((n, 24, 32, 3), 120, dtype=np.uint8)
    return Grasp(
        grasp_id="empty",
        frames=frames,
        t_s=np.arange(n) / 30.0,
        force_n=np.full(n, 0.02),
        width_mm=np.linspace(60.0, 40.0, n),
        meta=GraspMetadata(object_id="air", calibration_id="sim-wedge-v1", label_modulus_pa=1e3),
    )


@pytest.fixture(scope="module")
def grasp_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "session.h5"
    with GraspWriter(path) as writer:
        for i, (name, modulus_pa, radius_mm) in enumerate(OBJECTS):
            obj = SimObject(shape="sphere", radius_mm=radius_mm, modulus_pa=modulus_pa, name=name)
            writer.append(simulate_grasp(obj, config=SimGraspConfig(), seed=i))
        writer.append(_no_contact_grasp())
    return path


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("labels") / "labels.csv"
    lines = ["Label,Shape,Modulus [Pa],Radius [m]"]
    lines += [f"{name},Sphere,{e:.3g},{r / 1000}" for name, e, r in OBJECTS]
    lines += ["wood_block,Rectangular,1e10,", "foam,Rectangular,1e4,", "air,Irregular,1e3,"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_estimate_json_every_grasp_failure_does_not_stop_others(
    grasp_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["estimate", str(grasp_file), "--json"])
    lines = capsys.readouterr().out.splitlines()  # JSON Lines: one object per grasp
    rows = [json.loads(line) for line in lines]
    assert rc == 1  # one grasp has no contact
    assert len(rows) == 4
    by_object = {r["object_id"]: r for r in rows}
    for name, modulus_pa, _ in OBJECTS[:2]:
        r = by_object[name]
        assert r["error"] is None and r["estimator"] == "auto"
        assert 0.5 <= r["modulus_pa"] / modulus_pa <= 2.0
        assert r["interval_68_pa"][0] <= r["modulus_pa"] <= r["interval_68_pa"][1]
        assert r["label_modulus_pa"] == pytest.approx(modulus_pa)
        assert set(r) >= {"grasp_id", "interval_95_pa", "lower_bound_only", "flags"}
    steel = by_object["steel_ball"]
    assert steel["lower_bound_only"] is True and "stiffer_than_gel" in steel["flags"]
    assert steel["interval_95_pa"][1] is None  # inf -> null in strict JSON
    assert steel["modulus_pa"] <= 2e11
    failed = by_object["air"]
    assert failed["modulus_pa"] is None and "contact" in failed["error"]


def test_estimate_one_grasp_text(grasp_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tactile.io import GraspReader

    with GraspReader(grasp_file) as reader:
        first = reader.ids()[0]
    rc = main(["estimate", str(grasp_file), "--grasp", first, "--estimator", "hertz"])
    out = capsys.readouterr().out
    assert rc == 0
    assert first in out and "soft_ball" in out and "1 estimated, 0 failed" in out


def test_estimate_says_which_geometry_each_answer_was_given(
    grasp_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser40: files imported with and without --labels were answered differently, silently.
    Each answer now names the shape and radius it was given; --protocol blind gives none."""
    main(["estimate", str(grasp_file), "--json"])
    given = {r["object_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert given["soft_ball"]["given_geometry"] == {"shape": "sphere", "radius_mm": 20.0}
    assert given["air"]["given_geometry"] is None  # no shape recorded: nothing given
    main(["estimate", str(grasp_file), "--json", "--protocol", "blind"])
    blind = {r["object_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    main(["estimate", str(grasp_file), "--json", "--estimator", "blind"])
    reference = {r["object_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    for name, _, _ in OBJECTS:
        assert blind[name]["given_geometry"] is None
        assert blind[name]["details"]["auto_chose"] == "blind"
        assert blind[name]["modulus_pa"] == reference[name]["modulus_pa"]
    main(["estimate", str(grasp_file)])
    text = capsys.readouterr().out
    assert "sphere r20mm" in text and "given geometry" in text
    assert "3 of 4 grasps were given a shape/radius" in text and "--protocol blind" in text
    main(["estimate", str(grasp_file), "--protocol", "blind"])
    assert "were given a shape" not in capsys.readouterr().out


def test_a_named_hertz_under_protocol_blind_refuses_and_names_auto(
    grasp_file: Path, labels_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """named42: ``--estimator hertz`` on grasps without shape or radius answered unflagged lower
    bounds, false on soft balls; it now refuses each with a reason naming ``auto``."""
    args = ["estimate", str(grasp_file), "--json", "--estimator", "hertz"]
    assert main([*args, "--protocol", "blind"]) == 1
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    for row in rows:
        assert row["modulus_pa"] is None
    by_object = {r["object_id"]: r for r in rows}
    assert "shape or radius" in by_object["soft_ball"]["error"]
    assert "--estimator auto" in by_object["soft_ball"]["error"]
    # the same grasps with their geometry given are answered
    main(args)
    given = {r["object_id"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert given["soft_ball"]["error"] is None and given["soft_ball"]["modulus_pa"] > 0
    args = ["evaluate", str(grasp_file), "--labels", str(labels_csv), "--estimator", "hertz"]
    assert main([*args, "--protocol", "blind"]) != 0
    assert "shape or radius" in capsys.readouterr().err
    # the default protocol (both) evaluates a named given-geometry estimator under given only
    main([*args, "--json"])
    out = capsys.readouterr()
    assert json.loads(out.out)["protocol"] == "given" and "--protocol given only" in out.err


def test_estimate_unknown_grasp_and_estimator_are_one_line_errors(
    grasp_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["estimate", str(grasp_file), "--grasp", "nope"]) == 2
    assert "nope" in capsys.readouterr().err
    assert main(["estimate", str(grasp_file), "--estimator", "magic"]) == 2
    err = capsys.readouterr().err
    assert "magic" in err and "hertz" in err


def test_evaluate_prints_table_summary_baseline_and_writes_plot(
    grasp_file: Path, labels_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plot = tmp_path / "eval.png"
    rc = main(["evaluate", str(grasp_file), "--labels", str(labels_csv), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert rc == 1  # the no-contact grasp is reported as failed
    assert "soft_ball" in out and "within one decade" in out and "constant" in out
    steel = next(line for line in out.splitlines() if line.startswith("steel_ball"))
    assert ">" in steel and "bound holds" in steel
    assert "correct: point in a decade or true bound >=10x gel" in out
    assert "failed: empty" in out
    assert plot.stat().st_size > 10_000


def test_evaluate_json_metrics(
    grasp_file: Path, labels_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["evaluate", str(grasp_file), "--labels", str(labels_csv), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 1
    summary = data["summary"]
    assert summary["n_objects"] == 3
    # two points within a decade and the steel ball's lower bound, which holds: 3 correct
    assert (summary["n_points"], summary["n_bounds"]) == (2, 1)
    assert summary["correct"] == 3 and summary["false_bounds"] == 0
    assert summary["points"]["n_within_one_decade"] == 2
    assert summary["points"]["spearman"] is None  # two points rank nothing
    bounds = summary["bounds"]
    assert bounds["holding"] == 1 and [o["object_id"] for o in bounds["objects"]] == ["steel_ball"]
    assert bounds["stiffer_than_gel"] == 0  # blind: "unresolved", a bound below the gel
    assert bounds["objects"][0]["gel_modulus_pa"] == pytest.approx(2e5)  # the sim's gel
    given = data["beside"]["given"]  # with the radius given, the bound clears the gel
    assert given["correct"] == 3 and given["bounds"]["stiffer_than_gel"] == 1
    assert given["bounds"]["stiffer_than_gel_label_above_gel"] == 1  # 200 GPa steel
    assert summary["baseline"]["correct"] == 2  # 87 kPa: the two balls, not the steel
    # every answer as a value, the steel ball at its bound: the figures before the split
    values = summary["as_values"]
    assert values["within_one_decade"] == pytest.approx(2 / 3)
    assert values["n_lower_bound_only"] == 1 and values["bound_holds"] == 1.0
    assert values["spearman"] == pytest.approx(1.0)
    for key in ("within_one_decade", "log10_mae", "spearman", "bound_holds"):
        assert key not in summary  # moved under as_values: never read as a headline
    steel = next(o for o in data["objects"] if o["object_id"] == "steel_ball")
    assert steel["answer"] == "bound" and steel["bound_holds"] is True and steel["correct"]
    # constant = median log10 of the table's six labels (1e3 .. 2e11), not of the 3 evaluated
    assert summary["baseline"]["value_pa"] == pytest.approx(
        10 ** np.median(np.log10([5e4, 1.5e5, 2e11, 1e10, 1e4, 1e3])), rel=1e-6
    )
    assert [o["object_id"] for o in data["objects"]] == ["soft_ball", "rubber_ball", "steel_ball"]
    assert data["failed"][0]["grasp_id"] == "empty"


def test_evaluate_without_a_table_uses_the_labels_in_the_grasps(
    grasp_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["evaluate", str(grasp_file), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1  # the no-contact grasp fails; the others are scored
    objects = {o["object_id"]: o for o in out["objects"]}
    assert set(objects) == {"soft_ball", "rubber_ball", "steel_ball"}
    assert objects["soft_ball"]["label_pa"] == pytest.approx(5e4)
    assert objects["steel_ball"]["lower_bound_only"]
    assert [f["grasp_id"] for f in out["failed"]] == ["empty"]


def test_plot_survives_an_object_whose_median_lies_outside_its_interval(tmp_path: Path) -> None:
    """Three grasps of one object near the gel's limit: a lower bound (its 68 % interval starts
    above the bound) between two point estimates. The per-object medians then put the estimate
    below the interval's lower end, which crashed the plot ('yerr' must not be negative)."""
    from tactile.evaluation import per_object_table, plot_evaluation
    from tactile.types import Flag, ModulusEstimate

    def est(value: float, lo: float, hi: float, bound: bool = False) -> ModulusEstimate:
        flags = frozenset({Flag.STIFFER_THAN_GEL}) if bound else frozenset()
        return ModulusEstimate(value, (lo, hi), (lo / 2, hi * 2), "auto", flags, bound)

    records = [
        ("near_limit", "g1", 1e6, est(1e5, 8e4, 1.3e5)),
        ("near_limit", "g2", 1e6, est(5e5, 7e5, float("inf"), bound=True)),
        ("near_limit", "g3", 1e6, est(6e5, 5.5e5, 6.6e5)),
        ("soft", "g4", 3e4, est(3.2e4, 2.5e4, 4e4)),
    ]
    rows = per_object_table(records)
    mixed = next(r for r in rows if r.object_id == "near_limit")
    assert not mixed.lower_bound_only and mixed.estimate_pa < mixed.interval_68_pa[0]
    path = plot_evaluation(rows, tmp_path / "mixed.png", baseline_pa=1e5)
    assert path.stat().st_size > 10_000


def test_a_failing_plot_never_costs_the_results(
    grasp_file: Path, labels_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("a file where the plot's folder should be")
    plot = blocker / "eval.png"
    rc = main(["evaluate", str(grasp_file), "--labels", str(labels_csv), "--plot", str(plot)])
    out, err = capsys.readouterr()
    assert rc == 1
    assert "soft_ball" in out and "within one decade" in out  # the table is printed
    assert "tactile evaluate: error: the plot failed" in err and "plot:" not in out
    rc = main(["evaluate", str(grasp_file), "--plot", str(plot), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["plot"] is None and data["plot_error"] and len(data["objects"]) == 3


needs_torch = pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="needs the nn extra (torch)"
)


@needs_torch
def test_estimate_and_evaluate_use_the_model_given(
    grasp_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tactile.estimators.neural.estimator import model_path

    mine = tmp_path / "models" / "mine"
    shutil.copytree(model_path("default").parent, mine)
    rc = main(["estimate", str(grasp_file), "--model", str(mine), "--json"])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 1 and len(rows) == 4  # the no-contact grasp fails, with its reason
    assert {r["model"] for r in rows} == {str((mine / "model.pt").resolve())}
    assert {r["estimator"] for r in rows if r["error"] is None} == {"hybrid"}
    # with a rigid-press curve: without one the network is out of its training distribution
    from tactile.sim.rigs import calibrate_rig

    cfg = SimGraspConfig()
    rig = calibrate_rig(cfg, cfg.calibration).save(tmp_path / "rig.json")
    rc = main(
        ["evaluate", str(grasp_file), "--model", str(mine), "--estimator", "neural", "--json",
         "--calibration", str(rig)]
    )  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["estimator"] == "neural" and data["model"] == str((mine / "model.pt").resolve())
    assert main(["estimate", str(grasp_file), "--model", str(tmp_path / "nope")]) == 2
    assert "no model" in capsys.readouterr().err
    assert main(["estimate", str(grasp_file), "--model", str(mine), "--estimator", "hertz"]) == 2
    assert "--model applies to the network estimators" in capsys.readouterr().err


@pytest.mark.parametrize("estimator", ["auto", "hertz"])
def test_estimate_and_evaluate_flag_a_grasp_recorded_without_a_width_calibration(
    tmp_path: Path, estimator: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 14: a grasp stored ``width_calibrated=False`` (collected before ``tactile calibrate
    gripper``) showed no ``width_uncalibrated`` through the CLI, only through estimate_grasp."""
    import dataclasses

    obj = SimObject(shape="sphere", radius_mm=20.0, modulus_pa=5e4, name="soft_ball")
    grasp = simulate_grasp(obj, config=SimGraspConfig(), seed=0)
    extra = {**grasp.meta.extra, "width_calibrated": False}
    uncal = dataclasses.replace(grasp, meta=dataclasses.replace(grasp.meta, extra=extra))
    path = tmp_path / "uncal.h5"
    with GraspWriter(path) as writer:
        writer.append(uncal)
    assert main(["estimate", str(path), "--estimator", estimator, "--json"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert "width_uncalibrated" in row["flags"]
    assert main(["estimate", str(path), "--estimator", estimator]) == 0
    assert "width_uncalibrated" in capsys.readouterr().out
    assert main(["evaluate", str(path), "--estimator", estimator, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "width_uncalibrated" in data["objects"][0]["flags"]
    # the library path agrees, and a calibrated grasp is not flagged
    from tactile.estimators import estimate_grasp

    assert "width_uncalibrated" in estimate_grasp(uncal, estimator).flags
    assert "width_uncalibrated" not in estimate_grasp(grasp, estimator).flags


def test_evaluate_names_each_unlabelled_object_once(
    grasp_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: evaluate printed the importer's "imported without a label" as raw Python
    warnings, several times an object."""
    table = tmp_path / "partial.csv"
    table.write_text("Label,Shape,Modulus [Pa],Radius [m]\nsoft_ball,Sphere,5e4,0.02\n")
    main(["evaluate", str(grasp_file), "--labels", str(table), "--protocol", "blind", "--json"])
    err = capsys.readouterr().err
    line = (
        "tactile evaluate: warning: object 'rubber_ball' has no row in the label table: not scored"
    )
    assert err.count(line) == 1
    assert "imported without a label" not in err and "LabelWarning" not in err


def test_estimate_table_aligns_wide_object_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """newuser41: a CJK object name (2 terminal columns a character) pushed its row's later
    columns right of the other rows'; a grasp id longer than the column, likewise."""
    import dataclasses
    import unicodedata

    path = tmp_path / "wide.h5"
    with GraspWriter(path) as w:
        base = _no_contact_grasp()
        w.append(base)
        meta = dataclasses.replace(base.meta, object_id="空气")
        w.append(dataclasses.replace(base, grasp_id="u7a7au6c14-0123abcd_1", meta=meta))
        w.append(dataclasses.replace(base, grasp_id="a_grasp_id_longer_than_26_chars_1"))
    assert main(["estimate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()[2:5]

    def column(line: str) -> int:  # where "failed" starts, in terminal columns
        head = line[: line.index("failed")]
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in head)

    assert "空气" in lines[1] and len({column(line) for line in lines}) == 1
