"""benchmarks/sig39_compare.py: two hybrid runs of one file compared object by object (sig39)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from sig39_compare import compare, main


def _obj(name: str, label: float, est: float, lo: float, hi: float, bound: bool) -> dict[str, Any]:
    ok = est <= label if bound else 0.1 <= est / label <= 10.0
    return {
        "object_id": name,
        "label_pa": label,
        "estimate_pa": est,
        "interval_68_pa": [lo, hi],
        "interval_95_pa": [lo / 2, hi * 2],
        "lower_bound_only": bound,
        "correct": ok,
    }


def _run(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"summary": {"points": {"coverage_68": 0.5, "coverage_95": 1.0}}, "objects": objects}


def test_compare_counts_changes_and_the_guard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    same = _obj("a", 1e5, 1.2e5, 5e4, 3e5, False)
    old = _run([same, _obj("b", 1e5, 2e5, 1e5, 4e5, False), _obj("c", 1e6, 5e5, 5e5, 1e99, True)])
    new = _run([same, _obj("b", 1e5, 3e6, 2e6, 4e6, False), _obj("c", 1e6, 2e6, 2e6, 1e99, True)])
    res = compare(old, new)
    assert [c["new"]["object"] for c in res["changed"]] == ["b", "c"]
    assert res["correct_to_wrong"] == 2 and res["new_false_bounds"] == 1
    assert res["old"]["two_sided"] == 2 and res["old"]["two_sided_covered_68"] == 2
    assert res["new"]["two_sided_covered_68"] == 1 and "below_limit_hits" not in res["new"]
    (tmp_path / "o.json").write_text(json.dumps(old))
    (tmp_path / "n.json").write_text(json.dumps(new))
    assert main([str(tmp_path / "o.json"), str(tmp_path / "n.json"), "--name", "x"]) == 0
    assert "x: 2 objects changed; correct -> wrong 2" in capsys.readouterr().out


def test_an_open_upper_end_written_as_null_is_read_as_infinite() -> None:
    """review28 M1: ``tactile evaluate --json`` writes an open interval end as null."""
    point = _obj("p", 1e5, 2e5, 1e5, 4e5, False)
    point["interval_68_pa"] = [1e5, None]
    point["interval_95_pa"] = [5e4, None]
    row = compare(_run([point]), _run([point]))
    assert row["old"]["two_sided"] == 0 and row["changed"] == []
