"""``tactile sort`` end to end: a simulated tray, the same tray replayed, and ``sort fit``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tactile.cli.main import main
from tactile.io import GraspReader


def _sort(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["sort", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sort") / "sim"
    assert (
        main(["sort", "--profile", "tomato", "--tray", "sim://?n=3&seed=4", "--out", str(out)]) == 0
    )
    return out


def _rows(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((folder / "items.csv").open()))


def test_a_simulated_tray_writes_logs_plot_and_grasps(sim_run: Path) -> None:
    rows = _rows(sim_run)
    assert [r["item_id"] for r in rows] == ["tomato_01", "tomato_02", "tomato_03"]
    summary = json.loads((sim_run / "summary.json").read_text())
    assert summary["n_items"] == 3 and not summary["force_limit_exceeded"]
    assert summary["peak_force_max_n"] <= 10.0  # the tomato profile's safe force
    items = json.loads((sim_run / "items.json").read_text())
    for row, item in zip(rows, items, strict=True):
        assert row["truth_class"] in ("overripe", "ripe", "unripe")
        assert row["sorted_as"] in ("overripe", "ripe", "unripe", "reject")
        assert item["attempts"] and item["attempts"][0]["reason"]
        if row["sorted_as"] != "reject":  # confident: the interval lies in the class
            assert "lies in class" in row["reason"]
    assert (sim_run / "summary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with GraspReader(sim_run / "grasps.h5") as reader:
        assert len(reader) == sum(int(r["n_grasps"]) for r in rows)


def test_the_tray_replayed_gives_the_same_decisions(
    sim_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tray = f"replay://{sim_run / 'grasps.h5'}"
    payload = _sort(capsys, "--profile", "tomato", "--tray", tray, "--out", str(tmp_path / "r"))
    assert payload["summary"]["n_items"] == 3
    replayed = _rows(tmp_path / "r")
    original = _rows(sim_run)
    assert [r["sorted_as"] for r in replayed] == [r["sorted_as"] for r in original]
    assert [r["truth_class"] for r in replayed] == [r["truth_class"] for r in original]
    stop = _sort(
        capsys, "--profile", "tomato", "--tray", tray, "--out", str(tmp_path / "s"),
        "--stop-when-confident",
    )  # fmt: skip
    assert stop["summary"]["peak_force_max_n"] <= payload["summary"]["peak_force_max_n"]
    for a, b in zip(_rows(tmp_path / "s"), replayed, strict=True):
        assert float(a["max_peak_force_n"]) <= float(b["max_peak_force_n"]) + 1e-9


def test_sort_fit_writes_a_valid_profile(sim_run: Path, tmp_path: Path) -> None:
    from tactile.decisions import load_produce_profile

    out = tmp_path / "fitted.toml"
    argv = ["sort", "fit", "--profile", "tomato", "--samples", str(sim_run / "items.csv")]
    labels = {r["truth_class"] for r in _rows(sim_run)}
    if len(labels) < 3:  # a class without a sample cannot be fitted: said clearly
        assert main([*argv, "--out", str(out)]) == 2
        return
    assert main([*argv, "--out", str(out)]) == 0
    fitted = load_produce_profile(out)
    assert fitted.class_names == ("overripe", "ripe", "unripe")


def test_refuses_to_overwrite_and_names_missing_options(
    sim_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sort", "--profile", "tomato", "--tray", "sim://?n=1", "--out", str(sim_run)]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["sort", "--profile", "tomato"]) == 2
    assert "--tray" in capsys.readouterr().err
    assert main(["sort", "--profile", "tomato", "--tray", "ftp://x", "--out", "x"]) == 2
    assert "sim://" in capsys.readouterr().err


def _limit_profile(path: Path, limit: float, uncertainty: float) -> Path:
    path.write_text(
        'name = "near"\nquantity = "log10_modulus_pa"\n[max_force_n]\nvalue = 10.0\n'
        "[regrasp]\nmax_regrasps = 2\n"
        f'[[classes]]\nname = "soft"\nmax = {limit}\nuncertainty = {uncertainty}\n'
        f'[[classes]]\nname = "firm"\nmin = {limit}\nuncertainty = {uncertainty}\n'
    )
    return path


def test_an_item_withheld_by_a_limits_uncertainty_says_so_in_its_logs(
    sim_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads((sim_run / "items.json").read_text())[0]["attempts"][0]["measurement"]
    assert not first["lower_bound_only"]  # this tray's first tomato has a two-sided interval
    value, lo = first["value"], first["interval"][0]
    assert value - lo < 0.3  # so its value lies within 0.4 of a limit 0.05 below the interval
    limit = round(lo - 0.05, 4)
    tray = f"replay://{sim_run / 'grasps.h5'}"
    for u, expected in ((0.0, "firm"), (0.4, "reject")):
        out = tmp_path / f"u{u}"
        prof = _limit_profile(tmp_path / f"near{u}.toml", limit, u)
        _sort(capsys, "--profile", str(prof), "--tray", tray, "--out", str(out))
        row = _rows(out)[0]
        assert row["sorted_as"] == expected, row["reason"]
    reason = row["reason"]
    assert "within the 0.4-dex uncertainty of the soft|firm limit" in reason
    assert "fit thresholds on your fruit: tactile sort fit" in reason
    # no narrower interval around that value can clear the limit: rejected, not squeezed again
    assert row["n_grasps"] == "1" and "a re-grasp cannot clear it" in reason
    attempt = json.loads((out / "items.json").read_text())[0]["attempts"][0]
    assert attempt["outcome"] == "uncertain" and "soft|firm limit" in attempt["reason"]
