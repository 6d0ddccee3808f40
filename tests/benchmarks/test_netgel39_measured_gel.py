"""benchmarks/netgel39_measured_gel.py: runs of a file merged per grasp and scored per mode
(findings: benchmarks/results/netgel39.md)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from netgel39_measured_gel import _counts, _fallbacks, _limits, main, merged


def _est(log10: float, flagged: bool, limit: float | None, source: str | None = None) -> Any:
    return {
        "log10": log10,
        "flagged": flagged,
        "lo68": log10 - 0.5,
        "hi68": math.inf if flagged else log10 + 0.5,
        "stiffer": False,
        "limit_pa": limit,
        "source": source,
        "ood_reason": None,
        "net_mu": log10,
    }


def _row(grasp: str, label: float, est: dict[str, Any]) -> dict[str, Any]:
    return {
        "grasp": grasp,
        "object": grasp,
        "label": label,
        "family": "foam",
        "material": "foam",
        "shape": "sphere",
        "gel_log10": 5.5,
        "rebuilt": True,
        "c_true": 0.1,
        "c_stored": 0.2,
        "c_fit": 0.11,
        "coupon_log10_err": 0.0,
        "caliper_err_mm": 0.0,
        "m_gel_pa": 3e5,
        "m_thickness_mm": 2.0,
        "c_fits": {"M": 0.11},
        "cal_gel_pa": {"S": 54689.4, "M": 3e5},
        "est": est,
        "seconds": {k: 0.1 for k in est},
    }


@pytest.fixture()
def runs(tmp_path: Path) -> tuple[Path, Path]:
    first = [
        _row(
            "a",
            4.0,
            {
                "S/hybrid": _est(4.2, False, 1e6, "mixture"),
                "M/hybrid": _est(4.1, False, 1e6, "mixture"),
            },
        ),
        _row(
            "b",
            8.0,  # rigid (>= gel + 2) and above the limit
            {"S/hybrid": _est(5.0, True, 1e6), "M/hybrid": _est(6.0, False, 1e6)},
        ),
    ]
    second = [_row("b", 8.0, {"M/hybrid": {"error": "a measured gel unlike the training rigs'"}})]
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    p1, p2 = tmp_path / "one" / "f.jsonl", tmp_path / "two" / "f.jsonl"
    p1.write_text("".join(json.dumps(r) + "\n" for r in first))
    p2.write_text("".join(json.dumps(r) + "\n" for r in second))
    return p1, p2


def test_counts_and_merge(runs: tuple[Path, Path]) -> None:
    rows = merged([runs[0]])["f"]
    lim = _limits(rows, "S/hybrid")
    s, m = _counts(rows, "S/hybrid", lim), _counts(rows, "M/hybrid", lim)
    assert (s["hits"], s["below_limit_objects"], s["rigid_points"], s["n_bounds"]) == (1, 1, 0, 1)
    assert (m["hits"], m["rigid_points"], m["n_bounds"]) == (1, 1, 0)
    # a later run of the same file replaces that grasp's mode: here a refusal
    rows2 = merged(list(runs))["f"]
    assert _fallbacks(rows2, "M/hybrid") == {"mixture": 1, "refused (envelope)": 1}
    assert _counts(rows2, "M/hybrid", lim)["refused"] == 1
    assert "S/hybrid" in rows2[1]["est"]  # the first run's other modes kept


def test_report_runs(runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(runs[0]), "--detail"]) == 0
    out = capsys.readouterr().out
    assert "| M/hybrid | 1 / 1 |" in out
    assert "b (8.00, gel 5.50): bound 5.00 -> stiff" not in out  # 6.0 vs 8.0 is too soft
    assert "bound 5.00 -> soft 6.00" in out
