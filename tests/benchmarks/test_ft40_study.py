"""benchmarks/ft40_study.py: the pure parts (ft40, issue 12)."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from ft40_study import object_row, offset_comparator, session_figures, spearman


def _obj(name: str, label: float, est: float, lo: float, hi: float, **kw: Any) -> dict[str, Any]:
    return {
        "object_id": name,
        "label_pa": label,
        "estimate_pa": est,
        "interval_68_pa": [lo, hi],
        "lower_bound_only": kw.get("bound", False),
        "log10_error": None,
        "correct": kw.get("correct", True),
        "n_grasps": 3,
    }


def test_object_row_and_session_figures() -> None:
    rows = [
        object_row(_obj("a", 1e4, 1e5, 5e4, 2e5, correct=True)),  # 1 dex high, not covered
        object_row(_obj("b", 1e5, 1e5, 5e4, 2e5)),  # exact, covered
        object_row(_obj("c", 1e6 / 2, 1e6, 1e5, 1e7)),  # soft, covered
        object_row(_obj("golf", 1e9, 1e5, 1e5, math.inf, bound=True)),  # a holding bound
    ]
    assert rows[3]["hi68"] == math.inf and rows[3]["covered68"]
    assert not rows[0]["covered68"] and rows[1]["covered68"]
    f = session_figures(rows, n_objects=5)  # one object refused
    assert f["n"] == 5 and f["answered"] == 4 and f["correct"] == 4 and f["bounds"] == 1
    assert math.isclose(f["mae"], (1.0 + 0.0 + math.log10(2)) / 3)
    assert math.isclose(f["coverage68"], 0.75)
    assert math.isclose(f["spearman_soft"], 1.0)  # a < b < c by label and by estimate


def test_spearman_and_offset() -> None:
    assert math.isnan(spearman([1.0, 2.0], [2.0, 1.0]))
    assert math.isclose(spearman([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]), -1.0)
    train = [object_row(_obj("a", 1e5, 1e4, 1e3, 1e5)), object_row(_obj("b", 1e4, 1e3, 1, 1e4))]
    held = [
        object_row(_obj("a", 1e5, 10**4.5, 1e3, 1e5)),
        object_row(_obj("g", 1e9, 1e5, 1e5, math.inf, bound=True)),  # bounds are not shifted
    ]
    got = offset_comparator(train, held)
    assert math.isclose(got["shift"], 1.0)
    assert math.isclose(got["mae_before"], 0.5) and math.isclose(got["mae_after"], 0.5)
    assert math.isclose(got["bias_before"], -0.5) and math.isclose(got["bias_after"], 0.5)
