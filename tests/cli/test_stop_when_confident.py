"""``--stop-when-confident`` on a rig from the command line: ``tactile collect`` and
``tactile sort --hardware``, on simulated devices through the real recorder."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.io import GraspReader

GENTLE = "min_force_n=2&min_speed_mm_s=10&open_mm=75"  # a sim gripper that can grip fruit
#: the world's clock advances at most 20 ms per interaction, so how early the host stops the
#: fingers does not depend on how busy the machine is (docs/decisions.md, issue 10)
CLOCK = "max_step_s=0.02"


def _devices(rig: str, obj: str = "radius_mm=25&modulus_pa=1e5") -> list[str]:
    return [
        "--gripper", f"sim://?rig={rig}&{GENTLE}&{obj}&{CLOCK}",
        "--tactile", f"sim://?rig={rig}&fps=30&height_px=60&width_px=80&{obj}&{CLOCK}",
        "--force", f"sim://?rig={rig}&rate_hz=200&{obj}&{CLOCK}",
    ]  # fmt: skip


def _collect(tmp_path: Path, name: str, *extra: str) -> list[str]:
    return [
        "collect", "ball", "-n", "1", "-o", str(tmp_path / name), *_devices(name),
        "--shape", "sphere", "--radius-mm", "25", "--label-pa", "1e5",
        "--target-force-n", "12", "--hold-s", "0.05", "--no-progress", "--json", *extra,
    ]  # fmt: skip


def test_collect_stops_when_the_interval_is_narrow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_collect(tmp_path, "full.h5")) == 0
    full = json.loads(capsys.readouterr().out)["grasps"][0]
    stop = ("--stop-when-confident", "--confident-dex", "0.6")
    assert main(_collect(tmp_path, "stop.h5", *stop)) == 0
    stopped = json.loads(capsys.readouterr().out)["grasps"][0]
    assert stopped["status"] == "accepted" and stopped["stopped_by"] == "callback"
    online = stopped["online"]
    assert online["stop_reason"] == "confident" and online["estimate_at_stop"]
    lo, hi = online["estimate_at_stop"]["interval_95_pa"]
    assert hi / lo <= 10**0.6
    assert stopped["peak_force_n"] < 0.8 * full["peak_force_n"]
    assert GraspReader(tmp_path / "stop.h5").ids() == ["ball_001"]  # kept, as any grasp


def test_collect_with_a_produce_profile_caps_the_force_at_its_safe_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _collect(tmp_path, "p.h5", "--stop-when-confident", "--produce", "tomato")
    assert main(args) == 0
    row = json.loads(capsys.readouterr().out)["grasps"][0]
    assert row["peak_force_n"] <= 10.0  # the tomato's safe force, not the 12 N target
    meta = GraspReader(tmp_path / "p.h5").metadata("ball_001")
    assert meta.extra["max_force_n"] == 10.0 and meta.extra["target_force_n"] <= 9.0
    assert main(_collect(tmp_path, "q.h5", "--produce", "tomato")) == 2
    assert "--produce chooses the stopping rule" in capsys.readouterr().err


def _hardware(tmp_path: Path) -> Path:
    path = tmp_path / "bench.toml"
    path.write_text(
        'name = "bench"\ncalibration = "sim-wedge-v1"\n[devices]\n'
        f'gripper = "sim://?rig=b&{GENTLE}&{CLOCK}"\n'
        f'tactile = "sim://?rig=b&fps=30&height_px=60&width_px=80&{CLOCK}"\n'
        f'force = "sim://?rig=b&rate_hz=200&{CLOCK}"\n'
        "[recorder]\npre_s = 0.05\nhold_s = 0.05\nrelease_s = 0.5\n"
    )
    return path


def test_sort_on_simulated_hardware_logs_every_item_and_keeps_every_grasp(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(
        ["sort", "--profile", "tomato", "--tray", "sim://?n=2&seed=4", "--hardware",
         str(_hardware(tmp_path)), "--out", str(out), "--stop-when-confident", "--json"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    summary = json.loads(capsys.readouterr().out)["summary"]
    assert summary["n_items"] == 2 and not summary["force_limit_exceeded"]
    assert summary["peak_force_max_n"] <= 10.0
    rows = list(csv.DictReader((out / "items.csv").open()))
    assert [r["truth_class"] != "" for r in rows] == [True, True]
    with GraspReader(out / "grasps.h5") as reader:
        assert len(reader) == summary["n_grasps"]
        metas = [reader.metadata(g) for g in reader.ids()]
    assert all(m.source == "sort" and m.extra["stop_reason"] for m in metas)
    # the stored grasps sort again from the file
    again = tmp_path / "again"
    tray = f"replay://{out / 'grasps.h5'}"
    assert main(["sort", "--profile", "tomato", "--tray", tray, "--out", str(again)]) == 0


def test_a_rig_tray_has_the_operator_place_each_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(
        ["sort", "--profile", "tomato", "--tray", "rig://?n=1", *_devices("r"),
         "--pause-s", "0", "--out", str(out), "--json"]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    item = json.loads((out / "items.json").read_text())[0]
    assert item["item_id"] == "tomato_01" and item["truth_class"] is None
    assert item["attempts"][0]["peak_force_n"] <= 10.0


@pytest.mark.parametrize(
    ("tray", "extra", "message"),
    [
        ("rig://?n=2", [], "no rig was given"),
        ("replay://x.h5", ["--hardware", "sim"], "not on a rig"),
        ("sim://?n=2&sed=1", [], "unknown key(s) sed"),
        ("sim://?n=2", ["--hardware", "robotiq-2f85-wedge"], "only simulated devices"),
    ],
)  # fmt: skip
def test_bad_rig_requests_are_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tray: str, extra: list[str], message: str
) -> None:
    args = ["sort", "--profile", "tomato", "--tray", tray, "--out", str(tmp_path / "o"), *extra]
    assert main(args) == 2
    assert message in capsys.readouterr().err


def test_a_named_estimator_without_geometry_is_refused_before_squeezing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """review48: `--estimator hertz` without --shape/--radius-mm refused every online update,
    silently, and the grasp closed to the target force instead of stopping when confident."""
    args = [
        "collect", "ball", "-n", "1", "-o", str(tmp_path / "h.h5"), *_devices("h.h5"),
        "--target-force-n", "12", "--no-progress", "--stop-when-confident",
        "--estimator", "hertz",
    ]  # fmt: skip
    assert main(args) == 2
    assert "--shape / --radius-mm" in capsys.readouterr().err
    assert not (tmp_path / "h.h5").exists()  # nothing was squeezed


def test_sort_stopped_by_a_gripper_fault_counts_truthfully_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    fault = "robotiq-sim://?rig=collect&activation_s=0.1&fail=fault&fault_code=0x0E&fail_grasp=2"
    code = main(
        ["sort", "--profile", "tomato", "--tray", "sim://?n=3&seed=4", "--hardware", "sim",
         "--gripper", fault, "--software-force-limit", "--out", str(out)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2, err  # the fault's own error
    assert "  tomato_02: reject, aborted (1 grasp(s))" in err  # the progress line says so
    done = re.search(r"stopped by a fault; 2 of 3 item\(s\) logged in (.+): (\d) sorted, "
                     r"(\d) rejected, 1 aborted \(its grasp so far kept", err)  # fmt: skip
    assert done and done[1] == str(out) and int(done[2]) + int(done[3]) == 1, err
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["n_items"], summary["n_aborted"], summary["complete"]) == (2, 1, False)
    item = json.loads((out / "items.json").read_text())[1]
    assert item["aborted"] and item["reason"].startswith("aborted: gripper ")  # said once
